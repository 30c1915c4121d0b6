"""The probe: one stdlib-only script sent to every target, and the host's side of it.

The target runs a tiny bootstrap (`python -c BOOTSTRAP`) that refuses
interpreters older than 3.8 with a clear status, then reads one line of options
and the probe's source from stdin. Nothing secret is ever put on a command line.

A host snapshot starts the probe before the rest of driftcheck is imported
(`driftcheck.targets.prestart`): this module imports only what building a
request needs.
"""

from __future__ import annotations

import os

from driftcheck.errors import ProbeError
from driftcheck.untrusted_json import JsonInputError, load_json

TYPE_CHECKING = False  # imported before the probe starts: types only for mypy
if TYPE_CHECKING:
    from collections.abc import Mapping

MAX_OUTPUT_BYTES = 128 * 1024 * 1024
# driftcheck's own setting (an HMAC key for fingerprints), never passed to the probed program.
FINGERPRINT_KEY_VARIABLE = "DRIFTCHECK_FINGERPRINT_KEY"
#: driftcheck's own settings (DRIFTCHECK_*: the key above, a CI job's DRIFTCHECK_PYZ or
#: DRIFTCHECK_BASELINE...) configure the tool, not the checked program: never probed, so
#: bumping one is not drift.
TOOL_VARIABLE_PREFIX = "DRIFTCHECK_"


def program_environ(environ: Mapping[str, str]) -> dict[str, str]:
    """*environ* less driftcheck's own variables: what the checked program runs with."""
    return {k: v for k, v in environ.items() if not k.startswith(TOOL_VARIABLE_PREFIX)}


UNSUPPORTED_PYTHON_STATUS = 97
#: The interpreter's options before ``-c BOOTSTRAP``: ``-S`` defers site.py to the bootstrap,
#: which runs it as a normal start-up would, save that a .pth file which is not a regular
#: file (a FIFO: site.py would block on it for ever) is skipped and named to the probe.
INTERPRETER_OPTIONS = ("-S", "-c")
MINIMUM_PYTHON = (3, 8)
MINIMUM_VERSION = ".".join(map(str, MINIMUM_PYTHON))

# Written for every Python 3 and even Python 2 to parse, so that an old
# interpreter gets a clear "unsupported" answer rather than a SyntaxError.
BOOTSTRAP = (
    "import sys\n"
    # `-c` puts the working folder first on sys.path: a platform.py there must not
    # replace the standard library module the probe imports.
    "if sys.path and sys.path[0] == '':\n"
    "    del sys.path[0]\n"
    f"if sys.version_info < {MINIMUM_PYTHON}:\n"
    "    sys.stderr.write('driftcheck-probe: unsupported Python %d.%d\\n' % sys.version_info[:2])\n"
    f"    sys.exit({UNSUPPORTED_PYTHON_STATUS})\n"
    # site.py, as a normal start runs it before `-c` (same sys.path, the same site.main():
    # venv, user site, .pth files, sitecustomize), deferred to here by -S so that a .pth
    # file that is not a regular file is skipped rather than blocked on, and named. Not
    # where a ._pth file beside the executable decides whether site runs at all.
    "site_skipped = []\n"
    "site_run = False\n"
    "import os\n"
    "if sys.flags.no_site and not [p for p in (sys.executable, os.path.realpath("
    "sys.executable)) if p and os.path.exists(p + '._pth')]:\n"
    "    import site, stat\n"
    "    def _addpackage(sitedir, name, known_paths, _real=site.addpackage):\n"
    "        try:\n"
    "            mode = os.stat(os.path.join(sitedir, name)).st_mode\n"
    "        except OSError:\n"
    "            mode = stat.S_IFREG\n"
    "        if stat.S_ISREG(mode) or stat.S_ISDIR(mode):\n"
    "            return _real(sitedir, name, known_paths)\n"
    "        site_skipped.append(os.path.join(sitedir, name))\n"
    "        return known_paths\n"
    "    site.addpackage = _addpackage\n"
    "    try:\n"
    "        site.main()\n"
    "    finally:\n"
    "        site.addpackage = _addpackage.__defaults__[0]\n"
    "    site_run = True\n"
    # Short-lived, and what it allocates has no cycles: the cyclic GC would only cost
    # time (5 ms for 564 distributions, 14 ms for 5,000).
    "import gc\n"
    "gc.disable()\n"
    "data = sys.stdin.buffer.read().decode('utf-8')\n"
    "options, _, source = data.partition('\\n')\n"
    "scope = {'__name__': '__driftcheck_probe__', 'SITE_RUN_BY_BOOTSTRAP': site_run,\n"
    "         'SITE_SKIPPED_PTH': site_skipped}\n"
    "exec(compile(source, '<driftcheck-probe>', 'exec'), scope)\n"
    "scope['main'](options)\n"
    # The answer is written (os.write): exit without tearing the interpreter down (~8 ms
    # for a large environment), and without running the target's own exit handlers,
    # which could write files (a coverage hook's data file, say).
    "sys.stdout.flush()\n"
    "sys.stderr.flush()\n"
    "os._exit(0)\n"
)


