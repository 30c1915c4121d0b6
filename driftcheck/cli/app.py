"""driftcheck's command line."""

from __future__ import annotations

import re
import sys
import traceback
from typing import Annotated

import typer

from driftcheck import __version__
from driftcheck.cli.options import FailOn, ReportFormat
from driftcheck.errors import DriftcheckError, ExitCode, UsageError

EXIT_CODES_HELP = (
    "Exit codes: 0 no drift (or success); 1 drift found; 2 usage error; "
    "3 invalid input (corrupt or hostile snapshot); 4 Docker engine unreachable; "
    "5 the probe failed in the target; 6 snapshot schema too new; 130 interrupted."
)
LABEL_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Capture what a Python program really runs on, and explain drift.",
    epilog=EXIT_CODES_HELP,
)


def _show_version(value: bool) -> None:
    if value:
        print(f"driftcheck {__version__}")
        raise typer.Exit(0)


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version."),
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    """driftcheck: capture an environment, compare two, explain the drift."""


@app.command(epilog=EXIT_CODES_HELP)
def snapshot(
    python: Annotated[
        str | None,
        typer.Option("--python", metavar="PATH", help="Interpreter (or environment folder)."),
    ] = None,
    pid: Annotated[
        int | None, typer.Option("--pid", metavar="N", help="A running process to capture.")
    ] = None,
    container: Annotated[
        str | None,
        typer.Option("--container", metavar="NAME", help="A running container to capture."),
    ] = None,
    image: Annotated[
        str | None,
        typer.Option("--image", metavar="REF", help="An image, probed in a throwaway container."),
    ] = None,
    archive: Annotated[
        str | None,
        typer.Option(
            "--archive", metavar="FILE", help="A docker save tarball or OCI layout (no engine)."
        ),
    ] = None,
    tag: Annotated[
        str | None,
        typer.Option("--tag", metavar="TAG", help="Which image of a multi-image archive."),
    ] = None,
    static: Annotated[
        bool, typer.Option("--static", help="Read the image as files; never run it.")
    ] = False,
    pull: Annotated[
        bool, typer.Option("--pull", help="Pull the image even when the engine has it.")
    ] = False,
    timeout: Annotated[
        float | None,
        typer.Option(
            "--timeout", metavar="SECONDS", help="Probe deadline (host 120, containers 60)."
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option("-o", "--output", metavar="FILE", help="Where to write; '-' for stdout."),
    ] = None,
    label: Annotated[
        str | None,
        typer.Option("--label", metavar="NAME", help="Name of the snapshot (default: host)."),
    ] = None,
    anonymize: Annotated[
        bool, typer.Option("--anonymize", help="Replace user, home and host names.")
    ] = False,
) -> None:
    """Capture the environment a Python program runs on into a JSON snapshot.

    Without a target option, the interpreter is the one you mean: $VIRTUAL_ENV,
    else $CONDA_PREFIX, else python3 on PATH. With --container or --image,
    --python names the interpreter inside. The snapshot goes to
    snapshots/<label>.json unless -o says otherwise.
    """
    from driftcheck import api
    from driftcheck.cli.commands import run_snapshot

    if label is not None and not LABEL_PATTERN.match(label):
        raise UsageError(f"label {label!r} must be letters, digits, '.', '_' or '-'")
    if timeout is not None and not (0 < timeout < 86400):
        raise UsageError("--timeout must be a number of seconds between 0 and 86400")
    if pid is not None and pid <= 0:
        raise UsageError(f"--pid {pid} is not a process id; `ps` lists them")
    target = api.select_target(
        python=python,
        pid=pid,
        container=container,
        image=image,
        archive=archive,
        tag=tag,
        static=static,
        pull=pull,
        timeout=timeout,
    )
    run_snapshot(target, output=output, label=label, anonymize=anonymize)


@app.command(epilog=EXIT_CODES_HELP)
def show(
    source: Annotated[
        str,
        typer.Argument(
            metavar="SOURCE",
            help="A snapshot file, or a live reference: host, python:PATH, pid:N, "
            "container:NAME, image:REF, archive:PATH.",
        ),
    ],
) -> None:
    """Print a summary of a snapshot file (or of a live target, snapshotted now)."""
    from driftcheck.cli.commands import run_show

    run_show(source)


@app.command(epilog=EXIT_CODES_HELP)
def diff(
    left: Annotated[str, typer.Argument(metavar="A", help="Snapshot file or live reference.")],
    right: Annotated[str, typer.Argument(metavar="B", help="Snapshot file or live reference.")],
    output_format: Annotated[
        ReportFormat, typer.Option("--format", help="How to print the report.")
    ] = ReportFormat.text,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="Exit 1 when a finding is at or above this.")
    ] = FailOn.never,
    only: Annotated[
        list[str] | None,
        typer.Option("--only", metavar="CATEGORY", help="Keep only this category (repeatable)."),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option("--ignore", metavar="PATTERN", help="Drop subjects matching this glob."),
    ] = None,
) -> None:
    """Explain the drift between two environments: likely causes first.

    A and B are snapshot files, or live references (host, python:PATH, pid:N,
    container:NAME, image:REF) snapshotted on the spot.
    """
    from driftcheck.cli.commands import run_diff

    code = run_diff(
        left,
        right,
        output_format=output_format.value,
        fail_on=fail_on.value,
        only=only or [],
        ignore=ignore or [],
    )
    raise typer.Exit(code)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    # --debug is accepted anywhere on the line, before or after the command.
    debug = "--debug" in args
    args = [a for a in args if a != "--debug"]
    try:
        returned = app(args=args, prog_name="driftcheck", standalone_mode=False)
        if isinstance(returned, int):  # click hands back typer.Exit's code here
            return returned
    except typer.Exit as exc:
        return exc.exit_code
    except typer.TyperException as exc:  # option parsing: one line, like every error
        message = _safe(exc.format_message()).replace("\n", " ")
        print(f"driftcheck: error: {message}; see 'driftcheck --help'", file=sys.stderr)
        return ExitCode.USAGE
    except (KeyboardInterrupt, typer.Abort):
        print("driftcheck: interrupted; nothing was written", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except DriftcheckError as exc:
        _report(exc, debug)
        return exc.exit_code
    except Exception as exc:  # a bug: still one line unless --debug
        if debug:
            _print_traceback()
        print(
            f"driftcheck: internal error ({type(exc).__name__}); rerun with --debug and report it",
            file=sys.stderr,
        )
        return 70
    return ExitCode.OK


def _safe(text: str) -> str:
    """Error text can quote a target: no secret and no terminal escape gets through."""
    from driftcheck.probe._secrets import scrub_text
    from driftcheck.render.terminal import visible

    return visible(scrub_text(text)[0], keep_newlines=True)


def _print_traceback() -> None:
    print(_safe(traceback.format_exc()), file=sys.stderr, end="")


def _report(exc: DriftcheckError, debug: bool) -> None:
    if debug:
        _print_traceback()
    message = _safe(str(exc)).replace("\n", " ")
    print(f"driftcheck: error: {message}", file=sys.stderr)
