"""Snapshots of running containers and of images, on a real engine, through the CLI."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

import images
from support import assert_one_line_error, assert_valid_snapshot, run_cli

pytestmark = pytest.mark.docker


def _snapshot(tmp_path: Path, *args: str) -> tuple[dict[str, Any], str]:
    out = tmp_path / "snap.json"
    result = run_cli("snapshot", *args, "-o", str(out))
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert images.CANARY_TOKEN not in text + result.stdout + result.stderr
    return json.loads(text), result.stdout


def test_read_only_container_with_arbitrary_uid_and_extra_env(
    tmp_path, run_container, bookworm_venv_image
):
    container = run_container(
        bookworm_venv_image,
        read_only=True,
        user="54321",
        environment={"APP_MODE": "production", "API_TOKEN": "tok_" + "x9" * 20},
    )
    doc, stdout = _snapshot(tmp_path, "--container", container.name)
    assert_valid_snapshot(doc)
    assert doc["target"]["kind"] == "container"
    assert doc["environment"]["APP_MODE"] == "production"
    assert doc["environment"]["API_TOKEN"]["redacted"] is True
    assert doc["environment"][images.CANARY_ENV]["redacted"] is True
    assert doc["python"]["prefix"] == images.VENV_PATH
    names = {d["canonical_name"] for d in doc["distributions"]}
    assert {"six", "idna", "attrs"} <= names
    meta = doc["container"]
    assert meta["container_name"] == container.name
    assert meta["user"] == "54321"
    assert meta["image"] == bookworm_venv_image
    assert meta["image_id"].startswith("sha256:")
    assert meta["configured_env"]["APP_MODE"] == "production"
    assert "venv" in stdout


def test_image_snapshot_leaves_nothing_behind(tmp_path, docker_client, bookworm_venv_image):
    doc, _ = _snapshot(tmp_path, "--image", bookworm_venv_image)
    assert_valid_snapshot(doc)
    assert doc["target"]["kind"] == "image"
    assert doc["container"]["user"] == str(images.VENV_UID)
    assert doc["container"]["layers"] >= 2
    assert doc["environment"][images.CANARY_ENV]["redacted"] is True
    left = docker_client.containers.list(all=True, filters={"label": "io.driftcheck.probe"})
    assert left == []


def test_image_and_container_agree(tmp_path, run_container, bookworm_venv_image):
    from_image, _ = _snapshot(tmp_path, "--image", bookworm_venv_image)
    container = run_container(bookworm_venv_image)
    from_container, _ = _snapshot(tmp_path, "--container", container.name)
    key = lambda doc: sorted((d["canonical_name"], d["version"]) for d in doc["distributions"])  # noqa: E731
    assert key(from_image) == key(from_container)
    assert from_image["os_packages"] == from_container["os_packages"]


def test_unknown_container_is_one_line(tmp_path):
    line = assert_one_line_error(run_cli("snapshot", "--container", "no-such-container-x"), 5)
    assert "no-such-container-x" in line


def test_stopped_container_is_one_line(tmp_path, run_container, bookworm_image):
    container = run_container(bookworm_image)
    container.stop(timeout=1)
    line = assert_one_line_error(run_cli("snapshot", "--container", container.name), 5)
    assert "not running" in line


def test_container_without_python(tmp_path, run_container, bookworm_image):
    container = run_container(bookworm_image)
    result = run_cli("snapshot", "--container", container.name, "--python", "/nowhere/python")
    line = assert_one_line_error(result, 5)
    assert "no Python interpreter" in line


def test_probe_timeout_in_a_container(tmp_path, run_container, bookworm_image):
    # The container's own start-up hook hangs, as a broken sitecustomize would.
    container = run_container(bookworm_image, environment={"PYTHONPATH": "/tmp/hang"})
    hook = "mkdir -p /tmp/hang && echo 'import time; time.sleep(600)' > /tmp/hang/sitecustomize.py"
    assert container.exec_run(["sh", "-c", hook]).exit_code == 0
    started = time.monotonic()
    result = run_cli("snapshot", "--container", container.name, "--timeout", "2")
    line = assert_one_line_error(result, 5)
    assert "within 2 s" in line
    assert time.monotonic() - started < 60


def test_unknown_image_is_a_usage_error():
    line = assert_one_line_error(run_cli("snapshot", "--image", "driftcheck-test/nope:404"), 2)
    assert "driftcheck-test/nope:404" in line


def test_unreachable_engine_names_the_endpoint(tmp_path):
    import os

    env = dict(os.environ, DOCKER_HOST=f"unix://{tmp_path}/no-engine.sock")
    line = assert_one_line_error(run_cli("snapshot", "--container", "x", env=env), 4)
    assert f"{tmp_path}/no-engine.sock" in line and "DOCKER_HOST" in line
    assert "chmod" not in line


def test_container_stopped_during_the_probe(tmp_path, run_container, bookworm_image):
    import threading

    container = run_container(bookworm_image, environment={"PYTHONPATH": "/tmp/slow"})
    hook = "mkdir -p /tmp/slow && echo 'import time; time.sleep(30)' > /tmp/slow/sitecustomize.py"
    assert container.exec_run(["sh", "-c", hook]).exit_code == 0
    stopper = threading.Timer(3.0, lambda: container.stop(timeout=0))
    stopper.start()
    try:
        out = tmp_path / "s.json"
        result = run_cli("snapshot", "--container", container.name, "-o", str(out))
    finally:
        stopper.cancel()
    line = assert_one_line_error(result, 5)
    assert "stopped during the probe" in line or "went away" in line or "broke" in line
    assert not out.exists()
