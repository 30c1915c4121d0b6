"""Scenario pairs captured from real virtual environments: the top finding names the cause."""

from __future__ import annotations

import subprocess

from diff_scenarios import NumpyScenarios, ProjectScenarios

from driftcheck.diff.changes import compute_changes
from driftcheck.diff.engine import compare
from driftcheck.diff.model import DiffResult, Finding, Fix, Severity
from driftcheck.snapshot.model import Snapshot


def _compare(left: Snapshot, right: Snapshot) -> DiffResult:
    return compare(left, right, left_label="A", right_label="B")


def _claimed(findings: tuple[Finding, ...]) -> set[tuple[str, str, str]]:
    out: set[tuple[str, str, str]] = set()
    for finding in findings:
        out.update(c.ident for c in finding.changes)
        out.update(_claimed(finding.members))
    return out


def test_numpy_major_bump_breaks_pandas_is_the_top_finding(
    numpy_scenarios: NumpyScenarios,
) -> None:
    report = _compare(numpy_scenarios.numpy1, numpy_scenarios.numpy2)
    top = report.findings[0]
    assert top.severity == Severity.HIGH
    assert (top.category, top.subject) == ("packages", "numpy")
    assert "numpy moved from 1.26.4 to 2.1.0, a major release" in top.explanation
    assert "pandas 2.0.3" in top.explanation
    assert (top.left, top.right) == ("1.26.4", "2.1.0")
    assert top.fix == Fix.run("pip install 'numpy==1.26.4'", on="B")


def test_the_numpy_scenario_really_breaks_pandas(numpy_scenarios: NumpyScenarios) -> None:
    """The finding is not a guess: pandas 2.0.3 really fails to import next to numpy 2.1.0."""
    result = subprocess.run(
        [str(numpy_scenarios.numpy2_python), "-c", "import pandas"],
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "numpy.dtype size changed" in result.stderr


def test_a_violated_requires_dist_names_both_packages_and_the_fix(
    numpy_scenarios: NumpyScenarios,
) -> None:
    report = _compare(numpy_scenarios.numpy1_contourpy, numpy_scenarios.numpy2_contourpy)
    top = report.findings[0]
    assert (top.category, top.severity) == ("dependencies", Severity.HIGH)
    assert top.explanation.startswith(
        "contourpy 1.2.0 requires numpy<2.0,>=1.20, but B has numpy 2.1.0"
    )
    assert top.fix == Fix.run("pip install 'numpy<2.0,>=1.20'", on="B")
    assert top.changes == ()  # found by checking B itself, not claimed from a change
    second = report.findings[1]
    assert second.subject == "numpy" and "contourpy 1.2.0" in second.explanation


def test_markers_are_evaluated_for_the_side_no_false_unmet_requirement(
    numpy_scenarios: NumpyScenarios,
) -> None:
    """pandas' `numpy>=1.20.3; python_version < "3.10"` is inactive on 3.11: no finding."""
    report = _compare(numpy_scenarios.numpy1, numpy_scenarios.numpy2)
    assert not [f for f in report.findings if f.category == "dependencies"]


def test_a_missing_package_is_named_with_who_needs_it(project_scenarios: ProjectScenarios) -> None:
    report = _compare(project_scenarios.base, project_scenarios.idna_missing)
    top = report.findings[0]
    assert top.severity == Severity.HIGH
    assert "idna" in top.explanation and "myproject 0.3.0" in top.explanation
    assert top.fix is not None and top.fix.command is not None and "idna" in top.fix.command
    package = next(f for f in report.findings if f.category == "packages")
    assert package.explanation.startswith("idna 3.7 is installed on A but missing on B")
    assert package.fix == Fix.run("pip install 'idna==3.7'", on="B")


def test_editable_vs_installed(project_scenarios: ProjectScenarios) -> None:
    report = _compare(project_scenarios.base, project_scenarios.installed)
    top = report.findings[0]
    assert (top.category, top.subject, top.severity) == ("packages", "myproject", Severity.MEDIUM)
    assert "editable install on A" in top.explanation
    assert "regular install on B" in top.explanation
    assert (top.left, top.right) == ("editable", "installed")
    assert top.fix is not None and top.fix.on == "B" and top.fix.advice is None
    assert top.fix.command is not None and top.fix.command.startswith("pip install -e '/")


def test_pythonpath_and_lang(project_scenarios: ProjectScenarios) -> None:
    report = _compare(project_scenarios.base, project_scenarios.env_changed)
    top = report.findings[0]
    assert (top.category, top.subject, top.severity) == (
        "environment",
        "PYTHONPATH",
        Severity.HIGH,
    )
    assert top.explanation.startswith(
        f"PYTHONPATH is set on B only ({project_scenarios.pythonpath})"
    )
    assert top.fix == Fix.run("unset PYTHONPATH", on="B")
    # The sys.path change PYTHONPATH caused is explained by it, not reported again.
    assert any(c.field == "sys_path" for c in top.changes)
    locale = next(f for f in report.findings if f.subject == "locale")
    assert locale.severity == Severity.MEDIUM
    assert "LANG C.UTF-8 → de_DE.UTF-8" in locale.explanation
    assert [f for f in report.findings if f.category == "python"] == []


def test_two_identical_snapshots_have_no_drift(project_scenarios: ProjectScenarios) -> None:
    report = _compare(project_scenarios.base, project_scenarios.again)
    assert report.at_or_above(Severity.LOW) == ()


def test_every_change_of_realistic_pairs_is_claimed_by_a_rule(
    numpy_scenarios: NumpyScenarios, project_scenarios: ProjectScenarios
) -> None:
    pairs = [
        (numpy_scenarios.numpy1, numpy_scenarios.numpy2),
        (numpy_scenarios.numpy1_contourpy, numpy_scenarios.numpy2_contourpy),
        (numpy_scenarios.numpy2_contourpy, numpy_scenarios.numpy1),
        (project_scenarios.base, project_scenarios.env_changed),
        (project_scenarios.base, project_scenarios.installed),
        (project_scenarios.idna_missing, project_scenarios.installed),
        (project_scenarios.base, numpy_scenarios.numpy1),
    ]
    for left, right in pairs:
        changes = compute_changes(left, right).changes
        report = _compare(left, right)
        assert {c.ident for c in changes} <= _claimed(report.findings)
        # ... and by a real rule: nothing in a realistic pair falls to the fallback.
        unrated = [f for f in report.findings if "no rule rates it" in f.explanation]
        assert unrated == [], unrated


def test_every_finding_is_one_sentence(
    numpy_scenarios: NumpyScenarios, project_scenarios: ProjectScenarios
) -> None:
    reports = [
        _compare(numpy_scenarios.numpy1_contourpy, numpy_scenarios.numpy2_contourpy),
        _compare(project_scenarios.base, project_scenarios.env_changed),
        _compare(project_scenarios.base, numpy_scenarios.numpy1),
    ]
    for report in reports:
        for finding in report.findings:
            text = finding.explanation
            assert text.endswith(".") and "\n" not in text, text
            assert ". " not in text.rstrip("."), text
