"""Where check's reports land in CI: paths from the repository root, fingerprints that
tell baselines apart, `-` for standard output, and `--format` pointing at `--json`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from gate_envs import GateEnvs

from support import run_cli


def monorepo(envs: GateEnvs, root: Path, service: str) -> Path:
    """A repository (with .git) whose service folder holds a committed baseline."""
    (root / ".git").mkdir(exist_ok=True)
    folder = root / service
    (folder / "snapshots").mkdir(parents=True)
    shutil.copyfile(envs.baseline, folder / "snapshots" / "ci.json")
    return folder


def codequality(envs: GateEnvs, cwd: Path, env: dict[str, str]) -> list[dict[str, object]]:
    result = run_cli(
        "check", "--baseline", "snapshots/ci.json", "--target", envs.drifted_ref,
        "--codequality", "gl-code-quality.json", env=env, cwd=cwd,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    issues: list[dict[str, object]] = json.loads((cwd / "gl-code-quality.json").read_text())
    return issues


def test_paths_are_relative_to_the_repository_root_found_by_git(gate_envs: GateEnvs, tmp_path):
    api = monorepo(gate_envs, tmp_path, "services/api")
    issues = codequality(gate_envs, api, gate_envs.env)
    assert {i["location"]["path"] for i in issues} == {"services/api/snapshots/ci.json"}  # type: ignore[index]

    env = {**gate_envs.env, "GITHUB_ACTIONS": "true"}
    result = run_cli(
        "check", "--baseline", "snapshots/ci.json", "--target", gate_envs.drifted_ref,
        env=env, cwd=api,
    )  # fmt: skip
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error ")]
    assert errors and ",file=services/api/snapshots/ci.json,line=1::" in errors[0], errors


def test_ci_variables_name_the_root(gate_envs: GateEnvs, tmp_path):
    # No .git in the job's folder (a CI checkout may be a plain copy): the runner's variable.
    project = tmp_path / "builds" / "group" / "project"
    api = project / "services" / "api"
    (api / "snapshots").mkdir(parents=True)
    shutil.copyfile(gate_envs.baseline, api / "snapshots" / "ci.json")
    for variable in ("CI_PROJECT_DIR", "GITHUB_WORKSPACE"):
        issues = codequality(gate_envs, api, {**gate_envs.env, variable: str(project)})
        paths = {i["location"]["path"] for i in issues}  # type: ignore[index]
        assert paths == {"services/api/snapshots/ci.json"}, variable


def test_fingerprints_tell_two_baselines_apart(gate_envs: GateEnvs, tmp_path):
    api = monorepo(gate_envs, tmp_path, "services/api")
    worker = monorepo(gate_envs, tmp_path, "services/worker")
    first = {i["description"]: i["fingerprint"] for i in codequality(gate_envs, api, gate_envs.env)}
    again = {i["description"]: i["fingerprint"] for i in codequality(gate_envs, api, gate_envs.env)}
    other = {
        i["description"]: i["fingerprint"] for i in codequality(gate_envs, worker, gate_envs.env)
    }
    assert first == again  # stable from one pipeline to the next
    assert set(first) == set(other)  # the same drift...
    assert not set(first.values()) & set(other.values())  # ...but not the same issues


def test_dash_writes_a_report_to_standard_output_and_the_text_to_stderr(
    gate_envs: GateEnvs, tmp_path
):
    result = run_cli(
        "check", "--baseline", str(gate_envs.baseline), "--target", gate_envs.drifted_ref,
        "--json", "-", "--junit", "junit.xml", env=gate_envs.env, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)  # standard output holds the report alone
    assert document["check"]["passed"] is False
    assert "1 finding at or above high: failing" in result.stderr
    assert not (tmp_path / "-").exists()
    assert (tmp_path / "junit.xml").is_file()


def test_two_reports_on_standard_output_is_a_usage_error(gate_envs: GateEnvs, tmp_path):
    result = run_cli(
        "check", "--baseline", str(gate_envs.baseline), "--target", gate_envs.drifted_ref,
        "--markdown", "-", "--codequality", "-", env=gate_envs.env, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip() == (
        "driftcheck: error: --markdown and --codequality both ask for standard output (-): "
        "one stream at a time; write the others to files"
    )
    assert not (tmp_path / "-").exists()


def test_format_points_at_json(gate_envs: GateEnvs, tmp_path):
    result = run_cli(
        "check", "--baseline", str(gate_envs.baseline), "--format", "json",
        env=gate_envs.env, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2
    assert "--json FILE (--json - for standard output)" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_the_text_report_says_what_the_policy_set_aside(gate_envs: GateEnvs, tmp_path):
    (tmp_path / "driftcheck.toml").write_text(
        '[[ignore]]\ncategory = "*"\npattern = "*"\nreason = "accepted for the 2.x line"\n'
    )
    result = run_cli(
        "check", "--baseline", str(gate_envs.baseline), "--target", gate_envs.drifted_ref,
        "--markdown", "report.md", env=gate_envs.env, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "No drift." not in result.stdout
    assert "No drift left once the policy set aside" in result.stdout
    assert "(the worst high)" in result.stdout
    assert "[high] packages urllib3: ignored: accepted for the 2.x line" in result.stdout
    markdown = (tmp_path / "report.md").read_text()
    assert "**No drift.**" not in markdown
    assert "**No drift left once the policy set aside" in markdown


def test_in_ci_the_fix_is_the_image_or_its_requirements(gate_envs: GateEnvs, tmp_path):
    env = {**gate_envs.env, "CI": "true"}
    result = run_cli(
        "check", "--baseline", str(gate_envs.baseline), "--target", gate_envs.drifted_ref,
        "--junit", "junit.xml", env=env, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    ci_fix = (
        "in CI the job's image is the fix, not the job: pin urllib3==2.2.2 in the "
        "requirements the image installs and rebuild it"
    )
    assert ci_fix in result.stdout, result.stdout
    assert "pip install 'urllib3==2.2.2'" not in result.stdout
    assert ci_fix in (tmp_path / "junit.xml").read_text()
    # Outside CI the command for the drifted side stays (a person at a terminal).
    local = run_cli(
        "check", "--baseline", str(gate_envs.baseline), "--target", gate_envs.drifted_ref,
        env=gate_envs.env, cwd=tmp_path,
    )  # fmt: skip
    assert "pip install 'urllib3==2.2.2'" in local.stdout
    assert ci_fix not in local.stdout
