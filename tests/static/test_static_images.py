"""Real images read statically (docker save, OCI layout, engine export) agree with live probes."""

from __future__ import annotations

import io
import json
import tarfile
import uuid
from pathlib import Path
from typing import Any

import pytest
from static_builders import no_writes, oci_from_docker_save, pack

from driftcheck.api import take_snapshot
from driftcheck.errors import ExitCode
from driftcheck.snapshot.files import dumps
from driftcheck.static.errors import HostileArchiveError
from driftcheck.static.rootfs import Limits
from driftcheck.targets.archive import ArchiveTarget, StaticImageTarget
from driftcheck.targets.engine import LABEL
from driftcheck.targets.image import ImageTarget

import images
from support import assert_static_agrees_with_live, assert_valid_snapshot, dists, run_cli

pytestmark = pytest.mark.docker


def snapshot_doc(target: Any) -> dict[str, Any]:
    text = dumps(take_snapshot(target))
    assert images.CANARY_TOKEN not in text
    doc: dict[str, Any] = json.loads(text)
    assert_valid_snapshot(doc)
    return doc


@pytest.fixture(scope="module")
def saved_venv_image(docker_client: Any, bookworm_venv_image: str, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("saved") / "venv.tar"
    with open(path, "wb") as out:
        for chunk in docker_client.images.get(bookworm_venv_image).save(named=True):
            out.write(chunk)
    return path


@pytest.fixture(scope="module")
def live_venv_doc(bookworm_venv_image: str) -> dict[str, Any]:
    return snapshot_doc(ImageTarget(bookworm_venv_image))


@pytest.fixture(scope="module")
def archive_venv_doc(saved_venv_image: Path) -> dict[str, Any]:
    with no_writes():
        return snapshot_doc(ArchiveTarget(saved_venv_image))


def test_docker_save_archive_agrees_with_the_live_image(
    archive_venv_doc, live_venv_doc, bookworm_venv_image
):
    static, live = archive_venv_doc, live_venv_doc
    assert static["target"]["kind"] == "archive"
    assert_static_agrees_with_live(static, live)
    assert {"six", "idna", "attrs", "markupsafe", "packaging"} <= {n for _, n, _ in dists(static)}
    assert static["environment"][images.CANARY_ENV]["redacted"] is True
    assert static["container"]["image"] == bookworm_venv_image


def test_oci_layout_from_the_same_image_reads_the_same(
    tmp_path, saved_venv_image, archive_venv_doc, bookworm_venv_image
):
    layout = oci_from_docker_save(saved_venv_image, tmp_path / "oci", bookworm_venv_image)
    packed = pack(layout, tmp_path / "oci.tar")
    for source in (layout, packed):
        with no_writes():
            doc = snapshot_doc(ArchiveTarget(source))
        assert dists(doc) == dists(archive_venv_doc)
        assert doc["os_packages"] == archive_venv_doc["os_packages"]
        assert doc["container"]["image_id"] == archive_venv_doc["container"]["image_id"]
        assert doc["container"]["image"] == bookworm_venv_image


def test_engine_export_reads_the_same_as_the_archive(
    docker_client, archive_venv_doc, bookworm_venv_image
):
    with no_writes():
        doc = snapshot_doc(StaticImageTarget(bookworm_venv_image))
    assert doc["target"] == {
        "kind": "image",
        "description": f"image {bookworm_venv_image} (read statically)",
        "interpreter": None,
        "pid": None,
        "mode": "static",
    }
    skip = {"created_at", "label", "target"}
    assert {k: v for k, v in doc.items() if k not in skip} == {
        k: v for k, v in archive_venv_doc.items() if k not in skip
    }
    assert docker_client.containers.list(all=True, filters={"label": LABEL}) == []


@pytest.fixture()
def no_python_image(docker_client: Any):
    """An image imported from a tiny hand-made rootfs: no Python, no shell, nothing to run."""
    rootfs = io.BytesIO()
    files = {
        "etc/os-release": b'ID=tinyos\nVERSION_ID="1.0"\n',
        "var/lib/dpkg/status": (
            b"Package: base-files\nStatus: install ok installed\n"
            b"Version: 12.4\nArchitecture: amd64\n"
        ),
        "usr/lib/python3/dist-packages/lonely-2.0.dist-info/METADATA": (
            b"Metadata-Version: 2.1\nName: lonely\nVersion: 2.0\n"
        ),
    }
    with tarfile.open(fileobj=rootfs, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    tag = f"driftcheck-test/no-python:{uuid.uuid4().hex[:10]}"
    repository, _, version = tag.partition(":")
    docker_client.api.import_image_from_data(
        rootfs.getvalue(), repository=repository, tag=version, changes=["ENV APP_MODE=static"]
    )
    yield tag
    docker_client.images.remove(tag, force=True)


def test_image_without_python_is_read_from_the_engine(docker_client, no_python_image):
    with no_writes():
        doc = snapshot_doc(StaticImageTarget(no_python_image))
    assert doc["python"] is None
    assert doc["os"]["os_release"]["ID"] == "tinyos"
    assert [(p["name"], p["version"]) for p in doc["os_packages"]] == [("base-files", "12.4")]
    assert dists(doc) == {("/usr/lib/python3/dist-packages", "lonely", "2.0")}
    assert doc["environment"] == {"APP_MODE": "static"}
    assert "no Python found" in {u["field"]: u["reason"] for u in doc["unknowns"]}["python"]
    assert docker_client.containers.list(all=True, filters={"label": LABEL}) == []


def test_a_bound_hit_during_export_still_removes_the_container(docker_client, no_python_image):
    target = StaticImageTarget(no_python_image, limits=Limits(max_entries=3))
    with pytest.raises(HostileArchiveError, match="more than 3 entries") as caught:
        take_snapshot(target)
    assert caught.value.exit_code == ExitCode.INVALID_INPUT
    assert docker_client.containers.list(all=True, filters={"label": LABEL}) == []


# --- through the CLI, as a user runs it --------------------------------------


def test_cli_image_without_python_falls_back_to_static_reading(tmp_path, no_python_image):
    out = tmp_path / "s.json"
    result = run_cli("snapshot", "--image", no_python_image, "-o", str(out))
    assert result.returncode == 0, result.stderr
    doc = json.loads(out.read_text())
    assert_valid_snapshot(doc)
    assert doc["target"]["mode"] == "static"
    notes = {u["field"]: u["reason"] for u in doc["unknowns"]}
    assert "no runnable Python" in notes["target"] and "read as files" in notes["target"]


def test_cli_archive_and_static_options(tmp_path, saved_venv_image, bookworm_venv_image):
    from_archive = run_cli("snapshot", "--archive", str(saved_venv_image), "-o", "-")
    assert from_archive.returncode == 0, from_archive.stderr
    static = run_cli("snapshot", "--image", bookworm_venv_image, "--static", "-o", "-")
    assert static.returncode == 0, static.stderr
    a, b = json.loads(from_archive.stdout), json.loads(static.stdout)
    assert_valid_snapshot(a)
    assert a["target"]["mode"] == b["target"]["mode"] == "static"
    assert a["distributions"] == b["distributions"]
    shown = run_cli("show", f"archive:{saved_venv_image}")
    assert shown.returncode == 0 and "Debian GNU/Linux 12" in shown.stdout


def test_cli_corrupt_archive_is_invalid_input(tmp_path):
    bad = tmp_path / "bad.tar"
    bad.write_bytes(b"this is not a tar archive at all" * 10)
    result = run_cli("snapshot", "--archive", str(bad), "-o", "-")
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
