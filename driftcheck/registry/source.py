"""A registry as a blob source for the static reader.

Names are the ones the static reader uses for an OCI layout's blobs
(``blobs/sha256/<hex>``), plus ``manifests/<tag or digest>``. Each is one GET,
streamed: nothing is written to disk, and the static reader verifies digest and
size as the bytes arrive. A connection that breaks mid-stream, or a request past
its deadline, is a registry that stopped answering (exit 4), not a corrupt layer.
"""

from __future__ import annotations

import http.client
import io
import re
from typing import IO, Any

from driftcheck.registry.client import RegistryClient
from driftcheck.registry.errors import RegistryUnreachableError
from driftcheck.registry.transport import Reply
from driftcheck.static.chunks import CHUNK
from driftcheck.static.errors import InvalidArchiveError

MANIFESTS = "manifests/"
BLOB_NAME = re.compile(r"^blobs/sha256/([0-9a-f]{64})$")


class RegistrySource:
    def __init__(self, client: RegistryClient) -> None:
        self.client = client
        self.description = f"registry {client.name}"
        self.content_digests: dict[str, str] = {}  # manifest name -> Docker-Content-Digest

    def open(self, name: str) -> IO[bytes]:
        blob = BLOB_NAME.match(name)
        if blob:
            reply = self.client.get_blob("sha256:" + blob.group(1))
            what = f"blob sha256:{blob.group(1)[:12]}"
        elif name.startswith(MANIFESTS):
            reply = self.client.get_manifest(name.removeprefix(MANIFESTS))
            self.content_digests[name] = str(reply.headers.get("Docker-Content-Digest") or "")
            what = "a manifest"
        else:
            raise InvalidArchiveError(f"{self.description}: {name!r} is not a blob name")
        return io.BufferedReader(_NetworkStream(reply, f"{what} from {self.client.label}"), CHUNK)


class _NetworkStream(io.RawIOBase):
    """An HTTP body whose network failures are registry failures, not tar errors."""

    def __init__(self, reply: Reply, what: str) -> None:
        self._reply, self._what = reply, what

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            count: int | None = self._reply.body.readinto(buffer)
        except (OSError, http.client.HTTPException) as exc:
            if self._reply.overdue:
                raise self._reply.overdue_error(self._what) from None
            raise RegistryUnreachableError(
                f"the connection broke while reading {self._what} ({type(exc).__name__}); try again"
            ) from None
        if not count and self._reply.overdue:  # shut at the deadline: not the body's end
            raise self._reply.overdue_error(self._what)
        return count or 0

    def close(self) -> None:
        if not self.closed:
            self._reply.close()
        super().close()
