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
    MAX_OUTPUT_BYTES,
    UNSUPPORTED_PYTHON_STATUS,
    ProbeRequest,
    status_error,
)

TYPE_CHECKING = False  # typing and pathlib (~10 ms) wait until after the probe has started
if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

PROBE_TIMEOUT_SECONDS = 120.0
MAX_STDERR_BYTES = 64 * 1024


class LocalProbe:
    """A probe running in a local interpreter; its pipes are served by threads."""

    def __init__(self, interpreter: Path, proc: subprocess.Popen[bytes], stdin: bytes) -> None:
        self.interpreter = interpreter
        self.started = time.monotonic()
        self._proc = proc
        self._chunks: list[bytes] = []
        self._stderr = bytearray()
        self._overflow = False
        self._threads = [
            threading.Thread(target=work, daemon=True)
            for work in (lambda: _feed(proc, stdin), self._read_stdout, self._read_stderr)
        ]
        for thread in self._threads:
            thread.start()

    def answer(self, timeout: float = PROBE_TIMEOUT_SECONDS) -> bytes:
        """The probe's stdout once it has exited; ProbeError with one clear line otherwise.

        The deadline counts from the start of the interpreter."""
        proc = self._proc
        try:
            status = proc.wait(timeout=max(0.0, self.started + timeout - time.monotonic()))
        except subprocess.TimeoutExpired:
            status = None
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            for thread in self._threads:
                thread.join(timeout=5)
        if self._overflow:
            raise ProbeError(
                f"the probe printed more than {MAX_OUTPUT_BYTES // (1024 * 1024)} MiB; "
                "something in the interpreter's start-up floods stdout"
            )
        if status is None:
            raise ProbeError(
                f"the probe in {self.interpreter} did not finish within {timeout:.0f} s"
            )
        return _check(self.interpreter, status, b"".join(self._chunks), bytes(self._stderr))

    def discard(self) -> None:
        """Stops a probe whose answer is not wanted (a started probe nobody adopted)."""
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()

    def _read_stdout(self) -> None:
        assert self._proc.stdout is not None
        fd, total = self._proc.stdout.fileno(), 0
        while chunk := os.read(fd, 1024 * 1024):
            total += len(chunk)
            if total > MAX_OUTPUT_BYTES:
                self._overflow = True
                self._proc.kill()
                return
            self._chunks.append(chunk)

    def _read_stderr(self) -> None:
        assert self._proc.stderr is not None
        fd = self._proc.stderr.fileno()
        while chunk := os.read(fd, 65536):
            if len(self._stderr) < MAX_STDERR_BYTES:
                self._stderr.extend(chunk[: MAX_STDERR_BYTES - len(self._stderr)])


def start_local_probe(
    interpreter: Path,
    request: ProbeRequest,
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
) -> LocalProbe:
    try:
        proc = subprocess.Popen(
            [str(interpreter), "-c", BOOTSTRAP],
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


def run_local_probe(
    interpreter: Path,
    request: ProbeRequest,
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
    timeout: float = PROBE_TIMEOUT_SECONDS,
) -> bytes:
    """Returns the probe's stdout; raises ProbeError with one clear line otherwise."""
    return start_local_probe(interpreter, request, env=env, cwd=cwd).answer(timeout)


def _feed(proc: subprocess.Popen[bytes], data: bytes) -> None:
    assert proc.stdin is not None
    try:
        proc.stdin.write(data)
        proc.stdin.close()
    except (BrokenPipeError, OSError):
        pass  # the interpreter exited early; its status tells why


def _check(interpreter: Path, status: int, stdout: bytes, stderr: bytes) -> bytes:
    not_python = status not in (0, UNSUPPORTED_PYTHON_STATUS) and b"Traceback" not in stderr
    if not_python:  # /bin/ls and friends: their complaint would quote the bootstrap
        raise ProbeError(
            f"{interpreter} did not run the probe (exit status {status}); "
            "is it a Python 3.8+ interpreter?"
        )
    error = status_error(status, stderr, str(interpreter))
    if error is not None:
        raise error
    return stdout
