"""What stands around a private registry, run in the test process on loopback.

* ``TokenService``: the token service of a registry configured with ``auth:
  token``. It issues real RS256 JSON web tokens signed with a key made by
  ``openssl`` whose certificate the registry trusts, to clients with the right
  Basic login; anonymous and wrong logins get 401.
* ``RedirectingFront``: a front for a registry that passes everything through
  but answers blob downloads with a 307 to a separate "storage" origin (another
  host name, with a signature in the URL), the way registries hand blobs to
  object storage. The storage end records the headers it was sent.
* ``htpasswd_line``: a bcrypt htpasswd entry, for a registry with ``auth: htpasswd``.
"""

from __future__ import annotations

import base64
import http.server
import json
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

SERVICE = "driftcheck-test-registry"
ISSUER = "driftcheck-test-token-service"
USER = "ci-reader"
CANARY_PASSWORD = "dc-Registry-Canary-Pa55w0rd-7f3e9a41"
SIGNATURE = "dc-storage-signature-canary-0c5b7e"
Request = http.server.BaseHTTPRequestHandler


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def htpasswd_line(user: str, password: str) -> str | None:
    """``user:$2b$...``, or None when this Python cannot make bcrypt hashes."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            import crypt  # the system's crypt(3): libxcrypt does bcrypt
        except ImportError:
            return None
        hashed = crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << 5))
    return f"{user}:{hashed}" if hashed and hashed.startswith("$2") else None


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class _Server:
    """A threading HTTP server on 127.0.0.1 whose handler is ``self.handle``."""

    def __init__(self) -> None:
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.handle(self)

            do_HEAD = do_POST = do_PUT = do_PATCH = do_GET

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def handle(self, request: Request) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def reply(request: Request, status: int, body: bytes, **headers: str) -> None:
    request.send_response(status)
    for name, value in headers.items():
        request.send_header(name.replace("_", "-"), value)
    request.send_header("Content-Length", str(len(body)))
    request.end_headers()
    if request.command != "HEAD":
        request.wfile.write(body)


class TokenService(_Server):
    def __init__(self, folder: Path) -> None:
        if shutil.which("openssl") is None:
            raise RuntimeError("no openssl to make the token service's key")
        folder.mkdir(parents=True, exist_ok=True)
        self.key, self.cert = folder / "token.key", folder / "token.crt"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", "/CN=driftcheck-test-token-service",
             "-keyout", str(self.key), "-out", str(self.cert)],
            check=True, capture_output=True,
        )  # fmt: skip
        pem = self.cert.read_text().split("-----")[2]
        self._x5c = "".join(pem.split())  # the certificate, DER in base64
        self.issued: list[str] = []
        self.seen: list[dict[str, Any]] = []
        super().__init__()

    @property
    def realm(self) -> str:
        return f"http://127.0.0.1:{self.port}/token"

    def auth_section(self) -> dict[str, Any]:
        return {
            "token": {
                "realm": self.realm,
                "service": SERVICE,
                "issuer": ISSUER,
                "rootcertbundle": str(self.cert),
            }
        }

    def token(self, repository: str, actions: list[str]) -> str:
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "x5c": [self._x5c]}
        claims = {
            "iss": ISSUER,
            "sub": USER,
            "aud": SERVICE,
            "exp": now + 900,
            "nbf": now - 60,
            "iat": now - 60,
            "jti": uuid.uuid4().hex,
            "access": [{"type": "repository", "name": repository, "actions": actions}],
        }
        signing_input = ".".join(
            _b64url(json.dumps(part).encode()) for part in (header, claims)
        ).encode()
        signature = subprocess.run(
            ["openssl", "dgst", "-sha256", "-sign", str(self.key)],
            input=signing_input,
            check=True,
            capture_output=True,
        ).stdout
        token = signing_input.decode() + "." + _b64url(signature)
        self.issued.append(token)
        return token

    def handle(self, request: Request) -> None:
        query = parse_qs(urlsplit(request.path).query)
        scope = (query.get("scope") or [""])[0]
        login = request.headers.get("Authorization")
        self.seen.append({"scope": scope, "service": query.get("service"), "login": bool(login)})
        if login != basic(USER, CANARY_PASSWORD):
            reply(request, 401, b'{"details":"login required"}')
            return
        _, repository, actions = scope.split(":")
        body = json.dumps({"token": self.token(repository, actions.split(","))}).encode()
        reply(request, 200, body, Content_Type="application/json")


class RedirectingFront(_Server):
    """Passes requests to ``registry`` (``host:port``), except blob downloads: those are
    redirected to ``storage`` (by default the ``Storage`` server it starts)."""

    def __init__(self, registry: str, login: str, storage: str | None = None) -> None:
        self.registry = registry
        self.storage = Storage(registry, login)
        self.storage_base = storage or f"http://localhost:{self.storage.port}"
        super().__init__()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def handle(self, request: Request) -> None:
        path = urlsplit(request.path).path
        if request.command == "GET" and "/blobs/sha256:" in path:
            location = f"{self.storage_base}{path}?X-Signature={SIGNATURE}"
            reply(request, 307, b"", Location=location)
            return
        _forward(
            request, f"http://{self.registry}{request.path}", request.headers.get("Authorization")
        )

    def stop(self) -> None:
        self.storage.stop()
        super().stop()


class Storage(_Server):
    """Serves blobs it fetches from the registry with its own login; records every request."""

    def __init__(self, registry: str, login: str) -> None:
        self.registry, self.login = registry, login
        self.requests: list[dict[str, str]] = []
        super().__init__()

    def handle(self, request: Request) -> None:
        self.requests.append(dict(request.headers.items()))
        path = urlsplit(request.path).path
        _forward(request, f"http://{self.registry}{path}", self.login)


def _forward(request: Request, url: str, login: str | None) -> None:
    upstream = urllib.request.Request(url, method=request.command)
    for name in ("Accept",):
        if request.headers.get(name):
            upstream.add_header(name, request.headers[name])
    if login:
        upstream.add_header("Authorization", login)
    try:
        answer = urllib.request.urlopen(upstream, timeout=60)
    except urllib.error.HTTPError as error:
        answer = error
    with answer:
        body = answer.read()
        headers = {
            k.replace("-", "_"): v
            for k, v in answer.headers.items()
            if k.lower() in {"content-type", "docker-content-digest", "www-authenticate"}
        }
        reply(request, answer.status, body, **headers)
