"""driftcheck's command line."""

from __future__ import annotations

import re
import sys
import traceback
from typing import Annotated, Any

import typer
from typer.core import TyperCommand

from driftcheck import __version__
from driftcheck.cli.options import FailOn, ReportFileFormat, ReportFormat, SbomFormat
from driftcheck.cli.store_options import HistoryFormat, StoreOption
from driftcheck.errors import DriftcheckError, ExitCode, UsageError

SymptomOption = Annotated[
    str | None,
    typer.Option(
        "--symptom",
        metavar="TEXT",
        help="The error you saw (e.g. \"ModuleNotFoundError: No module named 'yaml'\"): "
        "the findings that explain it come first.",
    ),
]
LogOption = Annotated[
    str | None,
    typer.Option(
        "--log",
        metavar="FILE",
        help="A CI job log or a saved traceback ('-' for stdin): the findings that explain "
        "its errors come first, naming the line. Read up to its last 8 MiB, redacted.",
    ),
]

_UNREACHABLE = "4 Docker engine, registry, ssh: host or history store unreachable"
_ERROR_CODES = (
    "2 usage error; 3 invalid input (corrupt or hostile snapshot, archive or image); "
    f"{_UNREACHABLE}; 5 the probe failed in the target; 6 snapshot schema too new; "
    "70 internal error (a bug: rerun with --debug); 130 interrupted."
)
EXIT_CODES_HELP = f"Exit codes: 0 success; {_ERROR_CODES}"
ROOT_EXIT_CODES_HELP = f"Exit codes: 0 success; 1 drift found (diff, check); {_ERROR_CODES}"
DIFF_EXIT_CODES_HELP = (
    f"Exit codes: 0 no drift at or above --fail-on; 1 drift at or above it; {_ERROR_CODES} "
    "A --log that is not a text file is invalid input (3)."
)
LABEL_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class Command(TyperCommand):
    """Usage lines name arguments as their help does (``A B``), not ``{A} {B}``."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:  # typer's own click Context
        return [
            piece[1:-1] if piece.startswith("{") and piece.endswith("}") else piece
            for piece in super().collect_usage_pieces(ctx)
        ]


app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Capture what a Python program really runs on, and explain drift.",
    epilog=ROOT_EXIT_CODES_HELP,
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
) -> None:
    """driftcheck: capture an environment, compare two, explain the drift.

    Add --debug anywhere on the command line to see the traceback of an error."""


@app.command(
    cls=Command,
    epilog=EXIT_CODES_HELP,
    short_help="Capture the environment a Python program runs on, as JSON.",
)
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
    registry: Annotated[
        str | None,
        typer.Option(
            "--registry",
            metavar="REF",
            help="An image read from a registry, HOST/REPO:TAG or @sha256: (no engine).",
        ),
    ] = None,
    ssh: Annotated[
        str | None,
        typer.Option(
            "--ssh",
            metavar="[USER@]HOST[:PORT]",
            help="A remote host's Python, over the OpenSSH client (your ~/.ssh/config).",
        ),
    ] = None,
    tag: Annotated[
        str | None,
        typer.Option("--tag", metavar="TAG", help="Which image of a multi-image archive."),
    ] = None,
    platform: Annotated[
        str | None,
        typer.Option(
            "--platform",
            metavar="OS/ARCH[/VARIANT]",
            help="Which image of a registry's multi-platform index (default linux/host arch).",
        ),
    ] = None,
    insecure_registry: Annotated[
        bool,
        typer.Option(
            "--insecure-registry",
            help="Allow plain HTTP and unverified TLS for the --registry host.",
        ),
    ] = False,
    static: Annotated[
        bool, typer.Option("--static", help="Read the image as files; never run it.")
    ] = False,
    pull: Annotated[
        bool, typer.Option("--pull", help="Pull the image even when the engine has it.")
    ] = False,
    timeout: Annotated[
        float | None,
        typer.Option(
            "--timeout",
            metavar="SECONDS",
            help="Probe deadline (host 120, containers 60); with --registry, the deadline "
            "of each registry request (300).",
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
    store: StoreOption = None,
) -> None:
    """Capture the environment a Python program runs on into a JSON snapshot.

    Without a target option, the interpreter is the one you mean: $VIRTUAL_ENV,
    else $CONDA_PREFIX, else python3 on PATH. With --container or --image,
    --python names the interpreter inside. --archive and --registry read an
    image as files, with no engine; plain HTTP goes only to loopback registries,
    to --insecure-registry and to hosts in DRIFTCHECK_INSECURE_REGISTRIES. The
    snapshot goes to snapshots/<label>.json unless -o says otherwise; with --store
    (or DRIFTCHECK_STORE) it is also recorded in the history store.
    """
    from driftcheck import api
    from driftcheck.cli.commands import run_snapshot
    from driftcheck.store.location import use_store

    use_store(store)

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
        registry=registry,
        ssh=ssh,
        tag=tag,
        platform=platform,
        insecure_registry=insecure_registry,
        static=static,
        pull=pull,
        timeout=timeout,
    )
    run_snapshot(target, output=output, label=label, anonymize=anonymize)


@app.command(
    cls=Command,
    epilog=EXIT_CODES_HELP,
    short_help="Summarise a snapshot file, or a live target snapshotted now.",
)
def show(
    source: Annotated[
        str,
        typer.Argument(
            metavar="SOURCE",
            help="A snapshot file, or a live reference: host, python:PATH, pid:N, "
            "container:NAME, image:REF, archive:PATH, registry:HOST/REPO:TAG, "
            "ssh:[USER@]HOST[:PORT]; or a stored one: @last-pass[:LABEL], @latest[:LABEL], @ID.",
        ),
    ],
    store: StoreOption = None,
) -> None:
    """Print a summary of a snapshot file (or of a live target, snapshotted now)."""
    from driftcheck.cli.commands import run_show
    from driftcheck.store.location import use_store

    use_store(store)

    run_show(source)


@app.command(
    cls=Command,
    epilog=DIFF_EXIT_CODES_HELP,
    short_help="Explain the drift between two environments, likely causes first.",
)
def diff(
    sides: Annotated[
        list[str],
        typer.Argument(
            metavar="A B [C ...]",
            help="Snapshot files or live references; three or more: an N-way comparison.",
        ),
    ],
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
    project: Annotated[
        str | None,
        typer.Option(
            "--project",
            metavar="DIR",
            help="Rate and rank by what this project declares or imports (pyproject.toml, "
            "requirements*.txt, setup.cfg, its .py files).",
        ),
    ] = None,
    emit_constraints: Annotated[
        str | None,
        typer.Option(
            "--emit-constraints",
            metavar="FILE",
            help="Write a pip/uv constraints file pinning B's packages to A's versions.",
        ),
    ] = None,
    symptom: SymptomOption = None,
    log: LogOption = None,
    store: StoreOption = None,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            "-j",
            metavar="N",
            help="With three sides or more: snapshot N live sides at once (default 4).",
        ),
    ] = 4,
) -> None:
    """Explain the drift between two environments: likely causes first.

    A and B are snapshot files, or live references (host, python:PATH, pid:N,
    container:NAME, image:REF, archive:PATH, registry:HOST/REPO:TAG,
    ssh:[USER@]HOST[:PORT][/PYTHON]) snapshotted on the spot, or stored snapshots
    (@last-pass[:LABEL], @latest[:LABEL], @ID) read from --store: `driftcheck diff
    @last-pass host` explains a failing job against the last green run. With three
    sides or more, each fact that differs is a row, the majority value is the
    reference and each outlier is named; a side that cannot be read is reported and
    the others are still compared (the exit code is that side's).
    """
    from driftcheck.cli.commands import run_diff
    from driftcheck.store.location import use_store

    use_store(store)

    if len(sides) < 2:
        raise UsageError("diff compares two sides or more: pass A B [C ...]")
    if not 1 <= jobs <= 64:
        raise UsageError("--jobs must be between 1 and 64")
    if len(sides) > 2:
        from driftcheck.cli.fleet_command import run_fleet_diff

        if emit_constraints is not None:
            raise UsageError("--emit-constraints pins one side to another: pass two sides")
        if output_format.value == "markdown":
            raise UsageError("an N-way diff prints --format text or json")
        if symptom is not None or log is not None:
            option = "--symptom" if symptom is not None else "--log"
            raise UsageError(f"{option} explains a two-way diff: pass two sides (A B)")
        code = run_fleet_diff(
            sides,
            output_format=output_format.value,
            fail_on=fail_on.value,
            only=only or [],
            ignore=ignore or [],
            project=project,
            jobs=jobs,
        )
        raise typer.Exit(code)
    left, right = sides
    code = run_diff(
        left,
        right,
        output_format=output_format.value,
        fail_on=fail_on.value,
        only=only or [],
        ignore=ignore or [],
        project=project,
        emit_constraints=emit_constraints,
        symptom=symptom,
        log=log,
    )
    raise typer.Exit(code)


@app.command(
    cls=Command,
    epilog=EXIT_CODES_HELP,
    short_help="Make a report for a bug ticket, safe to paste in public.",
)
def report(
    sources: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[A [B]]",
            help="Snapshot files, reports or live references (default: host). "
            "One: an environment report; two: the drift from A to B.",
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "-o",
            "--output",
            metavar="FILE",
            help="FILE.md (Markdown) or FILE.html (one self-contained page); "
            "'-' or nothing: Markdown on stdout.",
        ),
    ] = None,
    output_format: Annotated[
        ReportFileFormat | None,
        typer.Option("--format", help="Override the format chosen from -o's extension."),
    ] = None,
    anonymize: Annotated[
        bool, typer.Option("--anonymize", help="Replace user, home and host names.")
    ] = False,
    preview: Annotated[
        bool,
        typer.Option(
            "--preview", help="Print what would be shared, redactions marked; write nothing."
        ),
    ] = False,
    store: StoreOption = None,
) -> None:
    """Make a report to attach to a bug ticket: safe to paste in public, readable back.

    The Markdown fits the 65,536-character limit of an issue body (it says what it
    left out) and embeds the snapshot(s), compressed and checksummed, so that
    `driftcheck diff FILE.md mine.json` and `driftcheck show FILE.md` read it back
    (FILE.md#2 is the second snapshot of a drift report).
    """
    from driftcheck.cli.commands import run_report
    from driftcheck.store.location import use_store

    use_store(store)
    sources = sources or ["host"]
    if len(sources) > 2:
        raise UsageError(f"report takes one or two snapshots, not {len(sources)}: pass A [B]")
    run_report(
        sources,
        output=output,
        output_format=output_format.value if output_format else None,
        anonymize=anonymize,
        preview=preview,
    )


@app.command(
    cls=Command,
    epilog=EXIT_CODES_HELP,
    short_help="Write a snapshot as a CycloneDX or SPDX SBOM.",
)
def export(
    source: Annotated[
        str,
        typer.Argument(
            metavar="SNAPSHOT",
            help="A snapshot file, a report, a live reference (host, image:REF, …), or a "
            "stored one (@last-pass[:LABEL], @latest[:LABEL], @ID).",
        ),
    ],
    sbom_format: Annotated[
        SbomFormat, typer.Option("--format", help="CycloneDX 1.6 JSON or SPDX 2.3 JSON.")
    ],
    output: Annotated[
        str | None,
        typer.Option("-o", "--output", metavar="FILE", help="Where to write (default: stdout)."),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Write a snapshot as an SBOM: the OS, the interpreter, the distributions and the OS
    packages, with package URLs. Environment variables and paths are never exported."""
    from driftcheck.cli.commands import run_export
    from driftcheck.store.location import use_store

    use_store(store)
    run_export(source, sbom_format.value, output)


CHECK_EXIT_CODES_HELP = (
    "Exit codes: 0 no finding at or above the threshold (or baseline written); 1 drift at or "
    "above it; 2 usage error (missing baseline, invalid policy, unwritable report); "
    f"3 corrupt baseline (or a --log that is not a text file); {_UNREACHABLE}; "
    "5 the probe failed in the target; "
    "6 baseline schema too new; 70 internal error (a bug: rerun with --debug); 130 interrupted."
)


@app.command(
    cls=Command,
    epilog=CHECK_EXIT_CODES_HELP,
    short_help="Fail a CI job when the target drifted from a committed baseline.",
)
def check(
    baseline: Annotated[
        str,
        typer.Option(
            "--baseline",
            metavar="FILE",
            help="The snapshot this target must match; or @last-pass[:LABEL] (the newest "
            "stored snapshot whose check passed), @latest[:LABEL], @ID from --store.",
        ),
    ],
    target: Annotated[
        str,
        typer.Option(
            "--target",
            metavar="REF",
            help="host, python:PATH, pid:N, container:NAME, image:REF, archive:PATH, "
            "registry:REF, ssh:[USER@]HOST[:PORT], or a snapshot file.",
        ),
    ] = "host",
    policy: Annotated[
        str | None,
        typer.Option(
            "--policy",
            metavar="FILE",
            help="driftcheck.toml or pyproject.toml (default: the one in this folder).",
        ),
    ] = None,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            "--fail-on", help="Exit 1 at or above this (default: the policy's fail_on, else high)."
        ),
    ] = None,
    junit: Annotated[
        str | None, typer.Option("--junit", metavar="FILE", help="Write a JUnit XML report.")
    ] = None,
    markdown: Annotated[
        str | None, typer.Option("--markdown", metavar="FILE", help="Write a Markdown report.")
    ] = None,
    json_file: Annotated[
        str | None, typer.Option("--json", metavar="FILE", help="Write a JSON report.")
    ] = None,
    codequality: Annotated[
        str | None,
        typer.Option("--codequality", metavar="FILE", help="Write a GitLab Code Quality report."),
    ] = None,
    update_baseline: Annotated[
        bool,
        typer.Option(
            "--update-baseline", help="Snapshot the target into --baseline; compare nothing."
        ),
    ] = False,
    label: Annotated[
        str | None,
        typer.Option(
            "--label", metavar="NAME", help="Name of the target in reports and baselines."
        ),
    ] = None,
    project: Annotated[
        str | None,
        typer.Option(
            "--project",
            metavar="DIR",
            help="Rate findings by what this project declares or imports: a package its "
            "code imports that is missing on the target is critical.",
        ),
    ] = None,
    symptom: SymptomOption = None,
    log: LogOption = None,
    store: StoreOption = None,
) -> None:
    """Fail a CI job when the target drifted from a committed baseline.

    Snapshots the target (default: host, the interpreter `snapshot` would pick),
    compares it with --baseline and applies the drift policy ([tool.driftcheck]
    in pyproject.toml, or driftcheck.toml). Exits 1 when a finding reaches the
    threshold: --fail-on, else the policy's fail_on, else high. With
    GITHUB_ACTIONS=true, findings also become annotations and a job summary. With
    --store (or DRIFTCHECK_STORE) the target's snapshot is recorded with the verdict.
    """
    from pathlib import Path

    from driftcheck.cli.check_outputs import ReportFiles
    from driftcheck.cli.commands import run_check
    from driftcheck.store.location import use_store

    use_store(store)

    if label is not None and not LABEL_PATTERN.match(label):
        raise UsageError(f"label {label!r} must be letters, digits, '.', '_' or '-'")
    reports = ReportFiles(
        junit=Path(junit) if junit else None,
        markdown=Path(markdown) if markdown else None,
        json=Path(json_file) if json_file else None,
        codequality=Path(codequality) if codequality else None,
    )
    code = run_check(
        baseline=Path(baseline),
        target=target,
        policy=policy,
        fail_on=fail_on.value if fail_on else None,
        reports=reports,
        update_baseline=update_baseline,
        label=label,
        project=project,
        symptom=symptom,
        log=log,
    )
    raise typer.Exit(code)


