"""N-way diffs of snapshot files: a real captured snapshot (tests/diff/golden), with
SYNTHETIC version edits on some sides (named in each test), through the CLI."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from driftcheck.report.readback import load_snapshot_file
from driftcheck.snapshot import files as snapshot_files
from driftcheck.snapshot.model import Snapshot

from support import run_cli

GOLDEN = Path(__file__).parents[1] / "diff" / "golden"
SCHEMA = Path(__file__).parents[2] / "driftcheck" / "render" / "schemas" / "fleet-report-1.0.json"


def with_version(snapshot: Snapshot, name: str, version: str) -> Snapshot:
    dists = tuple(
        replace(d, version=version) if d.canonical_name == name else d
        for d in snapshot.distributions
    )
    return replace(snapshot, distributions=dists)


@pytest.fixture()
def runners(tmp_path: Path) -> list[str]:
    """20 runners; runner-7 has idna 3.7, runner-3 and runner-9 six 1.16.0 (SYNTHETIC)."""
    base = load_snapshot_file(str(GOLDEN / "releases-bookworm.snapshot.json"))
    paths = []
    for i in range(1, 21):
        side = base
        if i == 7:
            side = with_version(base, "idna", "3.7")
        if i in (3, 9):
            side = with_version(base, "six", "1.16.0")
        path = tmp_path / f"runner-{i}.json"
        snapshot_files.save(replace(side, label=f"runner-{i}"), path)
        paths.append(str(path))
    return paths


def test_twenty_sides_name_each_outlier_against_the_majority(runners: list[str]) -> None:
    result = run_cli("diff", *runners, "--format", "json", "--fail-on", "medium")
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    jsonschema.validate(document, json.loads(SCHEMA.read_text()))
    rows = {(r["category"], r["subject"]): r for r in document["rows"]}
    assert set(rows) == {("packages", "idna"), ("packages", "six")}
    idna = rows["packages", "idna"]
    assert idna["reference"] == "3.10" and idna["severity"] == "medium"
    assert idna["outliers"] == [runners[6]]
    assert idna["summary"].startswith(f"only {runners[6]} has idna 3.7;")
    six = rows["packages", "six"]
    assert six["outliers"] == [runners[2], runners[8]] and six["values"][2] == "1.16.0"


def test_an_outlier_first_side_is_not_taken_as_the_reference(runners: list[str]) -> None:
    order = [runners[6], *runners[:6], *runners[7:]]  # runner-7 (idna 3.7) first
    document = json.loads(run_cli("diff", *order, "--format", "json").stdout)
    assert document["reference_side"] != runners[6]
    idna = next(r for r in document["rows"] if r["subject"] == "idna")
    assert idna["outliers"] == [runners[6]] and idna["reference"] == "3.10"


def test_the_text_matrix_fits_a_screen_for_twenty_sides(runners: list[str]) -> None:
    folder = Path(runners[0]).parent
    runners = [Path(r).name for r in runners]
    result = run_cli("diff", *runners, cwd=folder)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 120 and len(lines) <= 40
    assert any(line.startswith("medium   packages:idna") for line in lines)
    assert any(f"only {runners[6]} has idna 3.7" in line for line in lines)


def test_a_side_that_cannot_be_read_is_named_and_the_rest_are_compared(
    runners: list[str], tmp_path: Path
) -> None:
    missing = str(tmp_path / "runner-gone.json")
    result = run_cli("diff", runners[0], missing, runners[6], runners[8], "--format", "json")
    assert result.returncode == 3  # the missing file's code: invalid input
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 1 and "runner-gone.json" in errors[0] and "Traceback" not in errors[0]
    document = json.loads(result.stdout)
    assert document["failed"][0]["side"] == missing and document["failed"][0]["exit_code"] == 3
    assert missing not in document["sides"] and len(document["sides"]) == 3


def test_two_sides_are_the_two_way_report_as_before(runners: list[str]) -> None:
    result = run_cli("diff", runners[0], runners[6], "--format", "json")
    assert json.loads(result.stdout)["format"] == "driftcheck-report"


def test_options_that_need_two_sides_are_usage_errors(runners: list[str]) -> None:
    for extra in (["--emit-constraints", "c.txt"], ["--format", "markdown"], ["--jobs", "0"]):
        result = run_cli("diff", *runners[:3], *extra)
        assert result.returncode == 2, (extra, result.stderr)
        assert "Traceback" not in result.stderr and sys.executable not in result.stderr


def test_progress_is_drawn_on_a_terminal_only(runners: list[str]) -> None:
    import os
    import pty
    import subprocess

    from support import cli_command

    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [*cli_command(), "diff", *runners[:3]],
            stdout=subprocess.PIPE,
            stderr=follower,
            stdin=subprocess.DEVNULL,
            timeout=300,
        )
        os.close(follower)
        drawn = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the terminal's other end is closed and drained
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(leader)
    assert done.returncode == 0
    assert b"reading 3/3 sides" in drawn and b"reading" not in done.stdout
    piped = run_cli("diff", *runners[:3])
    assert piped.stderr == ""
