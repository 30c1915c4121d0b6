"""--project on real pairs: what the project uses ranks first at equal severity, and says so."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urlparse

import jsonschema
from diff_scenarios import DriftPair, NumpyScenarios, ProjectScenarios

from driftcheck.diff.engine import compare
from driftcheck.diff.model import DiffResult, Finding, ProjectUse, Severity
from driftcheck.diff.relevance import project_uses
from driftcheck.project.read import read_project
from driftcheck.render.markdown_safe import md_text
from driftcheck.snapshot import files as snapshot_files
from driftcheck.snapshot.model import Distribution

from support import assert_one_line_error, report_schema, run_cli, small_snapshot


def _project(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def _compare(pair: DriftPair, folder: Path | None = None) -> DiffResult:
    facts = read_project(str(folder)) if folder else None
    return compare(pair.a, pair.b, left_label="A", right_label="B", project=facts)


def _package(report: DiffResult, name: str) -> tuple[int, Finding]:
    found = [
        (i, f)
        for i, f in enumerate(report.findings)
        if (f.category, f.subject) == ("packages", name)
    ]
    assert len(found) == 1, [(f.category, f.subject) for f in report.findings]
    return found[0]


def test_an_imported_package_ranks_first_among_equals_and_says_so(drift_pair, tmp_path):
    plain = _compare(drift_pair)
    added_at, added = _package(plain, "packaging")  # on B only
    six_at, six = _package(plain, "six")  # a minor release
    assert added.severity == six.severity == Severity.LOW
    assert added_at < six_at  # without a project: alphabetical among equals
    folder = _project(tmp_path / "app", {"app.py": "import six\nfrom six.moves import range\n"})
    ranked = _compare(drift_pair, folder)
    added_at, added = _package(ranked, "packaging")
    six_at, six = _package(ranked, "six")
    assert six_at < added_at
    assert six.severity == Severity.LOW  # ranking moves, severity does not
    assert six.project == ProjectUse(True, ("six is imported by your code (app.py)",))
    assert added.project is None
    assert ranked.project == (
        "app: 0 declared distributions, 1 imported distribution, 1 .py file read"
    )


def test_a_declared_package_says_where(drift_pair, tmp_path):
    folder = _project(
        tmp_path / "svc",
        {
            "requirements.txt": "-r requirements/base.txt\n",
            "requirements/base.txt": "attrs>=23\n",
            "pyproject.toml": '[project]\nname = "svc"\ndependencies = ["idna"]\n',
        },
    )
    report = _compare(drift_pair, folder)
    _, attrs = _package(report, "attrs")
    assert attrs.project == ProjectUse(True, ("attrs is declared in requirements/base.txt",))
    _, idna = _package(report, "idna")  # missing on B: medium; attrs' new calendar year: low
    assert idna.project == ProjectUse(True, ("idna is declared in pyproject.toml",))
    assert {f.subject for f in report.findings[:2]} == {"attrs", "idna"}
    (folder / "requirements.txt").unlink()
    (folder / "requirements" / "base.txt").unlink()
    only_idna = _compare(drift_pair, folder)
    assert [f.subject for f in only_idna.findings[:2]] == ["idna", "attrs"]


def test_a_dependency_of_an_import_counts_through_it(numpy_scenarios: NumpyScenarios, tmp_path):
    folder = _project(tmp_path / "p", {"main.py": "import pandas as pd\nimport dateutil.tz\n"})
    facts = read_project(str(folder))
    report = compare(numpy_scenarios.numpy1, numpy_scenarios.numpy2, project=facts)
    top = report.findings[0]
    assert top.subject == "numpy"
    assert top.project == ProjectUse(
        False, ("numpy is a dependency of pandas, which your code imports",)
    )
    uses = project_uses(facts, (numpy_scenarios.numpy1, numpy_scenarios.numpy2)).by_name
    # `import dateutil` is python-dateutil's, through the top-level names of the snapshot.
    assert uses["python-dateutil"] == ProjectUse(
        True, ("python-dateutil is imported by your code (main.py)",)
    )
    assert uses["pandas"].direct and not uses["six"].direct  # six: python-dateutil's


def test_the_projects_own_editable_install(project_scenarios: ProjectScenarios):
    own = next(d for d in project_scenarios.base.distributions if d.canonical_name == "myproject")
    assert own.direct_url is not None
    folder = unquote(urlparse(own.direct_url).path)
    facts = read_project(folder)
    report = compare(project_scenarios.base, project_scenarios.installed, project=facts)
    top = report.findings[0]
    assert top.subject == "myproject"
    assert top.project is not None and top.project.notes[0] == "myproject is your project"


def test_a_namespace_import_goes_to_the_distribution_that_owns_it(tmp_path):
    base = small_snapshot()

    def dist(name: str, version: str, top: tuple[str, ...]) -> Distribution:
        return Distribution(name, name, version, "/site", f"{name}.dist-info", top_level=top)

    left = replace(
        base,
        distributions=(
            dist("google-auth", "2.0", ("google",)),
            dist("google-cloud-storage", "2.0", ("google",)),
            dist("protobuf", "4.0", ("google",)),
            dist("pyyaml", "6.0", ("_yaml", "yaml")),
        ),
    )
    folder = _project(
        tmp_path / "ns",
        {"a.py": "from google.cloud import storage\nimport google.protobuf.message\nimport yaml\n"},
    )
    uses = project_uses(read_project(str(folder)), (left,)).by_name
    assert set(uses) == {"google-cloud-storage", "protobuf", "pyyaml"}


def test_cli_project_option_in_every_format(drift_pair, tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    snapshot_files.save(drift_pair.a, a)
    snapshot_files.save(drift_pair.b, b)
    folder = _project(tmp_path / "app", {"app.py": "import six\n"})
    text = run_cli("diff", str(a), str(b), "--project", str(folder))
    assert text.returncode == 0, text.stderr
    assert "Ranked for your project app: 0 declared distributions, 1 imported" in text.stdout
    assert "your project: six is imported by your code (app.py)" in text.stdout
    markdown = run_cli("diff", str(a), str(b), "--project", str(folder), "--format", "markdown")
    assert md_text("(your project: six is imported by your code (app.py))") in markdown.stdout
    result = run_cli("diff", str(a), str(b), "--project", str(folder), "--format", "json")
    document = json.loads(result.stdout)
    jsonschema.validate(document, report_schema())
    six = next(f for f in document["findings"] if f["subject"] == "six")
    assert six["project"] == {"direct": True, "notes": ["six is imported by your code (app.py)"]}


def test_cli_bad_project_folders(drift_pair, tmp_path):
    a = tmp_path / "a.json"
    snapshot_files.save(drift_pair.a, a)
    missing = run_cli("diff", str(a), str(a), "--project", str(tmp_path / "nope"))
    line = assert_one_line_error(missing, 2)
    assert "--project" in line and "no such folder" in line
    broken = _project(tmp_path / "broken", {"pyproject.toml": "[project\n"})
    result = run_cli("diff", str(a), str(a), "--project", str(broken))
    line = assert_one_line_error(result, 3)
    assert "pyproject.toml: not valid TOML" in line and "leave out --project" in line


def test_cli_project_notes_are_warnings_not_errors(drift_pair, tmp_path):
    a = tmp_path / "a.json"
    snapshot_files.save(drift_pair.a, a)
    folder = _project(tmp_path / "old", {"legacy.py": "print 'x'\nimport six\n"})
    result = run_cli("diff", str(a), str(a), "--project", str(folder))
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == (
        "driftcheck: warning: --project: 1 .py file(s) read line by line, not parsed: legacy.py"
    )
