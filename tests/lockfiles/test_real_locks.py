"""diff and check against lockfiles made by uv, with environments installed from them.

Each lock form is checked against a venv installed from the lock (silent, exit 0)
and against one drifted from it (each drift named, exit 1, the fix in the syntax of
the lock's installer); markers are evaluated for the environment on the other side,
so `colorama` (Windows only) is never called missing on Linux, and `tomli` (before
3.11 only) is an extra distribution on 3.11 but a missing one on a 3.10 side.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from lock_envs import LockedProject, LockEnvs

from driftcheck.api import take_snapshot
from driftcheck.diff.engine import compare
from driftcheck.lockfiles.side import side_for_file
from driftcheck.targets.host import HostInterpreter

from support import run_cli

# Each lock form, and the command that makes an environment match it.
FORMS = {
    "uv.lock": "uv sync --locked",
    "pylock.toml": "uv pip sync pylock.toml",
    "requirements.txt": "pip install -r requirements.txt",
    "requirements-hashes.txt": "pip install -r requirements-hashes.txt",
    "requirements-pip-compile.txt": "pip install -r requirements-pip-compile.txt",
}


def _diff(envs: LockEnvs, lock: str, python: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    result = run_cli(
        "diff", lock, f"python:{python}", "--format", "json", "--fail-on", "low", *extra,
        env=envs.cli_env, cwd=envs.project.folder,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def _by_subject(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{f['category']}:{f['subject']}": f for f in report["findings"]}


@pytest.mark.parametrize("lock", ["uv.lock", "pylock.toml", "requirements.txt"])
def test_an_environment_synced_from_the_lock_matches_it(lock_envs: LockEnvs, lock: str) -> None:
    result = run_cli(
        "check", "--baseline", lock, "--target", f"python:{lock_envs.matching}",
        "--fail-on", "info", env=lock_envs.cli_env, cwd=lock_envs.project.folder,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No drift." in result.stdout
    assert "os: a lockfile cannot know the operating system" in result.stdout


@pytest.mark.parametrize("lock", ["requirements-hashes.txt", "requirements-pip-compile.txt"])
def test_pip_install_from_hashed_requirements_matches_them(lock_envs: LockEnvs, lock: str) -> None:
    """Installed by pip from uv pip compile's output; pip-compile's says the same."""
    code, report = _diff(lock_envs, lock, lock_envs.from_hashes)
    assert code == 0, report["findings"]
    assert report["findings"] == []
    assert any("hashes" in line for line in report["not_comparable"])


@pytest.mark.parametrize("lock", sorted(FORMS))
def test_each_drift_is_named_with_the_lock_s_fix(lock_envs: LockEnvs, lock: str) -> None:
    code, report = _diff(lock_envs, lock, lock_envs.drifted)
    assert code == 1
    found = _by_subject(report)
    certifi, idna = found["packages:certifi"], found["packages:idna"]
    assert (certifi["left"], certifi["right"]) == ("2024.7.4", None)
    assert "locked in" in certifi["explanation"]
    assert (idna["left"], idna["right"]) == ("3.7", "3.6")
    tomli = found["packages:tomli"]  # locked for Python < 3.11 only: extra on 3.11
    assert (tomli["left"], tomli["right"]) == (None, "2.0.1")
    assert tomli["severity"] in ("info", "low")
    assert certifi["fix"]["command"] == FORMS[lock]
    assert idna["fix"]["command"] == FORMS[lock]
    assert "colorama" not in json.dumps(report)  # Windows only: not for this side
    if lock.startswith("requirements-"):  # the dev group is not in them: six is extra
        assert "packages:six" in found
    else:
        assert not any("six" in key for key in found)


def test_check_fails_on_drift_and_its_fix_makes_it_silent(
    lock_envs: LockEnvs, tmp_path: Path
) -> None:
    project: LockedProject = lock_envs.project
    python = project.synced_venv(tmp_path / "venv")
    links = project.find_links()
    project.uv_run("pip", "install", "--python", python, *links, "urllib3==2.2.2", "idna==3.6")
    target = f"python:{python}"
    failed = run_cli(
        "check", "--baseline", "uv.lock", "--target", target,
        env=lock_envs.cli_env, cwd=project.folder,
    )  # fmt: skip
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "idna" in failed.stdout and "uv sync --locked" in failed.stdout
    project.uv_run(
        "sync", "--locked", *links, extra={"UV_PROJECT_ENVIRONMENT": str(tmp_path / "venv")}
    )
    passed = run_cli(
        "check", "--baseline", "uv.lock", "--target", target, "--fail-on", "info",
        env=lock_envs.cli_env, cwd=project.folder,
    )  # fmt: skip
    assert passed.returncode == 0, passed.stdout + passed.stderr


def test_markers_are_evaluated_for_the_environment_on_the_other_side(
    lock_envs: LockEnvs,
) -> None:
    """The same lock and environment, told it runs 3.10 on Windows: then tomli and
    colorama apply there, and their absence is drift."""
    live = take_snapshot(HostInterpreter(lock_envs.matching, "--python", environ=lock_envs.cli_env))
    assert live.python is not None
    for lock in ("uv.lock", "pylock.toml", "requirements.txt"):
        side = side_for_file(str(lock_envs.project.folder / lock))
        assert side is not None
        assert not compare(side, live).findings, lock
        elsewhere = replace(
            live,
            python=replace(live.python, version="3.10.14"),
            os=replace(live.os, system="Windows"),
        )
        missing = {f.subject for f in compare(side, elsewhere).findings if f.category == "packages"}
        assert missing == {"tomli", "colorama"}, lock


def test_show_and_report_take_a_lock(lock_envs: LockEnvs, tmp_path: Path) -> None:
    folder = lock_envs.project.folder
    shown = run_cli("show", "uv.lock", env=lock_envs.cli_env, cwd=folder)
    assert shown.returncode == 0, shown.stderr
    assert "markers not evaluated" in shown.stdout
    copy = tmp_path / "locks" / "uv.lock"
    copy.parent.mkdir()
    shutil.copyfile(folder / "uv.lock", copy)
    report = tmp_path / "report.md"
    made = run_cli(
        "report", str(copy), f"python:{lock_envs.drifted}", "-o", str(report),
        env=lock_envs.cli_env,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    text = report.read_text()
    assert "certifi" in text and "uv sync --locked --project" in text
    back = run_cli(
        "diff", f"{report}#1", f"{report}#2", "--format", "json",
        env=lock_envs.cli_env,
    )  # fmt: skip
    subjects = {f["subject"] for f in json.loads(back.stdout)["findings"]}
    assert {"certifi", "idna", "tomli"} <= subjects
    assert "colorama" not in subjects


def test_a_wheel_installed_from_a_path_is_source_drift(lock_envs: LockEnvs, tmp_path: Path) -> None:
    """The locked version, but from a file instead of the lock's index: direct_url.json says so."""
    project = lock_envs.project
    python = project.synced_venv(tmp_path / "venv")
    wheel = next(project.wheels.glob("certifi-2024.7.4-*.whl"))
    project.uv_run("pip", "install", "--python", python, "--reinstall", "--no-deps", wheel)
    code, report = _diff(lock_envs, "uv.lock", python)
    assert code == 1
    certifi = _by_subject(report)["packages:certifi"]
    assert certifi["severity"] in ("medium", "high"), certifi
    assert "file:" in json.dumps(certifi)
    assert certifi["fix"]["command"] == "uv sync --locked"
    assert [f["subject"] for f in report["findings"] if f["category"] == "packages"] == ["certifi"]
