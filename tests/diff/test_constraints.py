"""--emit-constraints: the file puts A's versions on B for real; one inert line per fact."""

from __future__ import annotations

import json
import shlex
import subprocess
from dataclasses import replace
from pathlib import Path

from diff_scenarios import DRIFT_A, DRIFT_B

from driftcheck.diff.constraints import constraints_text
from driftcheck.snapshot.model import Distribution

from support import assert_one_line_error, run_cli, small_snapshot


def _snapshot(python: Path, out: Path, env: dict[str, str]) -> None:
    result = run_cli("snapshot", "--python", str(python), "-o", str(out), env=env)
    assert result.returncode == 0, result.stderr


def _package_findings(a: Path, b: Path) -> list[dict]:
    result = run_cli("diff", str(a), str(b), "--format", "json", "--only", "packages")
    assert result.returncode == 0, result.stderr
    return [f for f in json.loads(result.stdout)["findings"] if f["severity"] != "info"]


def test_constraints_make_b_match_a_with_pip(tmp_path, make_venv, drift_wheels, clean_env):
    env = {**clean_env, "PATH": clean_env["PATH"]}
    a, b = make_venv(tmp_path / "a", drift_wheels), make_venv(tmp_path / "b", drift_wheels)
    a.install(*DRIFT_A)
    b.install(*DRIFT_B)
    _snapshot(a.python, tmp_path / "a.json", env)
    _snapshot(b.python, tmp_path / "b.json", env)
    before = {f["subject"] for f in _package_findings(tmp_path / "a.json", tmp_path / "b.json")}
    assert {"six", "idna", "attrs", "packaging"} <= before

    constraints = tmp_path / "constraints.txt"
    result = run_cli(
        "diff",
        str(tmp_path / "a.json"),
        str(tmp_path / "b.json"),
        "--emit-constraints",
        str(constraints),
    )
    assert result.returncode == 0, result.stderr
    assert f"wrote constraints to {constraints}" in result.stderr
    lines = constraints.read_text().splitlines()
    pins = [line for line in lines if not line.startswith("#")]
    assert pins == ["attrs==23.2.0", "idna==3.7", "six==1.16.0"]
    assert any(line.startswith("# Constraints that give ") for line in lines)
    assert lines[-1] == (
        f"# on {tmp_path / 'b.json'} only, a constraints file cannot remove it: "
        "packaging 24.1 (pip uninstall -y packaging)"
    )
    # The command the header gives, run as it says (from the local wheelhouse, no index).
    header = next(line for line in lines if "(the packages that differ)" in line)
    command = shlex.split(header.lstrip("# ").split("   (")[0])
    assert command[:4] == ["pip", "install", "-c", "constraints.txt"]
    local = ["--no-index", "--find-links", str(drift_wheels)]
    subprocess.run(
        [str(b.python), "-m", "pip", "-q", "install", *local, "-c", str(constraints), *command[4:]],
        check=True,
        capture_output=True,
    )

    _snapshot(b.python, tmp_path / "b-fixed.json", env)
    after = _package_findings(tmp_path / "a.json", tmp_path / "b-fixed.json")
    # Only what a constraints file cannot do is left: remove B's extra package.
    assert [(f["subject"], f["right"]) for f in after] == [("packaging", "24.1")]


def test_constraints_and_fixes_speak_uv_when_b_installs_with_uv(
    tmp_path, drift_wheels, clean_env, uv_binary, cpython311
):
    """Both venvs made and filled by uv (no pip in them); the fix and the file say uv."""
    uv_env = {**clean_env, "UV_CACHE_DIR": str(tmp_path / "uv-cache"), "UV_OFFLINE": "1"}
    local = ["--no-index", "--find-links", str(drift_wheels)]
    a, b = tmp_path / "a", tmp_path / "b"
    for venv, pins in ((a, DRIFT_A), (b, DRIFT_B)):
        for args in (
            ["venv", "-q", "--python", str(cpython311), str(venv)],
            ["pip", "install", "-q", "--python", str(venv / "bin" / "python"), *local, *pins],
        ):
            subprocess.run([str(uv_binary), *args], check=True, capture_output=True, env=uv_env)
    _snapshot(a / "bin" / "python", tmp_path / "a.json", clean_env)
    _snapshot(b / "bin" / "python", tmp_path / "b.json", clean_env)

    pins_file = tmp_path / "pins.txt"
    report = run_cli(
        "diff",
        str(tmp_path / "a.json"),
        str(tmp_path / "b.json"),
        "--format",
        "json",
        "--emit-constraints",
        str(pins_file),
    )
    assert report.returncode == 0, report.stderr
    six = next(f for f in json.loads(report.stdout)["findings"] if f["subject"] == "six")
    assert six["fix"] == {
        "command": "uv pip install 'six==1.16.0'",
        "advice": None,
        "on": "b",  # the side's label (its venv's name), not the file that holds it
    }
    lines = pins_file.read_text().splitlines()
    header = next(line for line in lines if "(the packages that differ)" in line)
    command = shlex.split(header.lstrip("# ").split("   (")[0])
    assert command == ["uv", "pip", "install", "-c", "pins.txt", "attrs", "idna", "six"]
    assert lines[-1].endswith("packaging 24.1 (uv pip uninstall packaging)")
    # As the header says: on B (its venv active), in the pins file's folder.
    subprocess.run(
        [str(uv_binary), *command[1:3], *local, *command[3:]],
        check=True,
        capture_output=True,
        env={**uv_env, "VIRTUAL_ENV": str(b)},
        cwd=tmp_path,
    )
    _snapshot(b / "bin" / "python", tmp_path / "b-fixed.json", clean_env)
    after = _package_findings(tmp_path / "a.json", tmp_path / "b-fixed.json")
    assert [(f["subject"], f["right"]) for f in after] == [("packaging", "24.1")]


