"""One image, read from its config and layer blobs, wherever the blobs come from.

An archive and a registry differ only in how the manifest is found; from the
config on, the reading is the same: the config is read and verified, its
``rootfs.diff_ids`` must match the layers one for one, each layer is streamed
into the in-memory root filesystem and verified, and the config is shaped like
the engine's image metadata. A mismatch refuses the whole image (exit 3);
nothing read before it is used.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from driftcheck.redaction.image_config import redact_image_config
from driftcheck.static.blobs import DIGEST, Blob, parse_json, read_layer, read_verified
from driftcheck.static.candidates import env_list_to_dict
from driftcheck.static.errors import InvalidArchiveError
from driftcheck.static.rootfs import Limits, RootFS
from driftcheck.static.sources import BlobSource
from driftcheck.static.wanted import wanted


@dataclass(frozen=True)
class StaticImage:
    """An image read as files: its filesystem and its config, engine-shaped."""

    rootfs: RootFS
    metadata: dict[str, Any]  # shaped like targets.image_metadata.image_metadata()


def read_image(
    source: BlobSource,
    config_blob: Blob,
    layers: Sequence[Blob],
    *,
    ref: str | None,
    fallback_name: str,
    limits: Limits | None = None,
    repo_digests: Sequence[str] = (),
    check_config: Callable[[dict[str, Any]], None] | None = None,
) -> StaticImage:
    """Reads and verifies the config and every layer; ``ref`` names the image (else
    ``fallback_name@<image id>``). ``check_config`` may refuse the image before any
    layer is read."""
    raw_config = read_verified(source, config_blob, what="the image config")
    config = parse_json(raw_config, "the image config", source.description)
    if not isinstance(config, dict):
        raise InvalidArchiveError(f"{source.description}: the image config is not an object")
    if check_config is not None:
        check_config(config)
    digest = "sha256:" + hashlib.sha256(raw_config).hexdigest()  # the image ID
    rootfs = RootFS(wanted, limits)
    diff_ids = _diff_ids(config, len(layers), source.description)
    for number, (blob, diff_id) in enumerate(zip(layers, diff_ids, strict=True), 1):
        label = f"{number}/{len(layers)} ({(blob.digest or diff_id)[:19]}) of {source.description}"
        read_layer(source, blob, diff_id, rootfs, label)
    name = ref or f"{fallback_name}@{digest[:19]}"
    metadata = config_metadata(config, name, digest, len(layers))
    metadata["diff_ids"] = list(diff_ids)
    metadata["repo_digests"] = list(repo_digests)
    return StaticImage(rootfs, metadata)


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
    # Secret labels and option values are redacted as soon as read (and again by the
    # snapshot's builder).
    metadata, _ = redact_image_config(
        {
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
            "working_dir": _text(run.get("WorkingDir")) or None,
            "diff_ids": [],  # read_image sets them once checked against the layers
        }
    )
    return metadata


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _texts(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
