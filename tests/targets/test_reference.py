"""Live references: one parser for every command that reads a snapshot."""

from __future__ import annotations

import pytest

from driftcheck.errors import UsageError
from driftcheck.targets.reference import Reference, parse_reference

from support import assert_one_line_error, run_cli


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("host", Reference("host", "")),
        ("python:/opt/venv/bin/python", Reference("python", "/opt/venv/bin/python")),
        ("pid:42", Reference("pid", "42")),
        ("container:web-1", Reference("container", "web-1")),
        ("image:registry.example:5000/app:ci", Reference("image", "registry.example:5000/app:ci")),
        ("archive:/tmp/app.tar", Reference("archive", "/tmp/app.tar")),
        ("snapshots/ci.json", Reference("file", "snapshots/ci.json")),
        ("C:\\snapshots\\ci.json", Reference("file", "C:\\snapshots\\ci.json")),
        ("hostile.json", Reference("file", "hostile.json")),
    ],
)
def test_parse_reference(text, expected):
    assert parse_reference(text) == expected


def test_empty_reference_value_is_a_usage_error():
    with pytest.raises(UsageError, match="container:VALUE"):
        parse_reference("container:")


def test_show_accepts_a_live_python_reference(test_interpreter):
    result = run_cli("show", f"python:{test_interpreter}")
    assert result.returncode == 0, result.stderr
    assert "CPython" in result.stdout


def test_bad_pid_reference_is_a_usage_error():
    assert_one_line_error(run_cli("show", "pid:abc"), 2)


@pytest.mark.docker
def test_show_accepts_a_live_image_reference(bookworm_image):
    result = run_cli("show", f"image:{bookworm_image}")
    assert result.returncode == 0, result.stderr
    assert "Debian GNU/Linux 12" in result.stdout
