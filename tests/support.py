"""Helpers shared by tests: running the real CLI, loading the shipped schema."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from driftcheck.snapshot.model import (
    CpuInfo,
    Distribution,
    Generator,
    LibcInfo,
    OsInfo,
    OsPackage,
    Redacted,
    RedactionInfo,
    Snapshot,
    TargetInfo,
    Unknown,
)


def run_cli(
    *args: str,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """Runs the installed `driftcheck` command as a user would, in its own process.

    Not `python -m driftcheck`: that puts the working folder first on sys.path,
    which the console script (and so a user) never does.
    """
    full_env = dict(os.environ if env is None else env)
    return subprocess.run(
        [*cli_command(), *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def cli_command() -> list[str]:
    """The argv that starts the installed `driftcheck` command (see run_cli)."""
    script = Path(sys.executable).with_name("driftcheck")
    return [str(script)] if script.exists() else [sys.executable, "-m", "driftcheck"]


@cache
def snapshot_schema() -> dict[str, Any]:
    text = resources.files("driftcheck.snapshot").joinpath("schemas/snapshot-1.0.json")
    return json.loads(text.read_text("utf-8"))  # type: ignore[no-any-return]


def assert_valid_snapshot(document: Mapping[str, Any]) -> None:
    jsonschema.validate(dict(document), snapshot_schema())


def assert_one_line_error(result: subprocess.CompletedProcess[str], code: int) -> str:
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0].startswith("driftcheck: error: "), lines[0]
    return lines[0]


def small_snapshot() -> Snapshot:
    return Snapshot(
        generator=Generator("driftcheck", "0.1.0"),
        created_at="2026-11-28T00:00:00+00:00",
        label="unit",
        target=TargetInfo(kind="host", description="unit test", interpreter="/usr/bin/python3"),
        redaction=RedactionInfo("1", 1, False, False),
        os=OsInfo(
            system="Linux",
            kernel="6.1.0",
            machine="x86_64",
            os_release={"ID": "debian", "VERSION_ID": "12"},
            libc=LibcInfo("glibc", "2.36"),
            cpu=CpuInfo("Some CPU", ("avx2", "sse4_2"), 2, 2),
            memory_bytes=1024,
            hostname="box",
        ),
        distributions=(Distribution("six", "six", "1.16.0", "/site", "six-1.16.0.dist-info"),),
        environment={"HOME": "/root", "TOKEN": Redacted(rule="name:token")},
        os_packages=(OsPackage("dpkg", "libc6", "2.36-9", "amd64", "glibc"),),
        unknowns=(Unknown("os.cpu", "no /proc"),),
    )


def make_editable_project(root: Path) -> Path:
    """A tiny setuptools project, installed editable by the venv fixtures."""
    project = root / "myproject"
    (project / "src" / "myproject").mkdir(parents=True)
    (project / "src" / "myproject" / "__init__.py").write_text("VALUE = 1\n")
    (project / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            [build-system]
            requires = ["setuptools>=68"]
            build-backend = "setuptools.build_meta"

            [project]
            name = "myproject"
            version = "0.3.0"
            dependencies = ["six>=1.15", "idna"]
            """
        )
    )
    return project
