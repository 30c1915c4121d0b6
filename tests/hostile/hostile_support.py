"""Running the real CLI against hostile inputs, and proving what it did and did not do.

Every run is a real process: the installed ``driftcheck`` console script, with its
working folder, TMPDIR and HOME inside the test's own folder. What the process
cost is read back from the kernel (``wait4``'s rusage: peak resident memory), what
it wrote from the file tree before and after, and, where ``strace`` is available,
from every system call that opens a file for writing or creates, renames or
removes one, anywhere on the machine.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
if str(TESTS / "static") not in sys.path:  # the hand-made archive builders
    sys.path.insert(0, str(TESTS / "static"))

MiB = 1024 * 1024
GiB = 1024 * MiB
# Generous: driftcheck's own start-up is about 40 MB; the bounds under test are far below.
MEMORY_BOUND_MB = 300
# The real archive reader under a byte budget no option sets: `python -c THIS ARCHIVE BYTES`
# prints the exit code and message of the error it ends with, or "read without error".
READ_ARCHIVE_WITH_LIMITS = """\
import sys
from pathlib import Path
from driftcheck.errors import DriftcheckError
from driftcheck.static.archive import read_image_archive
from driftcheck.static.rootfs import Limits
try:
    read_image_archive(Path(sys.argv[1]), None, Limits(max_total_bytes=int(sys.argv[2])))
except DriftcheckError as exc:
    print(exc.exit_code, exc)
else:
    print("read without error")
"""


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def driftcheck_command() -> list[str]:
    script = Path(sys.executable).with_name("driftcheck")
    return [str(script)] if script.exists() else [sys.executable, "-m", "driftcheck"]


def strace_or_skip() -> str:
    """strace's path; scripts/test.sh installs it, so CI without it is a failure."""
    found = shutil.which("strace")
    if found is None:
        if in_ci():
            pytest.fail("CI=true and strace is missing (scripts/test.sh installs it)")
        pytest.skip("SKIPPED (would FAIL under CI=true) - strace is not installed")
    return found


@dataclass(frozen=True)
class Outcome:
    returncode: int  # negative: killed by that signal
    stdout: str
    stderr: str
    peak_rss_mb: float

    def error_line(self, code: int) -> str:
        """The one line a failure prints, after checking the exit code and the shape."""
        assert self.returncode == code, (self.returncode, self.stdout[-2000:], self.stderr)
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, self.stderr
        assert "Traceback" not in self.stderr and "RecursionError" not in self.stderr
        assert lines[0].startswith("driftcheck: error: "), lines[0]
        return lines[0]


# A child's ru_maxrss counts the memory of the process it was forked from (the copy
# it starts as), so a command forked from pytest would be charged pytest's memory.
# This small launcher is forked instead: the command is forked from it, and its own
# few megabytes are all that is added to the figure.
_LAUNCHER = """\
import os, sys
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as report:
    report.write(str(usage.ru_maxrss))
code = os.waitstatus_to_exitcode(status)
if code < 0:
    os.kill(os.getpid(), -code)
sys.exit(code)
"""


def run_measured(
    command: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 600,
) -> Outcome:
    """Runs ``command`` to its end, with its peak RSS (and its children's) from wait4."""
    with tempfile.TemporaryDirectory(prefix="measured-") as folder:
        rss, out, err = (Path(folder, name) for name in ("rss", "out", "err"))
        with open(out, "wb") as stdout, open(err, "wb") as stderr:
            proc = subprocess.Popen(
                [sys.executable, "-I", "-S", "-c", _LAUNCHER, str(rss), *command],
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=stderr,
                env=dict(os.environ if env is None else env),
                cwd=cwd,
                start_new_session=True,  # a timeout ends the command too
            )
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        return Outcome(
            returncode=proc.returncode,
            stdout=out.read_text("utf-8", "replace"),
            stderr=err.read_text("utf-8", "replace"),
            peak_rss_mb=int(rss.read_text() or 0) / 1024 if rss.exists() else 0.0,  # KiB
        )


# --- what a run changed --------------------------------------------------------------


def file_tree(root: Path) -> dict[str, tuple[str, int, int]]:
    """Every path under root: kind, size and modification time (links not followed).

    A folder counts by its existence only: its time changes with what is added in it.
    """
    found: dict[str, tuple[str, int, int]] = {}
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = Path(folder, name)
            info = path.lstat()
            kind = "link" if path.is_symlink() else "dir" if path.is_dir() else "file"
            size, mtime = (0, 0) if kind == "dir" else (info.st_size, info.st_mtime_ns)
            found[str(path.relative_to(root))] = (kind, size, mtime)
    return found


