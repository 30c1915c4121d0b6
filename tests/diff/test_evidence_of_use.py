"""Severity from evidence of use, on real venvs: what the program imports, declares and
requires decides how much a difference matters, and --project changes the rating.

A "laptop" venv: `pip install requests six pytest` (urllib3 2.2.2), so pytest and its
dependencies (iniconfig, pluggy, packaging) are there. A "ci" venv: `pip install requests
six` with urllib3 constrained to 1.26.18, a major step back that requests 2.32.3 accepts
(urllib3<3,>=1.21.1); then six is uninstalled from it. The project declares six and
requests, its code imports them, and only its tests import pytest.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from driftcheck.diff.engine import compare
from driftcheck.diff.model import DiffResult, Finding, Severity
from driftcheck.project.read import read_project
from driftcheck.project.roles import is_development_file, is_optional_source
from driftcheck.render.diff_text import render_text
from driftcheck.snapshot import files as snapshot_files
from driftcheck.snapshot.model import Snapshot

from support import Venv, assert_one_line_error, run_cli, wheelhouse

WHEELS = (
    "requests==2.32.3",
    "certifi==2024.7.4",
    "idna==3.7",
    "urllib3==2.2.2",
    "urllib3==1.26.18",
    "charset-normalizer==3.3.2",
    "six==1.16.0",
    "pytest==8.3.3",
    "iniconfig==2.0.0",
    "pluggy==1.5.0",
    "packaging==24.1",
)
DEV_ONLY = ("pytest", "iniconfig", "pluggy", "packaging")


@dataclass(frozen=True)
class Pair:
    laptop: Snapshot
    ci: Snapshot  # no pytest, urllib3 1.26.18
    ci_without_six: Snapshot  # and six uninstalled
    files: dict[str, Path]  # the three snapshots saved, for the CLI


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory, clean_env: dict[str, str]) -> Pair:
    wheels = wheelhouse("evidence-wheels", WHEELS)
    root = tmp_path_factory.mktemp("evidence")
    laptop, ci = Venv(root / "laptop", wheels), Venv(root / "ci", wheels)
    for venv, urllib3 in ((laptop, "2.2.2"), (ci, "1.26.18")):
        pins = root / f"{venv.root.name}-constraints.txt"
        pins.write_text(f"urllib3=={urllib3}\nidna==3.7\ncharset-normalizer==3.3.2\n")
        wanted = ["requests==2.32.3", "six==1.16.0"]
        if venv is laptop:
            wanted.append("pytest==8.3.3")
        venv.install("-c", pins, *wanted)
    snapshots = {"laptop": laptop.snapshot(clean_env, "laptop"), "ci": ci.snapshot(clean_env, "ci")}
    ci.pip("uninstall", "-y", "six")
    snapshots["ci-without-six"] = ci.snapshot(clean_env, "ci-without-six")
    files = {}
    for name, snapshot in snapshots.items():
        files[name] = root / f"{name}.json"
        snapshot_files.save(snapshot, files[name])
    return Pair(snapshots["laptop"], snapshots["ci"], snapshots["ci-without-six"], files)


def _project(root: Path, *, imports: str = "import requests\nimport six\n") -> Path:
    (root / "app").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "requirements.txt").write_text("requests>=2\nsix\n")
    (root / "requirements-dev.txt").write_text("pytest\n")
    (root / "app" / "__init__.py").write_text(imports)
    (root / "tests" / "test_app.py").write_text("import pytest\nimport app\n")
    return root


def _compare(a: Snapshot, b: Snapshot, project: Path | None = None) -> DiffResult:
    facts = read_project(str(project)) if project else None
    return compare(a, b, left_label="A", right_label="B", project=facts)


def _package(report: DiffResult, name: str) -> Finding:
    found = [f for f in report.findings if (f.category, f.subject) == ("packages", name)]
    assert len(found) == 1, [(f.category, f.subject, f.severity.label) for f in report.findings]
    return found[0]


def _use(finding: Finding) -> str:
    return next(e for e in finding.evidence if e.startswith("use: "))


def test_dev_tools_on_a_only_are_low_and_say_why(pair: Pair, tmp_path):
    report = _compare(pair.laptop, pair.ci)
    pytest_finding = _package(report, "pytest")
    assert pytest_finding.severity == Severity.LOW
    assert pytest_finding.explanation.endswith(
        "; pytest is a development tool (test runner): nothing on B requires pytest, "
        "though it was asked for by name on A."
    )
    for name in DEV_ONLY[1:]:  # pytest's own dependencies: nothing on B requires them
        finding = _package(report, name)
        assert finding.severity == Severity.LOW, finding.explanation
        assert _use(finding).startswith("use: pytest 8.3.3 ") and "on A requires it" in _use(
            finding
        )
    with_project = _compare(pair.laptop, pair.ci, _project(tmp_path / "p"))
    pytest_finding = _package(with_project, "pytest")
    assert pytest_finding.severity == Severity.LOW
    assert "only your tests or tooling import it (tests/test_app.py)" in _use(pytest_finding)
    assert pytest_finding.project is not None and not pytest_finding.project.direct
    assert pytest_finding.project.notes == (
        "pytest is imported only by your tests or tooling (tests/test_app.py)",
        "pytest is declared for development in requirements-dev.txt",
    )
    assert _package(with_project, "pluggy").project is None  # pytest's: not the program's


def test_check_passes_when_only_dev_tools_and_an_accepted_step_differ(pair: Pair):
    result = run_cli(
        "check", "--baseline", str(pair.files["laptop"]), "--target", str(pair.files["ci"])
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no drift at or above high" in result.stdout


def test_a_major_step_every_requirer_accepts_is_not_high(pair: Pair):
    urllib3 = _package(_compare(pair.laptop, pair.ci), "urllib3")
    assert urllib3.severity == Severity.MEDIUM, urllib3.explanation
    assert urllib3.explanation.startswith("urllib3 went back from 2.2.2 to 1.26.18, a major")
    assert (
        "; every package that requires it on B accepts 1.26.18 (requests 2.32.3 "
        "(urllib3<3,>=1.21.1)), and none of them is built against it." in urllib3.explanation
    )


def test_project_raises_a_major_step_its_code_imports(pair: Pair, tmp_path):
    plain = _package(_compare(pair.laptop, pair.ci), "urllib3")
    folder = _project(tmp_path / "p", imports="import requests\nimport urllib3\n")
    ranked = _package(_compare(pair.laptop, pair.ci, folder), "urllib3")
    assert plain.severity == Severity.MEDIUM and ranked.severity == Severity.HIGH
    assert "; your code imports it (app/__init__.py), and a major release" in ranked.explanation


def test_a_declared_and_imported_package_missing_on_b_is_critical(pair: Pair, tmp_path):
    plain = _package(_compare(pair.laptop, pair.ci_without_six), "six")
    assert plain.severity == Severity.HIGH  # asked for on A; nothing on B provides `six`
    why = "; it was asked for by name on A and nothing on B provides its modules"
    assert why in plain.explanation
    folder = _project(tmp_path / "p")
    report = _compare(pair.laptop, pair.ci_without_six, folder)
    six = _package(report, "six")
    assert six.severity == Severity.CRITICAL
    assert report.findings[0] is six and report.likely_causes()[0] is six
    assert six.explanation.endswith(
        "; your code imports it (app/__init__.py), so the program cannot start on B."
    )


def test_check_fails_at_the_default_threshold_with_project(pair: Pair, tmp_path):
    folder = _project(tmp_path / "p")
    args = [
        "check",
        "--baseline",
        str(pair.files["laptop"]),
        "--target",
        str(pair.files["ci-without-six"]),
    ]
    without = run_cli(*args)  # six was asked for by name on the laptop: high already
    assert without.returncode == 1, without.stdout + without.stderr
    result = run_cli(*args, "--project", str(folder))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 finding at or above high: failing" in result.stdout
    assert "[critical]" in result.stdout and "six" in result.stdout


def test_update_baseline_with_project_is_a_usage_error(tmp_path):
    baseline = tmp_path / "baseline.json"
    folder = _project(tmp_path / "p")
    result = run_cli(
        "check", "--baseline", str(baseline), "--update-baseline", "--project", str(folder)
    )
    line = assert_one_line_error(result, 2)
    assert "drop --project" in line and not baseline.exists()


def test_an_installed_requirer_is_evidence_without_a_project(pair: Pair):
    """requests on B requires idna: idna missing there is high with no --project."""
    from dataclasses import replace

    ci = pair.ci
    without_idna = replace(
        ci, distributions=tuple(d for d in ci.distributions if d.canonical_name != "idna")
    )
    idna = _package(_compare(pair.ci, without_idna), "idna")
    assert idna.severity == Severity.HIGH
    assert "requests 2.32.3 (idna<4,>=2.5) on B requires it" in _use(idna)


# --------------------------------------------------------------------------- variables


@pytest.fixture(scope="module")
def session_pair(
    tmp_path_factory: pytest.TempPathFactory, clean_env: dict[str, str]
) -> tuple[Snapshot, Snapshot, Snapshot]:
    """One venv, snapshotted from a laptop's shell and from a CI job's: machine paths,
    HOME, HOSTNAME, TERM and CI variables differ, and the job sets OMP_NUM_THREADS=1."""
    wheels = wheelhouse("evidence-wheels", WHEELS)
    venv = Venv(tmp_path_factory.mktemp("session") / "venv", wheels)
    venv.install("six==1.16.0")
    laptop_env = {**clean_env, "HOSTNAME": "laptop", "TERM": "xterm-256color"}
    job_env = {
        **clean_env,
        "PATH": "/home/runner/.local/bin:/opt/hostedtoolcache/bin:/usr/local/bin:/usr/bin:/bin",
        "HOME": "/home/runner",
        "HOSTNAME": "runner-7",
        "TERM": "dumb",
        "CI": "true",
        "CI_JOB_ID": "4242",
        "OMP_NUM_THREADS": "1",
    }
    warnings_env = {**laptop_env, "PYTHONWARNINGS": "error::DeprecationWarning"}
    return (
        venv.snapshot(laptop_env, "laptop"),
        venv.snapshot(job_env, "job"),
        venv.snapshot(warnings_env, "strict"),
    )


def test_a_thread_count_is_explained_and_outranks_session_noise(session_pair):
    laptop, job, _ = session_pair
    report = compare(laptop, job, left_label="laptop", right_label="job")
    subjects = [f.subject for f in report.findings]
    threads = report.findings[subjects.index("OMP_NUM_THREADS")]
    assert threads.severity == Severity.LOW
    assert threads.explanation.startswith(
        "OMP_NUM_THREADS is set on job only (1): OpenMP code (scikit-learn, PyTorch"
    )
    assert "floating-point reductions can sum in another order" in threads.explanation
    assert subjects.index("OMP_NUM_THREADS") < subjects.index("PATH")
    noise = report.findings[subjects.index("session variables")]
    assert noise.severity == Severity.INFO
    assert {"CI", "CI_JOB_ID", "HOSTNAME", "HOME", "TERM"} <= {c.key for c in noise.changes}


def test_a_pair_with_only_low_findings_shows_a_likely_cause(session_pair):
    laptop, job, _ = session_pair
    report = compare(laptop, job, left_label="laptop", right_label="job")
    assert not report.at_or_above(Severity.MEDIUM)
    assert report.likely_causes()[0].subject == "OMP_NUM_THREADS"
    text = render_text(report)
    causes = text.split("Likely causes\n", 1)[1].split("\nDetails", 1)[0]
    assert "nothing is rated medium or above: the likeliest low findings" in causes
    assert causes.index("OMP_NUM_THREADS") < causes.index("PATH")
    assert "session variable" not in causes


def test_warnings_turned_into_errors_are_medium(session_pair):
    laptop, _, strict = session_pair
    report = compare(laptop, strict, left_label="laptop", right_label="strict")
    finding = next(f for f in report.findings if f.subject == "PYTHONWARNINGS")
    assert finding.severity == Severity.MEDIUM
    assert report.likely_causes()[0] is finding


@pytest.mark.parametrize(
    ("path", "development"),
    [
        ("app/__init__.py", False),
        ("src/app/testing_utils.py", False),
        ("tests/test_app.py", True),
        ("app/tests/helpers.py", True),
        ("test_app.py", True),
        ("app/cli_test.py", True),
        ("conftest.py", True),
        ("noxfile.py", True),
        ("docs/conf.py", True),
    ],
)
def test_which_files_are_tests_or_tooling(path, development):
    assert is_development_file(path) is development


@pytest.mark.parametrize(
    ("source", "optional"),
    [
        ("pyproject.toml", False),
        ("pyproject.toml (poetry)", False),
        ("setup.cfg", False),
        ("requirements.txt", False),
        ("requirements/base.txt", False),
        ("requirements/prod.txt", False),
        ("pyproject.toml (extra postgres)", True),
        ("pyproject.toml (group test)", True),
        ("pyproject.toml (poetry dev)", True),
        ("pyproject.toml (poetry group docs)", True),
        ("requirements-dev.txt", True),
        ("requirements/test.txt", True),
        ("dev-requirements.txt", True),
    ],
)
def test_which_declarations_are_for_development_or_extras(source, optional):
    assert is_optional_source(source) is optional
