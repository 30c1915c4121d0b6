"""What the engine knows about a container or an image, as raw (untrusted) data."""

from __future__ import annotations

from typing import Any

from driftcheck.redaction.image_config import redact_image_config
from driftcheck.static.candidates import env_list_to_dict


def image_platform(attrs: dict[str, Any]) -> str:
    parts = [attrs.get("Os") or "linux", attrs.get("Architecture") or "unknown"]
    if attrs.get("Variant"):
        parts.append(attrs["Variant"])
    return "/".join(str(p) for p in parts)


def image_label(ref: str) -> str:
    """The default snapshot label of an image, whether it is run or read as files."""
    name = ref.rsplit("/", 1)[-1].replace(":", "-").replace("@", "-")
    return f"image-{name}"[:100]


def _config_fields(config: dict[str, Any]) -> dict[str, Any]:
    """What an image's and a container's Config record alike; secret labels and option
    values redacted as soon as read (the snapshot's builder redacts again)."""
    fields = {
        "user": config.get("User") or None,
        "entrypoint": list(config.get("Entrypoint") or []),
        "command": list(config.get("Cmd") or []),
        "labels": dict(config.get("Labels") or {}),
        "configured_env": env_list_to_dict(config.get("Env")),
        "working_dir": config.get("WorkingDir") or None,
    }
    return redact_image_config(fields)[0]


def diff_ids(attrs: dict[str, Any]) -> list[str]:
    """The image's rootfs diff_ids (what `docker image inspect` calls RootFS.Layers)."""
    layers = (attrs.get("RootFS") or {}).get("Layers") or []
    return [str(layer) for layer in layers]


def image_metadata(image: Any, ref: str) -> dict[str, Any]:
    attrs = image.attrs
    config = attrs.get("Config") or {}
    history = _history_length(image)
    return {
        "image": ref,
        "image_id": attrs.get("Id") or "",
        "platform": image_platform(attrs),
        "repo_digests": list(attrs.get("RepoDigests") or []),
        **_config_fields(config),
        "created": attrs.get("Created"),
        "layers": len((attrs.get("RootFS") or {}).get("Layers") or []),
        "history_entries": history,
        "diff_ids": diff_ids(attrs),
    }


def container_metadata(attrs: dict[str, Any], image_attrs: dict[str, Any] | None) -> dict[str, Any]:
    """A container's inspect document and its image's (None when the image is gone)."""
    config = attrs.get("Config") or {}
    image_id = attrs.get("Image") or ""
    image_attrs = image_attrs or {}
    return {
        "image": config.get("Image") or image_id,
        "image_id": image_id,
        "platform": image_platform(image_attrs) if image_attrs else attrs.get("Platform", ""),
        "repo_digests": list(image_attrs.get("RepoDigests") or []),
        "container_id": attrs.get("Id") or "",
        "container_name": (attrs.get("Name") or "").lstrip("/") or None,
        **_config_fields(config),
        "created": attrs.get("Created"),
        "layers": len((image_attrs.get("RootFS") or {}).get("Layers") or []) or None,
        "history_entries": None,
        "diff_ids": diff_ids(image_attrs),
    }


def _history_length(image: Any) -> int | None:
    try:
        return len(image.history())
    except Exception:
        return None
