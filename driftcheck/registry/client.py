"""One repository of one registry, over the Registry HTTP API v2.

The first request (``GET /v2/``) settles the scheme and the authentication:
HTTPS, or for loopback and insecure registries HTTPS without verification and
then plain HTTP; anonymous, or the token or login the registry's challenge asks
for. Later requests reuse both; a 401 on the way (an expired token) leads to
one more exchange, then to an error.

Statuses are turned into driftcheck's errors here: an unknown name or tag is
the user's to fix (exit 2), a 5xx or a rate limit is a registry that does not
answer (exit 4), a blob the manifest lists but the registry lacks is broken
input (exit 3).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping

from driftcheck.registry.auth import fetch_token, parse_challenges
from driftcheck.registry.credentials import find_login
from driftcheck.registry.deadline import deadline_seconds
from driftcheck.registry.errors import (
    ImageNotFoundError,
    RegistryAccessError,
    RegistryUnreachableError,
)
from driftcheck.registry.names import ImageName
from driftcheck.registry.transport import Reply, Transport, origin
from driftcheck.static.blobs import INDEX_TYPES
from driftcheck.static.errors import InvalidArchiveError

INSECURE_VARIABLE = "DRIFTCHECK_INSECURE_REGISTRIES"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
MANIFEST_TYPES = (OCI_MANIFEST, DOCKER_MANIFEST)
ACCEPT_MANIFESTS = ", ".join((*INDEX_TYPES, *MANIFEST_TYPES))
MAX_ERROR_BODY = 64 * 1024
ERROR_CODE = re.compile(r"^[A-Z][A-Z_]{0,39}$")


class RegistryClient:
    def __init__(
        self,
        name: ImageName,
        *,
        insecure: bool = False,
        environ: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> None:
        """``timeout``: the deadline of each request (else DRIFTCHECK_REGISTRY_TIMEOUT's)."""
        self.name = name
        self.label = f"registry {name.registry}"
        self._environ = os.environ if environ is None else environ
        listed = self._environ.get(INSECURE_VARIABLE, "")
        self._insecure_names = {n.strip().lower() for n in listed.split(",") if n.strip()}
        if insecure:
            self._insecure_names.add(name.registry.lower())
        self.transport = Transport(self._insecure, deadline_seconds(timeout, self._environ))
        self._base: str | None = None
        self._authorization: str | None = None

    def _insecure(self, host: str) -> bool:
        host = host.lower()
        registry = self.name.registry.lower()
        same_host = host == self.name.host.lower()
        return host in self._insecure_names or (same_host and registry in self._insecure_names)

    # --- requests ---------------------------------------------------------------

    def get_manifest(self, reference: str) -> Reply:
        reply = self._get(f"manifests/{reference}", {"Accept": ACCEPT_MANIFESTS})
        if reply.status == 200:
            return reply
        code = _error_code(reply)
        if reply.status in (400, 404):
            separator = "@" if reference.startswith("sha256:") else ":"
            raise ImageNotFoundError(
                f"{self.label} has no image {self.name.repository}{separator}{reference}"
                + (f" ({code})" if code else "")
                + f"; check the repository and the tag (GET /v2/{self.name.repository}/tags/list "
                "lists the tags)"
            )
        raise self._failed(reply.status, code)

    def get_blob(self, digest: str) -> Reply:
        reply = self._get(f"blobs/{digest}", {})
        if reply.status == 200:
            return reply
        code = _error_code(reply)
        if reply.status == 404:
            raise InvalidArchiveError(
                f"{self.label}: blob {digest[:19]} of {self.name.familiar} is listed by its "
                "manifest but missing from the registry; the image is broken there"
            )
        raise self._failed(reply.status, code)

    def _get(self, path: str, headers: Mapping[str, str]) -> Reply:
        if self._base is None:
            self._connect()
        url = f"{self._base}/v2/{self.name.repository}/{path}"
        what = self.label
        reply = self.transport.get(url, headers, what=what, authorization=self._authorization)
        if reply.status == 401:  # a token that expired, or one for a narrower scope
            self._authenticate(reply)
            reply = self.transport.get(url, headers, what=what, authorization=self._authorization)
        if reply.status in (401, 403):
            code = _error_code(reply)
            raise RegistryAccessError(
                f"{self.label} refused access to {self.name.familiar}"
                + (f" ({code})" if code else "")
                + f"; log in with `docker login {self.name.registry}` or check the name"
            )
        return reply

    def _connect(self) -> None:
        schemes = ("https", "http") if self.transport.plain_ok(self.name.host) else ("https",)
        for number, scheme in enumerate(schemes, 1):
            base = f"{scheme}://{self.name.endpoint}"
            try:
                reply = self.transport.get(f"{base}/v2/", {}, what=self.label)
            except RegistryUnreachableError:
                if number == len(schemes):
                    raise
                continue
            self._base = base
            if reply.status == 401:
                self._authenticate(reply)
            elif reply.status == 200:
                reply.close()
            elif reply.status == 404:
                reply.close()
                raise RegistryUnreachableError(
                    f"{self.label} does not serve the Registry HTTP API v2 (no /v2/); "
                    "check the host and port"
                )
            else:
                raise self._failed(reply.status, _error_code(reply))
            return

    def _authenticate(self, reply: Reply) -> None:
        challenges = parse_challenges(reply.headers.get_all("WWW-Authenticate") or [])
        reply.close()
        if self._base is None or reply.origin != origin(self._base):
            raise RegistryAccessError(
                f"{self.label} redirected to {reply.origin[1]}, which asks for a login; "
                "driftcheck sends logins to the registry named only"
            )
        login = find_login(self.name.registry, self._environ)
        schemes = {c.scheme: c for c in challenges}
        if "bearer" in schemes:
            token = fetch_token(
                self.transport,
                schemes["bearer"],
                login,
                repository=self.name.repository,
                registry=self.name.registry,
            )
            self._authorization = f"Bearer {token}"
        elif "basic" in schemes and login.credentials is not None:
            self._authorization = login.credentials.basic()
        elif "basic" in schemes:
            raise RegistryAccessError(
                f"{self.label} asks for a login ({login.note}); "
                f"log in with `docker login {self.name.registry}`"
            )
        else:
            raise RegistryAccessError(
                f"{self.label} asks for an authentication driftcheck does not speak "
                "(only Bearer tokens and Basic logins)"
            )

    def _failed(self, status: int, code: str) -> RegistryUnreachableError:
        detail = f"HTTP {status}" + (f", {code}" if code else "")
        if status == 429:
            return RegistryUnreachableError(f"{self.label} is rate limiting ({detail}); try later")
        return RegistryUnreachableError(f"{self.label} answered {detail}; try again later")


def _error_code(reply: Reply) -> str:
    """The registry's error code (``MANIFEST_UNKNOWN``), if its error body has a sane one."""
    try:
        data = json.loads(reply.body.read(MAX_ERROR_BODY))
        code = data["errors"][0]["code"]
    except Exception:  # any body at all: the code is a courtesy
        return ""
    finally:
        reply.close()
    return code if isinstance(code, str) and ERROR_CODE.match(code) else ""
