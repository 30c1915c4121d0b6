"""An image straight from a registry, read as files by the static reader."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from driftcheck.registry.client import RegistryClient
from driftcheck.registry.errors import ImageNotFoundError
from driftcheck.registry.names import ImageName
from driftcheck.registry.platforms import Platform, described
from driftcheck.registry.resolve import Resolved, resolve
from driftcheck.registry.source import RegistrySource
from driftcheck.static.image import StaticImage, read_image
from driftcheck.static.rootfs import Limits


@dataclass(frozen=True)
class RegistryImage:
    image: StaticImage
    resolved: Resolved

    def description(self, name: ImageName) -> str:
        """What the snapshot says it was read from: the reference and what it resolved to."""
        notes = [self.resolved.platform] if self.resolved.platform else []
        if name.digest != self.resolved.manifest_digest:
            notes.append(f"manifest {self.resolved.manifest_digest}")
        notes.append("read statically")
        return f"registry {name} ({', '.join(notes)})"


def read_registry_image(
    name: ImageName,
    *,
    platform: Platform | None = None,
    insecure: bool = False,
    limits: Limits | None = None,
    environ: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> RegistryImage:
    """``timeout``: the deadline of each request (else DRIFTCHECK_REGISTRY_TIMEOUT's)."""
    client = RegistryClient(name, insecure=insecure, environ=environ, timeout=timeout)
    source = RegistrySource(client)
    resolved = resolve(source, name, platform)

    def check_platform(config: dict[str, Any]) -> None:
        """A single-platform image must be the one --platform asks for, as with an index."""
        offered = described(config)
        if platform is None or resolved.platform or offered is None:
            return
        if not platform.matches(offered):
            raise ImageNotFoundError(
                f"{name} is an image for {offered}, not {platform}; "
                "drop --platform or name an image built for it"
            )

    image = read_image(
        source,
        resolved.config,
        resolved.layers,
        ref=str(name),
        fallback_name=name.familiar,
        limits=limits,
        repo_digests=[f"{name.familiar}@{resolved.top_digest}"],
        check_config=check_platform,
    )
    return RegistryImage(image, resolved)
