#!/usr/bin/env python3
"""What connection reuse would save a registry read: the transport's GET against kept-alive
connections, on loopback, over plain HTTP and over TLS.

    python benchmarks/bench_registry_transport.py [--requests N] [--rounds R]

A loopback HTTP/1.1 server (keep-alive, and TLS with a throw-away self-signed
certificate made by ``openssl``) answers every GET with a 2 KiB JSON body, the size of a
manifest. Four clients make N sequential GETs, reading each body to the end:
driftcheck's ``registry.transport.Transport`` as it was (urllib: a new opener and
connection per request) and as it is (http.client connections kept alive per origin),
both with their deadline timer and redirect rules; one bare kept-alive ``http.client``
connection (the floor); and a ``requests.Session`` (urllib3's pool; requests comes
with the Docker SDK). Rounds are interleaved; the report gives the median time of one
GET in each round's median, in microseconds. Loopback has no round trip to speak of:
what reuse saves over a real network is, per request after the first to an origin, a
TCP handshake and a TLS handshake (one round trip each with TLS 1.3), which the figures
here cannot show; docs/benchmarks.md gives the arithmetic.
"""

from __future__ import annotations

import argparse
import http.client
import http.server
import ssl
import statistics
import subprocess
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path

from driftcheck.registry.transport import Reply, Transport

BODY = b'{"schemaVersion":2,"padding":"' + b"x" * 2000 + b'"}'


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    # Headers and body leave in two writes: with Nagle on, a kept-alive connection waits
    # for the client's delayed ACK (40 ms) on every answer; registries do not.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args: object) -> None:
        pass


def serve(tls_folder: Path | None) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    scheme = "http"
    if tls_folder is not None:
        key, cert = tls_folder / "key.pem", tls_folder / "cert.pem"
        subprocess.run(
            [
                *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
                *("-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)),
            ],
            check=True,
            capture_output=True,
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"{scheme}://127.0.0.1:{server.server_address[1]}/v2/x/manifests/latest"


class _OneConnectionEach(Transport):
    """The transport as it was before connection reuse: urllib, one connection a GET
    (the path it still takes through a proxy)."""

    def _open(self, url: str, headers: Mapping[str, str], what: str) -> Reply:
        return self._open_through_urllib(url, headers, what)


def driftcheck_client(url: str, kind: type[Transport] = Transport) -> Callable[[], None]:
    transport = kind(insecure=lambda host: True)

    def get() -> None:
        reply = transport.get(url, {"Accept": "application/json"}, what="bench")
        try:
            assert reply.body.read() == BODY
        finally:
            reply.close()

    return get


def kept_alive_client(url: str) -> Callable[[], None]:
    scheme, rest = url.split("://", 1)
    hostport, path = rest.split("/", 1)
    host, port = hostport.split(":")
    if scheme == "https":
        context = ssl._create_unverified_context()
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            host, int(port), context=context, timeout=30
        )
    else:
        connection = http.client.HTTPConnection(host, int(port), timeout=30)

    def get() -> None:
        connection.request("GET", "/" + path, headers={"Accept": "application/json"})
        assert connection.getresponse().read() == BODY

    return get


def requests_client(url: str) -> Callable[[], None]:
    import requests
    import urllib3

    warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
    session = requests.Session()
    session.trust_env = False

    def get() -> None:
        answer = session.get(url, headers={"Accept": "application/json"}, verify=False, timeout=30)
        assert answer.content == BODY

    return get


CLIENTS = {
    "driftcheck Transport before: urllib, a new connection a GET": partial(
        driftcheck_client, kind=_OneConnectionEach
    ),
    "driftcheck Transport now: http.client, kept alive per origin": driftcheck_client,
    "http.client, one kept-alive connection": kept_alive_client,
    "requests.Session (urllib3 pool)": requests_client,
}


def measure(make: Callable[[str], Callable[[], None]], url: str, count: int) -> float:
    get = make(url)
    get()  # the first GET to an origin pays the handshake in every client
    times = []
    for _ in range(count):
        start = time.perf_counter()
        get()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for label, tls in (("plain HTTP", None), ("TLS", Path(folder))):
            server, url = serve(tls)
            results: dict[str, list[float]] = {name: [] for name in CLIENTS}
            for _ in range(args.rounds):
                for name, make in CLIENTS.items():
                    results[name].append(measure(make, url, args.requests))
            server.shutdown()
            for name, medians in results.items():
                print(
                    f"| {label} | {name} | **{statistics.median(medians):.0f} µs** | "
                    f"{min(medians):.0f} - {max(medians):.0f} µs |"
                )
    print(f"({args.requests} GETs of {len(BODY)} bytes a round, {args.rounds} rounds)")


if __name__ == "__main__":
    main()
