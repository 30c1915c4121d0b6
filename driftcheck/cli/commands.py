"""What each command does, between parsing (app.py) and the library (api.py)."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from driftcheck import api
from driftcheck.cli.progress import spinner
from driftcheck.diff.model import Report
from driftcheck.errors import UsageError
from driftcheck.render.summary import snapshot_summary
from driftcheck.snapshot import io
from driftcheck.targets.interface import Target

if TYPE_CHECKING:
    from driftcheck.cli.check_outputs import ReportFiles
    from driftcheck.gate.verdict import CheckResult


def run_snapshot(target: Target, *, output: str | None, label: str | None, anonymize: bool) -> None:
    with spinner(f"probing {target.describe()}"):
        snap = api.take_snapshot(
            target, label=label, anonymize=anonymize, key=api.fingerprint_key()
        )
    summary = snapshot_summary(snap)
    if output == "-":
        sys.stdout.write(io.dumps(snap))
        print(summary, file=sys.stderr)
        return
    path = Path(output) if output else Path("snapshots") / f"{safe_label(snap.label)}.json"
    io.save(snap, path, create_folder=output is None)
    print(summary)
    print(f"Wrote {path}")


def safe_label(label: str) -> str:
    """A default label comes from the target (a container name, an image): make it a file name."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", label).strip(".-")
    return cleaned[:100] or "snapshot"


def run_show(source: str) -> None:
    with spinner(f"reading {source}"):
        snap = api.load_or_take(source, key=api.fingerprint_key())
    print(snapshot_summary(snap, details=True))


def report_renderers() -> dict[str, Callable[[Report], str]]:
    from driftcheck.render.report_json import render_json
    from driftcheck.render.report_markdown import render_markdown
    from driftcheck.render.report_text import render_text

    return {"text": render_text, "json": render_json, "markdown": render_markdown}


def run_diff(
    left: str, right: str, *, output_format: str, fail_on: str, only: list[str], ignore: list[str]
) -> int:
    from driftcheck.diff.engine import compare
    from driftcheck.diff.filters import filter_report
    from driftcheck.diff.model import Severity

    key = api.fingerprint_key()
    with spinner("comparing"):
        a = api.load_or_take(left, key=key)
        b = api.load_or_take(right, key=key)
        report = filter_report(
            compare(a, b, left_label=left, right_label=right), only=only, ignore=ignore
        )
    sys.stdout.write(report_renderers()[output_format](report))
    if fail_on == "never":
        return 0
    return 1 if report.at_or_above(Severity.parse(fail_on)) else 0


def run_check(
    *,
    baseline: Path,
    target: str,
    policy: str | None,
    fail_on: str | None,
    reports: ReportFiles,
    update_baseline: bool,
    label: str | None,
) -> int:
    from driftcheck.cli.check_outputs import warn

    key = api.fingerprint_key()
    if update_baseline:
        return _update_baseline(baseline, target, reports, label, key)
    from driftcheck.gate.baseline import load_baseline
    from driftcheck.gate.check import check
    from driftcheck.gate.policy_file import find_policy
    from driftcheck.gate.verdict import resolve_fail_on

    reports.verify(baseline)
    rules = find_policy(policy, Path())
    threshold = resolve_fail_on(fail_on, rules.fail_on)
    before = load_baseline(baseline, target)
    with spinner(f"probing {target}"):
        current = api.load_or_take(target, key=key, label=label)
    result = check(
        before,
        current,
        baseline_path=baseline,
        target_label=label or target,
        policy=rules,
        fail_on=threshold,
    )
    for message in result.warnings:
        warn(message)
    reports.write(result, baseline)
    _print_check(result, baseline)
    return 0 if result.passed else 1


def _update_baseline(
    baseline: Path, target: str, reports: ReportFiles, label: str | None, key: bytes | None
) -> int:
    if reports.requested():
        options = " and ".join(option for option, _ in reports.requested())
        raise UsageError(
            f"--update-baseline writes a baseline and compares nothing: drop {options}"
        )
    with spinner(f"probing {target}"):
        snap = api.load_or_take(target, key=key, label=label)
    io.save(snap, baseline, create_folder=True)
    print(snapshot_summary(snap))
    print(f"Wrote baseline {baseline}")
    return 0


def _print_check(result: CheckResult, baseline: Path) -> None:
    from driftcheck.cli.check_outputs import (
        append_step_summary,
        github_annotations,
        in_github_actions,
        warn,
    )
    from driftcheck.render.check_report import check_text, check_text_body

    if not in_github_actions():
        sys.stdout.write(check_text(result))
        return
    from driftcheck.render.github import without_commands

    sys.stdout.write(without_commands(check_text_body(result)))
    sys.stdout.write(github_annotations(result, baseline))
    print(result.verdict())
    problem = append_step_summary(result)
    if problem:
        warn(problem)
