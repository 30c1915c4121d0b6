"""`driftcheck export`: real snapshots as CycloneDX 1.6 and SPDX 2.3, checked against the
official schemas, and read back as a side that matches the environment it came from."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from sbom_schemas import cyclonedx_validator, spdx_validator

from driftcheck.sbom.read import snapshot_document
from driftcheck.snapshot import files as snapshot_files
from driftcheck.snapshot.model import StaticPython, TargetInfo

from support import Venv, assert_one_line_error, run_cli, small_snapshot

FORMATS = ("cyclonedx", "spdx")


def validate(document: dict[str, Any], sbom_format: str) -> None:
    validator = cyclonedx_validator() if sbom_format == "cyclonedx" else spdx_validator()
    errors = [
        f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(document)
    ]
    assert not errors, errors[:5]


def purls(document: dict[str, Any]) -> set[str]:
    if "components" in document:
        return {c["purl"] for c in document["components"] if "purl" in c}
    return {
        ref["referenceLocator"]
        for package in document["packages"]
        for ref in package.get("externalRefs", ())
        if ref["referenceType"] == "purl"
    }


@pytest.fixture(scope="module")
def venv_snapshot(small_venv: Venv, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("snap") / "venv.json"
    result = run_cli("snapshot", "--python", str(small_venv.python), "-o", str(path))
    assert result.returncode == 0, result.stderr
    return path


def export(source: str, sbom_format: str, out: Path) -> dict[str, Any]:
    result = run_cli("export", source, "--format", sbom_format, "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    return json.loads(out.read_text("utf-8"))  # type: ignore[no-any-return]


@pytest.mark.parametrize("sbom_format", FORMATS)
def test_a_venv_snapshot_exports_a_document_the_official_schema_accepts(
    sbom_format: str, venv_snapshot: Path, tmp_path: Path
) -> None:
    document = export(str(venv_snapshot), sbom_format, tmp_path / "sbom.json")
    validate(document, sbom_format)
    snapshot = snapshot_files.load(venv_snapshot, other_format=snapshot_document)
    found = purls(document)
    assert {"pkg:pypi/idna@3.7", "pkg:pypi/certifi@2024.7.4"} <= found
    assert any(p.startswith("pkg:pypi/pip@") for p in found)
    assert f"pkg:generic/cpython@{snapshot.python.version}" in found  # type: ignore[union-attr]
    os_packages = [p for p in found if p.startswith(("pkg:deb/", "pkg:rpm/", "pkg:apk/"))]
    assert len(os_packages) == len(snapshot.os_packages)
    if snapshot.os.os_release.get("ID") == "debian":  # the machine the suite runs on
        libc = next(p for p in os_packages if p.startswith("pkg:deb/debian/libc6@"))
        assert "arch=" in libc and "distro=debian-" in libc
    text = json.dumps(document)
    assert str(venv_snapshot.parent) not in text and "sys_path" not in text


@pytest.mark.parametrize("sbom_format", FORMATS)
def test_an_export_read_back_reports_no_package_drift_and_a_real_drift_is_named(
    sbom_format: str, venv_snapshot: Path, small_venv: Venv, tmp_path: Path
) -> None:
    sbom = tmp_path / "exported.weird-name"  # recognised by its content
    export(str(venv_snapshot), sbom_format, sbom)
    same = run_cli("diff", str(sbom), str(venv_snapshot), "--format", "json", "--fail-on", "info")
    assert same.returncode == 0, same.stdout + same.stderr
    report = json.loads(same.stdout)
    assert report["findings"] == []
    assert any(n.startswith("environment:") for n in report["not_comparable"])
    live = run_cli("diff", str(sbom), f"python:{small_venv.python}", "--fail-on", "info")
    assert live.returncode == 0, live.stdout + live.stderr
    check = run_cli("check", "--baseline", str(sbom), "--target", f"python:{small_venv.python}")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "warning" not in check.stderr  # not "taken from another kind of target"

    drifted = Venv(tmp_path / "drifted", small_venv.wheels)
    drifted.install("--no-deps", "idna==3.6", "certifi==2024.7.4")
    moved = run_cli("diff", str(sbom), f"python:{drifted.python}", "--format", "json")
    assert moved.returncode == 0, moved.stderr
    subjects = [f"{f['category']}:{f['subject']}" for f in json.loads(moved.stdout)["findings"]]
    assert subjects and subjects[0] == "packages:idna", subjects
    assert not [s for s in subjects if not s.startswith("packages:")], subjects


def test_export_without_o_writes_the_document_to_stdout(venv_snapshot: Path) -> None:
    result = run_cli("export", str(venv_snapshot), "--format", "cyclonedx")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["specVersion"] == "1.6"


def test_variables_and_redacted_values_are_never_exported(tmp_path: Path) -> None:
    """small_snapshot holds HOME=/root and a redacted TOKEN: neither name nor value leaves."""
    source = tmp_path / "snap.json"
    snapshot_files.save(small_snapshot(), source)
    for sbom_format in FORMATS:
        document = export(str(source), sbom_format, tmp_path / f"{sbom_format}.json")
        text = json.dumps(document)
        for absent in ("TOKEN", "HOME", "/root", "redacted", "name:token", "box"):
            assert absent not in text, (sbom_format, absent)
        assert "pkg:deb/debian/libc6@2.36-9?arch=amd64&distro=debian-12&upstream=glibc" in text
        assert "pkg:pypi/six@1.16.0" in text


def test_a_failed_export_leaves_the_previous_file_intact(tmp_path: Path) -> None:
    out = tmp_path / "sbom.json"
    out.write_text("previous\n")
    result = run_cli("export", str(tmp_path / "missing.json"), "--format", "spdx", "-o", str(out))
    assert_one_line_error(result, 3)
    assert out.read_text() == "previous\n"
    folder = run_cli("export", "host", "--format", "spdx", "-o", str(tmp_path / "no" / "x.json"))
    assert_one_line_error(folder, 2)
    bad = run_cli("export", str(out), "--format", "xml")
    assert_one_line_error(bad, 2)


@pytest.mark.docker
@pytest.mark.parametrize("sbom_format", FORMATS)
def test_a_suite_image_exports_valid_documents_that_match_it(
    sbom_format: str, bookworm_venv_image: str, tmp_path: Path
) -> None:
    snapshot = tmp_path / "image.json"
    taken = run_cli("snapshot", "--image", bookworm_venv_image, "-o", str(snapshot))
    assert taken.returncode == 0, taken.stderr
    document = export(str(snapshot), sbom_format, tmp_path / "image.sbom.json")
    validate(document, sbom_format)
    found = purls(document)
    assert len([p for p in found if p.startswith("pkg:deb/debian/")]) > 50
    assert any(p.startswith("pkg:pypi/") for p in found)
    same = run_cli("diff", str(tmp_path / "image.sbom.json"), str(snapshot), "--fail-on", "info")
    assert same.returncode == 0, same.stdout + same.stderr
    assert "No drift." in same.stdout


@pytest.mark.parametrize("sbom_format", FORMATS)
def test_an_image_read_as_files_and_an_imported_sbom_export_valid_documents(
    sbom_format: str, tmp_path: Path
) -> None:
    """A static snapshot's interpreter is what its files say; an SBOM exports again."""
    static = dataclasses.replace(
        small_snapshot(),
        target=TargetInfo("static", "an image read as files", mode="static"),
        static_python=StaticPython("/usr/bin/python3.11", "cpython", "3.11.2"),
    )
    source = tmp_path / "static.json"
    snapshot_files.save(static, source)
    document = export(str(source), sbom_format, tmp_path / "static.sbom.json")
    validate(document, sbom_format)
    assert "pkg:generic/cpython@3.11.2" in purls(document)
    trivy = Path(__file__).parent / "fixtures" / "trivy-centos-7.cdx.json"
    again = export(str(trivy), sbom_format, tmp_path / "again.json")
    validate(again, sbom_format)
    assert (
        "pkg:rpm/centos/openssl-libs@1.0.2k-16.el7?arch=x86_64&distro=centos-7.6.1810&epoch=1"
        in purls(again)
    )