_source: list[str] = []


def probe_source() -> str:
    """The script as sent: the CI variable lists and the redaction rules, then the collector."""
    if not _source:
        # Plain files of this package (importlib.resources costs ~10 ms to import), read
        # through this module's loader: a folder, or the zipapp (driftcheck.pyz).
        folder = os.path.dirname(__file__)
        loader = __spec__.loader if __spec__ is not None else None
        get_data = getattr(loader, "get_data", None)
        parts = []
        for name in (
            os.path.join("..", "redaction", "ci_variables.py"),
            os.path.join("..", "redaction", "rules.py"),
            "_protocols.py",
            "_elf.py",
            "_owners.py",
            "_startup.py",
            "_probe.py",
        ):
            path = os.path.normpath(os.path.join(folder, name))  # no "..": a zip has none
            if get_data is not None:
                parts.append(get_data(path).decode("utf-8"))
            else:
                with open(path, encoding="utf-8") as handle:
                    parts.append(handle.read())
        _source.append("\n\n".join(parts))
    return _source[0]


class ProbeRequest:
    """One run of the probe: its stdin, the markers framing its answer, and the
    options it was built with (a probe started early is adopted only for the same).
    Read-only; a plain class because typing's NamedTuple costs ~4 ms to import."""

    __slots__ = (
        "begin",
        "end",
        "fingerprint_key",
        "main_process_environ",
        "os_packages",
        "stdin",
    )
    stdin: bytes
    begin: str
    end: str
    fingerprint_key: str | None
    main_process_environ: bool
    os_packages: bool  # False: the host reads the OS package databases itself

    def __init__(
        self,
        stdin: bytes,
        begin: str,
        end: str,
        fingerprint_key: str | None = None,
        main_process_environ: bool = False,
        os_packages: bool = True,
    ) -> None:
        values = {
            "stdin": stdin,
            "begin": begin,
            "end": end,
            "fingerprint_key": fingerprint_key,
            "main_process_environ": main_process_environ,
            "os_packages": os_packages,
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"ProbeRequest.{name} is read-only")


def build_request(
    fingerprint_key: str | None = None,
    *,
    main_process_environ: bool = False,
    os_packages: bool = True,
) -> ProbeRequest:
    nonce = os.urandom(16).hex()  # what secrets.token_hex(16) returns, without its imports
    begin, end = f"--driftcheck-begin-{nonce}--", f"--driftcheck-end-{nonce}--"
    # Only hex digits, markers and literals: JSON by construction, without importing json
    # (~8 ms with re) before a host snapshot's probe can start. The key travels as hex.
    key = f'"{fingerprint_key.encode("utf-8").hex()}"' if fingerprint_key else "null"
    options = (
        f'{{"begin": "{begin}", "end": "{end}", "fingerprint_key_hex": {key}, '
        f'"main_process_environ": {_json_bool(main_process_environ)}, '
        f'"os_packages": {_json_bool(os_packages)}}}'
    )
    stdin = (options + "\n" + probe_source()).encode("utf-8")
    return ProbeRequest(stdin, begin, end, fingerprint_key, main_process_environ, os_packages)


def _json_bool(value: bool) -> str:
    return "true" if value else "false"


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
        raise ProbeError(
            f"the probe gave no answer in {where}: is it a Python {MINIMUM_VERSION}+ interpreter?"
        )
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
        raise ProbeError(f"the probe failed in {where}: {_quoted(str(result['probe_error']))}")
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
        return ProbeError(
            f"{where} is Python {version}; driftcheck probes Python {MINIMUM_VERSION} and later"
        )
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    last = _quoted(lines[-1]) if lines else f"exit status {status}"
    return ProbeError(f"the probe failed in {where}: {last}")


def _quoted(line: str) -> str:
    """A line of the target's output, fit to quote: scrubbed whole, then cut to 300
    characters (cut first, a token could lose the length its pattern needs)."""
    from driftcheck.redaction.sweep import sweep  # the error path only: keeps start-up light

    return str(sweep(line)[0])[:300]
