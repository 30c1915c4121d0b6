"""An image's root filesystem behind the probe's file-access interface (its ``LocalFiles``).

The probe's readers (distributions, .pth files, pyvenv.cfg, os-release, libc,
ld.so.conf, library folders, native libraries) take a ``files`` object; the live
probe passes the real filesystem, the static reader this view of an image's
layers, so both readings of a fact are made by the same code (syft's catalogers
over a resolver). Symbolic links resolve inside the image; a FIFO or a device is
refused as the probe refuses it (NotRegularFileError); nothing here runs.
"""

from __future__ import annotations

import posixpath
import re

from driftcheck.static.rootfs import RootFS
from driftcheck.static.shared import (
    MAX_LD_SO_CONF_BYTES,
    parse_metadata_headers,
    search_version,
)


class ImageFiles:
    """The probe's ``LocalFiles``, answered from an image's root filesystem."""

    join = staticmethod(posixpath.join)
    runs_programs = False  # nothing in an image is run: musl's version stays unknown

    def __init__(self, fs: RootFS, system: str = "Linux") -> None:
        self.fs = fs
        self._system = system

    def isdir(self, path: str) -> bool:
        return self.fs.isdir(path)

    def isfile(self, path: str) -> bool:
        return self.fs.isfile(path)

    def exists(self, path: str) -> bool:
        return self.fs.exists(path)

    def listdir(self, path: str) -> list[str]:
        return self.fs.listdir(path)

    def list_folder(self, path: str) -> list[str]:
        return self.fs.listdir(path)

    def realpath(self, path: str) -> str | None:
        return self.fs.realpath(path)

    def link_target(self, path: str) -> str | None:
        node = self.fs.node(path, follow=False)
        return node.link if node is not None and node.kind == "symlink" else None

    def not_regular(self, path: str) -> str | None:
        """What PATH is when it exists but is neither a regular file nor a folder."""
        node = self.fs.node(path)
        return (
            node.what or "not a regular file" if node is not None and node.kind == "other" else None
        )

    def read_optional(self, path: str, limit: int) -> str | None:
        """The text of a kept file; None if missing. Raises NotRegularFileError for a FIFO
        or a device, ValueError past LIMIT or for content not kept, as the probe's."""
        data = self.fs.read_bytes(path)
        if data is None:
            return None
        if len(data) > limit:
            raise ValueError(f"{path} is larger than {limit} bytes")
        return data.decode("utf-8", "replace")

    def read_conf(self, path: str) -> str | None:
        return self.read_optional(path, MAX_LD_SO_CONF_BYTES)

    def metadata_headers(self, path: str) -> tuple[dict[str, list[str]], bool]:
        data = self.fs.read_bytes(path)
        if data is None:
            raise FileNotFoundError(f"{path} does not exist")
        return parse_metadata_headers(data)

    def find_version(self, path: str, literal: bytes, pattern: re.Pattern[bytes]) -> str | None:
        """The probe's search, over the prefix of the binary kept while layers streamed by."""
        return search_version(self.fs.read_bytes(path) or b"", literal, pattern)

    def system(self) -> str:
        return self._system

    def running_libc(self) -> None:
        return None  # nothing runs: the files tell

    def musl_version(self, loader: str) -> None:
        return None  # musl says its version only when its loader runs

    def other_libc(self) -> dict[str, str | None]:
        return {"family": "unknown", "version": None}
