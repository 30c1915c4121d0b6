"""Runs the probe in a local interpreter, bounded in time and output size.

Starting and collecting are separate steps (`start_local_probe`, then
`LocalProbe.answer`) so that a host snapshot can start its probe first and do
other work while the interpreter reads its environment.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time

from driftcheck.errors import ProbeError
from driftcheck.probe import (
    BOOTSTRAP,
    INTERPRETER_OPTIONS,
    MAX_OUTPUT_BYTES,
    MINIMUM_VERSION,
    UNSUPPORTED_PYTHON_STATUS,
    ProbeRequest,
    invalid_output,
    status_error,
)

TYPE_CHECKING = False  # typing and pathlib (~10 ms) wait until after the probe has started
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

PROBE_TIMEOUT_SECONDS = 120.0
MAX_STDERR_BYTES = 64 * 1024
POLL_SECONDS = 0.1
EXIT_GRACE_SECONDS = 1.0  # for the last of the output once the interpreter has exited
MiB = 1024 * 1024


class LocalProbe:
    """A probe running in a local interpreter; its pipes are served by threads.

    Threads, so that the deadline holds whatever blocks: a target that never reads
    its stdin, or a process its start-up files left behind holding our pipes.
    """

    def __init__(self, interpreter: Path, proc: subprocess.Popen[bytes], stdin: bytes) -> None:
        assert proc.stdout is not None and proc.stderr is not None
        self.interpreter = interpreter
        self.started = time.monotonic()
        self._proc = proc
        self._stdout = _Pipe(proc.stdout.fileno(), MAX_OUTPUT_BYTES, on_overflow=proc.kill)
        self._stderr = _Pipe(proc.stderr.fileno(), MAX_STDERR_BYTES)
        for work in (lambda: _feed(proc, stdin), self._stdout.read, self._stderr.read):
            threading.Thread(target=work, daemon=True).start()

    def answer(self, timeout: float = PROBE_TIMEOUT_SECONDS) -> bytes:
        """The probe's stdout once it has exited; ProbeError with one clear line otherwise.

        The deadline counts from the start of the interpreter."""
        proc = self._proc
        try:
            status = _wait(proc, self._stdout, self.started + timeout)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if self._stdout.overflow:
            raise invalid_output(str(self.interpreter), f"more than {MAX_OUTPUT_BYTES // MiB} MiB")
        if status is None:
            raise self.timed_out(timeout)
        self._stderr.ended.wait(timeout=EXIT_GRACE_SECONDS)
        return self.checked(status, self._stdout.take(), self._stderr.take())

    def timed_out(self, timeout: float) -> ProbeError:
        """The error for a probe past its deadline (a remote transport names its own)."""
        from driftcheck.targets.start_up_files import hang_hint

        return ProbeError(
            f"the probe in {self.interpreter} did not finish within {timeout:g} s; "
            + hang_hint(str(self.interpreter))
        )

    def checked(self, status: int, stdout: bytes, stderr: bytes) -> bytes:
        """The probe's stdout, or the error its exit status and stderr mean."""
        return _check(self.interpreter, status, stdout, stderr)

    def discard(self) -> None:
        """Stops a probe whose answer is not wanted (a started probe nobody adopted)."""
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()


def start_local_probe(
    interpreter: Path,
    request: ProbeRequest,
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
) -> LocalProbe:
    try:
        proc = subprocess.Popen(
            [str(interpreter), *INTERPRETER_OPTIONS, BOOTSTRAP],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(env) if env is not None else None,
            cwd=cwd,
        )
    except PermissionError as exc:
        raise ProbeError(f"{interpreter} is not executable; pass a Python interpreter") from exc
    except OSError as exc:
        raise ProbeError(f"cannot run {interpreter}: {exc.strerror or exc}") from exc
    return LocalProbe(interpreter, proc, request.stdin)


def _feed(proc: subprocess.Popen[bytes], data: bytes) -> None:
    assert proc.stdin is not None
    try:
        proc.stdin.write(data)
        proc.stdin.close()
    except (BrokenPipeError, OSError):
        pass  # the interpreter exited early; its status tells why


def _wait(proc: subprocess.Popen[bytes], stdout: _Pipe, deadline: float) -> int | None:
    """The exit status once stdout has ended, or once the interpreter has exited and
    what it wrote is read (a process it started may keep the pipe open); None at the
    deadline."""
    while not stdout.ended.wait(timeout=POLL_SECONDS):
        if time.monotonic() > deadline:
            return None
        if proc.poll() is not None:
            stdout.ended.wait(timeout=EXIT_GRACE_SECONDS)
            break
    try:
        return proc.wait(timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        return None


class _Pipe:
    """One of the probe's output pipes, read on its own thread, up to ``limit`` bytes.

    Past the limit, ``on_overflow`` is called and reading stops (output that never
    ends ends there); without it, the rest is read and dropped.
    """

    def __init__(self, fd: int, limit: int, on_overflow: Callable[[], None] | None = None) -> None:
        self._fd, self._limit, self._on_overflow = fd, limit, on_overflow
        self._chunks: list[bytes] = []
        self._size = 0
        self._lock = threading.Lock()
        self.ended = threading.Event()
        self.overflow = False

    def read(self) -> None:
        try:
            while chunk := os.read(self._fd, MiB):
                with self._lock:
                    kept = chunk[: max(0, self._limit - self._size)]
                    self._chunks.append(kept)
                    self._size += len(kept)
                if len(kept) < len(chunk) and self._on_overflow is not None:
                    self.overflow = True
                    self._on_overflow()
                    break
        except OSError:
            pass  # closed under us: what was read is kept
        finally:
            self.ended.set()

    def take(self) -> bytes:
        with self._lock:
            return b"".join(self._chunks)


def _check(interpreter: Path, status: int, stdout: bytes, stderr: bytes) -> bytes:
    not_python = status not in (0, UNSUPPORTED_PYTHON_STATUS) and b"Traceback" not in stderr
    if not_python:  # /bin/ls and friends: their complaint would quote the bootstrap
        raise ProbeError(
            f"{interpreter} did not run the probe (exit status {status}); "
            f"is it a Python {MINIMUM_VERSION}+ interpreter?"
        )
    error = status_error(status, stderr, str(interpreter))
    if error is not None:
        raise error
    return stdout
