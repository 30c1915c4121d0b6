"""Opening a project's files: regular files inside the project only, never blocking.

A plain open() of a FIFO named `app.py` or `requirements.txt` waits for a writer
forever, and so does `-r /dev/stdin` in a requirements file; `-r ../../elsewhere`
reads outside the folder the user named. Such a file is not read, and the reason
goes into the project notes that `--project` prints.
"""

from __future__ import annotations

import os
from pathlib import Path

from driftcheck.regular_files import NotReadError, read_regular_file

__all__ = ["NotReadError", "inside", "read_project_file"]


def inside(root: Path, path: Path) -> bool:
    """Whether ``path``, its links resolved, is ``root`` or under it (root: resolved)."""
    return Path(os.path.realpath(path)).is_relative_to(root)


def read_project_file(root: Path, path: Path, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of ``path``, a regular file inside ``root`` (resolved)."""
    real = Path(os.path.realpath(path))
    if not real.is_relative_to(root):
        raise NotReadError("outside the project folder")
    try:
        return read_regular_file(real, limit, follow_links=False)
    except FileNotFoundError as exc:
        raise NotReadError(f"cannot read it ({exc.strerror or exc})") from exc
