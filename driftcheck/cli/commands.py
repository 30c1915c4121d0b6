"""What each command does, between parsing (app.py) and the library (api.py)."""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from driftcheck import api
from driftcheck.cli.progress import spinner
from driftcheck.errors import DriftcheckError, ExitCode, UsageError
from driftcheck.redaction.rules import scrub_text
from driftcheck.render.formats import diff_renderer
from driftcheck.render.summary import snapshot_summary
from driftcheck.snapshot import files as snapshot_files
from driftcheck.snapshot.streams import writes_through
from driftcheck.terminal import visible

if TYPE_CHECKING:  # these modules load only in the commands that use them
    from driftcheck.cli.check_outputs import ReportFiles
    from driftcheck.diff.symptom.reading import ErrorText
    from driftcheck.gate.verdict import CheckResult
    from driftcheck.project.model import ProjectFacts
    from driftcheck.report.build import BuiltReport
    from driftcheck.snapshot.model import Snapshot
    from driftcheck.targets.interface import Target


def run_snapshot(target: Target, *, output: str | None, label: str | None, anonymize: bool) -> None:
    with spinner(f"probing {target.describe()}"):
        snap = api.take_snapshot(
            target, label=label, anonymize=anonymize, key=api.fingerprint_key()
        )
    summary = snapshot_summary(snap)
    if output == "-":
        sys.stdout.write(snapshot_files.dumps(snap))
        print(summary, file=sys.stderr)
        _record(snap)
        return
    path = Path(output) if output else Path("snapshots") / f"{safe_label(snap.label)}.json"
    stream = writes_through(path)  # -o /dev/stdout: the summary must not join the JSON
    snapshot_files.save(snap, path, create_folder=output is None)
    print(summary, file=sys.stderr if stream else sys.stdout)
    print(f"Wrote {path}", file=sys.stderr if stream else sys.stdout)
    _record(snap)


def _record(snap: Snapshot, verdict: str | None = None) -> None:
    """In the history store (--store, DRIFTCHECK_STORE), when one is chosen."""
    from driftcheck.store.recording import record_if_chosen

    record_if_chosen(snap, verdict=verdict)


