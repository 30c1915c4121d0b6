"""`driftcheck check` end to end: real venvs, a real baseline, real drift, exit codes."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
from gate_envs import BASE, BASE_CHARSET, GateEnvs, make_venv

from support import assert_one_line_error, check_report_schema, run_cli


def check(envs: GateEnvs, cwd: Path, *args: str, target: str | None = None, **kw):
    baseline = kw.pop("baseline", envs.baseline)
    env = kw.pop("env", envs.env)
    return run_cli(
        "check",
        "--baseline",
        str(baseline),
        "--target",
        target or envs.drifted_ref,
        *args,
        env=env,
        cwd=cwd,
    )


def test_drift_introduced_into_the_venv_fails_and_junit_names_the_cause(
    tmp_path, gate_wheels, gate_env
):
    venv = make_venv(tmp_path / "venv", gate_wheels)
    baseline = tmp_path / "snapshots" / "ci.json"
    target = f"python:{venv.python}"
    made = run_cli(
        "check", "--baseline", str(baseline), "--target", target, "--update-baseline",
        env=gate_env, cwd=tmp_path,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert f"Wrote baseline {baseline}" in made.stdout
    assert json.loads(baseline.read_text())["format"] == "driftcheck-snapshot"

    junit = tmp_path / "junit.xml"
    same = run_cli(
        "check", "--baseline", str(baseline), "--target", target, "--junit", str(junit),
        env=gate_env, cwd=tmp_path,
    )  # fmt: skip
    assert same.returncode == 0, same.stdout + same.stderr
    assert same.stdout.rstrip().endswith("driftcheck: no drift at or above high")
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "0"

    venv.install("--no-deps", "urllib3==1.26.18")  # the drift: a major downgrade requests uses
    drifted = run_cli(
        "check", "--baseline", str(baseline), "--target", target, "--junit", str(junit),
        env=gate_env, cwd=tmp_path,
    )  # fmt: skip
    assert drifted.returncode == 1, drifted.stdout + drifted.stderr
    last = drifted.stdout.rstrip().splitlines()[-1]
    assert last == "driftcheck: 1 finding at or above high: failing"
    failures = ET.parse(junit).getroot().findall(".//testcase/failure")
    assert len(failures) == 1
    case = ET.parse(junit).getroot().find(".//testcase[failure]")
    assert case is not None and case.get("name") == "packages/urllib3"
    assert "urllib3 went back from 2.2.2 to 1.26.18" in (failures[0].get("message") or "")
    assert f"\nrun on {target}: pip install 'urllib3==2.2.2'" in (failures[0].text or "")


def test_threshold_default_is_high_and_fail_on_moves_it(gate_envs: GateEnvs, tmp_path):
    default = check(gate_envs, tmp_path)
    assert default.returncode == 1
    assert "driftcheck: 1 finding at or above high: failing" in default.stdout
    medium = check(gate_envs, tmp_path, "--fail-on", "medium")
    assert medium.returncode == 1
    assert "driftcheck: 2 findings at or above medium: failing" in medium.stdout
    critical = check(gate_envs, tmp_path, "--fail-on", "critical")
    assert critical.returncode == 0, critical.stdout
    assert critical.stdout.rstrip().endswith("driftcheck: no drift at or above critical")
    never = check(gate_envs, tmp_path, "--fail-on", "never")
    assert never.returncode == 0
    assert "fail_on is never: not failing" in never.stdout


def test_text_report_comes_before_the_verdict(gate_envs: GateEnvs, tmp_path):
    result = check(gate_envs, tmp_path)
    lines = result.stdout.rstrip().splitlines()
    assert lines[0].startswith("driftcheck check: ")
    assert "Likely causes" in lines
    assert lines[-1].startswith("driftcheck: ")
    assert result.stderr == ""


def test_no_drift_exits_0(gate_envs: GateEnvs, tmp_path):
    result = check(gate_envs, tmp_path, "--fail-on", "info", target=gate_envs.base_ref)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No drift." in result.stdout
    assert result.stdout.rstrip().endswith("driftcheck: no drift at or above info")


def test_a_snapshot_file_is_a_target_too(gate_envs: GateEnvs, tmp_path):
    current = tmp_path / "now.json"
    made = run_cli("snapshot", "--python", str(gate_envs.drifted.python), "-o", str(current),
                   env=gate_envs.env)  # fmt: skip
    assert made.returncode == 0, made.stderr
    result = check(gate_envs, tmp_path, target=str(current))
    assert result.returncode == 1
    assert "urllib3 went back from 2.2.2 to 1.26.18" in result.stdout


def test_label_names_the_target_in_reports(gate_envs: GateEnvs, tmp_path):
    report = tmp_path / "report.json"
    result = check(gate_envs, tmp_path, "--label", "ci-runner", "--json", str(report))
    assert result.returncode == 1
    assert result.stdout.startswith(f"driftcheck check: {gate_envs.baseline} -> ci-runner")
    document = json.loads(report.read_text())
    assert document["right"] == "ci-runner" and document["check"]["target"] == "ci-runner"
    bad = check(gate_envs, tmp_path, "--label", "no spaces/here")
    assert "label" in assert_one_line_error(bad, 2)


def test_update_baseline_replaces_the_file_atomically(gate_envs: GateEnvs, tmp_path):
    baseline = gate_envs.baseline_copy(tmp_path)
    os.chmod(baseline, 0o640)
    result = check(gate_envs, tmp_path, "--update-baseline", baseline=baseline)
    assert result.returncode == 0, result.stderr
    assert "Wrote baseline" in result.stdout
    assert [p.name for p in tmp_path.iterdir()] == ["baseline.json"]  # no temp file left
    assert baseline.stat().st_mode & 0o777 == 0o640  # the replaced file's mode is kept
    # The new baseline is the drifted venv: checking it against itself passes.
    again = check(gate_envs, tmp_path, "--fail-on", "low", baseline=baseline)
    assert again.returncode == 0, again.stdout


def test_update_baseline_that_fails_keeps_the_old_file(gate_envs: GateEnvs, tmp_path):
    baseline = gate_envs.baseline_copy(tmp_path)
    before = baseline.read_bytes()
    result = check(gate_envs, tmp_path, "--update-baseline", baseline=baseline,
                   target=f"python:{tmp_path / 'nowhere' / 'python'}")  # fmt: skip
    assert result.returncode != 0
    assert baseline.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["baseline.json"]


def test_update_baseline_refuses_report_options(gate_envs: GateEnvs, tmp_path):
    result = check(gate_envs, tmp_path, "--update-baseline", "--junit", str(tmp_path / "j.xml"),
                   baseline=tmp_path / "b.json")  # fmt: skip
    line = assert_one_line_error(result, 2)
    assert "--junit" in line
    assert not (tmp_path / "b.json").exists()


def test_missing_baseline_names_its_path_and_the_command_that_makes_it(
    gate_envs: GateEnvs, tmp_path
):
    missing = tmp_path / "snapshots" / "ci.json"
    line = assert_one_line_error(check(gate_envs, tmp_path, baseline=missing), 2)
    assert str(missing) in line
    assert f"driftcheck check --baseline {missing} --target {gate_envs.drifted_ref}" in line
    python = gate_envs.drifted_ref.removeprefix("python:")
    assert "--update-baseline" in line
    assert f"driftcheck snapshot --python {python} -o {missing}" in line  # the same target


def test_corrupt_baseline_exits_3(gate_envs: GateEnvs, tmp_path):
    baseline = gate_envs.baseline_copy(tmp_path)
    baseline.write_text(baseline.read_text()[:500])
    line = assert_one_line_error(check(gate_envs, tmp_path, baseline=baseline), 3)
    assert str(baseline) in line


def test_baseline_of_a_newer_schema_exits_6(gate_envs: GateEnvs, tmp_path):
    baseline = gate_envs.baseline_copy(tmp_path)
    document = json.loads(baseline.read_text())
    document["schema_version"] = "9.0"
    baseline.write_text(json.dumps(document))
    line = assert_one_line_error(check(gate_envs, tmp_path, baseline=baseline), 6)
    assert "upgrade driftcheck" in line


def test_check_makes_the_folders_its_reports_go_to(gate_envs: GateEnvs, tmp_path):
    """As --update-baseline does: a CI job's workspace is fresh (reports/junit.xml)."""
    for option in ("--junit", "--markdown", "--json", "--codequality"):
        out = tmp_path / "fresh" / option.strip("-") / "report"
        result = check(gate_envs, tmp_path, option, str(out))
        assert result.returncode in (0, 1), result.stderr
        assert out.is_file() and out.read_text()


