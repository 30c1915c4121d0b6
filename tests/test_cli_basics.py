"""The CLI's surface: version, help with exit codes, usage errors."""

from __future__ import annotations

import sys

from driftcheck import __version__

from support import assert_one_line_error, run_cli


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"driftcheck {__version__}"


def test_help_documents_exit_codes():
    for args in (("--help",), ("snapshot", "--help"), ("show", "--help")):
        result = run_cli(*args)
        assert result.returncode == 0, result.stderr
        flat = " ".join(result.stdout.split())
        assert "Exit codes: 0" in flat and "6 snapshot schema too new" in flat
        assert "70 internal error" in flat


def test_only_diff_and_check_speak_of_drift_in_their_exit_codes():
    """snapshot, show and report never exit 1: their footer does not promise "drift found"."""
    for command in ("snapshot", "show", "report"):
        flat = " ".join(run_cli(command, "--help").stdout.split())
        assert "Exit codes: 0 success; 2 usage error" in flat, command
        assert "drift" not in flat.split("Exit codes:")[1], command
    diff_help = " ".join(run_cli("diff", "--help").stdout.split())
    assert "1 drift at or above it" in diff_help
    assert "--debug" in " ".join(run_cli("--help").stdout.split())


def test_unknown_option_is_a_usage_error_without_traceback():
    result = run_cli("snapshot", "--no-such-option")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "--no-such-option" in result.stderr


def test_debug_flag_is_accepted_anywhere(tmp_path):
    result = run_cli("show", str(tmp_path / "missing.json"), "--debug")
    assert result.returncode == 3
    assert "Traceback" in result.stderr  # --debug shows where it failed


def test_python_dash_m_entry_point():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "driftcheck", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout.startswith("driftcheck ")


def test_a_bad_option_value_names_the_command_help_in_one_sentence(tmp_path):
    result = run_cli("diff", "a.json", "b.json", "--format", "yaml")
    line = assert_one_line_error(result, 2)
    assert "'yaml' is not one of" in line and ".;" not in line
    assert line.endswith("see 'driftcheck diff --help'"), line


def test_a_mistyped_reference_reads_as_a_missing_file_and_says_what_else_works(tmp_path):
    result = run_cli("show", "contianer:web", cwd=tmp_path)
    line = assert_one_line_error(result, 3)
    assert "contianer:web: no such file" in line and "container:NAME" in line


def test_no_command_prints_the_help_as_help_does_and_is_a_usage_error():
    result = run_cli()
    assert result.returncode == 2
    assert result.stdout == run_cli("--help").stdout and result.stderr == ""


def test_host_with_a_value_is_a_usage_error_not_the_default_interpreter(tmp_path):
    result = run_cli("show", "host:/opt/venv", cwd=tmp_path)
    line = assert_one_line_error(result, 2)
    assert "host takes no value" in line and "python:PATH" in line
    assert result.stdout == ""  # nothing was probed


def test_a_report_option_onto_a_folder_is_named_in_the_error(tmp_path):
    baseline = tmp_path / "b.json"
    assert run_cli("snapshot", "--python", sys.executable, "-o", str(baseline)).returncode == 0
    result = run_cli("check", "--baseline", str(baseline), "--target", str(baseline),
                     "--json", str(tmp_path))  # fmt: skip
    line = assert_one_line_error(result, 2)
    assert line.endswith("choose a file for --json"), line


def test_help_is_whole_and_usage_names_arguments_plainly():
    """No command summary cut with "…", and no {A} braces around required arguments."""
    root = run_cli("--help").stdout
    commands = root.split("Commands:")[1].split("Exit codes:")[0]
    assert "..." not in commands and "…" not in commands, commands
    for command in ("snapshot", "show", "diff", "report", "check"):
        assert f"  {command}  " in commands
    assert run_cli("diff", "--help").stdout.startswith(
        "Usage: driftcheck diff [OPTIONS] A B [C ...]\n"
    )
    assert run_cli("show", "--help").stdout.startswith("Usage: driftcheck show [OPTIONS] SOURCE\n")


def test_a_python_snapshot_is_labelled_after_its_environment(tmp_path):
    import json
    import subprocess

    venv = tmp_path / "shop" / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    out = tmp_path / "s.json"
    result = run_cli("snapshot", "--python", str(venv / "bin" / "python"), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text())["label"] == "shop-venv"
    named = tmp_path / "tools"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(named)], check=True)
    result = run_cli("snapshot", "--python", str(named / "bin" / "python"), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text())["label"] == "tools"
