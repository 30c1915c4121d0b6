"""Hand-made layers and image archives for the static-reading tests, built with tarfile.

Everything is made in memory or under the test's tmp_path; the hostile shapes
(traversal, links, whiteouts, bombs, bad manifests) are built exactly, so each
test says which bytes it feeds the reader.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import sys
import tarfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"


@dataclass(frozen=True)
class E:
    """One tar entry: kind is file, dir, symlink, hardlink, fifo."""

    name: str
    data: bytes = b""
    kind: str = "file"
    target: str = ""
    size: int | None = None  # declared size, when it differs from data (zero streams)


def file(name: str, data: bytes | str = b"") -> E:
    return E(name, data.encode() if isinstance(data, str) else data)


def folder(name: str) -> E:
    return E(name, kind="dir")


def symlink(name: str, target: str) -> E:
    return E(name, kind="symlink", target=target)


def hardlink(name: str, target: str) -> E:
    return E(name, kind="hardlink", target=target)


class _Zeros(io.RawIOBase):
    """size zero bytes, streamed: a huge entry without a huge buffer."""

    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = min(len(buffer), self.left)
        buffer[:n] = bytes(n)
        self.left -= n
        return n


def write_layer(out: Any, entries: Sequence[E], *, pax: dict[str, str] | None = None) -> None:
    with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        for entry in entries:
            info = tarfile.TarInfo(entry.name)
            info.mode = 0o755 if entry.kind == "dir" else 0o644
            if pax:
                info.pax_headers = dict(pax)
            if entry.kind == "dir":
                info.type = tarfile.DIRTYPE
            elif entry.kind == "symlink":
                info.type, info.linkname = tarfile.SYMTYPE, entry.target
            elif entry.kind == "hardlink":
                info.type, info.linkname = tarfile.LNKTYPE, entry.target
            elif entry.kind == "fifo":
                info.type = tarfile.FIFOTYPE
            if entry.kind != "file":
                tar.addfile(info)
            elif entry.size is not None:
                info.size = entry.size
                tar.addfile(info, io.BufferedReader(_Zeros(entry.size)))
            else:
                info.size = len(entry.data)
                tar.addfile(info, io.BytesIO(entry.data))


def layer(*entries: E, pax: dict[str, str] | None = None) -> bytes:
    out = io.BytesIO()
    write_layer(out, entries, pax=pax)
    return out.getvalue()


def gzip_layer(*entries: E, level: int = 1) -> bytes:
    """A gzip layer, compressed as it is written (a zero stream stays cheap)."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=level, mtime=0) as gz:
        write_layer(gz, entries)
    return out.getvalue()


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def diff_id(blob: bytes) -> str:
    return sha256(gzip.decompress(blob) if blob[:2] == b"\x1f\x8b" else blob)


def config(layers: Sequence[bytes], **overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "architecture": "amd64",
        "os": "linux",
        "created": "2026-01-02T03:04:05Z",
        "config": {"Env": ["PATH=/usr/bin:/bin"], "User": "", "Labels": {"a": "b"}},
        "rootfs": {"type": "layers", "diff_ids": [diff_id(blob) for blob in layers]},
        "history": [{"created_by": f"layer {i}"} for i in range(len(layers))],
    }
    doc.update(overrides)
    return doc


def add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def docker_archive(
    path: Path,
    images: Sequence[tuple[Sequence[str], Sequence[bytes]]],
    *,
    manifest: Any = None,
    config_overrides: dict[str, Any] | None = None,
    tamper: dict[str, bytes] | None = None,
) -> Path:
    """A `docker save` (Docker 20.10 layout) holding images (tags, layer blobs).

    ``manifest`` replaces manifest.json's content (any JSON value, or bytes);
    ``tamper`` replaces member contents after digests were computed.
    """
    entries: list[dict[str, Any]] = []
    members: dict[str, bytes] = {}
    for number, (tags, layers) in enumerate(images):
        names = []
        for blob in layers:
            name = f"{hashlib.sha256(blob + bytes([number])).hexdigest()}/layer.tar"
            members[name] = blob
            names.append(name)
        raw = json.dumps(config(layers, **(config_overrides or {}))).encode()
        config_name = hashlib.sha256(raw).hexdigest() + ".json"
        members[config_name] = raw
        entries.append({"Config": config_name, "RepoTags": list(tags) or None, "Layers": names})
    if manifest is None:
        members["manifest.json"] = json.dumps(entries).encode()
    else:
        members["manifest.json"] = (
            manifest if isinstance(manifest, bytes) else json.dumps(manifest).encode()
        )
    members.update(tamper or {})
    with tarfile.open(path, "w") as tar:
        for name, data in members.items():
            add_bytes(tar, name, data)
    return path


