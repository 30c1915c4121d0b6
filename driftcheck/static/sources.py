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
import tarfile
from pathlib import Path
from typing import IO, Protocol

from driftcheck.static.errors import HostileArchiveError, InvalidArchiveError
from driftcheck.static.rootfs import MAX_NAME, BoundedTarInfo, TarHeaderTooLarge

MAX_MEMBERS = 100_000  # an image archive holds a few files per layer
MAX_LINK_HOPS = 40
TOP_FILES = ("index.json", "oci-layout", "manifest.json")
BLOB_NAME = re.compile(r"^blobs/sha256/[0-9a-f]{64}$")
GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


class BlobSource(Protocol):
    """Where an image's blobs are opened by name: an archive, a layout, a registry."""

    description: str

    def open(self, name: str) -> IO[bytes]: ...


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
        with open(path, "rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise InvalidArchiveError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if magic.startswith(GZIP_MAGIC) or magic.startswith(ZSTD_MAGIC):
        raise InvalidArchiveError(
            f"{path} is compressed; `docker save` writes a plain tar: decompress it first "
            "(gunzip / zstd -d)"
        )
    return TarSource(path)


class TarSource:
    """Members of a plain tar, by normalised name; the last of duplicates wins."""

    def __init__(self, path: Path) -> None:
        self.description = str(path)
        self._members: dict[str, tarfile.TarInfo] = {}
        try:
            self._tar = tarfile.open(path, "r:", tarinfo=BoundedTarInfo)  # noqa: SIM115 closed by close()
        except (tarfile.TarError, OSError) as exc:
            raise InvalidArchiveError(f"{path} is not a readable tar archive ({exc})") from exc
        except TarHeaderTooLarge:
            raise HostileArchiveError(f"{path}: an oversized tar header") from None
        try:
            for count, member in enumerate(self._tar, 1):
                if count > MAX_MEMBERS:
                    raise HostileArchiveError(f"{path} holds more than {MAX_MEMBERS} files")
                if len(member.name) > MAX_NAME:
                    continue  # no part of an image has such a name
                self._members[posixpath.normpath(member.name.lstrip("/"))] = member
        except (tarfile.TarError, EOFError, OSError) as exc:
            self._tar.close()
            raise InvalidArchiveError(f"{path} is truncated or corrupt ({exc})") from exc
        except TarHeaderTooLarge:
            self._tar.close()
            raise HostileArchiveError(f"{path}: an oversized tar header") from None

    def _member(self, name: str) -> tarfile.TarInfo | None:
        """A regular member; symlinks (Docker 25 writes some) resolve among the members."""
        key = posixpath.normpath(name.lstrip("/"))
        for _ in range(MAX_LINK_HOPS):
            member = self._members.get(key)
            if member is None or member.isreg():
                return member
            if not member.issym():
                return None
            key = posixpath.normpath(posixpath.join(posixpath.dirname(key), member.linkname))
        return None

    def has(self, name: str) -> bool:
        return self._member(name) is not None

    def open(self, name: str) -> IO[bytes]:
        member = self._member(name)
        handle = self._tar.extractfile(member) if member is not None else None
        if handle is None:
            raise InvalidArchiveError(f"{self.description} has no file {name!r}")
        return handle

    def close(self) -> None:
        self._tar.close()


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

    def open(self, name: str) -> IO[bytes]:
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
