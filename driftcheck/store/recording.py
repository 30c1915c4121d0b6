"""The one call snapshot and check make: record in the chosen store, if any."""

from __future__ import annotations

import sys

from driftcheck.render.terminal import visible
from driftcheck.snapshot.model import Snapshot
from driftcheck.store.history import open_store
from driftcheck.store.location import chosen_store


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
