"""Where the probe runs and what it reads can be hostile; nothing may leak or break."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from canaries import CANARIES, assert_no_canary
from support import assert_one_line_error, run_cli

GHP = CANARIES["GITHUB_TOKEN"]


def test_modules_in_the_working_folder_do_not_replace_the_standard_library(tmp_path, real_venv):
    (tmp_path / "platform.py").write_text("raise SystemExit('shadow platform.py executed')\n")
    (tmp_path / "json.py").write_text("raise SystemExit('shadow json.py executed')\n")
    result = run_cli("snapshot", "--python", str(real_venv.python), "-o", "-", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["python"]["version"]


def test_relative_python_path_is_the_one_named(tmp_path, real_venv):
    result = run_cli("snapshot", "--python", "env/bin/python", "-o", "-", cwd=real_venv.root.parent)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["python"]["prefix"] == str(real_venv.root)


def test_a_secret_in_the_interpreter_path_is_not_written(tmp_path, real_venv):
    folder = tmp_path / GHP
    folder.mkdir()
    (folder / "python").symlink_to(real_venv.python)
    result = run_cli("snapshot", "--python", str(folder / "python"), "-o", str(tmp_path / "s.json"))
    assert result.returncode == 0, result.stderr
    assert_no_canary((tmp_path / "s.json").read_text(), result.stdout, result.stderr)


def test_debug_traceback_carries_no_secret(tmp_path):
    liar = tmp_path / "python"
    liar.write_text(f"#!/bin/sh\necho 'Traceback: GITHUB_TOKEN={GHP} \\033[2J' >&2\nexit 1\n")
    liar.chmod(0o755)
    for extra in ((), ("--debug",)):
        result = run_cli("snapshot", "--python", str(liar), "-o", "-", *extra)
        assert result.returncode == 5
        assert_no_canary(result.stdout, result.stderr)
        assert "\x1b" not in result.stderr


def test_show_redacts_a_hand_edited_snapshot(tmp_path, host_snapshot_doc):
    doc = dict(host_snapshot_doc)
    doc["environment"] = {"LEAKED": GHP, "URL": CANARIES["PIP_INDEX_URL"]}
    doc["unknowns"] = [{"field": "x\x1b]52;c;aGk=\x07", "reason": f"token {GHP}"}]
    doc["redaction"] = dict(doc["redaction"], rules_version="1\x1b[2J")
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(doc))
    result = run_cli("show", str(path))
    assert result.returncode == 0, result.stderr
    assert_no_canary(result.stdout, result.stderr)
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout


def test_missing_output_folder_is_not_created(tmp_path, real_venv):
    target = tmp_path / "no" / "such" / "folder" / "s.json"
    line = assert_one_line_error(
        run_cli("snapshot", "--python", str(real_venv.python), "-o", str(target)), 2
    )
    assert "does not exist" in line
    assert not (tmp_path / "no").exists()


def test_existing_file_mode_is_kept(tmp_path, real_venv):
    path = tmp_path / "s.json"
    path.write_text("{}")
    path.chmod(0o600)
    result = run_cli("snapshot", "--python", str(real_venv.python), "-o", str(path))
    assert result.returncode == 0, result.stderr
    assert path.stat().st_mode & 0o777 == 0o600


def test_nonsense_numbers_are_usage_errors():
    assert_one_line_error(run_cli("snapshot", "--pid", "-5"), 2)
    assert_one_line_error(run_cli("snapshot", "--container", "x", "--timeout", "nan"), 2)
    assert_one_line_error(run_cli("show", "pid:0"), 2)


def test_show_refuses_a_fifo(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    assert_one_line_error(run_cli("show", str(fifo), timeout=30), 3)


def test_non_python_process_is_described_honestly(tmp_path):
    import subprocess

    proc = subprocess.Popen(["sleep", "60"])
    try:
        result = run_cli("snapshot", "--pid", str(proc.pid), "-o", str(tmp_path / "s.json"))
    finally:
        proc.kill()
        proc.wait()
    assert result.returncode == 0, result.stderr
    doc = json.loads((tmp_path / "s.json").read_text())
    assert doc["python"] is None and doc["target"]["interpreter"] is None
    assert "not Python" in doc["target"]["description"]
    assert any(u["field"] == "python" for u in doc["unknowns"])


def test_interpreter_path_is_reported_without_resolving_links(real_venv):
    assert Path(sys.executable)  # the venv's python is a link; the snapshot keeps the link
    result = run_cli("snapshot", "--python", str(real_venv.python), "-o", "-")
    assert json.loads(result.stdout)["target"]["interpreter"] == str(real_venv.python)