def oci_layout(
    target: Path,
    layers: Sequence[bytes],
    *,
    tag: str = "example:1",
    config_doc: dict[str, Any] | bytes | None = None,
    index: Any = None,
    sizes: dict[int, int] | None = None,
) -> Path:
    """An OCI image layout folder; ``sizes`` overrides descriptor sizes by layer number."""
    blobs = target / "blobs" / "sha256"
    blobs.mkdir(parents=True, exist_ok=True)

    def put(data: bytes) -> str:
        digest = sha256(data)
        (blobs / digest.split(":", 1)[1]).write_bytes(data)
        return digest

    if isinstance(config_doc, bytes):
        raw_config = config_doc  # kept byte for byte: its digest is the image ID
    else:
        raw_config = json.dumps(config_doc or config(layers)).encode()
    layer_descriptors = []
    for number, blob in enumerate(layers):
        media = OCI_LAYER + ("+gzip" if blob[:2] == b"\x1f\x8b" else "")
        size = (sizes or {}).get(number, len(blob))
        layer_descriptors.append({"mediaType": media, "digest": put(blob), "size": size})
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": put(raw_config), "size": len(raw_config)},
            "layers": layer_descriptors,
        }
    ).encode()
    descriptor = {
        "mediaType": OCI_MANIFEST,
        "digest": put(manifest),
        "size": len(manifest),
        "annotations": {"io.containerd.image.name": tag, "org.opencontainers.image.ref.name": tag},
    }
    doc = {"schemaVersion": 2, "manifests": [descriptor]} if index is None else index
    (target / "index.json").write_text(json.dumps(doc))
    (target / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    return target


def pack(folder_path: Path, out: Path) -> Path:
    """An OCI layout folder as a tar, as `docker save` (25+) or skopeo would ship it."""
    with tarfile.open(out, "w") as tar:
        for path in sorted(folder_path.rglob("*")):
            if path.is_file():
                tar.add(path, arcname=str(path.relative_to(folder_path)))
    return out


def oci_from_docker_save(archive: Path, target: Path, tag: str) -> Path:
    """Converts a `docker save` tarball into an OCI layout with gzip layers."""
    with tarfile.open(archive) as tar:
        manifest = json.loads(_member(tar, "manifest.json"))[0]
        config_doc = _member(tar, manifest["Config"])
        layers = [
            gzip.compress(_member(tar, name), compresslevel=1, mtime=0)
            for name in manifest["Layers"]
        ]
    return oci_layout(target, layers, tag=tag, config_doc=config_doc)


def _member(tar: tarfile.TarFile, name: str) -> bytes:
    handle = tar.extractfile(name)
    assert handle is not None
    return handle.read()


# --- nothing is written while reading --------------------------------------------------

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_WRITE_EVENTS = {
    "os.mkdir",
    "os.rename",
    "os.remove",
    "os.rmdir",
    "os.symlink",
    "os.link",
    "os.chmod",
    "os.chown",
    "os.utime",
    "os.truncate",
    "shutil.copyfile",
    "shutil.rmtree",
    "tempfile.mkstemp",
    "tempfile.mkdtemp",
}
_watch: list[list[str]] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _watch:
        return
    if event == "open":
        path, _mode, flags = [*args, None, None, 0][:3]
        if isinstance(flags, int) and flags & _WRITE_FLAGS:
            _watch[-1].append(f"open for writing {path!r}")
    elif event in _WRITE_EVENTS:
        _watch[-1].append(f"{event} {args[:2]!r}")


sys.addaudithook(_audit)


@contextmanager
def no_writes() -> Iterator[None]:
    """Fails if anything in the block creates, changes or removes a file (audit hooks)."""
    _watch.append([])
    try:
        yield
    finally:
        seen = [w for w in _watch.pop() if "__pycache__" not in w]
        assert not seen, f"the static reader wrote to disk: {seen}"
