"""The engine's HTTP API over its local unix socket, for the container target.

Five calls are all `--container` needs (inspect the container and its image;
create, start and inspect an exec), and importing the Docker SDK for them costs
more than the probe's whole run in the container. Plain requests go out as
HTTP/1.0, so the engine answers with a body ended by closing the connection (no
chunked encoding to decode); starting an exec upgrades an HTTP/1.1 connection to
the raw multiplexed stream that exec_stream.py reads.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from driftcheck.errors import ProbeError
from driftcheck.targets.endpoint import API_TIMEOUT_SECONDS, Endpoint, unreachable
from driftcheck.targets.exec_stream import ExecResult, closing, exchange

MAX_RESPONSE_BYTES = 16 * 1024 * 1024
MAX_HEADER_BYTES = 64 * 1024


class EngineHttpError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status} {message}")
        self.status, self.message = status, message


class SocketEngine:
    def __init__(self, endpoint: Endpoint) -> None:
        path = endpoint.unix_path
        if path is None:
            raise ValueError(f"not a unix socket endpoint: {endpoint.url}")
        self.endpoint, self.path = endpoint, path

    # --- the calls the container target makes ---------------------------------------

    def inspect_container(self, ref: str) -> dict[str, Any]:
        try:
            return self._json("GET", f"/containers/{quote(ref, safe='')}/json")
        except EngineHttpError as exc:
            if exc.status == 404:
                raise ProbeError(
                    f"no container named {ref!r}; `docker ps` lists running ones"
                ) from exc
            raise ProbeError(f"cannot inspect container {ref!r}: {exc.message}") from exc

    def inspect_image(self, ref: str) -> dict[str, Any] | None:
        try:
            return self._json("GET", f"/images/{quote(ref, safe='')}/json")
        except EngineHttpError:
            return None  # removed since the container started

    def exec_with_stdin(
        self,
        container_id: str,
        argv: Sequence[str],
        stdin: bytes,
        *,
        timeout: float,
        max_bytes: int,
    ) -> ExecResult:
        what = f"cannot run the probe in container {container_id[:12]}"
        create = {
            "AttachStdin": True,
            "AttachStdout": True,
            "AttachStderr": True,
            "Tty": False,
            "Cmd": list(argv),
        }
        try:
            exec_id = str(self._json("POST", f"/containers/{container_id}/exec", create)["Id"])
            sock = self._upgrade(f"/exec/{exec_id}/start", {"Detach": False, "Tty": False})
        except EngineHttpError as exc:
            raise ProbeError(f"{what}: {exc.message}") from exc
        except (KeyError, TypeError) as exc:
            raise ProbeError(f"{what}: the engine's answer has no exec id") from exc
        with closing(sock) as raw:
            stdout, stderr = exchange(raw, stdin, time.monotonic() + timeout, max_bytes, timeout)
        try:
            code = self._json("GET", f"/exec/{exec_id}/json").get("ExitCode")
        except EngineHttpError as exc:
            raise ProbeError(f"cannot read the probe's exit status: {exc.message}") from exc
        return ExecResult(
            exit_code=code if isinstance(code, int) else None, stdout=stdout, stderr=stderr
        )

    def close(self) -> None:
        """Nothing is kept open between calls."""

    # --- HTTP over the socket ---------------------------------------------------------

    def _connect(self) -> socket.socket:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(API_TIMEOUT_SECONDS)
        try:
            sock.connect(self.path)
        except OSError as exc:
            sock.close()
            raise unreachable(self.endpoint, exc) from exc
        return sock

    def _request(self, method: str, path: str, body: Any, version: str, extra: str = "") -> bytes:
        payload = b"" if body is None else json.dumps(body).encode()
        head = f"{method} {path} HTTP/{version}\r\nHost: docker\r\n{extra}"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
        return (head + "\r\n").encode() + payload

    def _json(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        sock = self._connect()
        try:
            sock.sendall(self._request(method, path, body, "1.0"))
            status, _, data = _parse(_read_all(sock))
            document = json.loads(data) if data.strip() else {}
            if not isinstance(document, dict):
                raise ValueError("the engine's answer is not a JSON object")
        except (OSError, ValueError) as exc:
            raise unreachable(self.endpoint, exc) from exc
        finally:
            sock.close()
        if status >= 400:
            message = document.get("message") or data[:200].decode("utf-8", "replace")
            raise EngineHttpError(status, str(message))
        return document

    def _upgrade(self, path: str, body: Any) -> socket.socket:
        """Starts an exec; the connection then carries its multiplexed stdio."""
        sock = self._connect()
        try:
            upgrade = "Connection: Upgrade\r\nUpgrade: tcp\r\n"
            sock.sendall(self._request("POST", path, body, "1.1", upgrade))
            head = _read_head(sock)
            status, _, _ = _parse(head)
        except OSError as exc:
            sock.close()
            raise unreachable(self.endpoint, exc) from exc
        if status not in (101, 200):
            sock.close()
            raise EngineHttpError(status, head.split(b"\r\n", 1)[0].decode("latin-1"))
        return sock


def _read_all(sock: socket.socket) -> bytes:
    data = bytearray()
    while chunk := sock.recv(65536):
        data.extend(chunk)
        if len(data) > MAX_RESPONSE_BYTES:
            raise OSError("the engine's answer is too large")
    return bytes(data)


def _read_head(sock: socket.socket) -> bytes:
    """The response head, byte by byte: what follows it belongs to the exec's stream."""
    data = bytearray()
    while not data.endswith(b"\r\n\r\n"):
        byte = sock.recv(1)
        if not byte or len(data) > MAX_HEADER_BYTES:
            raise OSError("the engine closed the connection before answering")
        data.extend(byte)
    return bytes(data)


def _parse(response: bytes) -> tuple[int, bytes, bytes]:
    """(status, head, body) of an HTTP response."""
    head, _, body = response.partition(b"\r\n\r\n")
    parts = head.split(b" ", 2)
    try:
        status = int(parts[1])
    except (IndexError, ValueError):
        raise OSError("the answer is not HTTP: is this a Docker engine's socket?") from None
    return status, head, body
