"""Hostile lockfiles: huge, deep, a FIFO, bad TOML/JSON/YAML, alias bombs, cycles.

Each runs the real CLI (`diff LOCK SNAPSHOT`, the snapshot a small file so that
nothing is probed) and must end at once with one line and exit 3, never a hang, a
traceback or a memory blow-up. The subprocess timeout is the guard against a read
that blocks, not a measured time.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from driftcheck.lockfiles.read import MAX_LOCK_BYTES
from driftcheck.snapshot import files as snapshot_files

from support import assert_one_line_error, run_cli, small_snapshot

GUARD_SECONDS = 120  # far beyond a normal run; reached only if a read blocks


def _diff(folder: Path, lock: str) -> subprocess.CompletedProcess[str]:
    snapshot = folder / "env.json"
    snapshot_files.save(small_snapshot(), snapshot)
    return run_cli("diff", lock, str(snapshot), cwd=folder, timeout=GUARD_SECONDS)


def test_a_huge_lockfile_is_refused_unread(tmp_path: Path) -> None:
    lock = tmp_path / "uv.lock"
    with open(lock, "wb") as handle:  # sparse: 1 GiB that costs nothing on disk
        handle.truncate(1024**3)
    line = assert_one_line_error(_diff(tmp_path, "uv.lock"), 3)
    assert f"larger than {MAX_LOCK_BYTES:,} bytes" in line


def test_a_fifo_named_like_a_lockfile_is_not_opened(tmp_path: Path) -> None:
    for name in ("uv.lock", "requirements.txt", "locked-deps"):
        os.mkfifo(tmp_path / name)
        result = _diff(tmp_path, name)
        line = assert_one_line_error(result, 3)
        assert "FIFO" in line or "not a regular file" in line, line


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("uv.lock", "version = 1\n[[package]\nname = 'a'\n", "not valid TOML"),
        ("pylock.toml", "a = " + "[" * 5000 + "]" * 5000 + "\n", "nested deeper than 64"),
        ("poetry.lock", "".join(f"[{'t.' * 300}x]\n"), "nested deeper than 64"),
        ("uv.lock", "version = 7\n", "newer than the version 1"),
        ("pylock.toml", 'lock-version = "2.0"\n', "newer than PEP 751"),
        ("Pipfile.lock", '{"_meta": {}, "default": {"a": {"version": NaN}}}', "NaN"),
        ("Pipfile.lock", '{"_meta": {}, "_meta": {}}', "appears twice"),
        ("Pipfile.lock", '{"_meta": {}, "default": []}', "default is not a table"),
        ("uv.lock", "version = 1\npackage = 3\n", "package is not a list of tables"),
        ("requirements.txt", "requests==2.32.3\nthis is not one\n", "line 2: not a requirement"),
        ("requirements.txt", b"certifi==2024.7.4 \xff\xfe\n", "not UTF-8 text"),
    ],
)
def test_a_malformed_lockfile_is_one_line_and_exit_3(
    tmp_path: Path, name: str, text: str | bytes, message: str
) -> None:
    (tmp_path / name).write_bytes(text if isinstance(text, bytes) else text.encode())
    line = assert_one_line_error(_diff(tmp_path, name), 3)
    assert message in line, line


def test_a_yaml_alias_bomb_and_deep_yaml_are_refused(tmp_path: Path) -> None:
    layers = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    layers += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 12)]
    bomb = "\n".join(layers) + "\ndependencies: [*a11]\n"
    (tmp_path / "environment.yml").write_text(bomb)
    line = assert_one_line_error(_diff(tmp_path, "environment.yml"), 3)
    assert "YAML alias" in line
    (tmp_path / "environment.yml").write_text("dependencies: " + "[" * 3000 + "]" * 3000 + "\n")
    line = assert_one_line_error(_diff(tmp_path, "environment.yml"), 3)
    assert "nested deeper than" in line


def test_a_dependency_cycle_in_uv_lock_ends(tmp_path: Path) -> None:
    """a → b → a, and a member reaching both: the walk visits each once."""
    (tmp_path / "uv.lock").write_text(
        "version = 1\nrequires-python = '>=3.8'\n\n"
        "[[package]]\nname = 'app'\nversion = '0.1'\nsource = { virtual = '.' }\n"
        "dependencies = [{ name = 'a' }]\n\n"
        "[[package]]\nname = 'a'\nversion = '1'\nsource = { registry = 'https://pypi.org' }\n"
        "dependencies = [{ name = 'b', extra = ['x'] }]\n\n"
        "[[package]]\nname = 'b'\nversion = '1'\nsource = { registry = 'https://pypi.org' }\n"
        "dependencies = [{ name = 'a' }]\n"
        "[package.optional-dependencies]\nx = [{ name = 'a' }, { name = 'b', extra = ['x'] }]\n"
    )
    result = run_cli("show", "uv.lock", cwd=tmp_path, timeout=GUARD_SECONDS)
    assert result.returncode == 0, result.stderr
    assert "2 distributions" in result.stdout


def test_a_hostile_pyproject_beside_a_poetry_lock_is_left_alone(tmp_path: Path) -> None:
    """poetry.lock's reader reads the pyproject.toml beside it (optional groups, the
    project itself): a FIFO, a sparse 1 GiB file, deep or broken TOML, wrong types
    there leave the lock read as if it had none, never a wait or a traceback."""
    fixture = Path(__file__).parent.parent / "lockfiles" / "fixtures" / "poetry.lock"
    (tmp_path / "poetry.lock").write_bytes(fixture.read_bytes())
    pyproject = tmp_path / "pyproject.toml"

    def shown() -> str:
        result = run_cli("show", "poetry.lock", cwd=tmp_path, timeout=GUARD_SECONDS)
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
        return result.stdout

    pyproject.write_text("[tool.poetry.group.dev]\noptional = true\n")
    assert "3 distributions" in shown()  # read: the dev group's pytest left out
    pyproject.unlink()
    os.mkfifo(pyproject)
    assert "4 distributions" in shown()
    pyproject.unlink()
    with open(pyproject, "wb") as handle:
        handle.truncate(1024**3)
    assert "4 distributions" in shown()
    for text in (
        "a = " + "[" * 5000 + "]" * 5000 + "\n",
        "[tool.poetry\n",
        b"name = '\xff'\n",
        "tool = 3\n",
        "[tool.poetry]\ngroup = 'dev'\n[project]\nname = 7\nversion = []\n",
        "[tool.poetry.group]\ndev = 3\n",
    ):
        pyproject.unlink()
        pyproject.write_bytes(text if isinstance(text, bytes) else text.encode())
        assert "4 distributions" in shown(), text
