"""Bytes in and out of a process in a container, with a deadline and a size limit.

The engine multiplexes a process's stdout and stderr on one connection, in
frames: 1 byte stream, 3 zero bytes, 4 bytes size, then the payload. Neither the
Docker SDK nor the engine bounds how long or how much: this module does.
"""

from __future__ import annotations

import socket
import struct
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from driftcheck.errors import ProbeError


@dataclass(frozen=True)
class ExecResult:
    exit_code: int | None
    stdout: bytes
    stderr: bytes


@contextmanager
def closing(sock: Any) -> Iterator[socket.socket]:
    """The raw socket under an SDK wrapper (or the socket itself), closed on the way out."""
    raw: socket.socket = getattr(sock, "_sock", sock)
    try:
        yield raw
    finally:
        try:
            raw.close()
        finally:
            close = getattr(sock, "close", None)
            if callable(close):
                close()


def exchange(
    raw: socket.socket, stdin: bytes, deadline: float, max_bytes: int, timeout: float
) -> tuple[bytes, bytes]:
    """Sends stdin, closes our side, reads stdout and stderr until the process ends."""
    raw.settimeout(max(0.1, deadline - time.monotonic()))
    try:
        raw.sendall(stdin)
        raw.shutdown(socket.SHUT_WR)
        return _read_frames(raw, deadline, max_bytes)
    except TimeoutError as exc:
        raise ProbeError(f"the probe did not finish within {timeout:g} s") from exc
    except OSError as exc:
        raise ProbeError(f"the connection to the probe broke ({exc.strerror or exc})") from exc


def _read_frames(raw: socket.socket, deadline: float, max_bytes: int) -> tuple[bytes, bytes]:
    streams = {1: bytearray(), 2: bytearray()}
    while True:
        header = _read_exactly(raw, 8, deadline)
        if header is None:
            break
        if len(header) < 8:
            break  # a connection cut mid-header: whatever came before is all there is
        kind, size = header[0], struct.unpack(">I", header[4:])[0]
        if len(streams[1]) + len(streams[2]) + size > max_bytes:
            raise ProbeError(
                f"the probe printed more than {max_bytes // (1024 * 1024)} MiB; "
                "something in the target floods its output"
            )
        payload = _read_exactly(raw, size, deadline)
        if payload is None:
            break
        target = streams.get(kind)
        if target is not None:
            target.extend(payload)
    return bytes(streams[1]), bytes(streams[2])


def _read_exactly(raw: socket.socket, size: int, deadline: float) -> bytes | None:
    data = bytearray()
    while len(data) < size:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        raw.settimeout(remaining)
        chunk = raw.recv(min(size - len(data), 1024 * 1024))
        if not chunk:
            return None if not data else bytes(data)
        data.extend(chunk)
    return bytes(data)
