"""Local files driftcheck reads or appends to, replaced by a FIFO: never a wait.

A policy file, the Docker config that holds registry logins and the job summary a
GitHub runner names are opened by driftcheck on its own; a FIFO in their place (no
writer, or no reader) made a plain open() wait forever. Each case is a real FIFO
(os.mkfifo) and the real CLI or the real reader in a child process; the guard is
the subprocess timeout, not a measured time.
"""

from __future__ import annotations

import os
import subprocess
import sys

from hostile_support import Box

from driftcheck.snapshot import files as snapshot_files

from support import small_snapshot

GUARD_SECONDS = 120  # far beyond a normal run; reached only if an open blocks


def _snapshot(box: Box) -> str:
    path = box.work / "baseline.json"
    snapshot_files.save(small_snapshot(), path)
    return str(path)


def test_a_policy_that_is_a_fifo_is_refused_not_waited_on(box: Box) -> None:
    baseline = _snapshot(box)
    os.mkfifo(box.work / "driftcheck.toml")
    outcome = box.run(
        "check", "--baseline", baseline, "--target", baseline,
        "--policy", str(box.work / "driftcheck.toml"), timeout=GUARD_SECONDS,
    )  # fmt: skip
    assert outcome.returncode == 2, outcome.stderr
    line = outcome.error_line(2)
    assert "driftcheck.toml" in line and "not a regular file (a FIFO)" in line
    assert "pass a regular file" in line


def test_a_job_summary_that_is_a_fifo_with_no_reader_is_skipped_with_a_warning(
    box: Box,
) -> None:
    baseline = _snapshot(box)
    summary = box.work / "summary.fifo"
    os.mkfifo(summary)
    outcome = box.run(
        "check", "--baseline", baseline, "--target", baseline,
        env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)},
        timeout=GUARD_SECONDS,
    )  # fmt: skip
    assert outcome.returncode == 0, outcome.stderr
    assert "cannot append to $GITHUB_STEP_SUMMARY" in outcome.stderr
    assert "no job summary" in outcome.stderr and "Traceback" not in outcome.stderr


def test_a_docker_config_that_is_a_fifo_is_no_login_not_a_wait(box: Box) -> None:
    config = box.home / "docker"
    config.mkdir()
    os.mkfifo(config / "config.json")
    code = (
        "from driftcheck.registry.credentials import find_login\n"
        f"login = find_login('registry.example', {{'DOCKER_CONFIG': {str(config)!r}}})\n"
        "print(login.credentials is None, login.note)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True,
        timeout=GUARD_SECONDS, env=box.env(), cwd=box.work,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("True ")
    assert "is not read: not a regular file (a FIFO)" in result.stdout


def test_a_fifo_named_like_the_policy_in_the_folder_is_an_error_not_no_policy(
    box: Box,
) -> None:
    baseline = _snapshot(box)
    os.mkfifo(box.work / "driftcheck.toml")  # check reads the working folder's policy
    outcome = box.run("check", "--baseline", baseline, "--target", baseline, timeout=GUARD_SECONDS)
    line = outcome.error_line(2)
    assert "driftcheck.toml" in line and "not a regular file (a FIFO)" in line
