"""Snapshots of running containers and of images, on a real engine, through the CLI."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import tarfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from driftcheck.probe import MAX_OUTPUT_BYTES
from driftcheck.targets.engine import LABEL

import images
from engine_checks import leftover_probe_containers
from support import assert_one_line_error, assert_valid_snapshot, cli_command, run_cli

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
    started = time.time() - 1.0
    doc, _ = _snapshot(tmp_path, "--image", bookworm_venv_image)
    assert_valid_snapshot(doc)
    assert doc["target"]["kind"] == "image"
    assert doc["container"]["user"] == str(images.VENV_UID)
    assert doc["container"]["layers"] >= 2
    assert doc["environment"][images.CANARY_ENV]["redacted"] is True
    assert leftover_probe_containers(docker_client, started) == []


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


def _with_startup_hook(run_container: Any, image: str, hook: str) -> Any:
    """A running container whose Python runs *hook* at every start, as a sitecustomize would."""
    container = run_container(image, environment={"PYTHONPATH": "/tmp/hook"})
    data = hook.encode()
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w") as tar:
        folder = tarfile.TarInfo("hook")
        folder.type, folder.mode = tarfile.DIRTYPE, 0o755
        tar.addfile(folder)
        info = tarfile.TarInfo("hook/sitecustomize.py")
        info.size, info.mode = len(data), 0o644
        tar.addfile(info, io.BytesIO(data))
    assert container.put_archive("/tmp", archive.getvalue())
    return container


def _probe_processes(container: Any) -> list[str]:
    """Commands of the processes in the container that a probe started (argv tag or script)."""
    for _ in range(50):  # a killed process may take a moment to be reaped
        commands = [" ".join(p[-1:]) for p in container.top()["Processes"]]
        left = [c for c in commands if "driftcheck-probe" in c or "sleep 500" in c]
        if not left:
            return []
        time.sleep(0.1)
    return left


def test_probe_timeout_kills_the_probe_in_the_container(run_container, bookworm_image):
    # The hook hangs, and leaves a child behind too: both must be gone afterwards.
    hook = "import subprocess, time; subprocess.Popen(['sleep', '500']); time.sleep(600)"
    container = _with_startup_hook(run_container, bookworm_image, hook)
    result = run_cli("snapshot", "--container", container.name, "--timeout", "1")
    line = assert_one_line_error(result, 5)
    assert "did not finish within 1 s" in line
    assert _probe_processes(container) == []
    assert container.exec_run(["true"]).exit_code == 0  # the container itself is untouched


def test_probe_output_over_its_limit_is_cut_and_killed(tmp_path, run_container, bookworm_image):
    hook = "import sys\nchunk = 'x' * (1 << 20) + '\\n'\nwhile True:\n    sys.stdout.write(chunk)\n"
    container = _with_startup_hook(run_container, bookworm_image, hook)
    out = tmp_path / "s.json"
    result = run_cli("snapshot", "--container", container.name, "-o", str(out))
    line = assert_one_line_error(result, 5)
    assert f"printed more than {MAX_OUTPUT_BYTES // (1 << 20)} MiB" in line
    assert not out.exists()
    assert _probe_processes(container) == []


def test_unknown_image_is_a_usage_error():
    line = assert_one_line_error(run_cli("snapshot", "--image", "driftcheck-test/nope:404"), 2)
    assert "driftcheck-test/nope:404" in line


def test_unreachable_engine_names_the_endpoint(tmp_path):
    import os

    env = dict(os.environ, DOCKER_HOST=f"unix://{tmp_path}/no-engine.sock")
    line = assert_one_line_error(run_cli("snapshot", "--container", "x", env=env), 4)
    assert f"{tmp_path}/no-engine.sock" in line and "DOCKER_HOST" in line
    assert "chmod" not in line


@pytest.mark.parametrize("action", ["stop", "restart"])
def test_container_stopped_or_restarted_during_the_probe(
    tmp_path, run_container, bookworm_image, action
):
    container = _with_startup_hook(run_container, bookworm_image, "import time; time.sleep(30)")
    if action == "stop":
        interrupt = lambda: container.stop(timeout=0)  # noqa: E731
    else:
        interrupt = lambda: container.restart(timeout=0)  # noqa: E731
    # Once the probe is really running: the hook's interpreter is then in the process list.
    out = tmp_path / "s.json"
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(run_cli, "snapshot", "--container", container.name, "-o", str(out))
        for _ in range(300):
            if any("driftcheck-probe" in p[-1] for p in container.top()["Processes"]):
                break
            time.sleep(0.1)
        else:
            pytest.fail("the probe never started in the container")
        interrupt()
        result = pending.result()
    line = assert_one_line_error(result, 5)
    expected = "stopped during the probe" if action == "stop" else "restarted during the probe"
    assert f"container {container.name} {expected}" in line
    assert not out.exists()


def _interrupt_when(args: list[str], ready: Any) -> subprocess.CompletedProcess[str]:
    """Runs the CLI, sends it Ctrl-C (SIGINT) once ready() holds, and waits for it."""
    process = subprocess.Popen(
        [*cli_command(), *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(600):
            if process.poll() is not None or ready():
                break
            time.sleep(0.1)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def _assert_interrupted(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 130, (result.returncode, result.stderr)
    assert result.stderr.strip() == "driftcheck: interrupted; nothing was written"


def test_ctrl_c_during_a_container_probe_kills_the_probe(run_container, bookworm_image):
    container = _with_startup_hook(run_container, bookworm_image, "import time; time.sleep(600)")
    probing = lambda: any("driftcheck-probe" in p[-1] for p in container.top()["Processes"])  # noqa: E731
    _assert_interrupted(_interrupt_when(["snapshot", "--container", container.name], probing))
    assert _probe_processes(container) == []


def test_ctrl_c_during_an_image_probe_removes_the_container(
    docker_client, run_container, bookworm_image
):
    # An image whose Python hangs at start-up: the probe container stays up until Ctrl-C.
    source = _with_startup_hook(run_container, bookworm_image, "import time; time.sleep(600)")
    tag = f"driftcheck-test/hangs:{uuid.uuid4().hex[:10]}"
    repository, _, version = tag.partition(":")
    source.commit(repository=repository, tag=version, changes=["ENV PYTHONPATH=/tmp/hook"])
    started = time.time() - 1.0
    try:

        def probing() -> bool:
            found = docker_client.containers.list(filters={"label": LABEL, "ancestor": tag})
            return bool(found)

        _assert_interrupted(_interrupt_when(["snapshot", "--image", tag], probing))
        assert leftover_probe_containers(docker_client, started) == []
    finally:
        docker_client.images.remove(tag, force=True)
