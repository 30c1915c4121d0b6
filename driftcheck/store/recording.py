"""The one call snapshot and check make: record in the chosen store, if any."""

from __future__ import annotations

import sys

from driftcheck.errors import UsageError
from driftcheck.snapshot.model import Snapshot
from driftcheck.store.history import open_store
from driftcheck.store.location import STORE_VARIABLE, chosen_store
from driftcheck.terminal import visible


def record_if_chosen(snapshot: Snapshot, *, verdict: str | None = None) -> int | None:
    """Records *snapshot* in --store / DRIFTCHECK_STORE; says where on stderr."""
    location = chosen_store()
    if location is None:
        return None
    with open_store(location) as store:
        snapshot_id = store.record(snapshot, verdict=verdict)
        name = store.name
    outcome = f" ({verdict})" if verdict else ""
    print(
        f"driftcheck: recorded @{snapshot_id}{outcome} as {visible(snapshot.label)} in "
        f"{visible(name)}",
        file=sys.stderr,
    )
    return snapshot_id


def check_accepted_reference(reference: str) -> None:
    """`check --baseline @last-pass --update-baseline` records the target as a pass (the
    next @last-pass); it needs a store, and a reference that a new pass becomes."""
    name = reference.split(":", 1)[0]
    if name not in ("@last-pass", "@latest"):
        raise UsageError(
            f"--update-baseline with {visible(reference[:80])}: a stored snapshot is never "
            "replaced; use --baseline @last-pass to record this target as the new pass"
        )
    if chosen_store() is None:
        raise UsageError(
            f"--update-baseline with {name} records in the history store: pass "
            f"--store PATH|URL or set {STORE_VARIABLE}"
        )
