"""Reading the error text: a log file, standard input, or the --symptom words.

A CI log can be huge, binary, a FIFO or a device, and can hold secrets. Only a
regular file is opened (never blocking on a FIFO), at most LOG_LIMIT bytes are
kept (the last ones: a job fails at its end), line numbers stay those of the
file, and no line is ever printed from here: what is quoted later is redacted.
"""

from __future__ import annotations

import os
import stat
import sys
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from driftcheck.errors import DriftcheckError, ExitCode, UsageError

LOG_LIMIT = 8 * 1024 * 1024  # bytes kept: the end of the log
SCAN_LIMIT = 1024 * 1024 * 1024  # bytes a log may have at most (its lines are counted)
SYMPTOM_LIMIT = 64 * 1024  # characters of --symptom
CHUNK = 1024 * 1024
BINARY_SHARE = 0.1  # NUL and other control bytes above this share: not a text log
_CONTROLS = bytes([*range(9), *range(14, 27), *range(28, 32)])  # not tab, newlines, ESC
_READ_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
_KINDS = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}


class LogError(DriftcheckError):
    """A log that cannot be used: not a regular file, too big, not text."""

    exit_code = ExitCode.INVALID_INPUT


@dataclass(frozen=True)
class ErrorText:
    """Lines of error text; `first_line` is the log's number of lines[0] (None: --symptom)."""

    lines: tuple[str, ...]
    first_line: int | None
    source: str  # "--symptom" or "--log NAME"
    note: str | None = None  # what was left out ("read the last 8 MiB of 40 MiB")


def symptom_text(text: str) -> ErrorText:
    if not text.strip():
        raise UsageError(
            '--symptom is empty: pass the error message, e.g. --symptom "$(tail -1 err.txt)"'
        )
    if len(text) > SYMPTOM_LIMIT:
        raise UsageError(
            f"--symptom is over {SYMPTOM_LIMIT // 1024} KiB: pass a long log with --log FILE"
        )
    return ErrorText(file_lines(text), None, "--symptom")


def read_log(name: str) -> ErrorText:
    """The log named on the command line; `-` reads standard input."""
    if name == "-":
        return _from_stream(sys.stdin.buffer, "--log -")
    path = Path(name)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise UsageError(
            f"--log {name}: no such file; pass the job's log file, or - for stdin"
        ) from None
    except OSError as exc:
        raise LogError(f"--log {name}: cannot read it ({exc.strerror or exc})") from exc
    _require_regular(mode, name)
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError as exc:
        raise LogError(f"--log {name}: cannot read it ({exc.strerror or exc})") from exc
    try:
        facts = os.fstat(fd)
        _require_regular(facts.st_mode, name)
        if facts.st_size > SCAN_LIMIT:
            raise _too_big(f"--log {name}")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return _from_stream(handle, f"--log {name}")
    except OSError as exc:
        raise LogError(f"--log {name}: cannot read it ({exc.strerror or exc})") from exc
    finally:
        os.close(fd)


def _require_regular(mode: int, name: str) -> None:
    if not stat.S_ISREG(mode):
        kind = _KINDS.get(stat.S_IFMT(mode), "not a regular file")
        raise LogError(
            f"--log {name} is {kind}: save the log to a file first, or pipe it to --log -"
        )


def _from_stream(stream: BinaryIO, source: str) -> ErrorText:
    """Streams through the log, counting lines, keeping its last LOG_LIMIT bytes."""
    chunks: deque[bytes] = deque()  # the last chunks, LOG_LIMIT bytes and at most one more
    held = dropped_lines = total = 0
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        if not total and _binary(chunk):  # a core dump or an archive: refused at once
            raise _not_text(source)
        total += len(chunk)
        if total > SCAN_LIMIT:
            raise _too_big(source)
        chunks.append(chunk)
        held += len(chunk)
        while held - len(chunks[0]) >= LOG_LIMIT:  # each byte is copied once, not per chunk
            old = chunks.popleft()
            held -= len(old)
            dropped_lines += old.count(b"\n")
    kept = b"".join(chunks)
    if len(kept) > LOG_LIMIT:
        cut = len(kept) - LOG_LIMIT
        dropped_lines += kept.count(b"\n", 0, cut)
        kept = kept[cut:]
    note = None
    if total > LOG_LIMIT:
        start = kept.find(b"\n") + 1  # the first line kept is whole
        dropped_lines += 1 if start else 0
        kept = kept[start:]
        note = f"read its last {LOG_LIMIT // CHUNK} MiB of {total / CHUNK:.0f} MiB"
    if _binary(kept):
        raise _not_text(source)
    text = kept.decode("utf-8", "replace")
    return ErrorText(file_lines(text), dropped_lines + 1, source, note)


def file_lines(text: str) -> tuple[str, ...]:
    """Lines as an editor numbers them: split at newlines only (a progress bar's carriage
    returns and form feeds stay inside their line), a CRLF's CR dropped."""
    lines = text.split("\n")
    if lines and not lines[-1]:
        lines.pop()
    return tuple(line.removesuffix("\r") for line in lines)


def _not_text(source: str) -> LogError:
    return LogError(f"{source} is not text (binary bytes): pass the job's text log")


def _too_big(source: str) -> LogError:
    return LogError(
        f"{source} is over {SCAN_LIMIT // CHUNK} MiB; pass the failing part "
        "(tail -n 5000 LOG > short.log)"
    )


def _binary(data: bytes) -> bool:
    sample = data[:CHUNK]
    if not sample:
        return False
    controls = len(sample) - len(sample.translate(None, _CONTROLS))
    return b"\0" in sample[:4096] or controls / len(sample) > BINARY_SHARE
