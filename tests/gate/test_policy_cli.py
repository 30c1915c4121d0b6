"""Each policy feature through the real command: base and drifted venvs, a policy file."""

from __future__ import annotations

import json
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

from gate_envs import GateEnvs

from support import assert_one_line_error, run_cli

PAST, FUTURE = "2000-01-31", "2999-12-31"


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text))
    return path


def check(envs: GateEnvs, cwd: Path, *args: str, env: dict[str, str] | None = None):
    return run_cli(
        "check", "--baseline", str(envs.baseline), "--target", envs.drifted_ref, *args,
        env=env or envs.env, cwd=cwd,
    )  # fmt: skip


def statuses(report: Path) -> dict[str, tuple[str, str | None]]:
    document = json.loads(report.read_text())
    return {
        f["subject"]: (f["status"], f.get("reason"))
        for f in [*document["findings"], *document["set_aside"]]
    }


def test_policy_fail_on_and_the_option_that_beats_it(gate_envs: GateEnvs, tmp_path):
    write(tmp_path / "driftcheck.toml", 'fail_on = "medium"\n')
    by_policy = check(gate_envs, tmp_path)
    assert by_policy.returncode == 1
    assert "driftcheck: 2 findings at or above medium: failing" in by_policy.stdout
    write(tmp_path / "driftcheck.toml", 'fail_on = "critical"\n')
    assert check(gate_envs, tmp_path).returncode == 0
    by_option = check(gate_envs, tmp_path, "--fail-on", "high")
    assert by_option.returncode == 1
    assert "1 finding at or above high" in by_option.stdout


def test_ignored_findings_are_listed_with_their_reason(gate_envs: GateEnvs, tmp_path):
    write(
        tmp_path / "driftcheck.toml",
        f"""\
        [[ignore]]
        category = "packages"
        pattern = "urllib3"
        reason = "pinned by the vendor image until Q3"
        expires = {FUTURE}
        """,
    )
    junit, report, quality = tmp_path / "j.xml", tmp_path / "r.json", tmp_path / "cq.json"
    result = check(gate_envs, tmp_path, "--junit", str(junit), "--json", str(report),
                   "--codequality", str(quality))  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    assert "Set aside by the policy (1)" in result.stdout
    assert "urllib3: ignored: pinned by the vendor image until Q3" in result.stdout
    assert result.stdout.rstrip().endswith(
        "driftcheck: no drift at or above high (1 set aside by the policy)"
    )
    case = ET.parse(junit).getroot().find(".//testcase[@name='packages/urllib3']")
    assert case is not None
    skipped = case.find("skipped")
    assert skipped is not None and "pinned by the vendor image" in (skipped.get("message") or "")
    assert statuses(report)["urllib3"] == ("ignored", "pinned by the vendor image until Q3")
    assert not any("urllib3" in i["description"] for i in json.loads(quality.read_text()))


def test_an_expired_rule_warns_and_stops_ignoring(gate_envs: GateEnvs, tmp_path):
    write(
        tmp_path / "driftcheck.toml",
        f"""\
        [[ignore]]
        category = "packages"
        pattern = "idna"
        reason = "minor downgrade accepted"

        [[ignore]]
        category = "packages"
        pattern = "urllib3"
        reason = "pinned until the vendor upgrades"
        expires = "{PAST}"
        """,
    )
    result = check(gate_envs, tmp_path)
    assert result.returncode == 1, result.stdout
    warning = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(warning) == 1
    assert warning[0].startswith("driftcheck: warning: ")
    assert "ignore[2]" in warning[0] and PAST in warning[0] and "renew or remove" in warning[0]
    assert "1 finding at or above high: failing" in result.stdout
    assert "idna: ignored: minor downgrade accepted" in result.stdout


def test_allowed_version_steps(gate_envs: GateEnvs, tmp_path):
    write(
        tmp_path / "driftcheck.toml",
        """\
        allow = [
            { package = "Charset_Normalizer", change = "patch" },
            { package = "urllib3", change = ["patch", "minor"], reason = "vendor pins" },
            { package = "idn*", change = ["minor"] },
        ]
        """,
    )
    report = tmp_path / "r.json"
    result = check(gate_envs, tmp_path, "--fail-on", "low", "--json", str(report))
    assert result.returncode == 1  # urllib3 moved a major step: patch and minor do not cover it
    seen = statuses(report)
    assert seen["charset-normalizer"] == (
        "allowed",
        "the policy allows patch changes of charset-normalizer",
    )
    assert seen["idna"][0] == "allowed"
    assert seen["urllib3"] == ("failing", None)
    assert result.stdout.rstrip().endswith(
        "driftcheck: 1 finding at or above low: failing (2 set aside by the policy)"
    )


def test_severity_overrides(gate_envs: GateEnvs, tmp_path):
    write(
        tmp_path / "driftcheck.toml",
        """\
        [[severity]]
        category = "packages"
        severity = "info"

        [[severity]]
        category = "packages"
        pattern = "idna"
        severity = "critical"
        reason = "our parser breaks on idna downgrades"
        """,
    )
    report = tmp_path / "r.json"
    result = check(gate_envs, tmp_path, "--fail-on", "critical", "--json", str(report))
    assert result.returncode == 1
    assert "1 finding at or above critical: failing" in result.stdout
    document = json.loads(report.read_text())
    by_subject = {f["subject"]: f for f in document["findings"]}
    assert by_subject["idna"]["severity"] == "critical"
    assert by_subject["idna"]["engine_severity"] == "medium"
    assert by_subject["urllib3"]["severity"] == "info"  # the category-wide rule
    assert document["findings"][0]["subject"] == "idna"  # ranked by the new severity


