"""Opening a project's files: regular files inside the project only, never blocking.

A plain open() of a FIFO named `app.py` or `requirements.txt` waits for a writer
forever, and so does `-r /dev/stdin` in a requirements file; `-r ../../elsewhere`
reads outside the folder the user named. Such a file is not read, and the reason
goes into the project notes that `--project` prints.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

_KINDS = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}
_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC | os.O_NOFOLLOW


class NotReadError(Exception):
    """A project file that is not read; the message says why, in a few words."""


def inside(root: Path, path: Path) -> bool:
    """Whether ``path``, its links resolved, is ``root`` or under it (root: resolved)."""
    return Path(os.path.realpath(path)).is_relative_to(root)


def read_project_file(root: Path, path: Path, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of ``path``, a regular file inside ``root`` (resolved).

    The type is checked before opening (opening a device can act on it) and again on
    the open descriptor, which O_NONBLOCK keeps from waiting on a FIFO meanwhile.
    """
    real = Path(os.path.realpath(path))
    if not real.is_relative_to(root):
        raise NotReadError("outside the project folder")
    try:
        _require_regular(os.stat(real).st_mode)
        fd = os.open(real, _FLAGS)
    except OSError as exc:
        raise NotReadError(f"cannot read it ({exc.strerror or exc})") from exc
    try:
        _require_regular(os.fstat(fd).st_mode)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(limit + 1)
    except OSError as exc:
        raise NotReadError(f"cannot read it ({exc.strerror or exc})") from exc
    finally:
        os.close(fd)


def _require_regular(mode: int) -> None:
    if not stat.S_ISREG(mode):
        kind = _KINDS.get(stat.S_IFMT(mode), "not a regular file")
        raise NotReadError(f"not a regular file ({kind})" if kind.startswith("a ") else kind)
