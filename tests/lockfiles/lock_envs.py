"""The lock scenarios' data (see conftest.py): the project, its wheels, its environments."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from support import python311

UV = "uv==0.13.9"
LOCK_WHEELS = (
    "requests==2.32.3",
    "certifi==2024.7.4",
    "charset-normalizer==3.3.2",
    "idna==3.6",
    "idna==3.7",
    "urllib3==2.2.2",
    "colorama==0.4.6",
    "tomli==2.0.1",
    "six==1.16.0",
)
# pip-tools and what it needs to run (pip-compile), for a Python 3.11 venv of its own.
PIP_TOOLS = "pip-tools==7.4.1"
PIP_TOOLS_WHEELS = (
    PIP_TOOLS,
    "click==8.1.7",
    "build==1.2.1",
    "pyproject_hooks==1.1.0",
    "wheel==0.43.0",
    "packaging==24.1",
    "setuptools==70.3.0",
)
REQUIREMENTS_IN = """\
requests==2.32.3
colorama==0.4.6; sys_platform == "win32"
tomli==2.0.1; python_version < "3.11"
"""
PYPROJECT = """\
[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = [
  "requests==2.32.3",
  "colorama==0.4.6; sys_platform == 'win32'",
  "tomli==2.0.1; python_version < '3.11'",
]

[dependency-groups]
dev = ["six==1.16.0"]

[tool.uv]
package = false
"""


@dataclass(frozen=True)
class LockedProject:
    folder: Path
    wheels: Path
    uv: Path
    env: Mapping[str, str]  # for uv: offline, its cache in the test folder, no config

    def uv_run(self, *args: str | Path, extra: Mapping[str, str] | None = None) -> str:
        result = subprocess.run(
            [str(self.uv), *map(str, args)],
            cwd=self.folder,
            env={**self.env, **(extra or {})},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, (args, result.stdout[-2000:], result.stderr[-2000:])
        return result.stdout

    def find_links(self) -> list[str]:
        return ["--no-index", "--find-links", str(self.wheels)]

    def synced_venv(self, root: Path) -> Path:
        """`uv sync --locked` into a venv of its own: what the lock installs."""
        self.uv_run(
            "sync",
            "--locked",
            *self.find_links(),
            "--python",
            python311(),
            extra={"UV_PROJECT_ENVIRONMENT": str(root)},
        )
        return root / "bin" / "python"


@dataclass(frozen=True)
class LockEnvs:
    project: LockedProject
    matching: Path  # python of a venv `uv sync --locked` made
    from_hashes: Path  # python of a venv pip installed from requirements-hashes.txt
    drifted: Path  # python of a synced venv, then idna 3.6, no certifi, tomli added
    cli_env: dict[str, str]
