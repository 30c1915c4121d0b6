"""Reading an image's blobs (manifests, configs, layers) with their digests verified.

A blob source is anything that opens blobs by name: a member of a ``docker
save`` tar, a file of an OCI layout folder, a blob of a registry. Every blob is
verified while it is read: sha256 and size against its descriptor where one
exists, and each layer's uncompressed sha256 against the config's diff_ids. No
more than a descriptor's size (plus one byte, to notice) is ever read from a
blob whose size is known, so a source that sends more cannot make a reader
loop forever. Layers may be plain tar or gzip; zstd layers are refused with a
message (the standard library of the Pythons driftcheck supports has no zstd).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from typing import Any

from driftcheck.static.chunks import Hashed, HashedChunks, gunzip
from driftcheck.static.errors import HostileArchiveError, InvalidArchiveError
from driftcheck.static.rootfs import RootFS, safe_name
from driftcheck.static.sources import GZIP_MAGIC, ZSTD_MAGIC, BlobSource

MAX_JSON = 8 * 1024 * 1024  # manifests, indexes and configs are a few kilobytes
MAX_LAYERS = 1000  # overlayfs stacks about 128; Docker refuses more than 127
DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
INDEX_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
)


@dataclass(frozen=True)
class Blob:
    name: str  # where the source has it
    digest: str | None  # known sha256, verified when read
    size: int | None  # known size, verified when read; no more than size + 1 is read


def read_layer(source: BlobSource, blob: Blob, diff_id: str, rootfs: RootFS, label: str) -> None:
    """Streams one layer blob into ``rootfs``, verifying it compressed and uncompressed.

    A plain tar layer is hashed once: its blob digest and its diff_id are the same
    bytes' digest. Every byte read counts against the image's byte budget; a blob
    declared larger than what is left of it is refused before it is opened.
    """
    if blob.size is not None:
        rootfs.check_declared(blob.size, label)
    handle = source.open(blob.name)
    layer = _LayerBytes(HashedChunks(handle, blob.size), label, rootfs)
    try:
        rootfs.add_chunks(layer, label)
    finally:
        handle.close()
    _verify(blob, layer.raw, f"layer {label}", source.description)
    if layer.plain.digest != diff_id:
        raise InvalidArchiveError(
            f"{source.description}: digest mismatch for layer {label}: its content hashes to "
            f"{layer.plain.digest[:19]}, the config says {diff_id[:19]}; corrupt or tampered with"
        )


class _LayerBytes:
    """A layer blob's uncompressed bytes: gzip inflated, zstd refused, both sides hashed.

    The root filesystem charges the uncompressed bytes to the byte budget as it reads
    them; what the blob holds beyond them is charged here. Bytes that inflate to
    nothing (zero padding after the gzip stream: any amount of it, as the gzip module
    reads it) cost their reading all the same, so a layer never costs less than its
    compressed size nor less than its uncompressed size.
    """

    def __init__(self, raw: HashedChunks, label: str, rootfs: RootFS) -> None:
        self.raw = raw
        self.plain: Hashed | HashedChunks = raw  # a plain tar: the same bytes
        self._label = label
        self._rootfs = rootfs
        self._excess = 0  # compressed bytes read beyond the uncompressed ones, charged

    def __iter__(self) -> Iterator[bytes]:
        chunks = self._charged(iter(self.raw))
        first = next(chunks, b"")
        if first.startswith(ZSTD_MAGIC):
            raise InvalidArchiveError(
                f"layer {self._label} is zstd-compressed; driftcheck reads gzip and plain tar "
                "layers"
            )
        stream: Iterable[bytes] = chain((first,), chunks)
        if first.startswith(GZIP_MAGIC):
            self.plain = Hashed(gunzip(stream))
            stream = self.plain
        yield from stream
        for _ in chunks:  # what follows the end of the layer is part of the blob
            pass

    def _charged(self, chunks: Iterator[bytes]) -> Iterator[bytes]:
        for chunk in chunks:
            yield chunk
            # Asked for the next chunk: all this one inflated to has been charged.
            excess = self.raw.size - self.plain.size
            if excess > self._excess:
                self._rootfs.charge_walked(excess - self._excess, self._label)
                self._excess = excess


def read_verified(
    source: BlobSource, blob: Blob, limit: int = MAX_JSON, what: str | None = None
) -> bytes:
    """A small blob (manifest, index, config), read whole and verified."""
    what = what or blob.name
    handle = source.open(blob.name)
    try:
        reader = HashedChunks(handle, limit if blob.size is None else min(blob.size, limit))
        parts = []
        for part in reader:
            parts.append(part)
            if reader.size > limit:
                break
    finally:
        handle.close()
    data = b"".join(parts)
    if len(data) > limit:
        raise HostileArchiveError(f"{source.description}: {what} is over {limit} bytes")
    _verify(blob, reader, what, source.description)
    return data


def _verify(blob: Blob, reader: HashedChunks, what: str, archive: str) -> None:
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


def read_json(source: BlobSource, blob: Blob, what: str) -> Any:
    return parse_json(read_verified(source, blob, what=what), what, source.description)


def parse_json(data: bytes, what: str, archive: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise InvalidArchiveError(f"{archive}: {what} is not valid JSON") from exc


def descriptor(item: Any, where: str, archive: str) -> Blob:
    """An OCI descriptor (``{"digest": ..., "size": ...}``), named as a layout's blob file."""
    if not isinstance(item, dict):
        raise InvalidArchiveError(f"{archive}: {where}: a descriptor is not an object")
    digest, size = item.get("digest"), item.get("size")
    if not isinstance(digest, str) or not DIGEST.match(digest):
        raise InvalidArchiveError(
            f"{archive}: {where}: digest {safe_name(str(digest))} is not sha256"
        )
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise InvalidArchiveError(f"{archive}: {where}: blob {digest} has no valid size")
    return Blob("blobs/sha256/" + digest.split(":", 1)[1], digest, size)


def check_layer_count(count: int, where: str) -> None:
    if count > MAX_LAYERS:
        raise HostileArchiveError(f"{where} lists {count} layers (limit {MAX_LAYERS})")


def manifest_blobs(manifest: Any, where: str, archive: str) -> tuple[Blob, tuple[Blob, ...]]:
    """The config and layer descriptors of an image manifest (OCI or Docker schema 2)."""
    if not isinstance(manifest, dict) or not isinstance(manifest.get("layers"), list):
        raise InvalidArchiveError(f"{archive}: {where} has no layers list")
    config = descriptor(manifest.get("config"), f"{where} config", archive)
    check_layer_count(len(manifest["layers"]), f"{archive}: {where}")
    layers = tuple(descriptor(item, f"{where} layers", archive) for item in manifest["layers"])
    return config, layers
