"""GitHub Actions output and secrets, through the real command with real environment variables."""

from __future__ import annotations

import re
from pathlib import Path

from gate_envs import GateEnvs

from canaries import CANARIES, assert_no_canary
from support import run_cli

HOSTILE_NAME = "::error::injected"  # no "=": a variable name cannot hold one


def check(envs: GateEnvs, cwd: Path, env: dict[str, str], *args: str):
    return run_cli(
        "check", "--baseline", str(envs.baseline), "--target", envs.drifted_ref, *args,
        env=env, cwd=cwd,
    )  # fmt: skip


def commands_outside_stop_blocks(stdout: str) -> list[str]:
    """The lines a runner obeys: those starting with `::`, outside stop-commands blocks."""
    obeyed, token = [], None
    for line in stdout.splitlines():
        stripped = line.strip()
        if token is not None:
            if stripped == f"::{token}::":
                token = None
            continue
        if stripped.startswith("::stop-commands::"):
            token = stripped.removeprefix("::stop-commands::")
            continue
        if stripped.startswith("::"):
            obeyed.append(stripped)
    assert token is None, "stop-commands never resumed"
    return obeyed


def test_annotations_and_step_summary(gate_envs: GateEnvs, tmp_path):
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    env = {**gate_envs.env, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    result = check(gate_envs, tmp_path, env)
    assert result.returncode == 1, result.stderr
    obeyed = commands_outside_stop_blocks(result.stdout)
    errors = [c for c in obeyed if c.startswith("::error ")]
    warnings = [c for c in obeyed if c.startswith("::warning ")]
    assert len(obeyed) == 2 and len(errors) == 1 and len(warnings) == 1, obeyed
    assert errors[0].startswith("::error title=driftcheck%3A [high] packages urllib3::")  # no file
    assert "urllib3 went back from 2.2.2 to 1.26.18" in errors[0]
    assert "%0Arun on " in errors[0] and ": pip install 'urllib3==2.2.2'" in errors[0]
    assert "idna" in warnings[0]  # medium, below the threshold: a warning
    assert "charset-normalizer" not in result.stdout.split("::warning")[-1]  # low: none
    assert result.stdout.rstrip().splitlines()[-1] == (
        "driftcheck: 1 finding at or above high: failing"
    )
    text = summary.read_text()
    assert text.startswith("earlier step\n**driftcheck check failed**")
    assert "urllib3" in text


def test_annotations_name_the_baseline_file_when_relative(gate_envs: GateEnvs, tmp_path):
    local = gate_envs.baseline_copy(tmp_path)
    env = {**gate_envs.env, "GITHUB_ACTIONS": "true"}
    result = run_cli(
        "check", "--baseline", local.name, "--target", gate_envs.drifted_ref,
        env=env, cwd=tmp_path,
    )  # fmt: skip
    errors = [c for c in commands_outside_stop_blocks(result.stdout) if c.startswith("::error")]
    assert ",file=baseline.json,line=1::" in errors[0]


def test_no_annotations_outside_github_actions(gate_envs: GateEnvs, tmp_path):
    summary = tmp_path / "summary.md"
    env = {**gate_envs.env, "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_ACTIONS": "false"}
    result = check(gate_envs, tmp_path, env)
    assert "::" not in result.stdout.replace("python::", "")
    assert not summary.exists()


def test_hostile_variable_name_cannot_issue_a_command(gate_envs: GateEnvs, tmp_path):
    env = {
        **gate_envs.env,
        "GITHUB_ACTIONS": "true",
        HOSTILE_NAME: "x",
        "APP_NOTE": "line1\n::warning::line2\r\x1b[2J",
    }
    result = check(gate_envs, tmp_path, env, "--fail-on", "low")
    assert result.returncode == 1
    assert HOSTILE_NAME in result.stdout  # printed as text, inside the stop-commands block
    obeyed = commands_outside_stop_blocks(result.stdout)
    assert all(re.match(r"::(error|warning) title=driftcheck%3A ", c) for c in obeyed), obeyed
    assert any("%3A%3Aerror%3A%3Ainjected" in c for c in obeyed)  # escaped in the title
    assert "\x1b" not in result.stdout and "\r" not in result.stdout


def test_undecodable_bytes_in_the_environment_reach_every_report(gate_envs: GateEnvs, tmp_path):
    """A value with non-UTF-8 bytes; a strict stdout would fail on a raw surrogate."""
    env = {**gate_envs.env, "LEGACY_NAME": "caf\udce9", "PYTHONIOENCODING": "utf-8:strict"}
    files = [tmp_path / name for name in ("r.xml", "r.md", "r.json", "r.cq")]
    result = check(gate_envs, tmp_path, env, "--fail-on", "low", "--junit", str(files[0]),
                   "--markdown", str(files[1]), "--json", str(files[2]),
                   "--codequality", str(files[3]))  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "LEGACY_NAME" in result.stdout and "caf\\udce9" in result.stdout
    for path in files:
        assert "LEGACY_NAME" in path.read_text("utf-8")


def test_canary_secrets_never_reach_a_report_or_the_log(gate_envs: GateEnvs, tmp_path):
    summary = tmp_path / "summary.md"
    env = {
        **gate_envs.env,
        **CANARIES,
        "GITHUB_ACTIONS": "true",
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    files = [tmp_path / name for name in ("r.xml", "r.md", "r.json", "r.cq")]
    result = check(gate_envs, tmp_path, env, "--fail-on", "info", "--junit", str(files[0]),
                   "--markdown", str(files[1]), "--json", str(files[2]),
                   "--codequality", str(files[3]))  # fmt: skip
    assert result.returncode == 1
    texts = [path.read_text() for path in [*files, summary]]
    assert all("AWS_ACCESS_KEY_ID" in text for text in texts[:3])  # the variables are reported
    assert_no_canary(result.stdout, result.stderr, *texts)
    baseline = tmp_path / "with-secrets.json"
    update = run_cli("check", "--baseline", str(baseline), "--target", gate_envs.drifted_ref,
                     "--update-baseline", env=env, cwd=tmp_path)  # fmt: skip
    assert update.returncode == 0
    assert_no_canary(update.stdout, update.stderr, baseline.read_text())
