"""--anonymize for a snapshot already taken (a file, or a report read back).

A live target is anonymized while the snapshot is built, from the identity the probe
reported. A file keeps no separate identity, so it is read from the snapshot itself:
HOME, USER / LOGNAME / USERNAME and the host name, with the same token-aware
`Anonymizer`, so placeholders match those of `snapshot --anonymize`.
"""

from __future__ import annotations

import re
from dataclasses import replace

from driftcheck.redaction.anonymize import Anonymizer
from driftcheck.snapshot.codec import from_jsonable, to_jsonable
from driftcheck.snapshot.model import Snapshot

# Fields that say what the file is, not where it came from.
_KEPT = ("format", "schema_version", "generator", "created_at", "redaction")
_HOME_PARENT = re.compile(r"^(?:/home|/Users|[A-Za-z]:[\\/]Users)[\\/](?P<user>[^\\/]+)[\\/]?$")


def identity(snapshot: Snapshot) -> tuple[str | None, str | None, str | None]:
    """(user, home, host name) as the snapshot itself tells them."""

    def variable(*names: str) -> str | None:
        for name in names:
            value = snapshot.environment.get(name)
            if isinstance(value, str) and value:
                return value
        return None

    home = variable("HOME", "USERPROFILE")
    user = variable("USER", "LOGNAME", "USERNAME")
    if user is None and home is not None:
        named = _HOME_PARENT.match(home)
        user = named["user"] if named else None
    return user, home, snapshot.os.hostname


def anonymizer_for(snapshot: Snapshot) -> Anonymizer:
    return Anonymizer(*identity(snapshot))


def anonymize_snapshot(snapshot: Snapshot, anonymizer: Anonymizer | None = None) -> Snapshot:
    """SNAPSHOT with its user, home and host names replaced (by its own identity unless
    ANONYMIZER is given); one that is already anonymized comes back unchanged."""
    if snapshot.redaction.anonymized:
        return snapshot
    anonymizer = anonymizer or anonymizer_for(snapshot)
    document = to_jsonable(snapshot)
    tree = anonymizer.apply_tree({k: v for k, v in document.items() if k not in _KEPT})
    tree.update({k: document[k] for k in _KEPT})
    anonymized = from_jsonable(Snapshot, tree)
    return replace(anonymized, redaction=replace(snapshot.redaction, anonymized=True))
