"""Reads or snapshots many sides at once; one side that fails does not stop the others."""

from __future__ import annotations

import contextvars
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TextIO

from driftcheck.errors import DriftcheckError
from driftcheck.fleet.model import FailedSide
from driftcheck.snapshot.model import Snapshot

DEFAULT_JOBS = 4  # snapshots are mostly waiting (an engine, a host): a few at once
MAX_JOBS = 64


@dataclass(frozen=True)
class Gathered:
    sides: tuple[tuple[str, Snapshot], ...]  # in the order given, without the failed ones
    failed: tuple[FailedSide, ...]


def gather(
    texts: Sequence[str],
    load: Callable[[str], Snapshot],
    *,
    jobs: int = DEFAULT_JOBS,
    stream: TextIO | None = None,
) -> Gathered:
    """``load`` is api.load_or_take; a DriftcheckError of one side is kept as its failure."""
    progress = _Progress(len(texts), stream if stream is not None else sys.stderr)
    results: list[Snapshot | FailedSide] = []

    def one(text: str) -> Snapshot | FailedSide:
        try:
            return load(text)
        except DriftcheckError as exc:
            # Untrusted like every error text: the renderers scrub and escape it.
            return FailedSide(label=text, message=str(exc), exit_code=int(exc.exit_code))
        finally:
            progress.one_done()

    pool = ThreadPoolExecutor(max_workers=max(1, min(jobs, MAX_JOBS, len(texts))))
    try:
        # Each side runs in the caller's context: --store and the like live in ContextVars.
        context = contextvars.copy_context()
        results = list(pool.map(lambda text: context.copy().run(one, text), texts))
    finally:
        # Ctrl-C: sides not started yet never start; the running ones end at their deadline.
        pool.shutdown(wait=False, cancel_futures=True)
        progress.close()
    sides = tuple((t, r) for t, r in zip(texts, results, strict=True) if isinstance(r, Snapshot))
    failed = tuple(r for r in results if isinstance(r, FailedSide))
    return Gathered(sides=sides, failed=failed)


class _Progress:
    """`snapshots 7/20` on one line of stderr, only on a terminal."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self._total, self._done, self._stream = total, 0, stream
        self._lock = threading.Lock()
        self._shown = stream.isatty()
        self._draw()

    def one_done(self) -> None:
        with self._lock:
            self._done += 1
            self._draw()

    def _draw(self) -> None:
        if self._shown:
            self._stream.write(f"\r\x1b[2Kreading {self._done}/{self._total} sides")
            self._stream.flush()

    def close(self) -> None:
        if self._shown:
            self._stream.write("\r\x1b[2K")
            self._stream.flush()
