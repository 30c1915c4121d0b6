"""SBOMs written by syft and trivy (their own test files, vendored) read as sides.

Each is recognised by its content under any file name, gives the OS packages and the
OS its package URLs and OS component say, and is diffed like a snapshot.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from driftcheck.sbom.read import snapshot_document
from driftcheck.snapshot import files as snapshot_files
from driftcheck.snapshot.model import OsPackage, Snapshot

from support import Venv, assert_valid_snapshot, run_cli, small_snapshot

FIXTURES = Path(__file__).parent / "fixtures"
# file: (OS packages as (manager, name, version, arch), os-release ID, VERSION_ID)
EXPECTED: dict[str, tuple[set[tuple[str, str, str, str | None]], str | None, str | None]] = {
    "syft-image.cdx.golden": ({("dpkg", "package-2", "2.0.1", None)}, "debian", "1.2.3"),
    "syft-image.spdx.golden": ({("dpkg", "package-2", "2.0.1", None)}, None, None),
    "syft-alpine-3.10.spdx.json": (
        {
            ("apk", "busybox", "1.30.1-r5", "x86_64"),
            ("apk", "libssl1.1", "1.1.1k-r0", "x86_64"),
            ("apk", "ssl_client", "1.30.1-r5", "x86_64"),
        },
        "alpine",
        "3.10.9",  # from the purls' distro qualifier: the document has no OS package
    ),
    "trivy-centos-7.cdx.json": (
        {
            ("rpm", "bash", "4.2.46-31.el7", "x86_64"),
            ("rpm", "openssl-libs", "1:1.0.2k-16.el7", "x86_64"),  # epoch= qualifier
        },
        "centos",
        "7.6.1810",
    ),
    "trivy-centos-7.spdx.json": (
        {
            ("rpm", "bash", "4.2.46-31.el7", "x86_64"),  # the purl's, not versionInfo's 4.2.46
            ("rpm", "openssl-libs", "1:1.0.2k-16.el7", "x86_64"),
        },
        "centos",
        "7.6.1810",
    ),
    "trivy-debian-10-fluentd.cdx.golden": (
        {("dpkg", "bash", "5.0-4", None), ("dpkg", "libidn2-0", "2.0.5-1", None)},
        "debian",
        "10.2",
    ),
}


def renamed(name: str, folder: Path) -> Path:
    """The fixture under a name that says nothing: recognition is by content."""
    copy = folder / f"{name.replace('.', '-')}.txt"
    shutil.copyfile(FIXTURES / name, copy)
    return copy


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_syft_and_trivy_documents_are_read_by_their_content(name: str, tmp_path: Path) -> None:
    packages, os_id, version_id = EXPECTED[name]
    snapshot = snapshot_files.load(renamed(name, tmp_path), other_format=snapshot_document)
    assert snapshot.target.mode == "sbom" and snapshot.python is None
    found = {(p.manager, p.name, p.version, p.architecture) for p in snapshot.os_packages}
    assert found == packages
    assert snapshot.os.os_release.get("ID") == os_id
    assert snapshot.os.os_release.get("VERSION_ID") == version_id
    assert snapshot.distributions == ()  # none of these lists a pkg:pypi purl
    fields = {u.field for u in snapshot.unknowns}
    assert {"python", "environment", "native_libraries"} <= fields
    shown = run_cli("show", str(renamed(name, tmp_path)))
    assert shown.returncode == 0, shown.stderr
    assert f"{len(packages)} {next(iter(packages))[0]} packages" in shown.stdout


def test_a_component_whose_purl_is_not_one_is_an_unknown_not_an_abort() -> None:
    snapshot = snapshot_files.load(
        FIXTURES / "syft-image.cdx.golden", other_format=snapshot_document
    )
    reasons = [u.reason for u in snapshot.unknowns if u.field == "sbom"]
    assert any(r.startswith("components[0]: not a package URL") for r in reasons), reasons


def test_the_apk_upstream_qualifier_is_the_package_source() -> None:
    snapshot = snapshot_files.load(
        FIXTURES / "syft-alpine-3.10.spdx.json", other_format=snapshot_document
    )
    sources = {p.name: p.source for p in snapshot.os_packages}
    assert sources == {"busybox": None, "libssl1.1": None, "ssl_client": "busybox"}


def test_trivy_s_cyclonedx_and_spdx_of_one_image_agree() -> None:
    """The SPDX gives versionInfo 4.2.46 for bash and 1:1.0.2k-19.el7 for openssl-libs,
    its purls the same versions as the CycloneDX: the purls are what is read."""
    cdx, spdx = FIXTURES / "trivy-centos-7.cdx.json", FIXTURES / "trivy-centos-7.spdx.json"
    result = run_cli("diff", str(cdx), str(spdx), "--format", "json", "--fail-on", "info")
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["findings"] == []


def debian_10_snapshot(libidn2: str) -> Snapshot:
    """A Debian 10 machine as os-release says it (VERSION_ID 10; trivy says 10.2)."""
    base = small_snapshot()
    return dataclasses.replace(
        base,
        os=dataclasses.replace(base.os, os_release={"ID": "debian", "VERSION_ID": "10"}),
        os_packages=(
            OsPackage("dpkg", "bash", "5.0-4", "amd64", "bash"),
            OsPackage("dpkg", "libidn2-0", libidn2, "amd64", "libidn2"),
        ),
    )


def findings(left: Path, right: Path) -> list[dict[str, Any]]:
    result = run_cli("diff", str(left), str(right), "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["findings"]  # type: ignore[no-any-return]


def test_a_trivy_sbom_diffed_against_a_snapshot_names_only_the_package_that_moved(
    tmp_path: Path,
) -> None:
    """trivy gives no arch: each package stands for the snapshot's only copy; its 10.2 is
    Debian 10's point release, not an OS change; only libidn2-0 moved."""
    sbom = FIXTURES / "trivy-debian-10-fluentd.cdx.golden"
    same, moved = tmp_path / "same.json", tmp_path / "moved.json"
    snapshot_files.save(debian_10_snapshot("2.0.5-1"), same)
    snapshot_files.save(debian_10_snapshot("2.0.4-1"), moved)
    assert findings(sbom, same) == []
    found = findings(sbom, moved)
    members = [m for f in found for m in f["members"]] or found
    assert [(m["subject"], m["left"], m["right"]) for m in members] == [
        ("libidn2-0:amd64", "2.0.5-1", "2.0.4-1")
    ]