@app.command(
    cls=Command,
    epilog=EXIT_CODES_HELP,
    short_help="List the snapshots a history store recorded.",
)
def history(
    label: Annotated[
        str | None, typer.Argument(metavar="[LABEL]", help="Only the snapshots of this label.")
    ] = None,
    store: StoreOption = None,
    output_format: Annotated[
        HistoryFormat, typer.Option("--format", help="How to print the list.")
    ] = HistoryFormat.text,
) -> None:
    """List the snapshots recorded in the history store, newest first: id, label, time,
    commit and verdict. @ID, @latest[:LABEL] and @last-pass[:LABEL] name them."""
    from driftcheck.cli.store_options import run_history
    from driftcheck.store.location import use_store

    use_store(store)
    run_history(label, output_format)


INTERRUPTED_MESSAGE = "driftcheck: interrupted; nothing was written"


def _check_format_hint(command: str, exc: Exception) -> str | None:
    """`check --format json` (as `diff` takes it): check writes each format to a file."""
    if command.endswith(" check") and getattr(exc, "option_name", None) == "--format":
        return (
            "check prints its text report and writes each format with its own option: "
            "--json FILE (--json - for standard output), --junit, --markdown, --codequality"
        )
    return None


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    # --debug is accepted anywhere on the line, before or after the command.
    debug = "--debug" in args
    args = [a for a in args if a != "--debug"]
    if not args:  # no command: the help, as --help prints it, and the usage error's code
        app(args=["--help"], prog_name="driftcheck", standalone_mode=False)
        return ExitCode.USAGE
    try:
        returned = app(args=args, prog_name="driftcheck", standalone_mode=False)
        if isinstance(returned, int):  # click hands back typer.Exit's code here
            return _announced(returned)
    except typer.Exit as exc:
        return _announced(exc.exit_code)
    except typer.TyperException as exc:  # option parsing: one line, like every error
        message = _safe(exc.format_message()).replace("\n", " ").rstrip(" .")
        ctx = getattr(exc, "ctx", None)
        command = ctx.command_path if ctx is not None and ctx.command_path else "driftcheck"
        way_out = _check_format_hint(command, exc) or f"see '{command} --help'"
        print(f"driftcheck: error: {message}; {way_out}", file=sys.stderr)
        return ExitCode.USAGE
    except (KeyboardInterrupt, typer.Abort):
        print(INTERRUPTED_MESSAGE, file=sys.stderr)
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
        return ExitCode.INTERNAL_ERROR
    return ExitCode.OK


def _announced(code: int) -> int:
    """Typer turns Ctrl-C into a silent exit code 130: say what happened, like other errors."""
    if code == ExitCode.INTERRUPTED:
        print(INTERRUPTED_MESSAGE, file=sys.stderr)
    return code


def _safe(text: str) -> str:
    """Error text can quote a target: no secret and no terminal escape gets through."""
    from driftcheck.redaction.rules import scrub_text
    from driftcheck.terminal import visible

    return visible(scrub_text(text)[0], keep_newlines=True)


def _print_traceback() -> None:
    print(_safe(traceback.format_exc()), file=sys.stderr, end="")


def _report(exc: DriftcheckError, debug: bool) -> None:
    if debug:
        _print_traceback()
    message = _safe(str(exc)).replace("\n", " ")
    print(f"driftcheck: error: {message}", file=sys.stderr)
