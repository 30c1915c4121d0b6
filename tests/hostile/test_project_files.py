"""--project reads a hostile project folder: FIFOs, devices and includes out of the folder.

A FIFO named like a source file (`app.py`, `setup.cfg`, `requirements-dev.txt`), or
`-r /dev/stdin` in a requirements file, made a plain open() wait forever. The project
here is a real folder with real FIFOs (os.mkfifo) and a real requirements file; the
real CLI runs with a standard input that stays open, so reading it would block.
The guard is the subprocess timeout, not a measured time.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from hostile_support import Box

from driftcheck.project.read import read_project
from driftcheck.snapshot import files as snapshot_files

from support import small_snapshot

GUARD_SECONDS = 120  # far beyond a normal run; reached only if a read blocks


def _project(root: Path) -> Path:
    project = root / "project"
    (project / "pkg").mkdir(parents=True)
    (project / "pyproject.toml").write_text('[project]\nname = "app"\ndependencies = ["attrs"]\n')
    (project / "pkg" / "__init__.py").write_text("import numpy\n")
    os.mkfifo(project / "app.py")  # a FIFO named like a source file
    os.mkfifo(project / "setup.cfg")
    os.mkfifo(project / "requirements-dev.txt")  # found by the requirements pattern
    os.mkfifo(project / "included.txt")  # reached only through -r
    (root / "outside.txt").write_text("leaked-from-outside\n")
    (project / "link-out.txt").symlink_to(root / "outside.txt")
    (project / "requirements.txt").write_text(
        "requests\n"
        "-r /dev/stdin\n"
        "-r ../outside.txt\n"
        "--requirement link-out.txt\n"
        "-r included.txt\n"
        "-r /proc/self/fd/0\n"
    )
    return project


def _run_with_open_stdin(box: Box, *args: str) -> subprocess.CompletedProcess[str]:
    """The real CLI, its stdin a pipe nobody writes to or closes: reading it blocks."""
    out, err = box.root / "out.txt", box.root / "err.txt"
    with open(out, "w") as stdout, open(err, "w") as stderr:
        proc = subprocess.Popen(
            box.command(*args),
            stdin=subprocess.PIPE,
            stdout=stdout,
            stderr=stderr,
            cwd=box.work,
            env=box.env(),
        )
        try:
            code = proc.wait(timeout=GUARD_SECONDS)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            pytest.fail(f"--project blocked: no exit within {GUARD_SECONDS} s; {err.read_text()}")
        finally:
            assert proc.stdin is not None
            proc.stdin.close()
    return subprocess.CompletedProcess(args, code, out.read_text(), err.read_text())


def test_fifos_and_includes_out_of_the_project_are_skipped_and_named(box):
    project = _project(box.root)
    snapshot = box.root / "s.json"
    snapshot_files.save(small_snapshot(), snapshot)
    result = _run_with_open_stdin(
        box, "diff", str(snapshot), str(snapshot), "--project", str(project)
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    warnings = [line for line in result.stderr.splitlines() if "--project:" in line]
    said = "\n".join(warnings)
    for expected in (
        "1 .py file(s) not read: app.py (not a regular file (a FIFO))",
        "setup.cfg: not a regular file (a FIFO), not read",
        "requirements-dev.txt: not a regular file (a FIFO), not read",
        "requirements.txt: -r /dev/stdin is outside the project folder, not followed",
        "requirements.txt: -r ../outside.txt is outside the project folder, not followed",
        "requirements.txt: -r link-out.txt is outside the project folder, not followed",
        "included.txt: not a regular file (a FIFO), not read",
        "requirements.txt: -r /proc/self/fd/0 is outside the project folder, not followed",
    ):
        assert expected in said, (expected, said)
    assert all(line.startswith("driftcheck: warning: --project: ") for line in warnings)
    # What was read is still read (the CLI run above proved nothing blocks here).
    facts = read_project(str(project))
    assert {"attrs", "requests"} <= set(facts.declared.names)
    assert "leaked-from-outside" not in facts.declared.names
    assert "numpy" in facts.imports.modules and facts.imports.files_scanned == 2
    assert "requirements.txt" in facts.declared.files and "setup.cfg" not in facts.declared.files
