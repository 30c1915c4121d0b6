"""driftcheck's own image: built from the top-level Dockerfile, used through the socket."""

from __future__ import annotations

import json
import os
import re
import stat
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import driftcheck

import images
from support import assert_valid_snapshot

pytestmark = pytest.mark.docker

SOCKET_IN_CONTAINER = "/var/run/docker.sock"


@dataclass(frozen=True)
class Run:
    status: int
    stdout: str
    stderr: str


def run_image(client: Any, image: str, command: list[str], **options: Any) -> Run:
    """Runs *image* to completion (no network) and returns its status and both streams."""
    container = client.containers.create(image, command, network_disabled=True, **options)
    try:
        container.start()
        status = container.wait(timeout=300)["StatusCode"]
        out = container.logs(stdout=True, stderr=False).decode(errors="replace")
        err = container.logs(stdout=False, stderr=True).decode(errors="replace")
    finally:
        container.remove(force=True)
    return Run(status, out, err)


def socket_options(socket: Path, *, group: bool = True) -> dict[str, Any]:
    """The socket mounted, and (as the README says) its group added to the image's user."""
    options: dict[str, Any] = {
        "volumes": {str(socket): {"bind": SOCKET_IN_CONTAINER, "mode": "rw"}},
    }
    if group:
        options["group_add"] = [str(socket.stat().st_gid)]
    return options


def test_version_and_default_help(docker_client: Any, driftcheck_image: str) -> None:
    version = run_image(docker_client, driftcheck_image, ["--version"])
    assert version.status == 0, version
    assert driftcheck.__version__ in version.stdout

    default = run_image(docker_client, driftcheck_image, [])
    assert default.status == 0, default
    assert "Usage" in default.stdout and "snapshot" in default.stdout


def test_runs_as_a_non_root_user_with_labels(docker_client: Any, driftcheck_image: str) -> None:
    config = docker_client.images.get(driftcheck_image).attrs["Config"]
    assert config["User"] == "10001:10001"
    assert config["Entrypoint"] == ["driftcheck"]
    assert config["Cmd"] == ["--help"]
    labels = config["Labels"]
    assert labels["org.opencontainers.image.title"] == "driftcheck"
    assert labels["org.opencontainers.image.version"] == driftcheck.__version__
    assert labels["org.opencontainers.image.base.name"] == images.BASE_RECIPE.tag

    ids = run_image(docker_client, driftcheck_image, ["-c", "id -u; id -g"], entrypoint=["sh"])
    assert ids.status == 0, ids
    assert ids.stdout.split() == ["10001", "10001"]


def test_leaves_sources_wheels_and_caches_behind(docker_client: Any, driftcheck_image: str) -> None:
    script = (
        "for p in /src /tmp/dist /root/.cache/pip /home/driftcheck/.cache/pip; do "
        '[ -e "$p" ] && echo "present: $p"; done; '
        'for c in gcc cc g++ make; do command -v "$c" >/dev/null && echo "present: $c"; done; '
        "readlink /usr/local/bin/driftcheck; "
        "/opt/driftcheck/bin/python -c 'import driftcheck, sys; print(driftcheck.__file__)'"
    )
    found = run_image(docker_client, driftcheck_image, ["-c", script], entrypoint=["sh"])
    lines = found.stdout.split()
    assert "present:" not in found.stdout, found.stdout
    assert lines[0] == "/opt/driftcheck/bin/driftcheck", found
    # Installed from the wheel into the venv, not linked to a source tree.
    installed = r"/opt/driftcheck/lib/python3\.\d+/site-packages/driftcheck/__init__\.py"
    assert re.fullmatch(installed, lines[1]), found


def test_snapshots_a_sibling_container_through_the_socket(
    docker_client: Any,
    driftcheck_image: str,
    bookworm_venv_image: str,
    docker_socket: Path,
    sibling_container: Any,
) -> None:
    sibling = sibling_container(bookworm_venv_image)
    run = run_image(
        docker_client,
        driftcheck_image,
        ["snapshot", "--container", sibling.name, "-o", "-"],
        **socket_options(docker_socket),
    )
    assert run.status == 0, run
    document = json.loads(run.stdout)
    assert_valid_snapshot(document)
    assert document["target"]["kind"] == "container"
    assert sibling.name in json.dumps(document["target"])
    versions = {d["canonical_name"]: d["version"] for d in document["distributions"]}
    assert versions["markupsafe"] == "3.0.2"
    assert document["python"]["executable"].startswith(images.VENV_PATH)
    assert images.CANARY_TOKEN not in run.stdout + run.stderr


def test_snapshots_an_image_through_the_socket(
    docker_client: Any, driftcheck_image: str, drifted_venv_image: str, docker_socket: Path
) -> None:
    run = run_image(
        docker_client,
        driftcheck_image,
        ["snapshot", "--image", drifted_venv_image, "-o", "-"],
        **socket_options(docker_socket),
    )
    assert run.status == 0, run
    document = json.loads(run.stdout)
    assert_valid_snapshot(document)
    assert document["target"]["kind"] == "image"
    versions = {d["canonical_name"]: d["version"] for d in document["distributions"]}
    assert versions["markupsafe"] == "2.1.5"


def test_without_the_socket_group_the_engine_is_unreachable(
    docker_client: Any, driftcheck_image: str, docker_socket: Path
) -> None:
    mode = docker_socket.stat().st_mode
    if mode & stat.S_IROTH and mode & stat.S_IWOTH:
        pytest.skip(f"{docker_socket} is open to every user: no group needed here")
    run = run_image(
        docker_client,
        driftcheck_image,
        ["snapshot", "--image", images.BASE_RECIPE.tag, "-o", "-"],
        **socket_options(docker_socket, group=False),
    )
    assert run.status == 4, run
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("driftcheck: error: "), run.stderr
    assert "Traceback" not in run.stderr


def test_checks_an_image_against_a_baseline_in_a_mounted_folder(
    docker_client: Any,
    driftcheck_image: str,
    bookworm_venv_image: str,
    drifted_venv_image: str,
    docker_socket: Path,
    tmp_path: Path,
) -> None:
    """The README's CI use: a host user's folder mounted at /work, reports written there."""
    host_user = 4321  # a user of the host, not the image's
    work = tmp_path / "work"
    (work / "snapshots").mkdir(parents=True)
    os.chown(work, host_user, host_user)
    os.chown(work / "snapshots", host_user, host_user)
    options = {
        **socket_options(docker_socket),
        "user": f"{host_user}:{host_user}",
    }
    options["volumes"][str(work)] = {"bind": "/work", "mode": "rw"}

    def check(image: str, *extra: str) -> Run:
        args = ["check", "--baseline", "snapshots/app.json", "--target", f"image:{image}"]
        return run_image(docker_client, driftcheck_image, [*args, *extra], **options)

    made = check(bookworm_venv_image, "--update-baseline")
    assert made.status == 0, made
    assert_valid_snapshot(json.loads((work / "snapshots/app.json").read_text()))
    assert (work / "snapshots/app.json").stat().st_uid == host_user

    same = check(bookworm_venv_image, "--junit", "driftcheck-junit.xml")
    assert same.status == 0, same

    drifted = check(drifted_venv_image, "--junit", "driftcheck-junit.xml")
    assert drifted.status == 1, drifted
    junit = ET.parse(work / "driftcheck-junit.xml").getroot()
    failing = [
        case.get("name") for case in junit.iter("testcase") if case.find("failure") is not None
    ]
    assert failing == ["packages/markupsafe"]
