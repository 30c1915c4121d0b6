"""A spinner on stderr for anything longer than a second, only on a terminal."""

from __future__ import annotations

import itertools
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

DELAY_SECONDS = 1.0
FRAMES = "|/-\\"


@contextmanager
def spinner(message: str) -> Iterator[None]:
    stream = sys.stderr
    if not stream.isatty():
        yield
        return
    stop = threading.Event()

    def spin() -> None:
        if stop.wait(DELAY_SECONDS):
            return
        for frame in itertools.cycle(FRAMES):
            stream.write(f"\r{frame} {message}")
            stream.flush()
            if stop.wait(0.1):
                break
        stream.write("\r\x1b[2K")
        stream.flush()

    thread = threading.Thread(target=spin, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
