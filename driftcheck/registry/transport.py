"""HTTP for registries, with the standard library: one GET, a deadline, redirects by hand.

Redirects are followed here rather than by urllib so that the rules are ours:
at most five hops, never from HTTPS down to plain HTTP (unless the new host is
one plain HTTP is allowed to), and the ``Authorization`` header goes only to
the origin it was meant for: a registry that sends blobs to a storage service
never hands that service the user's token or password. TLS is verified with
the system's certificates (``SSL_CERT_FILE`` and ``SSL_CERT_DIR`` are
honoured) except for hosts the caller calls insecure. Proxies come from the
usual environment variables; loopback hosts never go through one.

A connection made straight to an origin (no proxy) is kept alive and reused by the next
request to the same origin, as long as its answer was read to the end, the server did
not ask to close it and its deadline did not shut it: a registry read is a handful of
GETs to one or two origins, and each new TLS connection costs a handshake
(docs/benchmarks.md). A request through a proxy takes urllib's path, one connection each.

A failure to connect is a ``RegistryUnreachableError`` naming what was being
reached and why, never the URL: a redirect's URL can carry a storage signature.
Each request, its answer's body included, ends within its deadline
(``driftcheck.registry.deadline``); a reader of the body asks ``Reply.overdue``
whether a short or broken read was the deadline's doing.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import Message
from typing import Any
from urllib.parse import urljoin, urlsplit

from driftcheck import __version__
from driftcheck.registry.deadline import (
    DEFAULT_DEADLINE_SECONDS,
    SILENCE_SECONDS,
    Deadline,
    HTTPHandler,
    HTTPSHandler,
    WatchedHTTP,
    WatchedHTTPS,
    overdue_message,
)
from driftcheck.registry.errors import RegistryUnreachableError
from driftcheck.registry.names import is_loopback

MAX_REDIRECTS = 5
MAX_REST_READ_OFF = 64 * 1024  # what is read off an answer to keep its connection
REDIRECTS = frozenset({301, 302, 303, 307, 308})
USER_AGENT = f"driftcheck/{__version__}"
REACH_HINT = (
    "check the name and that the registry is up (and HTTPS_PROXY / NO_PROXY if a proxy is needed)"
)
TLS_HINT = (
    "for a registry you trust with a self-signed certificate or plain HTTP, pass "
    "--insecure-registry or list it in DRIFTCHECK_INSECURE_REGISTRIES"
)


@dataclass
class Reply:
    status: int
    headers: Message
    body: Any  # http.client.HTTPResponse: read() and close()
    url: str  # where it came from, after redirects
    deadline: Deadline | None = None
    # Called by close() with whether the connection may serve another request.
    release: Callable[[bool], None] | None = None

    @property
    def origin(self) -> tuple[str, str, int | None]:
        return origin(self.url)

    @property
    def overdue(self) -> bool:
        """The deadline passed: the connection was shut, a short or failed read is why."""
        return self.deadline is not None and self.deadline.expired

    def overdue_error(self, what: str) -> RegistryUnreachableError:
        seconds = self.deadline.seconds if self.deadline is not None else 0.0
        return RegistryUnreachableError(overdue_message(what, seconds))

    def close(self) -> None:
        # Reusable only when nothing of this answer is left on the connection: a short
        # rest (a redirect's or a challenge's body) is read off, under the deadline still.
        if self.release is not None and not self.overdue:
            self._read_off_a_short_rest()
        finished = bool(getattr(self.body, "isclosed", lambda: False)())
        reusable = finished and not getattr(self.body, "will_close", True)
        try:
            self.body.close()
        finally:
            if self.deadline is not None:
                self.deadline.end()
            if self.release is not None:
                self.release(reusable and not self.overdue)

    def _read_off_a_short_rest(self) -> None:
        rest = getattr(self.body, "length", None)  # None: chunked or unknown, left alone
        if isinstance(rest, int) and 0 <= rest <= MAX_REST_READ_OFF:
            with contextlib.suppress(OSError, http.client.HTTPException, ValueError):
                self.body.read(rest)


class _EveryStatus(urllib.request.HTTPErrorProcessor):
    """Hands back every answer: redirects and errors are the caller's to judge."""

    def http_response(self, request: Any, response: Any) -> Any:
        return response

    https_response = http_response


