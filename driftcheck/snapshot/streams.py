"""Outputs that are not files: a device, a FIFO, one of driftcheck's own streams.

`-o /dev/null`, `-o /dev/stdout` or `-o a.fifo` means "send it there", as it does for
every Unix tool. The atomic writer renames a new file over its target: done to
/dev/null as root, that replaces the device with a regular file for the whole
machine; done to a FIFO, it breaks the pipe. So these are written through instead,
and outputs that cannot take a stream of bytes (a socket, a block device, a folder)
are refused before anything is written. Links are followed: a link to /dev/null is
/dev/null.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from pathlib import Path

from driftcheck.errors import OutputError

MAX_LINK_HOPS = 40  # Linux's own limit (ELOOP)
# Names of a descriptor this process holds: /dev/stdout is a link to /proc/self/fd/1.
_OWN_DESCRIPTOR = re.compile(r"^/(?:dev/fd|proc/self/fd|proc/thread-self/fd)/([0-9]+)$")
_REFUSED = {
    stat.S_IFSOCK: "a socket",
    stat.S_IFBLK: "a block device",
    stat.S_IFDIR: "a folder",
}


def own_descriptor(path: Path) -> int | None:
    """The descriptor that ``path`` names (/dev/stdout, /dev/fd/3, a link to one), or None.

    Such a path is written to the descriptor itself: opening it again would start a
    redirected file at offset 0 (over what the shell appended) or, for a socket, fail.
    """
    current = os.path.abspath(path)
    own_process = f"/proc/{os.getpid()}/fd/"
    for _ in range(MAX_LINK_HOPS):
        if current.startswith(own_process) and current[len(own_process) :].isdecimal():
            return int(current[len(own_process) :])
        match = _OWN_DESCRIPTOR.match(current)
        if match:
            return int(match[1])
        try:
            target = os.readlink(current)
        except OSError:
            return None  # not a link (or gone): a path like any other
        current = os.path.normpath(os.path.join(os.path.dirname(current), target))
    return None


def special_kind(path: Path) -> int | None:
    """The file type (stat.S_IFMT) of what ``path`` leads to, when it is not a regular file."""
    try:
        kind = stat.S_IFMT(os.stat(path).st_mode)  # follows links
    except OSError:
        return None  # missing, or a loop: the atomic writer creates it or says why not
    return None if kind == stat.S_IFREG else kind


def writes_through(path: Path) -> bool:
    """True when ``path`` is a stream (a descriptor, a device, a FIFO), not a file to replace."""
    return own_descriptor(path) is not None or special_kind(path) in (stat.S_IFCHR, stat.S_IFIFO)


def write_through(path: Path, text: str, *, option: str = "-o") -> bool:
    """Writes ``text`` through ``path`` if it is not a regular file to replace; False if it is.

    Refuses (OutputError, exit 2) what cannot take a stream: a socket, a block device,
    a folder. A FIFO blocks until it has a reader, as `cat > FIFO` does.
    """
    descriptor = own_descriptor(path)
    if descriptor is not None:
        _flush_own_streams(descriptor)
        _write_all(descriptor, text.encode("utf-8"), path, option)
        return True
    kind = special_kind(path)
    if kind is None:
        return False
    refused = _REFUSED.get(kind)
    if refused is not None:
        raise OutputError(f"cannot write {path}: it is {refused}; choose a file for {option}")
    flags = os.O_WRONLY | os.O_NOCTTY | os.O_CLOEXEC  # never O_CREAT nor O_TRUNC
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise OutputError(
            f"cannot write {path}: {exc.strerror or exc}; choose another {option}"
        ) from exc
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            return False  # replaced by a file since: it gets the atomic write, untouched here
        _write_all(fd, text.encode("utf-8"), path, option)
    finally:
        os.close(fd)
    return True


def _flush_own_streams(descriptor: int) -> None:
    """What Python buffered for stdout or stderr goes first, so the output stays in order."""
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None and stream.fileno() == descriptor:
                stream.flush()
        except (OSError, ValueError):
            pass


def _write_all(fd: int, data: bytes, path: Path, option: str) -> None:
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(fd, view) :]
    except OSError as exc:
        raise OutputError(
            f"cannot write {path}: {exc.strerror or exc}; choose another {option}"
        ) from exc
