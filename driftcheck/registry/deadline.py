"""One deadline per registry request: from connecting to the last byte of its answer.

A socket timeout bounds each read, not a request: a registry (or anything posing
as one) that sends a byte every few seconds never trips it, and keeps driftcheck
waiting forever. So every request also has a deadline. A timer started with the
request shuts its connection down when the deadline passes, and whatever read
was waiting (the TLS handshake, the headers, the body) ends at once; the reader
then sees that the deadline passed and says so (exit 4). The shutdown goes
through a duplicate of the socket taken when it connected: a duplicate is ours
to close, so a descriptor that http.client closed and the system reused for
something else is never touched.

The deadline is ``DEFAULT_DEADLINE_SECONDS`` unless ``--timeout`` (with
``--registry``) or ``DRIFTCHECK_REGISTRY_TIMEOUT`` says otherwise. Silence ends a
request sooner: no byte for ``SILENCE_SECONDS`` (or the deadline, if shorter).
"""

from __future__ import annotations

import contextlib
import http.client
import math
import socket
import threading
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any

from driftcheck.errors import UsageError

DEADLINE_VARIABLE = "DRIFTCHECK_REGISTRY_TIMEOUT"
DEFAULT_DEADLINE_SECONDS = 300.0  # a layer of a few GiB over a slow link still arrives
SILENCE_SECONDS = 30.0  # no byte at all for this long: the registry is not answering
MAX_DEADLINE_SECONDS = 86400.0


def deadline_seconds(chosen: float | None, environ: Mapping[str, str]) -> float:
    """The deadline of each request: ``chosen`` (``--timeout``), else the variable's."""
    if chosen is not None:
        return chosen
    text = environ.get(DEADLINE_VARIABLE, "").strip()
    if not text:
        return DEFAULT_DEADLINE_SECONDS
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value < MAX_DEADLINE_SECONDS:  # NaN fails too
        raise UsageError(
            f"{DEADLINE_VARIABLE}={text[:40]!r} is not a number of seconds between 0 and "
            f"{MAX_DEADLINE_SECONDS:.0f}; set it to the deadline of each registry request"
        )
    return value


def overdue_message(what: str, seconds: float) -> str:
    return (
        f"{what} did not finish within {seconds:g} s, the deadline of each registry request "
        f"(it stalls or trickles); {DEADLINE_VARIABLE}=SECONDS, or --timeout SECONDS with "
        "--registry, allows more"
    )


class Deadline:
    """A request's deadline: at ``seconds`` its connections are shut down."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._over = False
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        """Called when the request's connection is made (before TLS, if any), or when a
        kept-alive connection is reused."""
        with self._lock:
            if self._over:
                return
            # fromfd duplicates the descriptor, and works on a TLS socket too (a kept-alive
            # connection is watched again by each request it serves); dup() would not.
            copy = socket.fromfd(sock.fileno(), sock.family, sock.type)
            if self.expired:
                _shut(copy)
            else:
                self._sockets.append(copy)

    def _expire(self) -> None:
        with self._lock:
            if self._over:
                return
            self.expired = True
            for sock in self._sockets:
                _shut(sock)
            self._sockets.clear()

    def end(self) -> None:
        """The request is over (its answer read, or given up): the timer is not needed."""
        with self._lock:
            self._over = True
            self._timer.cancel()
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed by the other end: nothing waits
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


class WatchedHTTP(http.client.HTTPConnection):
    deadline: Deadline | None = None

    def connect(self) -> None:
        super().connect()
        if self.deadline is not None:
            self.deadline.watch(self.sock)


class WatchedHTTPS(http.client.HTTPSConnection, WatchedHTTP):
    """HTTPSConnection.connect calls WatchedHTTP.connect (the TCP part), then wraps it:
    the handshake is under the deadline too."""


def _maker(kind: type[WatchedHTTP], deadline: Deadline) -> Callable[..., WatchedHTTP]:
    def make(host: str, **kwargs: Any) -> WatchedHTTP:
        connection = kind(host, **kwargs)
        connection.deadline = deadline
        return connection

    return make


class HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: Deadline) -> None:
        super().__init__()
        self._deadline = deadline

    def http_open(self, req: Any) -> Any:
        return self.do_open(_maker(WatchedHTTP, self._deadline), req)


class HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: Deadline, context: Any) -> None:
        super().__init__(context=context)
        self._deadline = deadline
        self._tls = context

    def https_open(self, req: Any) -> Any:
        return self.do_open(_maker(WatchedHTTPS, self._deadline), req, context=self._tls)
