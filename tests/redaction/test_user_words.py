"""What the user types can hold a secret too: a login in a reference, a token as a label.

An interpreter path pasted from a URL, a registry reference with `user:password@`, a
`--label` that is a token: each reaches an error line, a snapshot or a report, and is
swept there like any string a target gave. The real CLI, every byte it wrote searched.
"""

from __future__ import annotations

import sys
from pathlib import Path

from support import run_cli

PASSWORD = "S3cr3tPassw0rd99"
TOKEN = "ghp_" + "Qw3rTy7UiOp1AsDfGh5JkLzXcVbNm2Lk9PoI"


def _everything(result, *files: Path) -> str:
    return result.stdout + result.stderr + "".join(f.read_text("utf-8") for f in files)


def test_a_login_in_an_interpreter_path_is_not_quoted(tmp_path: Path) -> None:
    result = run_cli("snapshot", "--python", f"https://alice:{PASSWORD}@x/py", cwd=tmp_path)
    assert result.returncode == 5, result.stderr
    assert PASSWORD not in _everything(result) and "alice:***@" in result.stderr


def test_a_login_in_a_registry_reference_is_not_quoted(tmp_path: Path) -> None:
    for args in (
        ("snapshot", "--registry", f"alice:{PASSWORD}@localhost:1/app:x"),
        ("show", f"registry:alice:{PASSWORD}@localhost:1/app:x"),
    ):
        result = run_cli(*args, cwd=tmp_path)
        assert result.returncode in (2, 4), result.stderr
        assert PASSWORD not in _everything(result), args


def test_a_token_as_a_label_is_redacted_in_the_snapshot_and_the_reports(
    tmp_path: Path,
) -> None:
    out = tmp_path / "labelled.json"
    taken = run_cli(
        "snapshot", "--python", sys.executable, "--label", TOKEN, "-o", str(out), cwd=tmp_path
    )
    assert taken.returncode == 0, taken.stderr
    assert TOKEN not in _everything(taken, out)
    compared = run_cli("diff", str(out), f"{out}", "--format", "json", cwd=tmp_path)
    report = tmp_path / "r.md"
    reported = run_cli("report", str(out), "-o", str(report), cwd=tmp_path)
    assert reported.returncode == 0, reported.stderr
    assert TOKEN not in _everything(compared) + _everything(reported, report)
