"""Where an archive's parts (manifests, configs, layer blobs) are read from.

``BlobSource`` is what the blob reader (``driftcheck.static.blobs``) needs; a
registry is one too (``driftcheck.registry.source``). Archives come in two
places: a tar file (``docker save``, or an OCI layout packed in a tar) and an
OCI layout folder. Names come from manifests, which are attacker-controlled
like everything else in an archive: in a tar they are only looked up among the
members, and in a folder only names of the shapes ``index.json``,
``oci-layout``, ``manifest.json`` and ``blobs/sha256/<64 hex>`` are ever opened,
as regular files, without following symbolic links.
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from driftcheck.static.errors import HostileArchiveError, InvalidArchiveError
from driftcheck.static.rootfs import MAX_NAME
from driftcheck.static.tarheader import CONTIGUOUS, REGULAR, SYMLINK
from driftcheck.static.tarstream import (
    MAX_TAR_HEADER,
    TarFormatError,
    TarHeaderTooLarge,
    TarReader,
)

MAX_MEMBERS = 100_000  # an image archive holds a few files per layer
MAX_LINK_HOPS = 40
TOP_FILES = ("index.json", "oci-layout", "manifest.json")
BLOB_NAME = re.compile(r"^blobs/sha256/[0-9a-f]{64}$")
GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


class BlobStream(Protocol):
    """An open blob: read in chunks, then closed."""

    def read(self, size: int = -1, /) -> bytes: ...

    def close(self) -> None: ...


class BlobSource(Protocol):
    """Where an image's blobs are opened by name: an archive, a layout, a registry."""

    description: str

    def open(self, name: str) -> BlobStream: ...


class Source(BlobSource, Protocol):
    """An image archive: its index files can be looked for, and it is closed when read."""

    def has(self, name: str) -> bool: ...

    def close(self) -> None: ...


def open_source(path: Path) -> Source:
    if path.is_dir():
        return DirSource(path)
    if not path.is_file():  # a FIFO or a device would block or never end
        raise InvalidArchiveError(f"{path} is not a regular file or an OCI layout folder")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise InvalidArchiveError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InvalidArchiveError(f"{path} is not a regular file or an OCI layout folder")
        magic = os.pread(fd, 4, 0)
        if magic.startswith(GZIP_MAGIC) or magic.startswith(ZSTD_MAGIC):
            raise InvalidArchiveError(
                f"{path} is compressed; `docker save` writes a plain tar: decompress it first "
                "(gunzip / zstd -d)"
            )
        return TarSource(path, fd)
    except BaseException:
        os.close(fd)
        raise


class _FileBytes:
    """A regular file as a tar reader's byte source: read at offsets, skipped for free."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self.size = os.fstat(fd).st_size
        self.offset = 0

    def read(self, size: int) -> bytes:
        data = _pread(self._fd, min(size, self.size - self.offset), self.offset)
        self.offset += len(data)
        return data

    def skip(self, size: int) -> int:
        size = min(size, self.size - self.offset)
        self.offset += size
        return size


def _pread(fd: int, size: int, offset: int) -> bytes:
    data = os.pread(fd, size, offset)
    if len(data) < size and data:  # a short read before the end: read the rest
        parts = [data]
        while size > 0 and data:
            size -= len(data)
            offset += len(data)
            data = os.pread(fd, size, offset) if size > 0 else b""
            parts.append(data)
        return b"".join(parts)
    return data


class _MemberStream:
    """One member of the archive file, read at its offsets (no shared file position)."""

    def __init__(self, fd: int, offset: int, size: int) -> None:
        self._fd, self._offset, self._left = fd, offset, size

    def read(self, size: int = -1, /) -> bytes:
        want = self._left if size is None or size < 0 else min(size, self._left)
        data = _pread(self._fd, want, self._offset) if want > 0 else b""
        self._offset += len(data)
        self._left -= len(data)
        return data

    def close(self) -> None:
        pass


@dataclass(frozen=True, slots=True)
class _Member:
    kind: str  # "file", "symlink" or "other"
    offset: int = 0
    size: int = 0
    link: str = ""


class TarSource:
    """Members of a plain tar, by normalised name; the last of duplicates wins.

    The archive is read with the same tar reader as layers, at offsets in the file:
    listing it reads its headers only, and a member is read from where it lies.
    """

    def __init__(self, path: Path, fd: int) -> None:
        self.description = str(path)
        self._fd = fd
        self._members: dict[str, _Member] = {}
        source = _FileBytes(fd)
        reader = TarReader(source, MAX_TAR_HEADER)
        count = 0
        try:
            for count, entry in enumerate(reader, 1):
                if count > MAX_MEMBERS:
                    raise HostileArchiveError(f"{path} holds more than {MAX_MEMBERS} files")
                if len(entry.name) > MAX_NAME:
                    continue  # no part of an image has such a name
                if entry.kind in (REGULAR, CONTIGUOUS):
                    member = _Member("file", source.offset, entry.size)
                elif entry.kind == SYMLINK:
                    member = _Member("symlink", link=entry.linkname)
                else:
                    member = _Member("other")
                self._members[posixpath.normpath(entry.name.lstrip("/"))] = member
        except TarFormatError as exc:
            if count == 0:
                raise InvalidArchiveError(f"{path} is not a readable tar archive ({exc})") from exc
            raise InvalidArchiveError(
                f"{path} is truncated or corrupt ({exc}); save the image again "
                "(docker save, skopeo copy) and pass the whole file"
            ) from exc
        except TarHeaderTooLarge:
            raise HostileArchiveError(f"{path}: an oversized tar header") from None

    def _member(self, name: str) -> _Member | None:
        """A regular member; symlinks (Docker 25 writes some) resolve among the members."""
        key = posixpath.normpath(name.lstrip("/"))
        for _ in range(MAX_LINK_HOPS):
            member = self._members.get(key)
            if member is None or member.kind == "file":
                return member
            if member.kind != "symlink":
                return None
            key = posixpath.normpath(posixpath.join(posixpath.dirname(key), member.link))
        return None

    def has(self, name: str) -> bool:
        return self._member(name) is not None

    def open(self, name: str) -> BlobStream:
        member = self._member(name)
        if member is None:
            raise InvalidArchiveError(f"{self.description} has no file {name!r}")
        return _MemberStream(self._fd, member.offset, member.size)

    def close(self) -> None:
        os.close(self._fd)


class DirSource:
    """An OCI image layout folder."""

    def __init__(self, path: Path) -> None:
        self.description = str(path)
        self._root = path

    def _path(self, name: str) -> Path | None:
        if name in TOP_FILES or BLOB_NAME.match(name):
            return self._root / name
        return None

    def has(self, name: str) -> bool:
        path = self._path(name)
        try:
            return path is not None and stat.S_ISREG(os.lstat(path).st_mode)
        except OSError:
            return False

    def open(self, name: str) -> BlobStream:
        path = self._path(name)
        if path is None:
            raise InvalidArchiveError(f"{self.description}: {name!r} is not a blob name")
        try:
            fd = os.open(
                path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
            )
        except OSError as exc:
            raise InvalidArchiveError(
                f"{self.description}: cannot open {name} ({exc.strerror or exc})"
            ) from exc
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise InvalidArchiveError(f"{self.description}: {name} is not a regular file")
        return os.fdopen(fd, "rb")

    def close(self) -> None:
        pass