def test_a_document_without_an_os_says_the_os_is_not_comparable() -> None:
    result = run_cli(
        "diff",
        str(FIXTURES / "syft-image.cdx.golden"),
        str(FIXTURES / "syft-image.spdx.golden"),
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["findings"] == []
    assert "os: one side does not name the OS" in report["not_comparable"]


def test_docker_buildx_s_in_toto_statement_is_read_as_the_sbom_it_holds(tmp_path: Path) -> None:
    """buildx attaches the SBOM as an in-toto statement whose predicate is the document."""
    statement = {
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://spdx.dev/Document",
        "subject": [{"name": "pkg:docker/alpine@3.10", "digest": {"sha256": "0" * 64}}],
        "predicate": json.loads((FIXTURES / "syft-alpine-3.10.spdx.json").read_text()),
    }
    path = tmp_path / "sbom.spdx.json"
    path.write_text(json.dumps(statement))
    assert len(snapshot_files.load(path, other_format=snapshot_document).os_packages) == 3


def test_a_snapshot_read_from_an_sbom_is_written_back_in_the_snapshot_schema(
    tmp_path: Path,
) -> None:
    """check --update-baseline --target sbom.json writes it: schema 1.2 allows mode sbom."""
    baseline = tmp_path / "baseline.json"
    sbom = FIXTURES / "trivy-centos-7.cdx.json"
    result = run_cli(
        "check", "--baseline", str(baseline), "--target", str(sbom), "--update-baseline"
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(baseline.read_text())
    assert document["target"]["mode"] == "sbom"
    assert_valid_snapshot(document)
    again = run_cli("check", "--baseline", str(baseline), "--target", str(sbom))
    assert again.returncode == 0, again.stdout + again.stderr


def test_cyclonedx_py_s_sbom_of_a_real_venv_matches_it_and_names_a_drift(
    small_venv: Venv, tmp_path: Path
) -> None:
    """cyclonedx-py (CycloneDX's own Python generator) lists a venv as pkg:pypi purls:
    the SBOM of a venv matches that venv, and a venv where idna moved differs by idna."""
    generator = Path(sys.executable).with_name("cyclonedx-py")
    sbom = tmp_path / "env.cdx.json"
    made = subprocess.run(
        [str(generator), "environment", str(small_venv.python), "-o", str(sbom)],
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    same = run_cli("diff", str(sbom), f"python:{small_venv.python}", "--fail-on", "info")
    assert same.returncode == 0, same.stdout + same.stderr
    drifted = Venv(tmp_path / "drifted", small_venv.wheels)
    drifted.install("--no-deps", "idna==3.6", "certifi==2024.7.4")
    moved = run_cli("diff", str(sbom), f"python:{drifted.python}", "--format", "json")
    assert moved.returncode == 0, moved.stderr
    subjects = [f"{f['category']}:{f['subject']}" for f in json.loads(moved.stdout)["findings"]]
    assert subjects == ["packages:idna"], subjects
