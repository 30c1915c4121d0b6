"""diff and check against a poetry.lock and a Pipfile.lock made by the real tools.

Each is checked against the in-project venv its tool installed from it (silent,
exit 0) and against one drifted from it (idna upgraded, certifi removed, tomli
added: each named, exit 1, the fix in the tool's syntax); markers are evaluated for
the environment on the other side; and the fix, run for real, makes the check pass.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from tool_locks import ToolEnvs, drift

from driftcheck.api import take_snapshot
from driftcheck.diff.engine import compare
from driftcheck.lockfiles.side import side_for_file
from driftcheck.targets.host import HostInterpreter

from support import CACHE, run_cli

TARGET = "python:.venv/bin/python"
# Each lock and the command that makes an environment match it (poetry 2 deprecates
# `poetry install --sync` for `poetry sync`; a lock-version 2.1 file is poetry 2's).
FIXES = {"poetry.lock": "poetry sync", "Pipfile.lock": "pipenv sync"}


@pytest.fixture(params=["poetry", "pipenv"])
def envs(request: pytest.FixtureRequest) -> ToolEnvs:
    return request.getfixturevalue(f"{request.param}_envs")  # type: ignore[no-any-return]


def _cli_env(envs: ToolEnvs) -> dict[str, str]:
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": envs.project.env["HOME"],
    }


def _by_subject(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{f['category']}:{f['subject']}": f for f in report["findings"]}


def test_the_environment_the_tool_installed_matches_its_lock(envs: ToolEnvs) -> None:
    result = run_cli(
        "check", "--baseline", envs.lock, "--target", TARGET, "--fail-on", "info",
        env=_cli_env(envs), cwd=envs.matching,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No drift." in result.stdout
    assert "1 finding" not in result.stdout
    if envs.lock == "poetry.lock":  # the project itself, installed though not locked
        assert (envs.matching / ".venv/lib/python3.11/site-packages/app.pth").exists()


def test_each_drift_is_named_with_the_tool_s_fix(envs: ToolEnvs) -> None:
    result = run_cli(
        "diff", envs.lock, TARGET, "--format", "json", "--fail-on", "low",
        env=_cli_env(envs), cwd=envs.drifted,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    report = json.loads(result.stdout)
    found = _by_subject(report)
    idna, certifi, tomli = (
        found["packages:idna"],
        found["packages:certifi"],
        found["packages:tomli"],
    )
    assert (idna["left"], idna["right"]) == ("3.6", "3.7")
    assert (certifi["left"], certifi["right"]) == ("2024.7.4", None)
    assert "locked in" in certifi["explanation"]
    assert (tomli["left"], tomli["right"]) == (None, "2.0.1")  # locked for < 3.11 only
    assert idna["severity"] in ("medium", "high") and certifi["severity"] in ("medium", "high")
    assert tomli["severity"] in ("info", "low")
    fix = FIXES[envs.lock]
    assert idna["fix"]["command"] == fix and certifi["fix"]["command"] == fix
    if envs.lock == "poetry.lock":  # `poetry sync` removes what the lock does not list
        assert tomli["fix"]["command"] == fix
    else:  # `pipenv sync` leaves it: the diff's own uninstall
        assert "pipenv" not in json.dumps(tomli["fix"])
    packages = {k for k in found if k.startswith("packages:")}
    assert packages == {"packages:idna", "packages:certifi", "packages:tomli"}, packages
    assert "colorama" not in json.dumps(report)  # Windows only: not for this side


def test_check_fails_on_the_drift_and_the_tool_s_fix_makes_it_pass(
    envs: ToolEnvs, tmp_path: Path
) -> None:
    folder = envs.project.copy(tmp_path / "project", envs.lock)
    envs.project.run(*envs.install, folder=folder)
    drift(folder / ".venv" / "bin" / "python", CACHE / "lockfile-wheels", envs.project.env)
    failed = run_cli(
        "check", "--baseline", envs.lock, "--target", TARGET, env=_cli_env(envs), cwd=folder
    )
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "idna" in failed.stdout and "certifi" in failed.stdout
    assert FIXES[envs.lock] in failed.stdout
    envs.project.run(*FIXES[envs.lock].split()[1:], folder=folder)
    passed = run_cli(
        "check", "--baseline", envs.lock, "--target", TARGET, env=_cli_env(envs), cwd=folder
    )
    assert passed.returncode == 0, passed.stdout + passed.stderr


def test_markers_are_evaluated_for_the_environment_on_the_other_side(envs: ToolEnvs) -> None:
    """The same lock and venv, told they run 3.10 on Windows: tomli and colorama
    apply there, and their absence is drift."""
    python = envs.matching / ".venv" / "bin" / "python"
    live = take_snapshot(HostInterpreter(python, "--python", environ=_cli_env(envs)))
    assert live.python is not None
    side = side_for_file(str(envs.matching / envs.lock))
    assert side is not None
    assert not compare(side, live).findings
    elsewhere = replace(
        live, python=replace(live.python, version="3.10.14"), os=replace(live.os, system="Windows")
    )
    missing = {f.subject for f in compare(side, elsewhere).findings if f.category == "packages"}
    assert missing == {"tomli", "colorama"}
