"""Images read as a filesystem, where nothing can (or should) run: target mode "static".

``ArchiveTarget`` reads a ``docker save`` tarball or an OCI image layout; it needs
no Docker engine. ``StaticImageTarget`` reads an image from the engine without
running it: a container is created (never started), its filesystem streamed out
with ``docker export`` and the container removed. Both serve images without
Python (distroless, scratch), images of another architecture, and ``--static``.
Nothing is extracted to disk; see ``driftcheck.static`` for the bounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from driftcheck.errors import UsageError
from driftcheck.probe import ProbeRequest
from driftcheck.snapshot.model import TargetInfo
from driftcheck.static.archive import read_image_archive
from driftcheck.static.collect import collect_static
from driftcheck.static.rootfs import Limits, RootFS
from driftcheck.static.wanted import wanted
from driftcheck.targets.image_metadata import image_label, image_metadata
from driftcheck.targets.interface import ProbeAnswer, Target


@dataclass(frozen=True)
class ArchiveTarget(Target):
    """An image archive file (or OCI layout folder); ``tag`` picks one of several images."""

    path: str | Path
    tag: str | None = None
    limits: Limits | None = None

    def describe(self) -> str:
        return f"archive {self.path}" + (f" ({self.tag})" if self.tag else "")

    def default_label(self) -> str:
        name = Path(self.path).name
        for suffix in (".tar", ".oci"):
            name = name.removesuffix(suffix)
        if self.tag:
            name += "-" + self.tag.rsplit("/", 1)[-1].replace(":", "-").replace("@", "-")
        return f"archive-{name or 'image'}"[:100]

    def run_probe(self, request: ProbeRequest) -> ProbeAnswer:
        path = Path(self.path)
        if not path.exists():
            raise UsageError(
                f"no image archive at {path}; make one with `docker save -o FILE IMAGE`"
            )
        image = read_image_archive(path, self.tag, self.limits)
        facts = collect_static(image.rootfs, image.metadata)
        info = TargetInfo(kind="archive", description=self.describe(), mode="static")
        return ProbeAnswer(facts=facts, target=info, container=image.metadata)


@dataclass(frozen=True)
class StaticImageTarget(Target):
    """An image in the engine, read without running it (no Python needed in the image)."""

    ref: str
    pull: bool = False
    limits: Limits | None = None

    def describe(self) -> str:
        return f"image {self.ref} (read statically)"

    def default_label(self) -> str:
        return image_label(self.ref)

    def run_probe(self, request: ProbeRequest) -> ProbeAnswer:
        from driftcheck.targets import engine  # the docker SDK only where an engine is used

        client = engine.connect()
        image = engine.get_image(client, self.ref, pull=self.pull)
        metadata = image_metadata(image, self.ref)
        rootfs = RootFS(wanted, self.limits)
        with engine.export_created_container(client, image.id) as stream:
            rootfs.add_layer(stream, f"docker export of {self.ref}", whiteouts=False)
        facts = collect_static(rootfs, metadata)
        info = TargetInfo(kind="image", description=self.describe(), mode="static")
        return ProbeAnswer(facts=facts, target=info, container=metadata)