def changed(before: Mapping[str, object], after: Mapping[str, object]) -> set[str]:
    return {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}


_WRITE_FLAGS = ("O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND", "O_TMPFILE")
_PATH_CHANGES = {
    "creat",
    "mkdir",
    "mkdirat",
    "rename",
    "renameat",
    "renameat2",
    "link",
    "linkat",
    "symlink",
    "symlinkat",
    "unlink",
    "unlinkat",
    "rmdir",
    "truncate",
}
_TRACED = sorted(_PATH_CHANGES | {"open", "openat", "openat2"})
_CALL = re.compile(r"^(?:\[pid\s+\d+\]\s+|\d+\s+)?(\w+)\((.*)")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


def written_paths(log: str, cwd: Path) -> set[str]:
    """Paths that system calls in an strace log opened for writing, created or removed."""
    found: set[str] = set()
    for line in log.splitlines():
        match = _CALL.match(line)
        if match is None or match.group(1) not in _TRACED:
            continue
        call, rest = match.groups()
        names = _QUOTED.findall(rest)
        if call.startswith("open"):
            if not any(flag in rest for flag in _WRITE_FLAGS):
                continue
            names = names[:1]  # the path; later strings are not paths
        elif call.startswith(("link", "symlink")):
            names = names[-1:]  # the new name; the target is only read
        for name in names:
            path = name.encode().decode("unicode_escape")
            found.add(os.path.normpath(os.path.join(cwd, path)))
    return found


class Box:
    """A folder for one run: working folder, TMPDIR and HOME inside it, nothing else."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.work, self.tmp, self.home = root / "work", root / "tmp", root / "home"
        for folder in (self.work, self.tmp, self.home):
            folder.mkdir(parents=True, exist_ok=True)

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "CONDA_PREFIX")}
        env.update(
            TMPDIR=str(self.tmp),
            HOME=str(self.home),
            XDG_CACHE_HOME=str(self.home / ".cache"),
            PYTHONDONTWRITEBYTECODE="1",
        )
        env.update(extra or {})
        return env

    def command(self, *args: str) -> list[str]:
        return [*driftcheck_command(), *args]

    def run(
        self,
        *args: str,
        allowed: Iterable[Path] = (),
        trace: bool = False,
        env: Mapping[str, str] | None = None,
        timeout: float = 600,
    ) -> Outcome:
        """Runs driftcheck here and asserts it changed nothing but ``allowed`` paths.

        With ``trace``, strace proves the same for the whole machine, not just the box.
        """
        allowed_set = {os.path.normpath(p) for p in allowed}
        before = file_tree(self.root)
        command = self.command(*args)
        log = self.tmp.parent / "strace.log"
        if trace:
            command = [strace_or_skip(), "-f", "-qq", "-e", f"trace={','.join(_TRACED)}",
                       "-o", str(log), *command]  # fmt: skip
        outcome = run_measured(command, env=self.env(env), cwd=self.work, timeout=timeout)
        after = file_tree(self.root)
        touched = {os.path.normpath(self.root / p) for p in changed(before, after)}
        touched.discard(str(log))
        assert touched <= allowed_set, f"files changed outside the output: {touched - allowed_set}"
        if trace:
            text = log.read_text("utf-8", "replace")
            log.unlink()
            writes = {p for p in written_paths(text, self.work) if not p.startswith("/dev/")}
            temps = {p for p in writes if _is_temp_of(p, allowed_set)}
            assert writes - temps <= allowed_set, f"opened for writing: {writes - allowed_set}"
        return outcome


def _is_temp_of(path: str, allowed: set[str]) -> bool:
    """The atomic writer's temporary name beside an allowed output (.NAME.XXXX.tmp)."""
    folder, name = os.path.split(path)
    return any(
        path == os.path.dirname(a)  # an unnamed file (O_TMPFILE) is opened on the folder
        or (folder == os.path.dirname(a) and name.startswith(f".{os.path.basename(a)}."))
        for a in allowed
    )


# --- hostile files ---------------------------------------------------------------------

HEADER_BOUND = 512 * 1024  # probe/_probe.py MAX_METADATA_HEADER, as the docs state it


def long_headers(name: str, header_bytes: int) -> bytes:
    """A METADATA whose header block is about ``header_bytes`` long: a License header
    continued over many lines (as some projects ship their licence), with a
    Requires-Dist before it and one after it."""
    line = b"  " + b"x" * 1022 + b"\n"
    license_lines = line * (header_bytes // len(line))
    return (
        f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\nRequires-Dist: early-dep\n".encode()
        + b"License: a long licence\n"
        + license_lines
        + b"Requires-Dist: late-dep\nRequires-Python: >=3.8\n\nThe description.\n"
    )