class Transport:
    """GET requests for one registry; ``insecure(host)`` says where TLS may go unverified
    and plain HTTP is allowed; ``deadline``: seconds each request may take, all told."""

    def __init__(
        self, insecure: Callable[[str], bool], deadline: float = DEFAULT_DEADLINE_SECONDS
    ) -> None:
        self._insecure = insecure
        self.deadline = deadline
        self.timeout = min(SILENCE_SECONDS, deadline)  # for each connect and read
        self._contexts: dict[bool, ssl.SSLContext] = {}
        self._idle: dict[tuple[str, str, int | None], WatchedHTTP] = {}

    def _context(self, verified: bool) -> ssl.SSLContext:
        if verified not in self._contexts:
            context = ssl.create_default_context()
            if not verified:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            self._contexts[verified] = context
        return self._contexts[verified]

    def get(
        self,
        url: str,
        headers: Mapping[str, str],
        *,
        what: str,
        authorization: str | None = None,
    ) -> Reply:
        """The first answer that is not a redirect; ``authorization`` only to ``url``'s origin."""
        first = origin(url)
        for _ in range(MAX_REDIRECTS + 1):
            sent = dict(headers)
            if authorization is not None and origin(url) == first:
                sent["Authorization"] = authorization
            reply = self._open(url, sent, what)
            location = reply.headers.get("Location") if reply.status in REDIRECTS else None
            if reply.status not in REDIRECTS:
                return reply
            reply.close()
            if not location:
                raise RegistryUnreachableError(f"{what} redirected nowhere (no Location header)")
            url = self._redirect(url, location, what)
        raise RegistryUnreachableError(f"{what} redirected more than {MAX_REDIRECTS} times")

    def _redirect(self, current: str, location: str, what: str) -> str:
        target = urljoin(current, location.strip())
        parts = urlsplit(target)
        if parts.scheme == "https" or (parts.scheme == "http" and self.plain_ok(parts.hostname)):
            return target
        raise RegistryUnreachableError(
            f"{what} redirected to {'plain HTTP' if parts.scheme == 'http' else 'a non-HTTPS URL'} "
            f"at {parts.hostname or 'an unnamed host'}; refused ({TLS_HINT})"
        )

    def plain_ok(self, host: str | None) -> bool:
        return host is not None and (is_loopback(host) or self._insecure(host))

    def _open(self, url: str, headers: Mapping[str, str], what: str) -> Reply:
        if _proxied(url):
            return self._open_through_urllib(url, headers, what)
        key = origin(url)
        idle = self._idle.pop(key, None)
        if idle is not None:
            try:
                return self._request(idle, url, headers, what, reused=True)
            except _StaleConnection:
                pass  # the server closed it while idle: a new connection, once
        return self._request(self._connection(url, what), url, headers, what, reused=False)

    def _connection(self, url: str, what: str) -> WatchedHTTP:
        parts = urlsplit(url)
        # The port always given: http.client would read an IPv6 literal's last group as one.
        host, port = parts.hostname or "", origin(url)[2]
        if parts.scheme == "https":
            context = self._context(verified=not self.plain_ok(host))
            return WatchedHTTPS(host, port, timeout=self.timeout, context=context)
        if parts.scheme == "http":
            return WatchedHTTP(host, port, timeout=self.timeout)
        raise RegistryUnreachableError(f"cannot reach {what}: not an HTTP or HTTPS URL")

    def _request(
        self,
        connection: WatchedHTTP,
        url: str,
        headers: Mapping[str, str],
        what: str,
        *,
        reused: bool,
    ) -> Reply:
        deadline = Deadline(self.deadline)
        connection.deadline = deadline  # a new connection is watched when it connects
        parts = urlsplit(url)
        selector = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            if reused and connection.sock is not None:
                connection.sock.settimeout(self.timeout)
                deadline.watch(connection.sock)
            connection.request("GET", selector, headers={"User-Agent": USER_AGENT, **headers})
            response = connection.getresponse()
        except (OSError, http.client.HTTPException, ValueError) as exc:
            deadline.end()
            connection.close()
            if reused and not deadline.expired and isinstance(exc, _STALE):
                raise _StaleConnection from None
            if deadline.expired:
                raise RegistryUnreachableError(overdue_message(what, self.deadline)) from None
            raise RegistryUnreachableError(f"cannot reach {what}: {self.why(exc)}") from None
        except BaseException:
            deadline.end()
            connection.close()
            raise
        key = origin(url)

        def release(reusable: bool) -> None:
            if reusable and key not in self._idle:
                self._idle[key] = connection
            else:
                connection.close()

        return Reply(response.status, response.headers, response, url, deadline, release)

    def _open_through_urllib(self, url: str, headers: Mapping[str, str], what: str) -> Reply:
        deadline = Deadline(self.deadline)
        context = self._context(verified=not self.plain_ok(urlsplit(url).hostname or ""))
        opener = urllib.request.build_opener(
            _EveryStatus(), HTTPHandler(deadline), HTTPSHandler(deadline, context)
        )
        request = urllib.request.Request(
            url, headers={"User-Agent": USER_AGENT, **headers}, method="GET"
        )
        try:
            response = opener.open(request, timeout=self.timeout)
        except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
            deadline.end()
            if deadline.expired:
                raise RegistryUnreachableError(overdue_message(what, self.deadline)) from None
            raise RegistryUnreachableError(f"cannot reach {what}: {self.why(exc)}") from None
        except BaseException:
            deadline.end()
            raise
        return Reply(response.status, response.headers, response, url, deadline)

    def why(self, exc: BaseException) -> str:
        """Why a connection failed, with what to do, in words (never the URL)."""
        reason: Any = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        if isinstance(reason, socket.gaierror):
            return f"the host name does not resolve; {REACH_HINT}"
        if isinstance(reason, ConnectionRefusedError):
            return f"the connection was refused; {REACH_HINT}"
        if isinstance(reason, TimeoutError | socket.timeout):
            return f"no answer within {self.timeout:.0f} s; {REACH_HINT}"
        if isinstance(reason, ssl.SSLCertVerificationError):
            detail = reason.verify_message or "not trusted"
            return f"its TLS certificate is not accepted ({detail}); {TLS_HINT}"
        if isinstance(reason, ssl.SSLError):
            return f"the TLS handshake failed ({reason.reason or 'no detail'}); {TLS_HINT}"
        if isinstance(reason, http.client.HTTPException):
            return f"it did not answer in HTTP ({type(reason).__name__}); {REACH_HINT}"
        if isinstance(reason, OSError):
            return f"{reason.strerror or type(reason).__name__}; {REACH_HINT}"
        return f"{type(reason).__name__}; {REACH_HINT}"


def origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port: where an ``Authorization`` header may go."""
    parts = urlsplit(url)
    port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


class _StaleConnection(Exception):
    """A kept-alive connection the server had closed: the request is made again."""


# What a server's closing an idle kept-alive connection looks like to the next request.
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


def _proxied(url: str) -> bool:
    """Whether urllib would send this request through a proxy from the environment
    (loopback hosts never go through one)."""
    parts = urlsplit(url)
    if is_loopback(parts.hostname or ""):
        return False
    proxies = urllib.request.getproxies()
    return parts.scheme in proxies and not urllib.request.proxy_bypass(parts.netloc)
