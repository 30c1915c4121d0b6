"""A hostile registry on 127.0.0.1, served by the test itself (an http.server in a thread).

It speaks just enough of the Registry HTTP API for driftcheck to read one image,
``hostile/app:1``: ``/v2/``, the manifest, the config and the layers. What makes it
hostile is chosen per test:

* a layer blob that is a small gzip stream followed by zero padding, of a given
  size or without end, under a descriptor that declares any size (2^50 bytes);
* one byte a second, at a chosen place (the headers of ``/v2/``, the manifest's
  body, a layer's body): a registry that never stops answering and never finishes.

Everything is made cheaply: the padding is one zero buffer sent again and again,
and its digest is computed once (zeros hash at about a GiB per second). The server
counts what it sent of each path. Shared by tests/hostile and
benchmarks/bench_hostile.py.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import http.server
import json
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from static_builders import OCI_CONFIG, OCI_LAYER, OCI_MANIFEST, file, gzip_layer

REPOSITORY = "hostile/app"
TAG = "1"
ZEROS = bytes(1024 * 1024)
ENDLESS = -1
OS_RELEASE = b'ID=hostile\nVERSION_ID="1"\n'


@dataclass(frozen=True)
class PaddedLayer:
    """A small gzip layer, then ``padding`` zero bytes (ENDLESS: never ends)."""

    padding: int
    declared: int | None = None  # the size the manifest states; None: the true size
    name: str = "etc/os-release"

    @property
    def stream(self) -> bytes:
        return gzip_layer(file(self.name, OS_RELEASE))

    @property
    def true_size(self) -> int | None:
        return None if self.padding == ENDLESS else len(self.stream) + self.padding

    def descriptor(self) -> dict[str, Any]:
        size = self.declared if self.declared is not None else self.true_size
        assert size is not None, "an endless layer needs a declared size"
        return {"mediaType": OCI_LAYER + "+gzip", "digest": self.digest(), "size": size}

    def digest(self) -> str:
        digest = hashlib.sha256(self.stream)
        if self.padding != ENDLESS:
            left = self.padding
            while left > 0:
                digest.update(memoryview(ZEROS)[: min(left, len(ZEROS))])
                left -= len(ZEROS)
        return "sha256:" + digest.hexdigest()

    def diff_id(self) -> str:
        return "sha256:" + hashlib.sha256(gzip.decompress(self.stream)).hexdigest()


@dataclass
class HostileRegistry:
    """Serves ``hostile/app:1`` made of ``layers``; ``trickle`` names where to send one
    byte a second: "headers" (of /v2/), "manifest" or "blob" (the first layer's body)."""

    layers: Sequence[PaddedLayer]
    trickle: str | None = None
    sent: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._descriptors = [layer.descriptor() for layer in self.layers]
        doc = {
            "architecture": "amd64",
            "os": "linux",
            "config": {"Env": ["PATH=/usr/bin:/bin"]},
            "rootfs": {"type": "layers", "diff_ids": [layer.diff_id() for layer in self.layers]},
        }
        self.config = json.dumps(doc).encode()
        config = {
            "mediaType": OCI_CONFIG,
            "digest": "sha256:" + hashlib.sha256(self.config).hexdigest(),
            "size": len(self.config),
        }
        manifest = {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": config,
            "layers": self._descriptors,
        }
        self.manifest = json.dumps(manifest).encode()
        self._blobs: dict[str, PaddedLayer | bytes] = {config["digest"]: self.config}
        for layer, descriptor in zip(self.layers, self._descriptors, strict=True):
            self._blobs[descriptor["digest"]] = layer
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                # driftcheck gave up on this answer: what this server is for
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    owner._handle(self)

            def log_message(self, *args: Any) -> None:
                pass

        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.address = f"127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    @property
    def ref(self) -> str:
        return f"{self.address}/{REPOSITORY}:{TAG}"

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> HostileRegistry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- answers ----------------------------------------------------------------------

    def _handle(self, request: http.server.BaseHTTPRequestHandler) -> None:
        path = request.path.split("?", 1)[0]
        if path == "/v2/":
            if self.trickle == "headers":
                self._drip(request, path, b"HTTP/1.1 200 OK\r\n" + b"X-Slow: y" * 10_000)
            self._send(request, path, b"{}", "application/json")
        elif path == f"/v2/{REPOSITORY}/manifests/{TAG}":
            if self.trickle == "manifest":
                self._headers(request, OCI_MANIFEST, len(self.manifest))
                self._drip(request, path, self.manifest)
            self._send(request, path, self.manifest, OCI_MANIFEST)
        elif path.startswith(f"/v2/{REPOSITORY}/blobs/"):
            blob = self._blobs.get(path.rsplit("/", 1)[1])
            if isinstance(blob, bytes):
                self._send(request, path, blob, "application/octet-stream")
            elif blob is not None:
                self._layer(request, path, blob)
            else:
                self._send(request, path, b'{"errors":[{"code":"BLOB_UNKNOWN"}]}', status=404)
        else:
            self._send(request, path, b'{"errors":[{"code":"NAME_UNKNOWN"}]}', status=404)

    def _headers(self, request: Any, kind: str, length: int | None, status: int = 200) -> None:
        request.send_response(status)
        request.send_header("Content-Type", kind)
        if length is not None:
            request.send_header("Content-Length", str(length))
        else:
            request.send_header("Connection", "close")  # the body ends when the server says
        request.end_headers()

    def _send(
        self, request: Any, path: str, body: bytes, kind: str = "", status: int = 200
    ) -> None:
        self._headers(request, kind or "application/json", len(body), status)
        request.wfile.write(body)
        self.sent[path] = self.sent.get(path, 0) + len(body)

    def _layer(self, request: Any, path: str, layer: PaddedLayer) -> None:
        self._headers(request, "application/octet-stream", layer.true_size)
        if self.trickle == "blob":
            self._drip(request, path, layer.stream)
        request.wfile.write(layer.stream)
        self.sent[path] = self.sent.get(path, 0) + len(layer.stream)
        left = layer.padding
        while left == ENDLESS or left > 0:
            piece = ZEROS if left == ENDLESS else memoryview(ZEROS)[: min(left, len(ZEROS))]
            request.wfile.write(piece)
            self.sent[path] += len(piece)
            if left != ENDLESS:
                left -= len(piece)

    def _drip(self, request: Any, path: str, data: bytes) -> None:
        """One byte a second, for as long as the client listens (never to the end)."""
        for byte in data:
            request.wfile.write(bytes([byte]))
            request.wfile.flush()
            self.sent[path] = self.sent.get(path, 0) + 1
            time.sleep(1)
        raise BrokenPipeError("the trickle outlasted its data")  # never sent whole
