"""From a tag (or digest) to one image's config and layers.

The reference is resolved to a manifest, verified against the digest asked
for (or, for a tag, against the digest the registry says it serves). An OCI
image index or a Docker manifest list names one image per platform: the one
asked for (``--platform``, default Linux on the host's architecture) is read,
verified against the index's descriptor; attestation entries (platform
``unknown/unknown``) are never candidates. What remains must be an image
manifest (OCI, or Docker schema 2) whose config is an image config: schema 1
manifests and non-image artifacts are refused with a message.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from driftcheck.registry.client import MANIFEST_TYPES
from driftcheck.registry.errors import ImageNotFoundError
from driftcheck.registry.names import ImageName
from driftcheck.registry.platforms import Platform, best, described, host_platform
from driftcheck.registry.source import MANIFESTS, RegistrySource
from driftcheck.static.archive import MAX_DESCRIPTORS
from driftcheck.static.blobs import (
    DIGEST,
    INDEX_TYPES,
    Blob,
    descriptor,
    manifest_blobs,
    parse_json,
    read_verified,
)
from driftcheck.static.errors import HostileArchiveError, InvalidArchiveError
from driftcheck.static.rootfs import safe_name

IMAGE_CONFIGS = (
    "application/vnd.oci.image.config.v1+json",
    "application/vnd.docker.container.image.v1+json",
)


@dataclass(frozen=True)
class Resolved:
    top_digest: str  # what the reference names: an index or the manifest itself
    manifest_digest: str  # the image manifest read
    platform: str  # the index entry chosen; "" when the reference names one image
    config: Blob
    layers: tuple[Blob, ...]


def resolve(source: RegistrySource, name: ImageName, wanted: Platform | None) -> Resolved:
    where = source.description
    top = Blob(MANIFESTS + name.reference, name.digest, None)
    raw = read_verified(source, top, what=f"the manifest {name.reference}")
    top_digest = "sha256:" + hashlib.sha256(raw).hexdigest()
    claimed = source.content_digests.get(top.name, "")
    if DIGEST.match(claimed) and claimed != top_digest:
        raise InvalidArchiveError(
            f"{where}: digest mismatch for the manifest {name.reference}: its content hashes to "
            f"{top_digest[:19]}, the registry says {claimed[:19]}; corrupt or tampered with"
        )
    document = parse_json(raw, "the manifest", where)
    manifest_digest, platform = top_digest, ""
    if _is_index(document):
        entry, platform = _choose(document, wanted, name, where)
        assert entry.digest is not None
        raw = read_verified(source, entry, what=f"the manifest for {platform}")
        document = parse_json(raw, f"the manifest for {platform}", where)
        manifest_digest = entry.digest
        if _is_index(document):
            raise InvalidArchiveError(f"{where}: the entry for {platform} is another index")
    _check_image_manifest(document, where)
    config, layers = manifest_blobs(document, f"manifest {manifest_digest[:19]}", where)
    return Resolved(top_digest, manifest_digest, platform, config, layers)


def _is_index(document: Any) -> bool:
    if not isinstance(document, dict):
        return False
    return document.get("mediaType") in INDEX_TYPES or (
        "manifests" in document and "layers" not in document
    )


def _choose(
    index: dict[str, Any], wanted: Platform | None, name: ImageName, where: str
) -> tuple[Blob, str]:
    entries = index.get("manifests")
    if not isinstance(entries, list):
        raise InvalidArchiveError(f"{where}: the index has no manifests list")
    if len(entries) > MAX_DESCRIPTORS:
        raise HostileArchiveError(f"{where}: the index lists more than {MAX_DESCRIPTORS} images")
    offered: list[Platform] = []
    blobs: list[Blob] = []
    for item in entries:
        platform = described(item.get("platform") if isinstance(item, dict) else None)
        if platform is None or platform.os == "unknown":
            continue  # attestations, or entries that say nothing to choose them by
        found = descriptor(item, "index manifests", where)
        offered.append(platform)
        blobs.append(Blob(MANIFESTS + str(found.digest), found.digest, found.size))
    host = host_platform()
    target = wanted or host
    preferred = target.variant or (host.variant if target.architecture == host.architecture else "")
    chosen = best(target, offered, preferred)
    if chosen is None:
        listed = ", ".join(sorted({safe_name(str(p), 60).strip("'") for p in offered})) or "none"
        raise ImageNotFoundError(
            f"{name} has no image for {target}; it has: {listed}; choose one with --platform"
        )
    return blobs[chosen], str(offered[chosen])


def _check_image_manifest(document: Any, where: str) -> None:
    if not isinstance(document, dict):
        raise InvalidArchiveError(f"{where}: the manifest is not an object")
    if document.get("schemaVersion") == 1:
        raise InvalidArchiveError(
            f"{where} serves a schema 1 manifest, a format registries retired; driftcheck "
            "reads OCI and schema 2 manifests: push the image again with a current client"
        )
    media_type = document.get("mediaType")
    if media_type is not None and media_type not in MANIFEST_TYPES:
        raise InvalidArchiveError(
            f"{where}: manifest type {safe_name(str(media_type), 80)} is not an image manifest"
        )
    config = document.get("config")
    config_type = config.get("mediaType") if isinstance(config, dict) else None
    if config_type is not None and config_type not in IMAGE_CONFIGS:
        raise InvalidArchiveError(
            f"{where} is an artifact ({safe_name(str(config_type), 80)}), not a container image"
        )