def test_environment_globs_and_grouped_findings(gate_envs: GateEnvs, tmp_path):
    env = {
        **gate_envs.env,
        "APP_MODE": "debug",
        "HTTP_PROXY": "http://proxy.internal:3128",
        "HTTPS_PROXY": "http://proxy.internal:3128",
    }
    target = gate_envs.base_ref  # no package drift: only the environment differs
    common = ("check", "--baseline", str(gate_envs.baseline), "--target", target)
    report = tmp_path / "r.json"
    write(
        tmp_path / "driftcheck.toml",
        """\
        [[ignore]]
        category = "environment"
        pattern = "HTTPS_PROXY"
        reason = "only one of the two proxies: the group still counts"
        """,
    )
    partial = run_cli(*common, "--fail-on", "low", "--json", str(report), env=env, cwd=tmp_path)
    assert partial.returncode == 1
    seen = statuses(report)
    assert seen["proxies"][0] == "failing" and seen["APP_MODE"][0] == "failing"
    write(
        tmp_path / "driftcheck.toml",
        """\
        [[ignore]]
        category = "environment"
        pattern = "HTTP*_PROXY"
        reason = "the runners' proxies"

        [[ignore]]
        category = "environment"
        pattern = "APP_*"
        reason = "set by the job"
        """,
    )
    whole = run_cli(*common, "--fail-on", "low", "--json", str(report), env=env, cwd=tmp_path)
    assert whole.returncode == 0, whole.stdout
    seen = statuses(report)
    assert seen["proxies"] == ("ignored", "the runners' proxies")
    assert seen["APP_MODE"] == ("ignored", "set by the job")


def test_policy_in_pyproject_and_with_policy_option(gate_envs: GateEnvs, tmp_path):
    write(
        tmp_path / "pyproject.toml",
        """\
        [project]
        name = "app"

        [tool.driftcheck]
        fail_on = "medium"
        """,
    )
    assert "2 findings at or above medium" in check(gate_envs, tmp_path).stdout
    elsewhere = tmp_path / "policies"
    elsewhere.mkdir()
    write(elsewhere / "strict.toml", 'fail_on = "low"\n')
    chosen = check(gate_envs, tmp_path, "--policy", str(elsewhere / "strict.toml"))
    assert "3 findings at or above low" in chosen.stdout
    write(elsewhere / "pyproject.toml", '[tool.driftcheck]\nfail_on = "critical"\n')
    other = check(gate_envs, tmp_path, "--policy", str(elsewhere / "pyproject.toml"))
    assert other.returncode == 0


def test_a_pyproject_without_a_policy_is_no_policy(gate_envs: GateEnvs, tmp_path):
    write(tmp_path / "pyproject.toml", '[project]\nname = "app"\n')
    result = check(gate_envs, tmp_path, "--fail-on", "medium")
    assert "2 findings at or above medium" in result.stdout and result.stderr == ""
    line = assert_one_line_error(
        check(gate_envs, tmp_path, "--policy", str(tmp_path / "pyproject.toml")), 2
    )
    assert "has no [tool.driftcheck] table" in line


def test_two_policies_in_one_folder_are_an_error(gate_envs: GateEnvs, tmp_path):
    write(tmp_path / "driftcheck.toml", 'fail_on = "low"\n')
    write(tmp_path / "pyproject.toml", '[tool.driftcheck]\nfail_on = "critical"\n')
    line = assert_one_line_error(check(gate_envs, tmp_path), 2)
    assert "driftcheck.toml" in line and "pyproject.toml" in line and "--policy" in line


def test_invalid_policy_names_file_and_key(gate_envs: GateEnvs, tmp_path):
    write(
        tmp_path / "driftcheck.toml",
        """\
        [[ignore]]
        category = "packages"
        pattern = "idna"
        reason = "fine"

        [[ignore]]
        category = "environment"
        pattern = "LC_*"
        """,
    )
    line = assert_one_line_error(check(gate_envs, tmp_path), 2)
    assert line == "driftcheck: error: driftcheck.toml: ignore[2].reason is required"
    write(tmp_path / "driftcheck.toml", 'fail-on = "high"\n')
    line = assert_one_line_error(check(gate_envs, tmp_path), 2)
    assert "driftcheck.toml: fail-on is not a policy key; did you mean 'fail_on'?" in line
    write(tmp_path / "pyproject.toml", '[tool.driftcheck]\nfail_on = "hihg"\n')
    (tmp_path / "driftcheck.toml").unlink()
    line = assert_one_line_error(check(gate_envs, tmp_path), 2)
    assert "pyproject.toml: tool.driftcheck.fail_on is 'hihg'; use one of never, info" in line
    missing = assert_one_line_error(check(gate_envs, tmp_path, "--policy", "nope.toml"), 2)
    assert "policy file nope.toml does not exist" in missing


def test_a_policy_that_ignores_everything_says_so(gate_envs: GateEnvs, tmp_path):
    write(
        tmp_path / "driftcheck.toml",
        """\
        [[ignore]]
        category = "*"
        pattern = "*"
        reason = "just make CI green"
        """,
    )
    result = check(gate_envs, tmp_path, "--fail-on", "info")
    assert result.returncode == 0
    assert "ignores every category: no drift can fail" in result.stderr
    write(
        tmp_path / "driftcheck.toml",
        """\
        [[ignore]]
        category = "packages"
        pattern = "*"
        reason = "packages move all the time"

        [[ignore]]
        category = "python"
        reason = "paths differ per machine"
        """,
    )
    result = check(gate_envs, tmp_path, "--fail-on", "info")
    assert result.returncode == 0
    assert "set aside all 6 findings" in result.stderr
