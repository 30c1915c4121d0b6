"""The error as input (--symptom, --log), on real pairs and real logs.

Each log is what a real program printed on side B: the scenario's own venv runs it
with B's environment, and its stderr (inside a CI job's noise: timestamps, colour
codes, a token in an unrelated line) is what `--log` reads. The finding that
explains the error must come first, whatever its severity, and name the line.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest
from diff_scenarios import DriftPair, NumpyScenarios

from driftcheck.diff.engine import compare
from driftcheck.diff.model import DiffResult, Severity
from driftcheck.diff.symptom.reading import ErrorText, read_log, symptom_text
from driftcheck.render.diff_text import render_text
from driftcheck.snapshot import files as snapshot_files
from driftcheck.snapshot.model import Snapshot

from support import Venv, check_report_schema, report_schema, run_cli

TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"  # a GitHub token's shape


def run_on(python: Path, code: str, env: dict[str, str]) -> str:
    """A real program's stderr; it must fail, or the scenario proves nothing."""
    done = subprocess.run(
        [str(python), "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0, done.stderr
    return done.stderr


def ci_log(path: Path, stderr: str, noise_lines: int = 300) -> int:
    """`stderr` inside a CI job's log; the line number of its last line."""
    head = [
        f"2026-12-01T10:00:{n % 60:02d}.0000000Z \x1b[36mstep {n}\x1b[0m: collecting"
        for n in range(noise_lines)
    ]
    head.insert(5, f"2026-12-01T10:00:05.0000000Z export GITHUB_TOKEN={TOKEN}")
    lines = [*head, *(f"2026-12-01T10:01:00.0000000Z {line}" for line in stderr.splitlines())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def line_of(path: Path, words: str) -> int:
    lines = path.read_text("utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if words in line)


def first(report: DiffResult) -> str:
    finding = report.findings[0]
    return f"{finding.category}:{finding.subject}"


def test_a_missing_module_names_its_distribution_first_with_the_line(
    drift_pair: DriftPair, clean_env: dict[str, str], tmp_path: Path
) -> None:
    stderr = run_on(drift_pair.b_python, "import six, idna", clean_env)
    log = tmp_path / "job.log"
    ci_log(log, stderr)
    report = compare(drift_pair.a, drift_pair.b, symptom=[read_log(str(log))])
    top = report.findings[0]
    assert first(report) == "packages:idna"
    number = line_of(log, "ModuleNotFoundError")
    assert top.symptom is not None and top.symptom.line == number
    assert (
        top.symptom.words == f"explains line {number}: ModuleNotFoundError: No module named 'idna'"
    )
    assert report.likely_causes()[0] is top
    text = render_text(report)
    assert f"     explains line {number}: ModuleNotFoundError" in text
    assert TOKEN not in text and "\x1b" not in text


def test_without_the_log_the_same_pair_ranks_by_severity_alone(drift_pair: DriftPair) -> None:
    """The log changes the order: without it, idna is not the sole first cause by a link."""
    plain = compare(drift_pair.a, drift_pair.b)
    assert all(f.symptom is None for f in plain.findings) and plain.symptom is None


def test_numpy_abi_error_of_pandas_points_at_numpy(
    numpy_scenarios: NumpyScenarios, clean_env: dict[str, str]
) -> None:
    stderr = run_on(numpy_scenarios.numpy2_python, "import pandas", clean_env)
    report = compare(
        numpy_scenarios.numpy1,
        numpy_scenarios.numpy2,
        symptom=[ErrorText(tuple(stderr.splitlines()), 1, "--log x")],
    )
    assert first(report) == "packages:numpy"
    link = report.findings[0].symptom
    assert link is not None and link.strength == 3
    assert "NumPy" in link.quote or "numpy" in link.quote


@dataclass(frozen=True)
class EnvPair:
    venv: Venv
    a: Snapshot
    b: Snapshot
    b_env: dict[str, str]


def _env_pair(venv: Venv, clean_env: dict[str, str], **b_vars: str) -> EnvPair:
    """A and B: one venv; B sets `b_vars` and, as noise, CI variables and a PYTHONPATH that
    is rated high on its own."""
    noise = {
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "HOSTNAME": "runner-7",
        "PYTHONPATH": "/opt/vendored",
    }
    b_env = {**clean_env, **noise, **b_vars}
    return EnvPair(venv, venv.snapshot(clean_env, "laptop"), venv.snapshot(b_env, "ci"), b_env)


@pytest.fixture(scope="module")
def one_venv(tmp_path_factory: pytest.TempPathFactory, drift_wheels: Path) -> Venv:
    venv = Venv(tmp_path_factory.mktemp("symptom") / "venv", drift_wheels)
    venv.install("six==1.16.0", "attrs==23.2.0")
    return venv


def test_a_warnings_filter_rated_below_pythonpath_moves_to_the_top(
    one_venv: Venv, clean_env: dict[str, str], tmp_path: Path
) -> None:
    pair = _env_pair(one_venv, clean_env, PYTHONWARNINGS="error::DeprecationWarning")
    code = "import warnings\nwarnings.warn('old call', DeprecationWarning)"
    stderr = run_on(one_venv.python, code, pair.b_env)
    plain = compare(pair.a, pair.b)
    low = next(f for f in plain.findings if f.subject == "PYTHONWARNINGS")
    assert low.severity < Severity.HIGH and plain.findings[0].subject == "PYTHONPATH"
    log = tmp_path / "job.log"
    ci_log(log, stderr, noise_lines=40)
    report = compare(pair.a, pair.b, symptom=[read_log(str(log))])
    assert first(report) == "environment:PYTHONWARNINGS"
    assert report.likely_causes()[0].subject == "PYTHONWARNINGS"
    number = line_of(log, "DeprecationWarning: old call")
    assert report.findings[0].symptom.line == number  # type: ignore[union-attr]


def test_an_encoding_error_points_at_pythonioencoding(
    one_venv: Venv, clean_env: dict[str, str]
) -> None:
    pair = _env_pair(one_venv, clean_env, PYTHONIOENCODING="ascii")
    stderr = run_on(one_venv.python, "print('caf\\u00e9')", pair.b_env)
    assert "UnicodeEncodeError" in stderr
    report = compare(pair.a, pair.b, symptom=[ErrorText(tuple(stderr.splitlines()), 1, "--log x")])
    assert first(report) == "environment:PYTHONIOENCODING"


def test_a_missing_shared_library_is_unexplained_in_one_line_naming_the_soname(
    drift_pair: DriftPair, clean_env: dict[str, str]
) -> None:
    """No finding is about libdriftcheck-none.so.5 on main: one line says so, and what the
    log points at; the findings keep their order."""
    stderr = run_on(
        drift_pair.b_python, "import ctypes; ctypes.CDLL('libdriftcheck-none.so.5')", clean_env
    )
    report = compare(
        drift_pair.a, drift_pair.b, symptom=[ErrorText(tuple(stderr.splitlines()), 1, "--log x")]
    )
    plain = compare(drift_pair.a, drift_pair.b)
    assert [f.subject for f in report.findings] == [f.subject for f in plain.findings]
    assert report.symptom is not None and report.symptom.errors == 1
    (line,) = report.symptom.unexplained
    assert line.startswith("nothing here explains line ")
    assert "the shared library libdriftcheck-none.so.5" in line


def test_too_many_open_files_says_no_snapshot_records_the_limit(
    drift_pair: DriftPair, clean_env: dict[str, str]
) -> None:
    code = (
        "import resource\nresource.setrlimit(resource.RLIMIT_NOFILE, (16, 16))\n"
        "files = [open('/dev/null') for _ in range(64)]"
    )
    stderr = run_on(drift_pair.b_python, code, clean_env)
    report = compare(
        drift_pair.a, drift_pair.b, symptom=[ErrorText(tuple(stderr.splitlines()), 1, "--log x")]
    )
    assert report.symptom is not None
    (line,) = report.symptom.unexplained
    assert (
        "Too many open files" in line
        and "open-file limit (ulimit -n), which no snapshot records" in line
    )
    assert "nothing here explains" in render_text(report)


def test_symptom_words_explain_the_symptom(drift_pair: DriftPair) -> None:
    report = compare(
        drift_pair.a,
        drift_pair.b,
        symptom=[symptom_text("ModuleNotFoundError: No module named 'idna'")],
    )
    assert first(report) == "packages:idna"
    assert report.findings[0].symptom.words.startswith("explains the symptom: ")  # type: ignore[union-attr]


def test_a_log_with_no_error_it_knows_says_so(drift_pair: DriftPair) -> None:
    report = compare(
        drift_pair.a, drift_pair.b, symptom=[ErrorText(("all good", "done"), 1, "--log ok.log")]
    )
    assert report.symptom is not None and report.symptom.errors == 0
    assert "No error driftcheck recognises in --log ok.log: 2 lines." in render_text(report)


@pytest.fixture(scope="module")
def saved(
    drift_pair: DriftPair, clean_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("symptom-cli")
    files = {"a": root / "a.json", "b": root / "b.json", "log": root / "job.log"}
    snapshot_files.save(drift_pair.a, files["a"])
    snapshot_files.save(drift_pair.b, files["b"])
    ci_log(files["log"], run_on(drift_pair.b_python, "import idna", clean_env))
    return files


def test_diff_log_cli_text_and_json(saved: dict[str, Path]) -> None:
    number = line_of(saved["log"], "ModuleNotFoundError")
    text = run_cli("diff", str(saved["a"]), str(saved["b"]), "--log", str(saved["log"]))
    assert text.returncode == 0, text.stderr
    causes = text.stdout.split("Likely causes\n", 1)[1].splitlines()
    assert causes[0].startswith("  1. [high] packages: idna 3.7 is installed on ")  # asked for
    assert causes[1] == f"     explains line {number}: ModuleNotFoundError: No module named 'idna'"
    assert TOKEN not in text.stdout
    as_json = run_cli(
        "diff", str(saved["a"]), str(saved["b"]), "--log", str(saved["log"]), "--format", "json"
    )
    document = json.loads(as_json.stdout)
    jsonschema.validate(document, report_schema())
    top = document["findings"][0]
    assert (top["category"], top["subject"]) == ("packages", "idna")
    assert top["explains"] == {
        "line": number,
        "error": "ModuleNotFoundError: No module named 'idna'",
        "strength": "names it",
    }
    assert document["symptom"]["errors"] == 1 and TOKEN not in as_json.stdout


def test_check_log_puts_the_line_in_the_ci_reports(saved: dict[str, Path], tmp_path: Path) -> None:
    number = line_of(saved["log"], "ModuleNotFoundError")
    out = {k: tmp_path / f"report.{k}" for k in ("xml", "json", "cq")}
    done = run_cli(
        "check", "--baseline", str(saved["a"]), "--target", str(saved["b"]),
        "--log", str(saved["log"]), "--fail-on", "never",
        "--junit", str(out["xml"]), "--json", str(out["json"]),
        "--codequality", str(out["cq"]), env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"explains line {number}: ModuleNotFoundError" in done.stdout
    junit = out["xml"].read_text()
    assert f"explains line {number}: ModuleNotFoundError: No module named 'idna'" in junit
    document = json.loads(out["json"].read_text())
    jsonschema.validate(document, check_report_schema())
    assert document["findings"][0]["explains"]["line"] == number
    issues = json.loads(out["cq"].read_text())
    assert f"(explains line {number}: ModuleNotFoundError" in issues[0]["description"]


def test_update_baseline_refuses_a_log(saved: dict[str, Path], tmp_path: Path) -> None:
    done = run_cli(
        "check",
        "--baseline",
        str(tmp_path / "new.json"),
        "--update-baseline",
        "--log",
        str(saved["log"]),
    )
    assert done.returncode == 2 and "drop --log" in done.stderr
