"""Every target on the other images the suite builds: a second Debian release, an image
with no Python at all and one with no shell."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import docker.errors  # type: ignore[import-untyped]
import pytest

import images
from support import assert_valid_snapshot, run_cli

pytestmark = pytest.mark.docker


def _snapshot(tmp_path: Path, *args: str) -> dict[str, Any]:
    out = tmp_path / "snap.json"
    result = run_cli("snapshot", *args, "-o", str(out))
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert images.CANARY_TOKEN not in text + result.stdout + result.stderr
    doc: dict[str, Any] = json.loads(text)
    assert_valid_snapshot(doc)
    return doc


def _versions(doc: dict[str, Any], location: str) -> dict[str, str]:
    return {
        d["canonical_name"]: d["version"] for d in doc["distributions"] if d["location"] == location
    }


def _pins(wheels: tuple[str, ...]) -> dict[str, str]:
    return {name.lower(): version for name, _, version in (w.partition("==") for w in wheels)}


def test_the_two_releases_share_distributions_at_other_versions() -> None:
    bookworm, bullseye = _pins(images.VENV_WHEELS), _pins(images.BULLSEYE_VENV_WHEELS)
    assert bookworm.keys() == bullseye.keys()
    assert {n for n in bookworm if bookworm[n] != bullseye[n]} == {"six", "attrs"}
    assert images.BULLSEYE_RECIPE.tag != images.BASE_RECIPE.tag
    assert images.BULLSEYE_VENV_RECIPE.wheels_digest != images.VENV_RECIPE.wheels_digest


def test_bullseye_venv_image_and_container(tmp_path, run_container, bullseye_venv_image) -> None:
    from_image = _snapshot(tmp_path, "--image", bullseye_venv_image)
    python = from_image["python"]
    assert python["version"].startswith("3.9.") and python["environment_kind"] == "venv"
    assert from_image["os"]["libc"] == {"family": "glibc", "version": "2.31"}
    assert from_image["os"]["os_release"]["VERSION_CODENAME"] == "bullseye"
    site = f"{images.VENV_PATH}/lib/python3.9/site-packages"
    assert _versions(from_image, site).items() >= _pins(images.BULLSEYE_VENV_WHEELS).items()
    container = run_container(bullseye_venv_image, read_only=True)
    from_container = _snapshot(tmp_path, "--container", container.name)
    assert from_container["os_packages"] == from_image["os_packages"]
    assert _versions(from_container, site) == _versions(from_image, site)


def test_image_without_python_is_read_statically_and_agrees_with_the_live_probe(
    tmp_path, docker_client, debian_no_python_image, bookworm_image
) -> None:
    """Debian's own dpkg database, read as files, gives what the probe reads in bookworm."""
    static = _snapshot(tmp_path, "--image", debian_no_python_image)
    assert static["target"]["mode"] == "static" and static["python"] is None
    notes = {u["field"]: u["reason"] for u in static["unknowns"]}
    assert "no runnable Python" in notes["target"]
    live = _snapshot(tmp_path, "--image", bookworm_image)
    assert len(static["os_packages"]) > 50
    assert static["os_packages"] == live["os_packages"]
    assert static["os"]["os_release"] == live["os"]["os_release"]
    assert static["environment"]["APP_MODE"] == "static"
    no_shell = docker_client.containers.create(debian_no_python_image, ["sh"])
    try:  # really nothing to run: not even a shell
        with pytest.raises(docker.errors.APIError, match="executable file not found"):
            no_shell.start()
    finally:
        no_shell.remove(force=True)


def test_no_shell_image_and_container(tmp_path, run_container, no_shell_image) -> None:
    container = run_container(no_shell_image)
    assert container.exec_run(["sh", "-c", "true"]).exit_code != 0  # no shell indeed
    from_container = _snapshot(tmp_path, "--container", container.name)
    from_image = _snapshot(tmp_path, "--image", no_shell_image)
    for doc in (from_container, from_image):
        assert doc["python"]["prefix"] == images.VENV_PATH
        site = f"{images.VENV_PATH}/lib/python3.11/site-packages"
        assert _versions(doc, site).items() >= _pins(images.VENV_WHEELS).items()
    assert from_container["os_packages"] == from_image["os_packages"]
