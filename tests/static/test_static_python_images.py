"""Real images read as files through the CLI: the Python they run, copies, working folders.

Debian bookworm (CPython 3.11) and trixie (3.13) root filesystems built by the
suite, saved with ``docker save``, copied with skopeo as CI pipelines copy
images, and read back with ``driftcheck snapshot --archive``.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest

import images
from support import assert_valid_snapshot, run_cli

pytestmark = pytest.mark.docker

AT_LEAST_MEDIUM = {"medium", "high", "critical"}


def save(client: Any, tag: str, path: Path) -> Path:
    with open(path, "wb") as out:
        for chunk in client.images.get(tag).save(named=True):
            out.write(chunk)
    return path


def snapshot(out: Path, *target: str) -> dict[str, Any]:
    done = run_cli("snapshot", *target, "-o", str(out))
    assert done.returncode == 0, done.stderr
    doc: dict[str, Any] = json.loads(out.read_text())
    assert_valid_snapshot(doc)
    return doc


def diff_json(left: Path, right: Path) -> dict[str, Any]:
    done = run_cli("diff", str(left), str(right), "--format", "json")
    assert done.returncode in (0, 1), done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("static-python")


@pytest.fixture(scope="module")
def bookworm_archive(docker_client: Any, bookworm_image: str, folder: Path) -> Path:
    return save(docker_client, bookworm_image, folder / "bookworm.tar")


@pytest.fixture(scope="module")
def bookworm_doc(bookworm_archive: Path, folder: Path) -> dict[str, Any]:
    return snapshot(folder / "bookworm.json", "--archive", str(bookworm_archive))


def test_bookworm_and_trixie_read_as_files_report_the_python_change(
    docker_client, bookworm_doc, trixie_image, folder
):
    trixie_archive = save(docker_client, trixie_image, folder / "trixie.tar")
    trixie = snapshot(folder / "trixie.json", "--archive", str(trixie_archive))
    for doc, minor in ((bookworm_doc, "3.11"), (trixie, "3.13")):
        assert doc["python"] is None and doc["target"]["mode"] == "static"
        files = doc["static_python"]
        assert files["version"].startswith(minor + ".")
        assert files["sources"]["version"] == f"the version string in /usr/bin/python{minor}"
        assert files["os_package"].startswith(f"python{minor}-minimal {minor}.")
        digits = minor.replace(".", "")
        assert files["soabi"] == f"cpython-{digits}-{platform.machine()}-linux-gnu"
        assert files["cache_tag"] == f"cpython-{digits}"

    report = diff_json(folder / "bookworm.json", folder / "trixie.json")
    [version] = [
        f for f in report["findings"] if (f["category"], f["subject"]) == ("python", "version")
    ]
    assert version["severity"] in AT_LEAST_MEDIUM
    assert version["left"].startswith("3.11.") and version["right"].startswith("3.13.")
    assert "Debian GNU/Linux 13 (trixie)" in version["explanation"]
    assert any("the version string in /usr/bin/python3.13" in e for e in version["evidence"])
    # Native libraries found the same way on both sides are compared, not "not comparable".
    assert not any(item.startswith("native_libraries") for item in report["not_comparable"])
    assert any(f["category"] == "native-libraries" for f in report["findings"])


def test_the_static_interpreter_is_the_one_the_live_probe_runs(
    docker_client, bookworm_venv_image, folder
):
    archive = save(docker_client, bookworm_venv_image, folder / "venv.tar")
    static = snapshot(folder / "venv-static.json", "--archive", str(archive))
    live = snapshot(folder / "venv-live.json", "--image", bookworm_venv_image)
    files, py = static["static_python"], live["python"]
    assert files["executable"] == py["executable"] == f"{images.VENV_PATH}/bin/python"
    for field in ("implementation", "version", "soabi", "ext_suffix", "cache_tag", "free_threaded"):
        assert files[field] == py[field], field
    report = diff_json(folder / "venv-live.json", folder / "venv-static.json")
    assert not [f for f in report["findings"] if f["category"] == "python"]


def skopeo() -> str:
    found = shutil.which("skopeo")
    if found is None:
        reason = "skopeo is not installed (apt-get install skopeo, or run `bash scripts/test.sh`)"
        if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
            pytest.fail(reason)
        pytest.skip(reason)
    return found


def test_a_skopeo_copy_reads_as_the_same_files_not_a_rebuilt_tag(
    bookworm_image, bookworm_archive, bookworm_doc, folder
):
    copy = folder / "bookworm-skopeo-oci.tar"
    subprocess.run(
        [
            skopeo(),
            "copy",
            "--quiet",
            f"docker-daemon:{bookworm_image}",
            f"oci-archive:{copy}:{bookworm_image}",
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    copied = snapshot(folder / "bookworm-skopeo.json", "--archive", str(copy))
    original, other = bookworm_doc["container"], copied["container"]
    assert other["image"] == original["image"] == bookworm_image  # the same tag
    assert other["image_id"] != original["image_id"]  # skopeo rewrote the config
    assert other["diff_ids"] == original["diff_ids"] and original["diff_ids"]

    done = run_cli("diff", str(folder / "bookworm.json"), str(folder / "bookworm-skopeo.json"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "hold the same files" in done.stdout
    assert "rebuilt" not in done.stdout
    assert "[info]" in done.stdout and "[low]" not in done.stdout


def workdir_image(client: Any, base: str) -> str:
    """The bookworm image started in /srv/app with `python3 -m app`."""
    dockerfile = textwrap.dedent(
        f"""\
        FROM {base}
        WORKDIR /srv/app
        CMD ["python3", "-m", "app"]
        """
    )
    tag = "driftcheck-test/bookworm-workdir:" + hashlib.sha256(dockerfile.encode()).hexdigest()[:12]
    if not images.image_exists(client, tag):
        images.build_dockerfile(client, tag, dockerfile)
    return tag


def test_the_working_directory_is_recorded_and_compared(
    docker_client, bookworm_image, bookworm_doc, folder
):
    tag = workdir_image(docker_client, bookworm_image)
    live = snapshot(folder / "workdir-live.json", "--image", tag)
    static = snapshot(folder / "workdir-static.json", "--image", tag, "--static")
    assert live["container"]["working_dir"] == static["container"]["working_dir"] == "/srv/app"
    assert bookworm_doc["container"]["working_dir"] is None

    report = diff_json(folder / "bookworm.json", folder / "workdir-static.json")
    [finding] = [f for f in report["findings"] if f["subject"] == "working directory"]
    assert finding["severity"] == "medium"  # `python3 -m app` imports from it first
    assert (finding["left"], finding["right"]) == (None, "/srv/app")
    same = diff_json(folder / "workdir-live.json", folder / "workdir-static.json")
    assert not [f for f in same["findings"] if f["category"] == "container"]
