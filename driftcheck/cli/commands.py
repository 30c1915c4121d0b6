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
from driftcheck.render.terminal import visible
from driftcheck.snapshot import io

if TYPE_CHECKING:  # the probe's module loads only when a target is probed
    from driftcheck.targets.interface import Target


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
    left: str,
    right: str,
    *,
    output_format: str,
    fail_on: str,
    only: list[str],
    ignore: list[str],
    project: str | None = None,
    emit_constraints: str | None = None,
) -> int:
    from driftcheck.diff.engine import compare
    from driftcheck.diff.filters import filter_report
    from driftcheck.diff.model import Severity

    if emit_constraints == "-":
        raise UsageError("--emit-constraints needs a file name: the report goes to stdout")
    facts = None
    if project is not None:  # before any live snapshot: a wrong folder fails fast
        from driftcheck.project.read import read_project

        facts = read_project(project)
        for note in facts.notes:
            print(f"driftcheck: warning: --project: {visible(note)}", file=sys.stderr)
    key = api.fingerprint_key()
    with spinner("comparing"):
        a = api.load_or_take(left, key=key)
        b = api.load_or_take(right, key=key)
        report = filter_report(
            compare(a, b, left_label=left, right_label=right, project=facts),
            only=only,
            ignore=ignore,
        )
    if emit_constraints is not None:
        from driftcheck.diff.constraints import constraints_text

        path = Path(emit_constraints)
        text = constraints_text(a, b, left, right, path.name)
        io.write_atomic(path, text, option="--emit-constraints")
        print(f"driftcheck: wrote constraints to {visible(str(path))}", file=sys.stderr)
    sys.stdout.write(report_renderers()[output_format](report))
    if fail_on == "never":
        return 0
    return 1 if report.at_or_above(Severity.parse(fail_on)) else 0
