"""Runs the probe in a local interpreter, bounded in time and output size."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Mapping
from pathlib import Path

from driftcheck.errors import ProbeError
from driftcheck.probe import (
    BOOTSTRAP,
    MAX_OUTPUT_BYTES,
    UNSUPPORTED_PYTHON_STATUS,
    ProbeRequest,
    status_error,
)

PROBE_TIMEOUT_SECONDS = 120.0
MAX_STDERR_BYTES = 64 * 1024


def run_local_probe(
    interpreter: Path,
    request: ProbeRequest,
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
    timeout: float = PROBE_TIMEOUT_SECONDS,
) -> bytes:
    """Returns the probe's stdout; raises ProbeError with one clear line otherwise."""
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
    stderr = bytearray()
    timed_out = threading.Event()

    def expire() -> None:
        timed_out.set()
        proc.kill()

    timer = threading.Timer(timeout, expire)
    drain = threading.Thread(target=_drain, args=(proc, stderr), daemon=True)
    timer.start()
    drain.start()
    try:
        _feed(proc, request.stdin)
        stdout = _read_bounded(proc)
        status = proc.wait()
    finally:
        timer.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        drain.join(timeout=5)
    if timed_out.is_set():
        raise ProbeError(f"the probe in {interpreter} did not finish within {timeout:.0f} s")
    return _check(interpreter, status, stdout, bytes(stderr))


def _feed(proc: subprocess.Popen[bytes], data: bytes) -> None:
    assert proc.stdin is not None
    try:
        proc.stdin.write(data)
        proc.stdin.close()
    except (BrokenPipeError, OSError):
        pass  # the interpreter exited early; its status tells why


def _read_bounded(proc: subprocess.Popen[bytes]) -> bytes:
    assert proc.stdout is not None
    chunks: list[bytes] = []
    total = 0
    while chunk := proc.stdout.read(1024 * 1024):
        total += len(chunk)
        if total > MAX_OUTPUT_BYTES:
            proc.kill()
            raise ProbeError(
                f"the probe printed more than {MAX_OUTPUT_BYTES // (1024 * 1024)} MiB; "
                "something in the interpreter's start-up floods stdout"
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _drain(proc: subprocess.Popen[bytes], sink: bytearray) -> None:
    assert proc.stderr is not None
    while chunk := proc.stderr.read(65536):
        if len(sink) < MAX_STDERR_BYTES:
            sink.extend(chunk[: MAX_STDERR_BYTES - len(sink)])


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
