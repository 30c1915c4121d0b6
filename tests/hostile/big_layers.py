"""Huge image layers made cheaply: a million entries, gigabytes of zeros, a gzip bomb.

Nothing big is ever held or written: tar headers are made by hand (a million of
them in about two seconds), gigabytes of content are one compressed block of
zeros repeated as gzip members (a gzip stream may be any number of members, and
readers concatenate them), and the uncompressed digest (the layer's diff_id) is
computed while the stream is produced, or skipped where the reader must give up
before it could check it. Shared by tests/hostile and benchmarks/bench_hostile.py.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from static_builders import OCI_CONFIG, OCI_LAYER, OCI_MANIFEST, config

BLOCK = 512
ZERO_CHUNK = 16 * 1024 * 1024
_ZEROS = bytes(ZERO_CHUNK)
_ZERO_MEMBER = gzip.compress(_ZEROS, compresslevel=9, mtime=0)  # ~16 KiB


def ustar(name: bytes, size: int = 0, kind: bytes = b"0", link: bytes = b"") -> bytes:
    """One ustar header block (sizes up to 8 GiB - 1; base-256 above that)."""
    header = bytearray(BLOCK)
    header[0 : len(name)] = name
    header[100:108] = b"0000644\0"
    header[108:116] = b"0000000\0"
    header[116:124] = b"0000000\0"
    if size < 8**11:
        header[124:136] = b"%011o\0" % size
    else:  # GNU base-256, as tar writes sizes of 8 GiB and more
        header[124:136] = bytes([0x80]) + size.to_bytes(11, "big")
    header[136:148] = b"00000000000\0"
    header[148:156] = b" " * 8
    header[156:157] = kind
    header[157 : 157 + len(link)] = link
    header[257:265] = b"ustar\x0000"
    header[148:156] = b"%06o\0 " % sum(header)
    return bytes(header)


@dataclass(frozen=True)
class Layer:
    blob: bytes  # gzip-compressed tar
    diff_id: str  # sha256 of the uncompressed tar ("sha256:" + 64 zeros when not computed)
    uncompressed: int


def million_entries(count: int) -> Layer:
    """A gzip layer of ``count`` empty files, 1,000 per folder."""
    template = ustar(b"")
    middle, rest = template[100:148], template[156:]
    base = sum(middle) + sum(rest) + 8 * ord(" ")
    digest, packer, parts = hashlib.sha256(), zlib.compressobj(1, zlib.DEFLATED, 31), []
    step = 20_000
    for start in range(0, count, step):
        names = [b"d%03d/f%07d" % (i % 1000, i) for i in range(start, min(count, start + step))]
        batch = b"".join(
            name.ljust(100, b"\0") + middle + b"%06o\0 " % (base + sum(name)) + rest
            for name in names
        )
        digest.update(batch)
        parts.append(packer.compress(batch))
    end = bytes(2 * BLOCK)
    digest.update(end)
    parts += [packer.compress(end), packer.flush()]
    return Layer(b"".join(parts), "sha256:" + digest.hexdigest(), (count + 2) * BLOCK)


def zero_files(
    big: Sequence[tuple[str, int]],
    small: Sequence[tuple[str, bytes]] = (),
    *,
    with_diff_id: bool = True,
) -> Layer:
    """A gzip layer of small files, then files of ``size`` zero bytes each (any size)."""
    digest = hashlib.sha256()
    members: list[bytes] = []
    total = 0

    def emit(data: bytes, *, zeros: int = 0) -> None:
        nonlocal total
        if data:
            members.append(gzip.compress(data, compresslevel=1, mtime=0))
            if with_diff_id:
                digest.update(data)
            total += len(data)
        for chunk in _zero_chunks(zeros):
            members.append(_ZERO_MEMBER if chunk == ZERO_CHUNK else _zeros_member(chunk))
            if with_diff_id:
                digest.update(memoryview(_ZEROS)[:chunk])
            total += chunk

    for name, content in small:
        emit(ustar(name.encode(), len(content)) + content + _pad(len(content)))
    for name, size in big:
        emit(ustar(name.encode(), size), zeros=size)
        emit(_pad(size))
    emit(bytes(2 * BLOCK))
    diff_id = "sha256:" + (digest.hexdigest() if with_diff_id else "0" * 64)
    return Layer(b"".join(members), diff_id, total)


def _zero_chunks(size: int) -> Iterator[int]:
    while size > 0:
        chunk = min(size, ZERO_CHUNK)
        yield chunk
        size -= chunk


def _zeros_member(size: int) -> bytes:
    return gzip.compress(bytes(size), compresslevel=9, mtime=0)


def _pad(size: int) -> bytes:
    return bytes(-size % BLOCK)


def oci_image(target: Path, layers: Sequence[Layer], tag: str = "hostile:1") -> Path:
    """An OCI image layout folder; the config's diff_ids are the layers' own."""
    blobs = target / "blobs" / "sha256"
    blobs.mkdir(parents=True, exist_ok=True)

    def put(data: bytes) -> dict[str, object]:
        digest = hashlib.sha256(data).hexdigest()
        (blobs / digest).write_bytes(data)
        return {"digest": "sha256:" + digest, "size": len(data)}

    doc = config([], rootfs={"type": "layers", "diff_ids": [layer.diff_id for layer in layers]})
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, **put(json.dumps(doc).encode())},
        "layers": [{"mediaType": OCI_LAYER + "+gzip", **put(layer.blob)} for layer in layers],
    }
    descriptor = {
        "mediaType": OCI_MANIFEST,
        **put(json.dumps(manifest).encode()),
        "annotations": {"org.opencontainers.image.ref.name": tag},
    }
    (target / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": [descriptor]}))
    (target / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    return target
