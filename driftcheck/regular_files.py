"""Reading a local file that should be a regular file, never blocking on anything else.

A plain open() of a FIFO named `driftcheck.toml` or `~/.docker/config.json` waits for
a writer forever, and opening a device can act on it. The type is checked before
opening and again on the open descriptor, which O_NONBLOCK keeps from waiting on a
FIFO in between.
"""

from __future__ import annotations

import fcntl
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
_READ_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC


class NotReadError(Exception):
    """A file that is not read; the message says why, in a few words."""


def read_regular_file(path: Path, limit: int, *, follow_links: bool = True) -> bytes:
    """At most ``limit + 1`` bytes of ``path``, which must be a regular file.

    Raises FileNotFoundError when it does not exist (callers often treat that apart),
    NotReadError for anything else that keeps it from being read.
    """
    flags = _READ_FLAGS if follow_links else _READ_FLAGS | os.O_NOFOLLOW
    try:
        _require_regular(os.stat(path, follow_symlinks=follow_links).st_mode)
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise
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


def open_for_append(path: Path) -> int:
    """A descriptor appending to ``path`` (created 0666 & ~umask), never waiting.

    A FIFO with no reader fails at once (ENXIO) instead of blocking; once open, the
    descriptor blocks as usual, so a slow reader gets every byte.
    """
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
    fd = os.open(path, flags, 0o666)
    try:
        kind = stat.S_IFMT(os.fstat(fd).st_mode)
        if kind not in (stat.S_IFREG, stat.S_IFIFO, stat.S_IFCHR):
            raise NotReadError(f"cannot write to it ({_KINDS.get(kind, 'not a file')})")
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _require_regular(mode: int) -> None:
    if not stat.S_ISREG(mode):
        kind = _KINDS.get(stat.S_IFMT(mode), "not a regular file")
        raise NotReadError(f"not a regular file ({kind})" if kind.startswith("a ") else kind)
