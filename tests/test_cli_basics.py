"""The CLI's surface: version, help with exit codes, usage errors."""

from __future__ import annotations

from driftcheck import __version__

from support import run_cli


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
