"""Bad input gets one line, the documented exit code, and loses nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support import assert_one_line_error, run_cli

OLD_PYTHONS = sorted(Path.home().glob(".pyenv/versions/3.[67].*/bin/python3"))


def test_missing_interpreter(tmp_path):
    result = run_cli("snapshot", "--python", str(tmp_path / "nope" / "python"), "-o", "-")
    line = assert_one_line_error(result, 5)
    assert "does not exist" in line


def test_non_python_executable(tmp_path):
    result = run_cli("snapshot", "--python", "/bin/true", "-o", "-")
    line = assert_one_line_error(result, 5)
    assert "no answer" in line


def test_not_executable_file(tmp_path):
    plain = tmp_path / "python"
    plain.write_text("not a program")
    result = run_cli("snapshot", "--python", str(plain), "-o", "-")
    assert_one_line_error(result, 5)


@pytest.mark.skipif(not OLD_PYTHONS, reason="no CPython older than 3.8 on this machine (pyenv)")
def test_interpreter_older_than_3_8():
    result = run_cli("snapshot", "--python", str(OLD_PYTHONS[0]), "-o", "-")
    line = assert_one_line_error(result, 5)
    assert "3.8 and later" in line and "Python 3." in line


def test_python_and_pid_together_is_a_usage_error():
    result = run_cli("snapshot", "--python", "/usr/bin/python3", "--pid", "1")
    assert_one_line_error(result, 2)


def test_unknown_pid_is_a_usage_error():
    result = run_cli("snapshot", "--pid", "999999999", "-o", "-")
    assert_one_line_error(result, 2)


def test_bad_label_is_a_usage_error():
    result = run_cli("snapshot", "--label", "../../etc/passwd")
    assert_one_line_error(result, 2)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"format": "driftcheck-snapshot", "schema_version": "1.0", "gen', "not valid JSON"),
        ("this is not json at all", "not valid JSON"),
        ('{"format": "driftcheck-snapshot", "schema_version": "1.0"}', "not a valid snapshot"),
        ("[1, 2, 3]", "not a driftcheck snapshot"),
        ('{"hello": "world"}', "not a driftcheck snapshot"),
        ('{"format": "driftcheck-snapshot", "schema_version": "one"}', "MODEL.REVISION"),
    ],
)
def test_show_rejects_bad_snapshots(tmp_path, content, expected):
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    line = assert_one_line_error(run_cli("show", str(bad)), 3)
    assert str(bad) in line and expected in line


def test_show_names_a_missing_file(tmp_path):
    line = assert_one_line_error(run_cli("show", str(tmp_path / "missing.json")), 3)
    assert "no such file" in line


def test_newer_schema_is_refused_with_upgrade_hint(tmp_path, host_snapshot_doc):
    doc = dict(host_snapshot_doc, schema_version="2.0")
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps(doc))
    line = assert_one_line_error(run_cli("show", str(newer)), 6)
    assert "upgrade driftcheck" in line


def test_newer_revision_is_read_with_a_warning(tmp_path, host_snapshot_doc):
    doc = dict(host_snapshot_doc, schema_version="1.9", added_in_1_9={"x": 1})
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps(doc))
    result = run_cli("show", str(newer))
    assert result.returncode == 0, result.stderr
    assert "warning" in result.stderr and "1.9" in result.stderr


def test_unwritable_output_keeps_previous_file(tmp_path, real_venv):
    # A path through a file cannot be written by anyone, root included (CI runs as root).
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("previous content")
    result = run_cli(
        "snapshot", "--python", str(real_venv.python), "-o", str(blocker / "snap.json")
    )
    assert_one_line_error(result, 2)
    assert blocker.read_text() == "previous content"


def test_failed_probe_leaves_an_existing_snapshot_untouched(tmp_path):
    existing = tmp_path / "snap.json"
    existing.write_text("previous snapshot")
    result = run_cli("snapshot", "--python", "/bin/true", "-o", str(existing))
    assert_one_line_error(result, 5)
    assert existing.read_text() == "previous snapshot"
    assert [p.name for p in tmp_path.iterdir()] == ["snap.json"]
