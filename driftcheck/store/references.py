"""`@last-pass[:LABEL]`, `@latest[:LABEL]` and `@ID`: snapshots read back from the store."""

from __future__ import annotations

import re

from driftcheck.errors import UsageError
from driftcheck.snapshot.model import Snapshot
from driftcheck.store.history import Store, open_store
from driftcheck.store.location import STORE_VARIABLE, chosen_store
from driftcheck.terminal import visible

FORMS = "@last-pass[:LABEL], @latest[:LABEL] or @ID"
_REFERENCE = re.compile(
    r"@(?:(?P<which>last-pass|latest)(?::(?P<label>[^\x00-\x1f\x7f]{1,200}))?|(?P<id>[0-9]{1,18}))"
)
_LISTED_LABELS = 10


def reference_label(text: str) -> str | None:
    """LABEL of @last-pass:LABEL or @latest:LABEL (None for other references)."""
    match = _REFERENCE.fullmatch(text)
    return match["label"] if match is not None else None


def load_stored(text: str, *, label: str | None = None, store: str | None = None) -> Snapshot:
    """*label* is the command's --label: the label of a reference that names none."""
    match = _REFERENCE.fullmatch(text)
    if match is None:
        raise UsageError(
            f"{visible(text[:80])!r} is not a stored snapshot; write {FORMS} "
            "(a file whose name starts with @: write ./@NAME)"
        )
    location = store or chosen_store()
    if location is None:
        raise UsageError(
            f"{text[:80]} reads the history store: pass --store PATH|URL or set {STORE_VARIABLE}"
        )
    with open_store(location) as opened:
        if match["id"] is not None:
            return _by_id(opened, int(match["id"]))
        wanted = match["label"] or label or _only_label(opened, text)
        passed = match["which"] == "last-pass"
        snapshot_id = opened.newest(wanted, passed=passed)
        if snapshot_id is None:
            raise UsageError(_nothing_stored(opened, wanted, passed))
        return _by_id(opened, snapshot_id)


def _by_id(store: Store, snapshot_id: int) -> Snapshot:
    snapshot = store.load(snapshot_id)
    if snapshot is None:
        raise UsageError(
            f"store {store.name} has no snapshot @{snapshot_id}; `driftcheck history` lists them"
        )
    return snapshot


def _only_label(store: Store, text: str) -> str:
    labels = store.labels()
    if len(labels) == 1:
        return labels[0]
    if not labels:
        raise UsageError(
            f"store {store.name} is empty: accept a target as the first pass with "
            f"`driftcheck check --baseline @last-pass --update-baseline --label NAME`, or "
            "record snapshots with `driftcheck snapshot --store`"
        )
    shown = ", ".join(visible(label[:60]) for label in labels[:_LISTED_LABELS])
    more = f" and {len(labels) - _LISTED_LABELS} more" if len(labels) > _LISTED_LABELS else ""
    raise UsageError(
        f"store {store.name} holds several labels ({shown}{more}): name one, "
        f"{text.split(':', 1)[0]}:LABEL, or pass --label"
    )


def _nothing_stored(store: Store, label: str, passed: bool) -> str:
    shown = visible(label[:60])
    if passed:
        return (
            f"store {store.name} has no snapshot of {shown} whose check passed: accept a "
            f"target as the first pass with `driftcheck check --baseline @last-pass "
            f"--update-baseline --label {shown}`; `driftcheck history {shown}` lists the store"
        )
    return f"store {store.name} has no snapshot of {shown}; `driftcheck history` lists labels"
