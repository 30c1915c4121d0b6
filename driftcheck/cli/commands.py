"""What each command does, between parsing (app.py) and the library (api.py)."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

from driftcheck import api
from driftcheck.cli.progress import spinner
from driftcheck.render.summary import snapshot_summary
from driftcheck.snapshot import io
from driftcheck.targets.interface import Target

TYPE_CHECKING = False  # the diff model is imported by the commands that diff
if TYPE_CHECKING:
    from driftcheck.diff.model import Report


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
