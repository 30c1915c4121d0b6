"""An image in a registry, read as files over the Registry HTTP API: no engine at all.

What a CI job without Docker-in-Docker needs: ``registry:HOST/REPO:TAG`` or
``snapshot --registry``. The snapshot is static (target mode "static") and its
description records the reference and the manifest digest it resolved to.
"""

from __future__ import annotations

from dataclasses import dataclass

from driftcheck.probe import ProbeRequest
from driftcheck.registry.names import ImageName
from driftcheck.registry.platforms import Platform
from driftcheck.registry.reader import read_registry_image
from driftcheck.snapshot.model import TargetInfo
from driftcheck.static.collect import collect_static
from driftcheck.static.rootfs import Limits
from driftcheck.targets.image_metadata import image_label
from driftcheck.targets.interface import ProbeAnswer, Target


@dataclass(frozen=True)
class RegistryTarget(Target):
    name: ImageName
    platform: Platform | None = None
    insecure: bool = False
    limits: Limits | None = None
    timeout: float | None = None  # each request's deadline (--timeout); None: the default

    def describe(self) -> str:
        return f"registry {self.name}"

    def default_label(self) -> str:
        return ("registry-" + image_label(str(self.name)).removeprefix("image-"))[:100]

    def run_probe(self, request: ProbeRequest) -> ProbeAnswer:
        read = read_registry_image(
            self.name,
            platform=self.platform,
            insecure=self.insecure,
            limits=self.limits,
            timeout=self.timeout,
        )
        metadata = read.image.metadata
        facts = collect_static(read.image.rootfs, metadata)
        info = TargetInfo(kind="registry", description=read.description(self.name), mode="static")
        return ProbeAnswer(facts=facts, target=info, container=metadata)
