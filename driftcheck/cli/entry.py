"""The console script: `driftcheck ...`.

`driftcheck --version` is answered here. A plain host snapshot (`driftcheck snapshot
[--python PATH] [-o FILE] [--label NAME] [--anonymize]`) starts its probe here,
before the command line and snapshot code are imported (~70 ms of CPU): the
interpreter reads its environment meanwhile. Everything else, and every check of
the options, is the CLI's (`cli/app.py`); what is started here is adopted only by
the identical run (`targets/prestart.py`).
"""

from __future__ import annotations

import os
import sys

_VALUE_OPTIONS = frozenset({"--python", "-o", "--output", "--label"})
_FLAGS = frozenset({"--anonymize", "--debug"})


def host_snapshot_python(args: list[str]) -> tuple[bool, str | None]:
    """(True, the --python value) when ARGS are a host snapshot in the plain form above."""
    if not args or args[0] != "snapshot":
        return False, None
    python = None
    index = 1
    while index < len(args):
        arg = args[index]
        name, equals, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name in _VALUE_OPTIONS:
            if not equals:
                index += 1
                if index == len(args):
                    return False, None
                value = args[index]
            if name == "--python":
                python = value
        elif arg not in _FLAGS:
            return False, None  # anything else: the CLI alone decides
        index += 1
    return True, python


def start_host_probe(args: list[str]) -> None:
    args = [a for a in args if a != "--debug"]  # accepted anywhere, as in cli/app.py
    plain, python = host_snapshot_python(args)
    if not plain:
        return
    # One snapshot, then exit: its data holds no cycles, and the cyclic GC would spend
    # ~6% of the host's CPU walking every object of every imported module.
    import gc

    gc.disable()
    from driftcheck.errors import DriftcheckError
    from driftcheck.probe import FINGERPRINT_KEY_VARIABLE, program_environ
    from driftcheck.targets import prestart
    from driftcheck.targets.interpreter import resolve_interpreter

    try:
        interpreter, _ = resolve_interpreter(python, os.environ)
        environ = program_environ(os.environ)
        prestart.start(interpreter, environ, os.environ.get(FINGERPRINT_KEY_VARIABLE) or None)
    except DriftcheckError:
        pass  # the CLI meets the same problem and reports it


def main() -> int:
    if sys.argv[1:] == ["--version"]:  # what cli/app.py prints, without importing typer
        from driftcheck import __version__

        print(f"driftcheck {__version__}")
        return 0
    start_host_probe(sys.argv[1:])
    from driftcheck.cli.app import main as cli_main

    exit_now(cli_main())
    return 0  # not reached


def exit_now(code: int) -> None:
    """Ends the process once everything is written: exit handlers run and the standard
    streams are flushed as on a normal exit, but the ~300 imported modules are not torn
    down one by one (~30 ms of CPU at the end of every command)."""
    import atexit
    import contextlib

    run_handlers = getattr(atexit, "_run_exitfuncs", None)
    if run_handlers is None:  # not CPython: the usual exit
        raise SystemExit(code)
    run_handlers()
    for stream in (sys.stdout, sys.stderr):
        # A closed pipe (driftcheck ... | head): nothing more can be said.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)