def safe_label(label: str) -> str:
    """A default label comes from the target (a container name, an image): make it a file name."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", label).strip(".-")
    return cleaned[:100] or "snapshot"


def run_show(source: str) -> None:
    with spinner(f"reading {source}"):
        snap = api.load_or_take(source, key=api.fingerprint_key())
    print(snapshot_summary(snap, details=True))


def run_diff(
    left: str,
    right: str,
    *,
    output_format: str,
    fail_on: str,
    only: list[str],
    ignore: list[str],
    project: str | None = None,
    emit_constraints: str | None = None,
    symptom: str | None = None,
    log: str | None = None,
) -> int:
    from driftcheck.diff.engine import compare
    from driftcheck.diff.filters import check_categories, filter_report
    from driftcheck.diff.model import Severity

    if emit_constraints == "-":
        raise UsageError("--emit-constraints needs a file name: the report goes to stdout")
    only = list(check_categories(only))  # before any live snapshot: a typo fails fast
    facts = _project_facts(project)  # before any live snapshot: a wrong folder fails fast
    errors = error_texts(symptom, log)  # and a wrong log too
    key = api.fingerprint_key()
    with spinner("comparing"):
        a = api.load_or_take(left, key=key)
        b = api.load_or_take(right, key=key)
        report = filter_report(
            compare(a, b, left_label=left, right_label=right, project=facts, symptom=errors),
            only=only,
            ignore=ignore,
        )
    if emit_constraints is not None:
        from driftcheck.diff.constraints import constraints_text

        path = Path(emit_constraints)
        text = constraints_text(a, b, left, right, path.name)
        snapshot_files.write_atomic(path, text, option="--emit-constraints")
        print(f"driftcheck: wrote constraints to {visible(str(path))}", file=sys.stderr)
    sys.stdout.write(diff_renderer(output_format)(report))
    if fail_on == "never":
        return 0
    return ExitCode.DRIFT if report.at_or_above(Severity.parse(fail_on)) else ExitCode.OK


def error_texts(symptom: str | None, log: str | None) -> tuple[ErrorText, ...]:
    """--symptom's words and --log's file, read (bounded) before anything is probed."""
    from driftcheck.diff.symptom.reading import read_log, symptom_text

    texts = []
    if symptom is not None:
        texts.append(symptom_text(symptom))
    if log is not None:
        texts.append(read_log(log))
    return tuple(texts)


def _project_facts(project: str | None) -> ProjectFacts | None:
    if project is None:
        return None
    from driftcheck.project.read import read_project

    facts = read_project(project)
    for note in facts.notes:
        # A note quotes the project's files (a -r URL with a token): swept like any output.
        print(f"driftcheck: warning: --project: {visible(scrub_text(note)[0])}", file=sys.stderr)
    return facts


def run_report(
    sources: list[str],
    *,
    output: str | None,
    output_format: str | None,
    anonymize: bool,
    preview: bool,
) -> None:
    from driftcheck.cli.report_sides import distinct, load_side
    from driftcheck.report.build import build_report

    chosen = output_format or report_format_for(output)
    key = api.fingerprint_key()
    with spinner("preparing the report"):
        sides = distinct([load_side(s, key=key, anonymize=anonymize) for s in sources])
        built = build_report(sides, "markdown" if preview else chosen)
    if preview:
        _print_preview(built.text, sources, output, chosen, anonymize)
        return
    if output is None or output == "-":
        sys.stdout.write(built.text)
    else:
        snapshot_files.write_atomic(Path(output), built.text)
    print(visible(_report_outcome(built, len(sides), output)), file=sys.stderr)


def report_format_for(output: str | None) -> str:
    """HTML for -o FILE.html / .htm, Markdown otherwise (stdout included)."""
    return "html" if output and output.lower().endswith((".html", ".htm")) else "markdown"


def _report_outcome(built: BuiltReport, count: int, output: str | None) -> str:
    where = "Wrote the report to standard output" if output in (None, "-") else f"Wrote {output}"
    parts = [f"{where} ({built.format}, {len(built.text):,} characters)"]
    if built.left_out:
        parts.append(f"shortened to fit an issue body: left out {'; '.join(built.left_out)}")
    if built.embedded == count:
        stream = output in (None, "-") or writes_through(Path(output or "-"))
        reader = "FILE" if stream else shlex.quote(output or "-")  # not /dev/null: a file
        if count == 1:
            parts.append(f"1 snapshot embedded: `driftcheck diff {reader} other.json` reads it")
        else:
            parts.append(
                f"{count} snapshots embedded: `driftcheck diff {reader}#1 {reader}#2` "
                "reads them back (#1 is A, #2 is B)"
            )
    else:
        parts.append(
            f"only {built.embedded} of {count} snapshot(s) fit in it: attach the snapshot "
            "file(s) too (driftcheck snapshot -o FILE.json)"
        )
    return "; ".join(parts) + "."


def _print_preview(
    markdown: str, sources: list[str], output: str | None, chosen: str, anonymize: bool
) -> None:
    from driftcheck.report.preview import preview

    shown = preview(markdown, terminal=sys.stdout.isatty())
    sys.stdout.write(shown.text)
    command = ["driftcheck", "report", *sources, "-o", output or "report.md"]
    if anonymize:
        command.append("--anonymize")
    html_note = " The HTML file holds the same facts, none left out." if chosen == "html" else ""
    print(
        f"Preview only: nothing was written. {shown.marked} redaction(s) are marked above."
        f"{html_note} To write it: {visible(shlex.join(command))}",
        file=sys.stderr,
    )


def run_check(
    *,
    baseline: Path,
    target: str,
    policy: str | None,
    fail_on: str | None,
    reports: ReportFiles,
    update_baseline: bool,
    label: str | None,
    project: str | None = None,
    symptom: str | None = None,
    log: str | None = None,
) -> int:
    from driftcheck.cli.check_outputs import warn

    key = api.fingerprint_key()
    if label is None and str(baseline).startswith("@"):  # --baseline @last-pass:api: api
        from driftcheck.store.references import reference_label

        label = reference_label(str(baseline))
    if update_baseline:
        for option, value in (("--project", project), ("--symptom", symptom), ("--log", log)):
            if value is not None:
                raise UsageError(
                    f"--update-baseline writes a baseline and compares nothing: drop {option}"
                )
    if update_baseline:
        return _update_baseline(baseline, target, reports, label, key)
    facts = _project_facts(project)
    errors = error_texts(symptom, log)
    from driftcheck.gate.baseline import load_baseline
    from driftcheck.gate.check import check
    from driftcheck.gate.policy_file import find_policy
    from driftcheck.gate.verdict import resolve_fail_on

    reports.verify(baseline)
    rules = find_policy(policy, Path())
    threshold = resolve_fail_on(fail_on, rules.fail_on)
    if str(baseline).startswith("@"):  # @last-pass, @latest, @ID: from the history store
        before = api.load_or_take(str(baseline), label=label)
        label = label or before.label  # recorded as the run it was checked against
    else:
        before = load_baseline(baseline, target)
    if fail_on is None and rules.fail_on is None:
        from driftcheck.diff.lock_fixes import lock_fail_on

        threshold = lock_fail_on(before, threshold)  # a lock: any drift from it fails
    with spinner(f"probing {target}"):
        current = api.load_or_take(target, key=key, label=label)
    result = check(
        before,
        current,
        baseline_path=baseline,
        target_label=label or target,
        policy=rules,
        fail_on=threshold,
        project=facts,
        symptom=errors,
    )
    for message in result.warnings:
        warn(message)
    reports.write(result, baseline)
    # A report on standard output (`--json -`) has it alone: the text report goes to stderr.
    _print_check(result, baseline, sys.stderr if reports.to_stdout() else sys.stdout)
    _record(_labelled(current, label), "pass" if result.passed else "fail")
    return 0 if result.passed else 1


def _labelled(snap: Snapshot, label: str | None) -> Snapshot:
    """--label names the target in the store too, even when it is a snapshot file."""
    from dataclasses import replace

    return replace(snap, label=label) if label and label != snap.label else snap


def _update_baseline(
    baseline: Path, target: str, reports: ReportFiles, label: str | None, key: bytes | None
) -> int:
    if reports.requested():
        options = " and ".join(option for option, _ in reports.requested())
        raise UsageError(
            f"--update-baseline writes a baseline and compares nothing: drop {options}"
        )
    from driftcheck.lockfiles.read import form_by_name

    if form_by_name(str(baseline)) is not None or _kept_document(baseline) == "lockfile":
        raise UsageError(  # never overwrite a user's lock with JSON
            f"{baseline} is a lockfile: driftcheck does not rewrite it; lock again with the "
            "tool that wrote it (uv lock, poetry lock, pip-compile, …)"
        )
    if _kept_document(baseline) == "sbom":
        raise UsageError(
            f"{baseline} is an SBOM: driftcheck does not rewrite it; write the baseline to "
            "another file, or export one with `driftcheck export`"
        )
    stored = str(baseline).startswith("@")
    if stored:
        from driftcheck.store.recording import check_accepted_reference

        check_accepted_reference(str(baseline))  # before the probe: a wrong one fails fast
    with spinner(f"probing {target}"):
        snap = api.load_or_take(target, key=key, label=label)
    if stored:  # the drift is accepted: the target is recorded as the new last pass
        print(snapshot_summary(snap))
        _record(_labelled(snap, label), "pass")
        return 0
    snapshot_files.save(snap, baseline, create_folder=True)
    print(snapshot_summary(snap))
    print(f"Wrote baseline {baseline}")
    _record(_labelled(snap, label))
    return 0


def _print_check(result: CheckResult, baseline: Path, out: TextIO) -> None:
    from driftcheck.cli.check_outputs import (
        append_step_summary,
        github_annotations,
        in_github_actions,
        warn,
    )
    from driftcheck.render.check_report import check_text, check_text_body

    if not in_github_actions():
        out.write(check_text(result))
        return
    from driftcheck.render.github import without_commands

    out.write(without_commands(check_text_body(result)))
    out.write(github_annotations(result, baseline))
    print(result.verdict(), file=out)
    problem = append_step_summary(result)
    if problem:
        warn(problem)


def run_export(source: str, sbom_format: str, output: str | None) -> None:
    from driftcheck.sbom.export import export_text

    with spinner(f"reading {source}"):
        snap = api.load_or_take(source, key=api.fingerprint_key())
    text = export_text(snap, sbom_format)
    if output is None or output == "-":
        sys.stdout.write(text)
        return
    path = Path(output)
    snapshot_files.write_atomic(path, text)
    if not writes_through(path):
        print(f"Wrote {visible(str(path))} ({sbom_format})", file=sys.stderr)


def _kept_document(path: Path) -> str | None:
    """ "lockfile" or "sbom" when the file at PATH is one (recognised by its content, as
    a baseline is read); None for a snapshot, a missing or an unreadable file."""
    if not path.is_file():
        return None
    from driftcheck.gate.baseline import load_baseline

    try:
        kept = load_baseline(path)
    except DriftcheckError:
        return None  # a corrupt baseline may be rewritten
    if kept.target.kind == "lockfile":
        return "lockfile"
    return "sbom" if kept.target.mode == "sbom" else None
