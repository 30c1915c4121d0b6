"""One file lock per cached thing: parallel sessions (and the two build threads of one
session) never build the same folder at once."""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator

from support import CACHE


@contextlib.contextmanager
def cache_lock(name: str) -> Iterator[None]:
    """Held while ``~/.cache/driftcheck-tests/scenarios/<name>`` is built or checked."""
    path = CACHE / "scenarios" / f"{name}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:  # flock is per open file: threads exclude each other too
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
