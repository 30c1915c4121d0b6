"""Image archives: ``docker save`` tarballs and OCI image layouts (a folder or a tar).

``docker save`` (the legacy format Docker 20.10 writes): ``manifest.json`` lists
each image's config file and layer tars; a layer tar's sha256 is its diff_id in
the config, and the config's name is its own sha256 (the image ID). Docker 25+
archives carry the same ``manifest.json`` pointing into ``blobs/sha256/``.
OCI layout: ``index.json`` -> manifest -> config + layers, every descriptor
with a digest and a size.

This module only finds the image an archive holds; its blobs are read and
verified by ``driftcheck.static.image`` (shared with registries).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from driftcheck.static.blobs import (
    INDEX_TYPES,
    MAX_JSON,
    MAX_LAYERS,
    Blob,
    check_layer_count,
    descriptor,
    manifest_blobs,
    read_json,
)
from driftcheck.static.errors import HostileArchiveError, ImageChoiceError, InvalidArchiveError
from driftcheck.static.image import StaticImage, read_image
from driftcheck.static.rootfs import Limits, safe_name
from driftcheck.static.sources import Source, open_source

# The limits an archive meets, with the ones defined here (docs/hostile-inputs.md names them).
__all__ = ["MAX_DESCRIPTORS", "MAX_JSON", "MAX_LAYERS", "StaticImage", "read_image_archive"]

MAX_DESCRIPTORS = 4096  # manifests listed by an archive's indexes, all together
NAMED_BLOB = re.compile(r"(?:^|/)(?:blobs/sha256/)?([0-9a-f]{64})(?:\.json)?$")
TAG_ANNOTATIONS = ("io.containerd.image.name", "org.opencontainers.image.ref.name")


@dataclass(frozen=True)
class _Candidate:
    tags: tuple[str, ...]
    ident: str  # a digest naming the image: its config (docker) or manifest (OCI)
    platform: str
    config: Blob | None = None
    layers: tuple[Blob, ...] = ()
    manifest: Blob | None = None  # OCI: read once chosen


def read_image_archive(
    path: Path, tag: str | None = None, limits: Limits | None = None
) -> StaticImage:
    """Reads the image (chosen by ``tag`` when the archive holds several) in memory."""
    limits = limits or Limits()
    source = open_source(path)
    try:
        if source.has("manifest.json"):
            chosen = _choose(_docker_candidates(source), tag, source)
        elif source.has("index.json"):
            chosen = _oci_manifest(source, _choose(_oci_candidates(source), tag, source))
        else:
            raise InvalidArchiveError(
                f"{source.description} has neither manifest.json nor index.json: "
                "not a `docker save` archive or an OCI image layout"
            )
        assert chosen.config is not None
        ref = tag or (chosen.tags[0] if chosen.tags else None)
        return read_image(
            source, chosen.config, chosen.layers, ref=ref, fallback_name=path.name, limits=limits
        )
    finally:
        source.close()


# --- choosing the image -------------------------------------------------------


def _docker_candidates(source: Source) -> list[_Candidate]:
    entries = read_json(source, Blob("manifest.json", None, None), "manifest.json")
    if not isinstance(entries, list) or not entries:
        raise InvalidArchiveError(f"{source.description}: manifest.json lists no image")
    found = []
    for number, entry in enumerate(entries, 1):
        where = f"{source.description}: manifest.json entry {number}"
        if not isinstance(entry, dict):
            raise InvalidArchiveError(f"{where} is not an object")
        config, layers, tags = entry.get("Config"), entry.get("Layers"), entry.get("RepoTags")
        if not isinstance(config, str) or not isinstance(layers, list):
            raise InvalidArchiveError(f"{where} has no Config file or no Layers list")
        check_layer_count(len(layers), where)
        if not all(isinstance(layer, str) for layer in layers):
            raise InvalidArchiveError(f"{where}: Layers holds something other than file names")
        config_blob = _named_blob(config)
        found.append(
            _Candidate(
                tags=tuple(t for t in tags or () if isinstance(t, str)),
                ident=config_blob.digest or config,
                platform="",
                config=config_blob,
                layers=tuple(_named_blob(layer) for layer in layers),
            )
        )
    return found


def _named_blob(name: str) -> Blob:
    """A file named after its sha256 (config ``<hex>.json``, ``blobs/sha256/<hex>``)."""
    match = NAMED_BLOB.search(name)
    if match:
        return Blob(name, "sha256:" + match.group(1), None)
    return Blob(name, None, None)  # <v1 id>/layer.tar: verified by its diff_id


def _oci_candidates(source: Source) -> list[_Candidate]:
    index = read_json(source, Blob("index.json", None, None), "index.json")
    found: list[_Candidate] = []
    _walk_index(source, index, (), "index.json", found, depth=0)
    if not found:
        raise InvalidArchiveError(f"{source.description}: index.json lists no image")
    return found


def _walk_index(
    source: Source,
    index: Any,
    tags: tuple[str, ...],
    where: str,
    found: list[_Candidate],
    depth: int,
) -> None:
    manifests = index.get("manifests") if isinstance(index, dict) else None
    if not isinstance(manifests, list):
        raise InvalidArchiveError(f"{source.description}: {where} has no manifests list")
    if len(found) + len(manifests) > MAX_DESCRIPTORS:
        raise HostileArchiveError(f"{source.description}: more than {MAX_DESCRIPTORS} manifests")
    for item in manifests:
        blob = descriptor(item, f"{where} manifests", source.description)
        annotations = item.get("annotations") if isinstance(item.get("annotations"), dict) else {}
        own = tuple(str(annotations[k]) for k in TAG_ANNOTATIONS if k in annotations)
        platform = item.get("platform") if isinstance(item.get("platform"), dict) else {}
        if platform.get("os") == "unknown":
            continue  # buildkit attestations are stored as manifests of platform unknown
        if item.get("mediaType") in INDEX_TYPES:
            if depth >= 2:
                raise InvalidArchiveError(f"{source.description}: indexes nested too deep")
            nested = read_json(source, blob, f"index {blob.digest}")
            _walk_index(source, nested, own or tags, f"index {blob.digest}", found, depth + 1)
            continue
        shown = "/".join(
            str(platform[k]) for k in ("os", "architecture", "variant") if k in platform
        )
        found.append(_Candidate(own or tags, str(blob.digest), shown, manifest=blob))


def _oci_manifest(source: Source, chosen: _Candidate) -> _Candidate:
    assert chosen.manifest is not None
    where = f"manifest {chosen.ident}"
    manifest = read_json(source, chosen.manifest, where)
    config, layers = manifest_blobs(manifest, where, source.description)
    return _Candidate(chosen.tags, chosen.ident, chosen.platform, config, layers)


def _choose(candidates: list[_Candidate], tag: str | None, source: Source) -> _Candidate:
    if tag is None:
        if len({c.ident for c in candidates}) == 1:
            return candidates[0]
        raise ImageChoiceError(
            f"{source.description} holds {len(candidates)} images; name one: "
            + _listing(candidates)
        )
    matches = [c for c in candidates if _matches(tag, c)]
    if not matches:
        raise ImageChoiceError(
            f"{source.description} has no image {safe_name(tag)}; it holds: " + _listing(candidates)
        )
    if len({c.ident for c in matches}) > 1:
        platforms = ", ".join(sorted({c.platform or c.ident[:19] for c in matches}))
        raise ImageChoiceError(
            f"{safe_name(tag)} in {source.description} names several images ({platforms}); "
            "save a single platform (`docker save` of a pulled platform) and read that"
        )
    return matches[0]


def _matches(wanted_tag: str, candidate: _Candidate) -> bool:
    wanted_forms = _tag_forms(wanted_tag)
    if any(wanted_forms & _tag_forms(tag) for tag in candidate.tags):
        return True
    hex_part = wanted_tag.removeprefix("sha256:")
    return len(hex_part) >= 12 and candidate.ident.removeprefix("sha256:").startswith(hex_part)


def _tag_forms(tag: str) -> set[str]:
    """`debian`, `debian:latest` and `docker.io/library/debian:latest` name one image."""
    name = tag
    for prefix in ("docker.io/", "index.docker.io/", "library/"):
        name = name.removeprefix(prefix)
    if ":" not in name.rsplit("/", 1)[-1] and "@" not in name:
        name += ":latest"
    return {tag, name}


def _listing(candidates: list[_Candidate]) -> str:
    names = [", ".join(c.tags) or f"untagged {c.ident[:19]}" for c in candidates]
    return "; ".join(safe_name(n, 200) for n in names[:20]) + (" ..." if len(names) > 20 else "")
