"""Image references as registries know them: ``HOST[:PORT]/REPOSITORY[:TAG][@sha256:HEX]``.

The grammar is the distribution project's: the first path component is a
registry host when it has a dot or a port, or is ``localhost`` or an IPv6
literal; otherwise the image is on Docker Hub (``docker.io``, ``library/`` for
one-component names), served at ``registry-1.docker.io``. A digest pins the
manifest; it wins over a tag written beside it. Without either, the tag is
``latest``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from driftcheck.errors import UsageError
from driftcheck.static.rootfs import safe_name

DOCKER_HUB = "docker.io"
DOCKER_HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})
DOCKER_HUB_ENDPOINT = "registry-1.docker.io"
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
MAX_NAME = 255

_DOMAIN_PART = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
DOMAIN = re.compile(
    rf"^(?:{_DOMAIN_PART}(?:\.{_DOMAIN_PART})*|\[[0-9a-fA-F:.]+\])(?::[0-9]{{1,5}})?$"
)
PATH_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
TAG = re.compile(r"^[\w][\w.-]{0,127}$")
DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
EXAMPLE = "write HOST/REPOSITORY:TAG or HOST/REPOSITORY@sha256:DIGEST"


@dataclass(frozen=True)
class ImageName:
    registry: str  # host[:port] as named ("docker.io" for Docker Hub)
    repository: str  # "library/debian", "team/app"
    tag: str | None
    digest: str | None

    @property
    def endpoint(self) -> str:
        """host[:port] to connect to."""
        return DOCKER_HUB_ENDPOINT if self.registry == DOCKER_HUB else self.registry

    @property
    def host(self) -> str:
        """The host alone, without port or IPv6 brackets."""
        if self.registry.startswith("["):
            return self.registry[1 : self.registry.index("]")]
        return self.registry.rsplit(":", 1)[0] if ":" in self.registry else self.registry

    @property
    def reference(self) -> str:
        """What ``/v2/<repository>/manifests/<reference>`` asks for."""
        return self.digest or self.tag or "latest"

    @property
    def familiar(self) -> str:
        """The repository as the docker CLI prints it (``debian``, ``host:5000/team/app``)."""
        if self.registry == DOCKER_HUB:
            return self.repository.removeprefix("library/")
        return f"{self.registry}/{self.repository}"

    def __str__(self) -> str:
        text = self.familiar
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def is_loopback(host: str) -> bool:
    return host.lower() in LOOPBACK_HOSTS or host.startswith("127.")


def parse_image_name(text: str) -> ImageName:
    """A registry reference, or a UsageError saying what is wrong with it."""
    if "://" in text:
        raise UsageError(f"a registry image has no scheme (http://, https://); {EXAMPLE}")
    if not text or len(text) > MAX_NAME + 200 or any(c.isspace() for c in text):
        raise UsageError(f"{safe_name(text)} is not an image reference; {EXAMPLE}")
    name, at, digest = text.partition("@")
    if at and not DIGEST.match(digest):
        raise UsageError(
            f"{safe_name(text)}: the digest must be sha256: and 64 lowercase hex digits; {EXAMPLE}"
        )
    tag: str | None = None
    colon, slash = name.rfind(":"), name.rfind("/")
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
        if not TAG.match(tag):
            raise UsageError(f"{safe_name(text)}: {safe_name(tag)} is not a valid tag; {EXAMPLE}")
    first, sep, rest = name.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost" or first.startswith("[")):
        registry, path = first, rest
    else:
        registry, path = DOCKER_HUB, name
    if not DOMAIN.match(registry):
        raise UsageError(f"{safe_name(text)}: {safe_name(registry)} is not a registry host")
    if registry.lower() in DOCKER_HUB_ALIASES:
        registry = DOCKER_HUB
    if registry == DOCKER_HUB and "/" not in path:
        path = f"library/{path}"
    if not path or len(path) > MAX_NAME or not all(map(PATH_COMPONENT.match, path.split("/"))):
        raise UsageError(
            f"{safe_name(text)}: the repository must be lowercase letters, digits and "
            f"separators (. _ - /); {EXAMPLE}"
        )
    return ImageName(registry, path, tag if tag or at else "latest", digest or None)
