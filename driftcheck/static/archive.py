"""Image archives: ``docker save`` tarballs and OCI image layouts (a folder or a tar).

``docker save`` (the legacy format Docker 20.10 writes): ``manifest.json`` lists
each image's config file and layer tars; a layer tar's sha256 is its diff_id in
the config, and the config's name is its own sha256 (the image ID). Docker 25+
archives carry the same ``manifest.json`` pointing into ``blobs/sha256/``.
OCI layout: ``index.json`` -> manifest -> config + layers, every descriptor
with a digest and a size.

Every blob is verified while it is read: sha256 and size against its descriptor
where one exists, and each layer's uncompressed sha256 against the config's
diff_ids (whose count must match the layers'). A mismatch refuses the whole
image (exit 3); nothing read before it is used. Layers may be plain tar or
gzip; zstd layers are refused with a message (the standard library of the
Pythons driftcheck supports has no zstd).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from driftcheck.static.errors import HostileArchiveError, ImageChoiceError, InvalidArchiveError
from driftcheck.static.rootfs import CHUNK, Limits, Readable, RootFS, safe_name
from driftcheck.static.sources import GZIP_MAGIC, ZSTD_MAGIC, Source, open_source
from driftcheck.static.wanted import wanted
from driftcheck.targets.candidates import env_list_to_dict

MAX_JSON = 8 * 1024 * 1024  # manifests, indexes and configs are a few kilobytes
MAX_LAYERS = 1000  # overlayfs stacks about 128; Docker refuses more than 127
MAX_DESCRIPTORS = 4096  # manifests listed by an archive's indexes, all together
DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
NAMED_BLOB = re.compile(r"(?:^|/)(?:blobs/sha256/)?([0-9a-f]{64})(?:\.json)?$")
INDEX_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
)
TAG_ANNOTATIONS = ("io.containerd.image.name", "org.opencontainers.image.ref.name")


@dataclass(frozen=True)
class StaticImage:
    """An image read from an archive: its filesystem and its config, engine-shaped."""

    rootfs: RootFS
    metadata: dict[str, Any]  # shaped like targets.image_metadata.image_metadata()


@dataclass(frozen=True)
class _Blob:
    name: str  # where the source has it
    digest: str | None  # known sha256, verified when read
    size: int | None


@dataclass(frozen=True)
class _Candidate:
    tags: tuple[str, ...]
    ident: str  # a digest naming the image: its config (docker) or manifest (OCI)
    platform: str
    config: _Blob | None = None
    layers: tuple[_Blob, ...] = ()
    manifest: _Blob | None = None  # OCI: read once chosen


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
        raw_config = _read_verified(source, chosen.config)
        config = _parse(raw_config, "the image config", source.description)
        if not isinstance(config, dict):
            raise InvalidArchiveError(f"{source.description}: the image config is not an object")
        digest = "sha256:" + hashlib.sha256(raw_config).hexdigest()  # the image ID
        rootfs = RootFS(wanted, limits)
        diff_ids = _diff_ids(config, len(chosen.layers), source.description)
        for number, (blob, diff_id) in enumerate(zip(chosen.layers, diff_ids, strict=True), 1):
            label = f"{number}/{len(chosen.layers)} ({(blob.digest or diff_id)[:19]}) of {path}"
            _read_layer(source, blob, diff_id, rootfs, label)
        ref = tag or (chosen.tags[0] if chosen.tags else f"{path.name}@{digest[:19]}")
        return StaticImage(rootfs, config_metadata(config, ref, digest, len(chosen.layers)))
    finally:
        source.close()


# --- choosing the image -------------------------------------------------------


def _docker_candidates(source: Source) -> list[_Candidate]:
    entries = _json(source, _Blob("manifest.json", None, None), "manifest.json")
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
        _check_layer_count(len(layers), where)
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


def _named_blob(name: str) -> _Blob:
    """A file named after its sha256 (config ``<hex>.json``, ``blobs/sha256/<hex>``)."""
    match = NAMED_BLOB.search(name)
    if match:
        return _Blob(name, "sha256:" + match.group(1), None)
    return _Blob(name, None, None)  # <v1 id>/layer.tar: verified by its diff_id


def _oci_candidates(source: Source) -> list[_Candidate]:
    index = _json(source, _Blob("index.json", None, None), "index.json")
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
        blob = _descriptor(item, f"{where} manifests", source.description)
        annotations = item.get("annotations") if isinstance(item.get("annotations"), dict) else {}
        own = tuple(str(annotations[k]) for k in TAG_ANNOTATIONS if k in annotations)
        platform = item.get("platform") if isinstance(item.get("platform"), dict) else {}
        if platform.get("os") == "unknown":
            continue  # buildkit attestations are stored as manifests of platform unknown
        if item.get("mediaType") in INDEX_TYPES:
            if depth >= 2:
                raise InvalidArchiveError(f"{source.description}: indexes nested too deep")
            nested = _json(source, blob, f"index {blob.digest}")
            _walk_index(source, nested, own or tags, f"index {blob.digest}", found, depth + 1)
            continue
        shown = "/".join(
            str(platform[k]) for k in ("os", "architecture", "variant") if k in platform
        )
        found.append(_Candidate(own or tags, str(blob.digest), shown, manifest=blob))


def _oci_manifest(source: Source, chosen: _Candidate) -> _Candidate:
    assert chosen.manifest is not None
    manifest = _json(source, chosen.manifest, f"manifest {chosen.ident}")
    where = f"manifest {chosen.ident}"
    if not isinstance(manifest, dict) or not isinstance(manifest.get("layers"), list):
        raise InvalidArchiveError(f"{source.description}: {where} has no layers list")
    config = _descriptor(manifest.get("config"), f"{where} config", source.description)
    _check_layer_count(len(manifest["layers"]), f"{source.description}: {where}")
    layers = tuple(
        _descriptor(item, f"{where} layers", source.description) for item in manifest["layers"]
    )
    return _Candidate(chosen.tags, chosen.ident, chosen.platform, config, layers)


def _check_layer_count(count: int, where: str) -> None:
    if count > MAX_LAYERS:
        raise HostileArchiveError(f"{where} lists {count} layers (limit {MAX_LAYERS})")


def _descriptor(item: Any, where: str, archive: str) -> _Blob:
    if not isinstance(item, dict):
        raise InvalidArchiveError(f"{archive}: {where}: a descriptor is not an object")
    digest, size = item.get("digest"), item.get("size")
    if not isinstance(digest, str) or not DIGEST.match(digest):
        raise InvalidArchiveError(
            f"{archive}: {where}: digest {safe_name(str(digest))} is not sha256"
        )
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise InvalidArchiveError(f"{archive}: {where}: blob {digest} has no valid size")
    return _Blob("blobs/sha256/" + digest.split(":", 1)[1], digest, size)


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


# --- reading blobs ----------------------------------------------------------------


class _Hashing:
    """Hashes and counts what is read through it."""

    def __init__(self, inner: Readable) -> None:
        self._inner, self.size, self._hash = inner, 0, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._inner.read(CHUNK if size is None or size < 0 else size)
        self.size += len(data)
        self._hash.update(data)
        return data

    @property
    def digest(self) -> str:
        return "sha256:" + self._hash.hexdigest()


class _Prefixed:
    """A stream whose first bytes were read already (to sniff compression)."""

    def __init__(self, head: bytes, rest: _Hashing) -> None:
        self._head, self._rest = head, rest

    def read(self, size: int = -1) -> bytes:
        if self._head:
            wanted_size = len(self._head) if size is None or size < 0 else size
            data, self._head = self._head[:wanted_size], self._head[wanted_size:]
            return data
        return self._rest.read(size)


def _read_layer(source: Source, blob: _Blob, diff_id: str, rootfs: RootFS, label: str) -> None:
    with source.open(blob.name) as raw_handle:
        raw = _Hashing(raw_handle)
        head = raw.read(4)
        if head.startswith(ZSTD_MAGIC):
            raise InvalidArchiveError(
                f"layer {label} is zstd-compressed; driftcheck reads gzip and plain tar layers"
            )
        stream: Readable = _Prefixed(head, raw)
        if head.startswith(GZIP_MAGIC):
            stream = gzip.GzipFile(fileobj=stream, mode="rb")  # type: ignore[call-overload]  # no seek needed
        plain = _Hashing(stream)
        rootfs.add_layer(plain, label)
        while raw.read(CHUNK):
            pass
    _verify(blob, raw, f"layer {label}", source.description)
    if plain.digest != diff_id:
        raise InvalidArchiveError(
            f"{source.description}: digest mismatch for layer {label}: its content hashes to "
            f"{plain.digest[:19]}, the config says {diff_id[:19]}; corrupt or tampered with"
        )


def _read_verified(source: Source, blob: _Blob, limit: int = MAX_JSON) -> bytes:
    with source.open(blob.name) as handle:
        reader = _Hashing(handle)
        data = reader.read(limit + 1)
    if len(data) > limit:
        raise HostileArchiveError(f"{source.description}: {blob.name} is over {limit} bytes")
    _verify(blob, reader, blob.name, source.description)
    return data


def _verify(blob: _Blob, reader: _Hashing, what: str, archive: str) -> None:
    if blob.size is not None and reader.size != blob.size:
        raise InvalidArchiveError(
            f"{archive}: size mismatch for {what}: {reader.size} bytes, "
            f"the manifest says {blob.size}; truncated or tampered with"
        )
    if blob.digest is not None and reader.digest != blob.digest:
        raise InvalidArchiveError(
            f"{archive}: digest mismatch for {what} ({blob.digest[:19]}): "
            f"its content hashes to {reader.digest[:19]}; corrupt or tampered with"
        )


def _json(source: Source, blob: _Blob, what: str) -> Any:
    return _parse(_read_verified(source, blob), what, source.description)


def _parse(data: bytes, what: str, archive: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise InvalidArchiveError(f"{archive}: {what} is not valid JSON") from exc


def _diff_ids(config: dict[str, Any], layers: int, archive: str) -> list[str]:
    rootfs = config.get("rootfs")
    diff_ids = rootfs.get("diff_ids") if isinstance(rootfs, dict) else None
    if not isinstance(diff_ids, list) or not all(
        isinstance(d, str) and DIGEST.match(d) for d in diff_ids
    ):
        raise InvalidArchiveError(f"{archive}: the image config has no valid rootfs.diff_ids")
    if len(diff_ids) != layers:
        raise InvalidArchiveError(
            f"{archive}: the image config lists {len(diff_ids)} layers, the manifest {layers}"
        )
    return diff_ids


# --- the config, shaped like the engine's metadata ---------------------------------


def config_metadata(config: dict[str, Any], ref: str, image_id: str, layers: int) -> dict[str, Any]:
    """What ``image_metadata()`` gives for an engine's image, from the config alone."""
    run = config.get("config") if isinstance(config.get("config"), dict) else {}
    assert isinstance(run, dict)
    parts = [_text(config.get("os")) or "linux", _text(config.get("architecture")) or "unknown"]
    if _text(config.get("variant")):
        parts.append(str(config["variant"]))
    history = config.get("history")
    labels = run.get("Labels") if isinstance(run.get("Labels"), dict) else {}
    assert isinstance(labels, dict)
    return {
        "image": ref,
        "image_id": image_id,
        "platform": "/".join(parts),
        "repo_digests": [],
        "user": _text(run.get("User")) or None,
        "entrypoint": _texts(run.get("Entrypoint")),
        "command": _texts(run.get("Cmd")),
        "labels": {str(k): v for k, v in labels.items() if isinstance(v, str)},
        "configured_env": env_list_to_dict(_texts(run.get("Env"))),
        "created": _text(config.get("created")),
        "layers": layers,
        "history_entries": len(history) if isinstance(history, list) else None,
    }


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _texts(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
