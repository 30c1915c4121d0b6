"""What a test run leaves in the Docker engine: driftcheck's throwaway containers."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from driftcheck.targets.engine import LABEL

POLL_SECONDS = 0.5
POLLS = 20


def _created(container: Any) -> float:
    """The engine's creation time (RFC 3339 with nanoseconds) as a POSIX timestamp."""
    text = str(container.attrs.get("Created") or "")
    head, _, tail = text.rstrip("Z").partition(".")
    fraction = "".join(ch for ch in tail if ch.isdigit())[:6]
    try:
        stamp = datetime.fromisoformat(f"{head}.{fraction or '0'}+00:00")
    except ValueError:
        return float("inf")  # unreadable: count it as ours rather than miss a leak
    return stamp.timestamp()


def leftover_probe_containers(client: Any, since: float) -> list[str]:
    """Names of driftcheck-labelled containers created since *since* that do not go away.

    Other test runs may share the engine and have a probe container in flight at
    this very moment: it disappears within seconds, a leaked one does not.
    """

    def labelled() -> dict[str, Any]:
        found = client.containers.list(all=True, filters={"label": LABEL})
        return {c.id: c for c in found if _created(c) >= since}

    left = labelled()
    for _ in range(POLLS):
        if not left:
            break
        time.sleep(POLL_SECONDS)
        left = {key: c for key, c in labelled().items() if key in left}
    return sorted(c.name for c in left.values())
