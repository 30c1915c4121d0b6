"""The registry transport keeps a connection alive per origin, and gives it up whenever
reusing it could mix answers or outlive a deadline.

A real HTTP/1.1 server on 127.0.0.1 counts the connections it accepts; its handler's
behaviour per path is chosen by the test.
"""

from __future__ import annotations

import http.client
import http.server
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from driftcheck.registry.transport import MAX_REST_READ_OFF, Transport

BODY = b'{"schemaVersion": 2}' * 50


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    connections = 0


def _handler(behaviour: Callable[[Any], None]) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def setup(self) -> None:
            super().setup()
            self.server.connections += 1  # type: ignore[attr-defined]

        def do_GET(self) -> None:
            behaviour(self)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


def answer(handler: Any, body: bytes = BODY, *, close: bool = False) -> None:
    handler.send_response(200)
    handler.send_header("Content-Length", str(len(body)))
    if close:
        handler.send_header("Connection", "close")
    handler.end_headers()
    handler.wfile.write(body)
    handler.wfile.flush()


@pytest.fixture
def serve() -> Iterator[Callable[[Callable[[Any], None]], tuple[_Server, str]]]:
    servers: list[_Server] = []

    def start(behaviour: Callable[[Any], None]) -> tuple[_Server, str]:
        server = _Server(("127.0.0.1", 0), _handler(behaviour))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server, f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def read_all(transport: Transport, url: str) -> bytes:
    reply = transport.get(url, {}, what="the test registry")
    try:
        return bytes(reply.body.read())
    finally:
        reply.close()


def test_answers_read_to_the_end_share_one_connection(serve: Any) -> None:
    server, base = serve(lambda h: answer(h, h.path.encode() * 10))
    transport = Transport(insecure=lambda host: False)
    for number in range(5):
        assert read_all(transport, f"{base}/v2/{number}") == f"/v2/{number}".encode() * 10
    assert server.connections == 1


def test_an_answer_left_unread_is_never_followed_on_its_connection(serve: Any) -> None:
    # More than the short rest close() reads off: a bounded read that stops early on a
    # large (or hostile, endless) answer gives its connection up instead of reading on.
    rest = MAX_REST_READ_OFF // 4  # times 9 or 10 bytes
    server, base = serve(lambda h: answer(h, h.path.encode() * rest))
    transport = Transport(insecure=lambda host: False)
    reply = transport.get(f"{base}/v2/first", {}, what="the test registry")
    assert reply.body.read(10) == b"/v2/first/"
    reply.close()
    assert read_all(transport, f"{base}/v2/second") == b"/v2/second" * rest
    assert server.connections == 2


def test_a_server_that_asks_to_close_gets_a_new_connection(serve: Any) -> None:
    server, base = serve(lambda h: answer(h, close=True))
    transport = Transport(insecure=lambda host: False)
    assert read_all(transport, f"{base}/a") == BODY and read_all(transport, f"{base}/b") == BODY
    assert server.connections == 2


def test_a_connection_the_server_dropped_while_idle_is_replaced(serve: Any) -> None:
    def drop_after_answering(handler: Any) -> None:
        answer(handler)  # no Connection: close, then the server hangs up all the same
        handler.close_connection = True

    server, base = serve(drop_after_answering)
    transport = Transport(insecure=lambda host: False)
    assert read_all(transport, f"{base}/a") == BODY
    time.sleep(0.2)  # the server's side of the kept connection is closed by now
    assert read_all(transport, f"{base}/b") == BODY
    assert server.connections == 2


def test_the_deadline_holds_on_a_reused_connection(serve: Any) -> None:
    def trickle_the_second(handler: Any) -> None:
        if handler.path == "/fast":
            answer(handler)
            return
        handler.send_response(200)
        handler.send_header("Content-Length", "1000")
        handler.end_headers()
        for _ in range(1000):  # a byte every 0.1 s: never silent, never done in time
            try:
                handler.wfile.write(b"x")
                handler.wfile.flush()
            except OSError:
                return
            time.sleep(0.1)

    server, base = serve(trickle_the_second)
    transport = Transport(insecure=lambda host: False, deadline=1.5)
    assert read_all(transport, f"{base}/fast") == BODY
    reply = transport.get(f"{base}/slow", {}, what="the test registry")
    with pytest.raises((OSError, http.client.HTTPException)):  # short: 1.5 s of 100
        reply.body.read()  # ends when the deadline shuts the kept connection
    assert reply.overdue
    assert "did not finish within 1.5 s" in str(reply.overdue_error("the test registry"))
    reply.close()
    assert server.connections == 1
    # The shut connection is not kept: the next request makes a new one.
    assert read_all(transport, f"{base}/fast") == BODY
    assert server.connections == 2


def test_a_redirect_keeps_its_connection_for_the_next_request(serve: Any) -> None:
    def redirect_then_answer(handler: Any) -> None:
        if handler.path == "/moved":
            body = b"<a>see elsewhere</a>" * 20  # a body the redirect's reader never reads
            handler.send_response(307)
            handler.send_header("Location", "/here")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        else:
            answer(handler)

    server, base = serve(redirect_then_answer)
    transport = Transport(insecure=lambda host: False)
    assert read_all(transport, f"{base}/moved") == BODY
    assert read_all(transport, f"{base}/moved") == BODY
    assert server.connections == 1