def test_a_report_path_under_a_file_exits_2_before_probing(gate_envs: GateEnvs, tmp_path):
    (tmp_path / "a-file").write_text("")
    for option in ("--junit", "--markdown", "--json", "--codequality"):
        out = tmp_path / "a-file" / "report"
        line = assert_one_line_error(check(gate_envs, tmp_path, option, str(out)), 2)
        assert option in line and "a-file is not a folder" in line


def test_report_paths_must_differ_from_each_other_and_the_baseline(gate_envs: GateEnvs, tmp_path):
    same = tmp_path / "r.out"
    line = assert_one_line_error(
        check(gate_envs, tmp_path, "--junit", str(same), "--json", str(same)), 2
    )
    assert "--junit and --json" in line
    baseline = gate_envs.baseline_copy(tmp_path)
    before = baseline.read_bytes()
    result = check(gate_envs, tmp_path, "--markdown", str(baseline), baseline=baseline)
    assert "is the baseline" in assert_one_line_error(result, 2)
    assert baseline.read_bytes() == before


def test_a_target_that_fails_leaves_no_report(gate_envs: GateEnvs, tmp_path):
    junit = tmp_path / "junit.xml"
    result = check(gate_envs, tmp_path, "--junit", str(junit),
                   target=f"python:{tmp_path / 'nope' / 'python'}")  # fmt: skip
    assert result.returncode not in (0, 1)
    assert not junit.exists()


