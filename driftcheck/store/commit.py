"""The commit a snapshot was taken at: CI's variable, else `git rev-parse HEAD`, else none."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping

COMMIT_VARIABLES = ("CI_COMMIT_SHA", "GITHUB_SHA")
_SHA = re.compile(r"[0-9a-fA-F]{7,64}")  # anything else (a hostile value) is not recorded
GIT_TIMEOUT_SECONDS = 5


def current_commit(
    environ: Mapping[str, str] | None = None, folder: str | None = None
) -> str | None:
    environ = os.environ if environ is None else environ
    for variable in COMMIT_VARIABLES:
        value = environ.get(variable, "").strip()
        if value:
            return value.lower() if _SHA.fullmatch(value) else None
    return _git_head(folder)


def _git_head(folder: str | None) -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--verify", "-q", "HEAD"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_SECONDS,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    value = done.stdout.strip()
    return value.lower() if done.returncode == 0 and _SHA.fullmatch(value) else None
