"""The probe: one stdlib-only script sent to every target, and the host's side of it.

The target runs a tiny bootstrap (`python -c BOOTSTRAP`) that refuses
interpreters older than 3.8 with a clear status, then reads one line of options
and the probe's source from stdin. Nothing secret is ever put on a command line.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from driftcheck.errors import ProbeError
from driftcheck.untrusted_json import JsonInputError, load_json

MAX_OUTPUT_BYTES = 128 * 1024 * 1024
UNSUPPORTED_PYTHON_STATUS = 97
MINIMUM_PYTHON = (3, 8)

# Written for every Python 3 and even Python 2 to parse, so that an old
# interpreter gets a clear "unsupported" answer rather than a SyntaxError.
BOOTSTRAP = (
    "import sys\n"
    # `-c` puts the working folder first on sys.path: a platform.py there must not
    # replace the standard library module the probe imports.
    "if sys.path and sys.path[0] == '':\n"
    "    del sys.path[0]\n"
    "if sys.version_info < (3, 8):\n"
    "    sys.stderr.write('driftcheck-probe: unsupported Python %d.%d\\n' % sys.version_info[:2])\n"
    f"    sys.exit({UNSUPPORTED_PYTHON_STATUS})\n"
    "data = sys.stdin.buffer.read().decode('utf-8')\n"
    "options, _, source = data.partition('\\n')\n"
    "scope = {'__name__': '__driftcheck_probe__'}\n"
    "exec(compile(source, '<driftcheck-probe>', 'exec'), scope)\n"
    "scope['main'](options)\n"
)


@cache
def probe_source() -> str:
    """The script as sent: redaction rules first, then the collector."""
    # Plain files beside this module (importlib.resources costs ~10 ms to import).
    folder = Path(__file__).parent
    return (
        (folder / "_secrets.py").read_text("utf-8")
        + "\n\n"
        + (folder / "_probe.py").read_text("utf-8")
    )


@dataclass(frozen=True)
class ProbeRequest:
    """One run of the probe: its stdin and the markers framing its answer."""

    stdin: bytes
    begin: str
    end: str


def build_request(
    fingerprint_key: str | None = None, *, main_process_environ: bool = False
) -> ProbeRequest:
    nonce = secrets.token_hex(16)
    begin, end = f"--driftcheck-begin-{nonce}--", f"--driftcheck-end-{nonce}--"
    options: dict[str, object] = {
        "begin": begin,
        "end": end,
        "fingerprint_key": fingerprint_key,
        "main_process_environ": main_process_environ,
    }
    stdin = (json.dumps(options) + "\n" + probe_source()).encode("utf-8")
    return ProbeRequest(stdin=stdin, begin=begin, end=end)


def parse_output(stdout: bytes, request: ProbeRequest, where: str) -> dict[str, object]:
    """Finds the framed JSON among whatever else the target printed.

    Anything before the begin marker is the target's own noise (banners, prints from
    ``sitecustomize`` or ``.pth`` files) and is ignored; what is between the markers
    must be the probe's answer exactly: ASCII JSON, one object, bounded (see
    ``driftcheck.untrusted_json``). Everything else is one "invalid probe output".
    """
    begin, end = (request.begin + "\n").encode(), ("\n" + request.end).encode()
    start = stdout.rfind(begin)
    if start < 0:
        raise ProbeError(f"the probe gave no answer in {where}: is it a Python 3.8+ interpreter?")
    start += len(begin)
    stop = stdout.find(end, start)
    if stop < 0:
        raise invalid_output(where, "the answer is cut short (no end marker)")
    try:
        result = load_json(memoryview(stdout)[start:stop], unique_keys=True)
    except JsonInputError as exc:
        raise invalid_output(where, str(exc)) from None
    if not isinstance(result, dict):
        raise invalid_output(where, "the answer is not a JSON object")
    if "probe_error" in result:
        raise ProbeError(f"the probe failed in {where}: {str(result['probe_error'])[:300]}")
    return result


def invalid_output(where: str, problem: str) -> ProbeError:
    """The one error for an answer the host cannot use, whatever is wrong with it."""
    return ProbeError(
        f"invalid probe output from {where}: {problem}; something in the target "
        "(its interpreter, sitecustomize or a .pth file) interferes with the probe"
    )


def status_error(status: int | None, stderr: bytes, where: str) -> ProbeError | None:
    """The error for a probe that exited non-zero, for every transport (local, exec, run)."""
    if status in (0, None):
        return None
    text = stderr.decode("utf-8", "replace")
    if status == UNSUPPORTED_PYTHON_STATUS:
        version = text.strip().rsplit(" ", 1)[-1]
        return ProbeError(f"{where} is Python {version}; driftcheck probes Python 3.8 and later")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    last = lines[-1][:300] if lines else f"exit status {status}"
    return ProbeError(f"the probe failed in {where}: {last}")