def test_help_documents_the_check_exit_codes():
    result = run_cli("check", "--help")
    assert result.returncode == 0
    flat = " ".join(result.stdout.split())
    assert "Exit codes: 0 no finding at or above the threshold" in flat
    assert "2 usage error (missing baseline, invalid policy" in flat
    assert "3 corrupt baseline" in flat and "6 baseline schema too new" in flat
    assert "else high" in flat


def test_reports_hold_the_same_findings(gate_envs: GateEnvs, tmp_path):
    files = {name: tmp_path / f"report.{name}" for name in ("xml", "md", "json", "cq")}
    result = check(
        gate_envs, tmp_path, "--junit", str(files["xml"]), "--markdown", str(files["md"]),
        "--json", str(files["json"]), "--codequality", str(files["cq"]),
    )  # fmt: skip
    assert result.returncode == 1
    document = json.loads(files["json"].read_text())
    assert document["format"] == "driftcheck-check-report"
    jsonschema.validate(document, check_report_schema())  # its own shipped schema
    assert document["check"]["fail_on"] == "high" and document["check"]["passed"] is False
    statuses = {f["subject"]: f["status"] for f in document["findings"]}
    assert statuses["urllib3"] == "failing" and statuses["idna"] == "passing"
    cases = ET.parse(files["xml"]).getroot().findall(".//testcase")
    assert len(cases) == len(document["findings"])
    issues = json.loads(files["cq"].read_text())
    assert {i["check_name"] for i in issues} >= {"driftcheck.packages"}
    assert len(issues) == len(document["findings"])
    urllib3 = next(i for i in issues if "urllib3" in i["description"])
    assert urllib3["severity"] == "critical"
    assert urllib3["location"] == {"path": str(gate_envs.baseline.name), "lines": {"begin": 1}}
    markdown = files["md"].read_text()
    assert markdown.startswith("**driftcheck check failed**")
    assert "urllib3" in markdown


def test_base_set_is_what_the_fixture_says(gate_envs: GateEnvs):
    names = {d["canonical_name"]: d["version"] for d in _distributions(gate_envs.baseline)}
    for requirement in (*BASE, BASE_CHARSET):
        name, version = requirement.split("==")
        assert names[name] == version


def _distributions(path: Path) -> list[dict[str, str]]:
    return json.loads(path.read_text())["distributions"]