def test_an_editable_or_vcs_install_is_a_comment_not_a_pin():
    a = small_snapshot()
    mine = Distribution(
        "mine",
        "mine",
        "0.3.0",
        "/site",
        "mine.dist-info",
        editable=True,
        direct_url="file:///home/dev/mine",
    )
    lib = Distribution(
        "lib",
        "lib",
        "1.0",
        "/site",
        "lib.dist-info",
        vcs="git",
        direct_url="https://example.org/lib.git",
        vcs_commit="a" * 40,
    )
    left = replace(a, distributions=(*a.distributions, mine, lib))
    text = constraints_text(left, a, "A", "B", "c.txt")
    assert "mine==" not in text and "lib==" not in text
    assert (
        "# not pinned: mine 0.3.0 is an editable install on A (file:///home/dev/mine): "
        "run pip install -e with that folder"
    ) in text.splitlines()
    assert (
        f"# not pinned: lib 1.0 comes from git on A: pip install "
        f"'lib @ git+https://example.org/lib.git@{'a' * 40}'"
    ) in text.splitlines()


def test_hostile_names_and_versions_stay_inert_comments():
    a = small_snapshot()
    evil = Distribution("evil\nsix==0.0.1", "evil", "1.0", "/site", "e.dist-info")
    odd = Distribution("odd", "odd", "1.0\n--index-url=https://evil.example", "/site", "o")
    left = replace(a, distributions=(*a.distributions, evil, odd))
    text = constraints_text(left, a, "A\nevil==1", "B", "c.txt")
    lines = text.splitlines()
    assert [line for line in lines if not line.startswith("#")] == []
    assert "# not pinned: evil\\nsix==0.0.1 1.0 has a name pip cannot read" in lines
    assert any(line.startswith("# not pinned: odd 1.0\\n--index-url") for line in lines)


def test_uv_on_b_gets_uv_commands():
    a = small_snapshot()
    six = replace(a.distributions[0], version="1.17.0", installer="uv")
    extra = Distribution("extra", "extra", "1.0", "/site", "x", installer="uv")
    right = replace(a, distributions=(six, extra))
    lines = constraints_text(a, right, "A", "B", "pins.txt").splitlines()
    assert "#   uv pip install -c pins.txt six   (the packages that differ)" in lines
    assert lines[-1].endswith("extra 1.0 (uv pip uninstall extra)")
    assert "six==1.16.0" in lines


def test_nothing_to_pin_says_so():
    a = small_snapshot()
    lines = constraints_text(a, a, "A", "B", "c.txt").splitlines()
    assert "# B already has A's version of every package it can pin." in lines
    assert [line for line in lines if not line.startswith("#")] == []


def test_an_unwritable_constraints_path_is_one_line(tmp_path):
    snap = tmp_path / "a.json"
    from driftcheck.snapshot import files as snapshot_files

    snapshot_files.save(small_snapshot(), snap)
    target = tmp_path / "missing" / "c.txt"
    result = run_cli("diff", str(snap), str(snap), "--emit-constraints", str(target))
    line = assert_one_line_error(result, 2)
    assert "does not exist" in line
    assert not target.exists()


def test_a_conda_package_on_b_gets_conda_advice_not_a_pin():
    a = small_snapshot()
    six = replace(a.distributions[0], version="1.17.0", installer="conda")
    lines = constraints_text(a, replace(a, distributions=(six,)), "A", "B", "c.txt").splitlines()
    assert "# not pinned: six 1.16.0 is conda's on B: conda install 'six=1.16.0'" in lines
    assert [line for line in lines if not line.startswith("#")] == []


def test_constraints_on_stdout_are_refused(tmp_path):
    from driftcheck.snapshot import files as snapshot_files

    snap = tmp_path / "a.json"
    snapshot_files.save(small_snapshot(), snap)
    result = run_cli("diff", str(snap), str(snap), "--emit-constraints", "-")
    line = assert_one_line_error(result, 2)
    assert "--emit-constraints needs a file name" in line
