"""Helpers shared by tests: running the real CLI, loading the shipped schema."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from driftcheck.api import take_snapshot
from driftcheck.snapshot.model import (
    SCHEMA_VERSION,
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
from driftcheck.targets.host import HostInterpreter

CACHE = Path(os.environ.get("DRIFTCHECK_TEST_CACHE", Path.home() / ".cache" / "driftcheck-tests"))


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
    name = f"schemas/snapshot-{SCHEMA_VERSION}.json"  # the schema this version writes
    text = resources.files("driftcheck.snapshot").joinpath(name)
    return json.loads(text.read_text("utf-8"))  # type: ignore[no-any-return]


@cache
def report_schema() -> dict[str, Any]:
    text = resources.files("driftcheck.render").joinpath("schemas/report-1.1.json")
    return json.loads(text.read_text("utf-8"))  # type: ignore[no-any-return]


@cache
def check_report_schema() -> dict[str, Any]:
    text = resources.files("driftcheck.render").joinpath("schemas/check-report-1.1.json")
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


def dists(doc: Mapping[str, Any], locations: set[str] | None = None) -> set[tuple[str, str, str]]:
    """(location, canonical name, version) of a snapshot document's distributions."""
    return {
        (d["location"], d["canonical_name"], d["version"])
        for d in doc["distributions"]
        if locations is None or d["location"] in locations
    }


IMAGE_FIELDS = (
    "image_id",
    "platform",
    "user",
    "labels",
    "created",
    "layers",
    "history_entries",
    "working_dir",
    "diff_ids",
)


def assert_static_agrees_with_live(static: Mapping[str, Any], live: Mapping[str, Any]) -> None:
    """One image read as files and probed live: the same OS packages, the same
    distributions (whole records) in every environment the live probe sees, the same
    OS, native libraries, .pth files and image config."""
    assert static["target"]["mode"] == "static" and live["target"]["mode"] == "live"
    assert static["python"] is None and live["python"] is not None
    assert static["os_packages"] == live["os_packages"] and len(static["os_packages"]) > 50
    live_locations = {d["location"] for d in live["distributions"]}
    assert dists(static, live_locations) == dists(live)  # every environment live sees, exactly
    by_key = {(d["location"], d["canonical_name"]): d for d in static["distributions"]}
    for d in live["distributions"]:  # the probe's own reader: whole records agree
        assert by_key[(d["location"], d["canonical_name"])] == d
    for field in ("os_release", "libc", "machine"):
        assert static["os"][field] == live["os"][field], field
    assert static["native_libraries"] == live["native_libraries"]
    assert static["pth_files"] == live["pth_files"]
    site, live_site = static["startup"]["site"], live["startup"]["site"]  # modelled, and read
    for field in ("system_site_packages", "user_site_enabled"):
        assert site[field] == live_site[field], field
    for field in IMAGE_FIELDS:
        assert static["container"][field] == live["container"][field], field


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


def _run(*args: str | Path, env: Mapping[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, env=None if env is None else {**env}
    )
    assert result.returncode == 0, (args, result.stdout[-2000:], result.stderr[-2000:])
    return result.stdout


def python311() -> Path:
    """The cached wheels are cp311: the venvs need a CPython 3.11."""
    if sys.version_info[:2] == (3, 11):
        return Path(sys.executable)
    found = shutil.which("python3.11")
    if found is None:
        pytest.skip("these scenarios need a CPython 3.11 (cp311 wheels)")
    return Path(found)


def wheelhouse(name: str, wanted: tuple[str, ...]) -> Path:
    """Downloads `wanted` once; a stamp file remembers what the folder already holds."""
    folder = CACHE / name
    stamp = folder / ".complete"
    digest = hashlib.sha256("\n".join(wanted).encode()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    base: list[str | Path] = [python311(), "-m", "pip", "download", "-q", "--no-deps"]
    base.append("--only-binary=:all:")
    for requirement in wanted:  # one at a time: two versions of one package cannot resolve
        _run(*base, "-d", folder, requirement)
    stamp.write_text(digest)
    return folder


class Venv:
    """A real virtual environment, filled from a wheelhouse with --no-index."""

    def __init__(self, root: Path, wheels: Path, *venv_options: str) -> None:
        self.root = root
        self.python = root / "bin" / "python"
        self.wheels = wheels
        _run(python311(), "-m", "venv", *venv_options, root)

    def pip(self, *args: str | Path) -> None:
        _run(self.python, "-m", "pip", "-q", *args)

    def install(self, *args: str | Path) -> None:
        self.pip("install", "--no-index", "--find-links", self.wheels, *args)

    def snapshot(self, env: Mapping[str, str], label: str) -> Snapshot:
        target = HostInterpreter(self.python, "--python", environ=dict(env))
        return take_snapshot(target, label=label)
