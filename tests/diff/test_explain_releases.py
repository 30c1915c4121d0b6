"""Two Debian releases: the bullseye venv image (Python 3.9, glibc 2.31) against the
bookworm one (Python 3.11, glibc 2.36), both built by the suite.

The live test diffs the two images straight from the engine (`image:` references)
and names the cause a senior engineer would: the Python minor version that came
with the new base image. The same pair, captured once from those images, is kept
in golden/ (regenerate with DRIFTCHECK_UPDATE_GOLDEN=1 and a Docker engine) so that
the ranking and the renderings are checked on every run, engine or not.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from diff_scenarios import RELEASE_SNAPSHOTS

from driftcheck.diff.changes import compute_changes
from driftcheck.diff.engine import compare
from driftcheck.diff.model import DiffResult, Finding, Severity
from driftcheck.snapshot.files import load

from support import run_cli


def _claimed(findings: tuple[Finding, ...]) -> set[tuple[str, str, str]]:
    out: set[tuple[str, str, str]] = set()
    for finding in findings:
        out.update(c.ident for c in finding.changes)
        out.update(_claimed(finding.members))
    return out


def _recorded() -> DiffResult:
    left, right = (load(RELEASE_SNAPSHOTS[name]) for name in ("bullseye", "bookworm"))
    report = compare(left, right, left_label="bullseye", right_label="bookworm")
    assert _claimed(report.findings) == {c.ident for c in compute_changes(left, right).changes}
    return report


def test_the_python_minor_that_came_with_the_release_is_the_first_cause() -> None:
    causes = _recorded().likely_causes()
    top = causes[0]
    assert (top.category, top.subject, top.severity) == ("python", "version", Severity.HIGH)
    assert (top.left, top.right) == ("3.9.2", "3.11.2")
    assert top.explanation.startswith(
        "Python moved from 3.9.2 to 3.11.2, a new minor version that comes with "
        "Debian GNU/Linux 12 (bookworm): every compiled extension needs a cp311 build"
    )
    assert "formatter, parser and symbol (removed in 3.10)" in top.explanation
    assert top.fix is not None and "Debian GNU/Linux 11 (bullseye)" in (top.fix.advice or "")


def test_the_release_glibc_and_openssl_are_among_the_likely_causes() -> None:
    causes = {(f.category, f.subject): f for f in _recorded().likely_causes()}
    release = causes[("os", "OS release")]
    assert "Debian GNU/Linux 11 (bullseye) on bullseye" in release.explanation
    assert "Debian GNU/Linux 12 (bookworm) on bookworm" in release.explanation
    assert "glibc 2.31 → 2.36" in release.explanation
    assert "the system Python (3.9 → 3.11)" in release.explanation
    libc = causes[("platform", "libc version")]
    assert (libc.left, libc.right) == ("2.31", "2.36")
    openssl = causes[("native-libraries", "OpenSSL")]
    assert openssl.severity == Severity.HIGH and "1.1.1w to 3.0" in openssl.explanation
    assert ("os", "dpkg packages") in causes


def test_consequences_of_the_version_change_are_not_ranked_as_causes() -> None:
    """Flags only 3.11 has, the pythonX.Y folder and the ssl module's OpenSSL follow from
    the two findings above; ranked on their own they would crowd out real causes."""
    findings = {(f.category, f.subject): f for f in _recorded().findings}
    assert findings[("python", "interpreter flags")].severity == Severity.INFO
    assert findings[("packages", "install location")].severity == Severity.INFO
    assert findings[("python", "ssl module OpenSSL")].severity == Severity.LOW
    changed = {f.subject: (f.left, f.right) for f in findings.values() if f.category == "packages"}
    assert changed["six"] == ("1.16.0", "1.17.0") and changed["attrs"] == ("23.2.0", "24.3.0")


@pytest.mark.docker
def test_two_debian_releases_diffed_live_from_the_engine(
    tmp_path: Path, bullseye_venv_image: str, bookworm_venv_image: str
) -> None:
    if os.environ.get("DRIFTCHECK_UPDATE_GOLDEN") == "1":
        for name, image in (("bullseye", bullseye_venv_image), ("bookworm", bookworm_venv_image)):
            out = RELEASE_SNAPSHOTS[name]
            recorded = run_cli("snapshot", "--image", image, "--label", name, "-o", str(out))
            assert recorded.returncode == 0, recorded.stderr
    result = run_cli(
        "diff", f"image:{bullseye_venv_image}", f"image:{bookworm_venv_image}", "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    top = report["findings"][0]
    assert (top["category"], top["subject"], top["severity"]) == ("python", "version", "high")
    assert top["explanation"].startswith("Python moved from 3.9.")
    assert (
        "to 3.11." in top["explanation"] and "Debian GNU/Linux 12 (bookworm)" in top["explanation"]
    )
    by_subject = {(f["category"], f["subject"]): f for f in report["findings"]}
    assert (
        by_subject[("platform", "libc version")]["left"],
        by_subject[("platform", "libc version")]["right"],
    ) == ("2.31", "2.36")
    assert "Debian GNU/Linux 11 (bullseye)" in by_subject[("os", "OS release")]["explanation"]
    text = run_cli("diff", f"image:{bullseye_venv_image}", f"image:{bookworm_venv_image}")
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    first = lines[lines.index("Likely causes") + 1]
    assert first.startswith("  1. [high] python: Python moved from 3.9."), first


def test_the_debian_pkg_resources_placeholder_is_not_reported_as_a_broken_import() -> None:
    """bullseye's venv records `pkg_resources 0.0.0` (Debian's split-out wheel); bookworm's
    setuptools 66.1.1 ships pkg_resources itself, so nothing is missing."""
    findings = {(f.category, f.subject): f for f in _recorded().findings}
    placeholder = findings[("packages", "pkg-resources")]
    assert placeholder.severity == Severity.INFO
    assert "ModuleNotFoundError" not in placeholder.explanation
    assert "is not a real distribution but the placeholder Debian's and Ubuntu's venvs record" in (
        placeholder.explanation
    )
    assert "on bookworm, setuptools 66.1.1 provides pkg_resources, so nothing is missing" in (
        placeholder.explanation
    )
    assert placeholder.fix is not None and placeholder.fix.command is None
    assert placeholder not in _recorded().likely_causes()


def test_calendar_versions_and_installer_tooling_are_worded_as_such() -> None:
    findings = {(f.category, f.subject): f for f in _recorded().findings}
    attrs, pip = findings[("packages", "attrs")], findings[("packages", "pip")]
    assert attrs.explanation == (
        "attrs moved from 23.2.0 to 24.3.0, a newer calendar release (2023 → 2024): the version "
        "says when it came out, not how compatible it is; read its changelog."
    )
    assert attrs.severity == Severity.LOW
    assert pip.explanation.startswith(
        "pip moved from 20.3.4 to 23.0.1, a newer calendar release (2020 → 2023): pip is "
        "installer tooling and nothing installed here requires it"
    )
    assert pip.severity == Severity.INFO
    setuptools = findings[("packages", "setuptools")]
    assert setuptools.severity == Severity.LOW
    assert "setuptools is installer tooling" in setuptools.explanation
    for finding in (attrs, pip, setuptools):
        assert "incompatible ways" not in finding.explanation
    markupsafe = findings[("packages", "markupsafe")]
    assert markupsafe.severity == Severity.INFO and markupsafe.fix is None
    assert "(cp39-cp39 on bullseye, cp311-cp311 on bookworm)" in markupsafe.explanation
    packages = [f.subject for f in _recorded().findings if f.category == "packages"]
    assert packages.index("attrs") < packages.index("pip"), "the installer ranks below attrs"
