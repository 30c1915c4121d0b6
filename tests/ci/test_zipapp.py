"""driftcheck.pyz (scripts/build_zipapp.py), run by an image's own python3: no pip, no venv.

The images are the suite's debootstrap ones: Debian's python3 and nothing else (no pip
module), and the venv images the pipelines check. The archive is mounted read-only; the
jobs write their snapshots and reports into a mounted folder.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

import driftcheck

import images
from support import assert_valid_snapshot

pytestmark = pytest.mark.docker

PYZ_IN_CONTAINER = "/opt/driftcheck.pyz"
WORK_IN_CONTAINER = "/work"


def run_in(client: Any, image: str, script: str, pyz: Path, work: Path) -> tuple[int, str]:
    """Runs a shell *script* in *image* (no network) with the archive and a work folder."""
    work.chmod(0o777)  # the venv images run as an unprivileged user
    container = client.containers.create(
        image,
        # The debootstrap base image sets no PATH (a runner's shell always has one).
        ["sh", "-c", f'export PATH="${{PATH:-/usr/local/bin:/usr/bin:/bin}}"; {script}'],
        entrypoint=[],
        network_disabled=True,
        working_dir=WORK_IN_CONTAINER,
        volumes={
            str(pyz): {"bind": PYZ_IN_CONTAINER, "mode": "ro"},
            str(work): {"bind": WORK_IN_CONTAINER, "mode": "rw"},
        },
    )
    try:
        container.start()
        status = container.wait(timeout=300)["StatusCode"]
        output = container.logs(stdout=True, stderr=True).decode(errors="replace")
    finally:
        container.remove(force=True)
    return status, output


def test_the_archive_holds_no_native_code_and_no_psutil(zipapp: Path) -> None:
    names = zipfile.ZipFile(zipapp).namelist()
    assert "__main__.py" in names and "driftcheck/cli/app.py" in names
    assert "driftcheck/probe/_probe.py" in names  # read as data and sent to the target
    assert not [n for n in names if n.endswith((".so", ".pyd"))]
    assert not [n for n in names if n.split("/")[0].startswith("psutil")]
    # The pure-Python dependencies are vendored, tomli included for Python 3.10.
    tops = {n.split("/")[0] for n in names}
    assert {"typer", "packaging", "deepdiff", "docker", "tomli", "jinja2"} <= tops, sorted(tops)
    # MarkupSafe without its optional C speed-up (pure-Python fallback), the templates as data.
    assert "markupsafe/_native.py" in names and "driftcheck/report/templates/drift.html.j2" in names
    assert not tops & {"rich", "pygments"}, "typer's rich output is off in driftcheck"


def test_snapshot_and_check_in_an_image_with_only_python3(
    docker_client: Any, bookworm_image: str, zipapp: Path, tmp_path: Path
) -> None:
    pyz = f"python3 {PYZ_IN_CONTAINER}"
    script = (
        "python3 -m pip --version >/dev/null 2>&1 && echo 'pip: present' || echo 'pip: absent'; "
        f"{pyz} --version; "
        f"{pyz} snapshot -o base.json; echo snapshot=$?; "
        f"{pyz} check --baseline base.json --junit junit.xml; echo check=$?; "
        f"{pyz} report base.json --format html -o base.html; echo report=$?; "
        f"{pyz} snapshot --pid 1 -o pid.json; echo pid=$?"
    )
    status, output = run_in(docker_client, bookworm_image, script, zipapp, tmp_path)
    assert status == 0, output
    assert "pip: absent" in output, output
    assert f"driftcheck {driftcheck.__version__}" in output
    assert "snapshot=0" in output and "check=0" in output, output
    document = json.loads((tmp_path / "base.json").read_text())
    assert_valid_snapshot(document)
    assert document["python"]["executable"] == "/usr/bin/python3"
    assert (tmp_path / "junit.xml").is_file()
    # The HTML report's templates load from the archive, escaped by pure-Python MarkupSafe.
    assert "report=0" in output, output
    page = (tmp_path / "base.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "/usr/bin/python3" in page
    # psutil is compiled and left out: --pid says so, with the way out, and exits 2.
    assert "pid=2" in output, output
    assert "--pid needs psutil" in output and "pip install driftcheck" in output
    assert "Traceback" not in output
    assert not (tmp_path / "pid.json").exists()


def test_check_fails_on_a_drifted_image_from_the_archive(
    docker_client: Any,
    bookworm_venv_image: str,
    drifted_venv_image: str,
    zipapp: Path,
    tmp_path: Path,
) -> None:
    pyz = f"python3 {PYZ_IN_CONTAINER}"
    status, output = run_in(
        docker_client, bookworm_venv_image, f"{pyz} snapshot -o base.json", zipapp, tmp_path
    )
    assert status == 0, output
    document = json.loads((tmp_path / "base.json").read_text())
    # The image's environment (its venv first on PATH), not the archive's contents.
    assert document["python"]["executable"].startswith(images.VENV_PATH + "/")
    versions = {d["canonical_name"]: d["version"] for d in document["distributions"]}
    assert versions["markupsafe"] == "3.0.2"
    assert "driftcheck" not in versions and "typer" not in versions

    status, output = run_in(
        docker_client,
        drifted_venv_image,
        f"{pyz} check --baseline base.json",
        zipapp,
        tmp_path,
    )
    assert status == 1, output
    assert "MarkupSafe" in output and "2.1.5" in output, output
    assert images.CANARY_TOKEN not in output
