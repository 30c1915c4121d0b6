"""``WWW-Authenticate`` challenges and the Bearer token exchange of registries.

A registry answers 401 with ``Bearer realm="URL",service="S",scope="S"`` (a
token service to ask for a pull token, anonymously or with the login) or with
``Basic realm="R"`` (send the login itself). The token is asked for the
repository's pull scope only, whatever scope the challenge names.
"""

from __future__ import annotations

import http.client
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from driftcheck.registry.credentials import Login
from driftcheck.registry.errors import RegistryAccessError, RegistryUnreachableError
from driftcheck.registry.transport import Transport

MAX_TOKEN_REPLY = 1024 * 1024
PARAM = re.compile(r'\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]*)\s*,?')
TOKEN = re.compile(r"^[A-Za-z0-9._~+/=-]{1,16384}$")  # one header value: no spaces, no CR/LF


@dataclass(frozen=True)
class Challenge:
    scheme: str  # lowercase: "bearer", "basic"
    params: dict[str, str] = field(default_factory=dict)


def parse_challenges(values: Iterable[str]) -> list[Challenge]:
    found = []
    for value in values:
        scheme, _, rest = value.strip().partition(" ")
        params = {}
        for match in PARAM.finditer(rest):
            raw = match.group(2)
            if raw.startswith('"'):
                raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
            params[match.group(1).lower()] = raw
        if scheme:
            found.append(Challenge(scheme.lower(), params))
    return found


def fetch_token(
    transport: Transport,
    challenge: Challenge,
    login: Login,
    *,
    repository: str,
    registry: str,
) -> str:
    """A pull token for ``repository`` from the challenge's token service."""
    what = f"the token service of registry {registry}"
    realm = challenge.params.get("realm", "")
    parts = urlsplit(realm)
    if not (
        parts.scheme == "https" or (parts.scheme == "http" and transport.plain_ok(parts.hostname))
    ):
        raise RegistryAccessError(
            f"registry {registry} sends logins to a token service that is not HTTPS; refused"
        )
    query = {"scope": f"repository:{repository}:pull"}
    if challenge.params.get("service"):
        query["service"] = challenge.params["service"]
    url = realm + ("&" if parts.query else "?") + urlencode(query)
    basic = login.credentials.basic() if login.credentials else None
    reply = transport.get(url, {"Accept": "application/json"}, what=what, authorization=basic)
    try:
        if reply.status in (401, 403):
            whose = "the login" if login.credentials else "anonymous access"
            raise RegistryAccessError(
                f"{what} refused {whose} to {repository} ({login.note or 'login rejected'}); "
                f"log in with `docker login {registry}` or check the name"
            )
        if reply.status != 200:
            raise RegistryUnreachableError(f"{what} answered HTTP {reply.status}; try again later")
        body = reply.body.read(MAX_TOKEN_REPLY + 1)
        if reply.overdue:
            raise reply.overdue_error(what)
    except (OSError, http.client.HTTPException) as exc:
        if reply.overdue:
            raise reply.overdue_error(what) from None
        raise RegistryUnreachableError(f"{what} broke the connection; try again") from exc
    finally:
        reply.close()
    try:
        data = json.loads(body) if len(body) <= MAX_TOKEN_REPLY else None
    except (ValueError, RecursionError):
        data = None
    token = (data.get("token") or data.get("access_token")) if isinstance(data, dict) else None
    if not isinstance(token, str) or not TOKEN.match(token):
        raise RegistryAccessError(f"{what} gave no usable token; check the registry's setup")
    return token
