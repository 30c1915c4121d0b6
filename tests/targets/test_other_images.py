"""Every target on the other images the suite builds: a second Debian release, an image
with no Python at all and one with no shell."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import time
import uuid
from pathlib import Path
from typing import Any

import docker.errors  # type: ignore[import-untyped]
import pytest

import images
from engine_checks import leftover_probe_containers
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


def test_bullseye_venv_image_and_container(tmp_path, run_container, bullseye_venv_image) -> None:
    from_image = _snapshot(tmp_path, "--image", bullseye_venv_image)
    python = from_image["python"]
    assert python["version"].startswith("3.9.") and python["environment_kind"] == "venv"
    assert from_image["os"]["libc"] == {"family": "glibc", "version": "2.31"}
    assert from_image["os"]["os_release"]["VERSION_CODENAME"] == "bullseye"
    site = f"{images.VENV_PATH}/lib/python3.9/site-packages"
    wanted = images.pinned_versions(images.BULLSEYE_VENV_WHEELS)
    assert _versions(from_image, site).items() >= wanted.items()
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
        assert _versions(doc, site).items() >= images.pinned_versions(images.VENV_WHEELS).items()
    assert from_container["os_packages"] == from_image["os_packages"]


def _member(archive: tarfile.TarFile, name: str) -> bytes:
    handle = archive.extractfile(name)
    assert handle is not None, name
    return handle.read()


@pytest.fixture()
def foreign_image(docker_client, debian_no_python_image) -> Any:
    """The no-Python image re-labelled for another architecture, loaded as `docker load` would."""
    host = docker_client.info().get("Architecture")
    wanted = "amd64" if host in ("aarch64", "arm64") else "arm64"
    saved = b"".join(docker_client.images.get(debian_no_python_image).save(named=True))
    tag = f"driftcheck-test/foreign-{wanted}:{uuid.uuid4().hex[:10]}"
    out = io.BytesIO()
    with tarfile.open(fileobj=io.BytesIO(saved)) as src, tarfile.open(fileobj=out, mode="w") as dst:
        manifest = json.loads(_member(src, "manifest.json"))
        config = json.loads(_member(src, manifest[0]["Config"]))
        config.update(architecture=wanted, variant="v8" if wanted == "arm64" else None)
        config_bytes = json.dumps(config).encode()
        config_name = hashlib.sha256(config_bytes).hexdigest() + ".json"
        manifest = [{**manifest[0], "Config": config_name, "RepoTags": [tag]}]
        for member in src.getmembers():  # the layers as saved; config and manifest anew
            if not member.name.endswith(".json") and member.name != "repositories":
                dst.addfile(member, src.extractfile(member) if member.isfile() else None)
        written = {config_name: config_bytes, "manifest.json": json.dumps(manifest).encode()}
        for name, data in written.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))
    docker_client.images.load(out.getvalue())
    yield tag, wanted
    docker_client.images.remove(tag, force=True)


def test_image_of_another_architecture_is_read_statically_before_any_run(
    tmp_path, docker_client, foreign_image, debian_no_python_image
) -> None:
    tag, wanted = foreign_image
    started = time.time() - 1.0
    doc = _snapshot(tmp_path, "--image", tag)
    assert doc["target"]["mode"] == "static"
    note = {u["field"]: u["reason"] for u in doc["unknowns"]}["target"]
    assert f"is for {wanted} and this engine runs" in note and "read as files" in note
    assert doc["container"]["platform"].startswith(f"linux/{wanted}")
    same_files = _snapshot(tmp_path, "--image", debian_no_python_image)
    assert doc["os_packages"] == same_files["os_packages"]
    # Nothing ran: the only container was the never-started one the static read uses, gone.
    assert leftover_probe_containers(docker_client, started) == []
