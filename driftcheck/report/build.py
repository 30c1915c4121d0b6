"""One entry point for `driftcheck report`: one snapshot or two, Markdown or HTML.

The snapshots handed in are already redacted (and anonymized when asked): they are
what gets embedded, so the machine-readable copy never holds more than the text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from driftcheck.diff.engine import compare
from driftcheck.redaction.rules import scrub_text
from driftcheck.report.embed import embed_block
from driftcheck.report.fit import ISSUE_BODY_LIMIT
from driftcheck.report.markdown_drift import drift_report
from driftcheck.report.markdown_env import environment_report
from driftcheck.snapshot.model import Snapshot

FORMATS = ("markdown", "html")


@dataclass(frozen=True)
class BuiltReport:
    text: str
    format: str
    left_out: tuple[str, ...]  # what fitting dropped (Markdown only)
    embedded: int  # how many snapshots the report carries


@dataclass(frozen=True)
class Side:
    snapshot: Snapshot
    label: str  # what the report calls it; scrubbed of secrets here


def build_report(
    sides: Sequence[Side], output_format: str, *, limit: int = ISSUE_BODY_LIMIT
) -> BuiltReport:
    if output_format not in FORMATS or len(sides) not in (1, 2):
        raise ValueError(f"cannot build a {output_format} report of {len(sides)} snapshots")
    labels = [scrub_text(side.label)[0] for side in sides]
    snapshots = [side.snapshot for side in sides]
    if len(snapshots) == 2:  # a lock embedded as it applies to the other side
        from driftcheck.lockfiles.side import resolve_pair

        snapshots = list(resolve_pair(snapshots[0], snapshots[1]))
    blocks = [embed_block(s, i, len(snapshots)) for i, s in enumerate(snapshots, 1)]
    if len(snapshots) == 1:
        if output_format == "html":
            from driftcheck.report.html import html_environment_report  # Jinja: HTML only

            text = html_environment_report(snapshots[0], labels[0], blocks)
            return BuiltReport(text, output_format, (), 1)
        fitted = environment_report(snapshots[0], labels[0], blocks, limit)
    else:
        report = compare(snapshots[0], snapshots[1], left_label=labels[0], right_label=labels[1])
        if output_format == "html":
            from driftcheck.report.html import html_drift_report  # Jinja: HTML only

            text = html_drift_report(report, snapshots[0], snapshots[1], blocks)
            return BuiltReport(text, output_format, (), 2)
        fitted = drift_report(report, snapshots[0], snapshots[1], blocks, limit)
    embedded = sum(
        1 for i in range(1, len(blocks) + 1) if f"end driftcheck-snapshot {i}/" in fitted.text
    )
    return BuiltReport(fitted.text, output_format, fitted.left_out, embedded)
