"""`driftcheck snapshot` against real virtual environments, through the real CLI."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

from canaries import CANARIES, assert_no_canary
from support import assert_valid_snapshot, run_cli


def _snapshot(tmp_path: Path, *args: str, env: dict[str, str]) -> tuple[dict[str, Any], str]:
    out = tmp_path / "snap.json"
    result = run_cli("snapshot", *args, "-o", str(out), env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert_no_canary(text, result.stdout, result.stderr)
    return json.loads(text), result.stdout


def test_snapshot_of_a_real_venv(tmp_path, real_venv, canary_env):
    doc, stdout = _snapshot(tmp_path, "--python", str(real_venv.python), env=canary_env)
    assert_valid_snapshot(doc)
    dists = {d["canonical_name"]: d for d in doc["distributions"]}
    assert dists["six"]["version"] == "1.16.0"
    assert dists["idna"]["version"] == "3.7"
    assert dists["attrs"]["wheel_tags"] == ["py3-none-any"]
    assert dists["six"]["installer"] == "pip"
    assert dists["six"]["requested"] is True
    project = dists["myproject"]
    assert project["editable"] is True
    assert project["direct_url"].startswith("file://")
    assert "six>=1.15" in project["requires_dist"]
    python = doc["python"]
    assert python["environment_kind"] == "venv"
    assert python["executable"].startswith(str(real_venv.root))
    assert python["sys_path"][0] != ""  # the probe's own stdin entry is not the program's
    noisy = [p for p in doc["pth_files"] if p["path"].endswith("zz_noisy.pth")]
    assert noisy and noisy[0]["code_lines"] == ["import sys; print('hello from a .pth file')"]
    assert "Wrote" in stdout and "distributions" in stdout


def test_secrets_are_redacted_but_named(tmp_path, real_venv, canary_env):
    doc, stdout = _snapshot(tmp_path, "--python", str(real_venv.python), env=canary_env)
    env = doc["environment"]
    for name in CANARIES:
        assert env[name]["redacted"] is True, name
        assert env[name]["fingerprint"] is None  # no key set: nothing derived from the value
    assert env["PIP_INDEX_URL"]["preview"] == "https://***@pypi.corp.example/simple"
    assert doc["redaction"]["redacted_count"] >= len(CANARIES)
    assert "redacted" in stdout


def test_fingerprints_tell_same_from_different(tmp_path, real_venv, canary_env):
    canary_env["DRIFTCHECK_FINGERPRINT_KEY"] = "team-shared-key"
    first, _ = _snapshot(tmp_path, "--python", str(real_venv.python), env=canary_env)
    canary_env["GITHUB_TOKEN"] = "ghp_" + "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8"
    second, _ = _snapshot(tmp_path, "--python", str(real_venv.python), env=canary_env)
    fp = lambda doc, name: doc["environment"][name]["fingerprint"]  # noqa: E731
    assert fp(first, "AWS_ACCESS_KEY_ID") == fp(second, "AWS_ACCESS_KEY_ID")
    assert fp(first, "GITHUB_TOKEN") != fp(second, "GITHUB_TOKEN")
    assert fp(first, "GITHUB_TOKEN").startswith("hmac-sha256:")
    assert "DRIFTCHECK_FINGERPRINT_KEY" not in first["environment"]
    assert "team-shared-key" not in json.dumps(first)


def test_driftchecks_own_variables_are_not_the_programs(tmp_path, real_venv, canary_env):
    # A CI job's DRIFTCHECK_* settings configure the tool: bumping one is not drift.
    canary_env["DRIFTCHECK_PYZ_VERSION"] = "0.1.0"
    canary_env["DRIFTCHECK_BASELINE"] = "snapshots/ci.json"
    first, _ = _snapshot(tmp_path, "--python", str(real_venv.python), env=canary_env)
    assert not [name for name in first["environment"] if name.startswith("DRIFTCHECK_")]
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps(first))
    canary_env["DRIFTCHECK_PYZ_VERSION"] = "0.2.0"
    result = run_cli(
        "check", "--baseline", str(baseline), "--target", f"python:{real_venv.python}",
        env=canary_env, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "DRIFTCHECK_" not in result.stdout


def test_virtual_env_variable_chooses_the_interpreter(tmp_path, real_venv, canary_env):
    canary_env["VIRTUAL_ENV"] = str(real_venv.root)
    doc, _stdout = _snapshot(tmp_path, env=canary_env)
    assert doc["target"]["interpreter"] == str(real_venv.root / "bin" / "python3")
    assert "$VIRTUAL_ENV" in doc["target"]["description"]
    assert any(d["canonical_name"] == "myproject" for d in doc["distributions"])


def test_default_output_goes_to_snapshots_folder(tmp_path, real_venv, canary_env):
    result = run_cli(
        "snapshot",
        "--python",
        str(real_venv.python),
        "--label",
        "laptop",
        env=canary_env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    written = tmp_path / "snapshots" / "laptop.json"
    assert_valid_snapshot(json.loads(written.read_text()))
    assert f"Wrote {Path('snapshots') / 'laptop.json'}" in result.stdout


def test_stdout_output_is_pure_json(tmp_path, real_venv, canary_env):
    result = run_cli("snapshot", "--python", str(real_venv.python), "-o", "-", env=canary_env)
    assert result.returncode == 0, result.stderr
    assert_valid_snapshot(json.loads(result.stdout))
    # The .pth banner the interpreter printed never reaches driftcheck's stdout.
    assert result.stdout.startswith("{") and "\nhello from a .pth file" not in result.stdout
    assert_no_canary(result.stdout, result.stderr)


def test_show_summarises_a_snapshot(tmp_path, real_venv, canary_env):
    _snapshot(tmp_path, "--python", str(real_venv.python), env=canary_env)
    result = run_cli("show", str(tmp_path / "snap.json"))
    assert result.returncode == 0, result.stderr
    assert "Python" in result.stdout and "venv" in result.stdout
    assert "Schema" in result.stdout


def test_anonymize_hides_user_home_and_host(tmp_path, real_venv, canary_env):
    canary_env["HOME"] = str(tmp_path)
    canary_env["USER"] = "alicecooper"
    doc, _ = _snapshot(tmp_path, "--python", str(real_venv.python), "--anonymize", env=canary_env)
    text = json.dumps(doc)
    assert str(tmp_path) not in text
    assert "alicecooper" not in text
    hostname = subprocess.check_output(["hostname"], text=True).strip()
    assert doc["os"]["hostname"] == "<host>"
    assert not re.search(rf"(?<![\w.-]){re.escape(hostname)}(?![\w.-])", text)
    assert doc["redaction"]["anonymized"] is True


def test_pid_captures_the_environment_a_process_really_has(tmp_path, real_venv, canary_env):
    env = dict(canary_env, APP_MODE="the-running-one")
    proc = subprocess.Popen([str(real_venv.python), "-c", "import time; time.sleep(120)"], env=env)
    try:
        doc, _ = _snapshot(tmp_path, "--pid", str(proc.pid), env=canary_env)
    finally:
        proc.kill()
        proc.wait()
    assert doc["target"]["kind"] == "process"
    assert doc["target"]["pid"] == proc.pid
    assert doc["environment"]["APP_MODE"] == "the-running-one"
    assert any(d["canonical_name"] == "myproject" for d in doc["distributions"])
    assert doc["startup"]["imports"]  # the process's interpreter: its imports resolved
    assert_valid_snapshot(doc)


def test_pid_of_a_process_that_is_not_python_has_no_start_up_facts(tmp_path, canary_env):
    """A `sleep` has no imports: the interpreter that probed its environment must not
    lend it its own start-up facts."""
    proc = subprocess.Popen(["sleep", "120"], env=canary_env)
    try:
        doc, _ = _snapshot(tmp_path, "--pid", str(proc.pid), env=canary_env)
    finally:
        proc.kill()
        proc.wait()
    assert doc["python"] is None and doc["distributions"] == []
    assert doc["startup"] is None
    assert_valid_snapshot(doc)


def test_snapshot_of_this_machine_validates(tmp_path):
    """The README's command as a user runs it: no options, python3 from PATH."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "CONDA_PREFIX")}
    result = run_cli("snapshot", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    doc = json.loads((tmp_path / "snapshots" / "host.json").read_text())
    assert_valid_snapshot(doc)
    assert doc["target"]["kind"] == "host" and "PATH" in doc["target"]["description"]
    assert doc["distributions"] and doc["python"]["version"].startswith("3.")
