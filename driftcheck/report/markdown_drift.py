"""The drift report of two snapshots, in Markdown sized to an issue body.

The drift itself is `render.diff_markdown.render_markdown` (likely causes first),
unchanged; fitting works on the DiffResult it renders: fewer group members, then no info
findings, then no low ones, and so on down to the likely causes alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from driftcheck.diff.model import DiffResult, Finding, Severity
from driftcheck.render.diff_markdown import render_markdown
from driftcheck.render.markdown_safe import md_code, md_text
from driftcheck.render.summary import os_line, packages_line, python_line
from driftcheck.report.fit import Fitted, Part, Step, fit
from driftcheck.report.markdown_parts import REPORT_COMMENT, details, embedded_section, notice
from driftcheck.snapshot.model import Snapshot

MEMBERS_KEPT = 10

STEPS = (
    Step("drift", f"group members past the first {MEMBERS_KEPT}"),
    Step("drift", "info findings"),
    Step("drift", "low findings"),
    Step("drift", "the members of grouped findings"),
    Step("sides", "the summary of each environment"),
    Step("drift", "every finding but the likely causes"),
    Step("embedded", "the right snapshot's embedded copy"),
    Step("embedded", "the embedded snapshots"),
)


def drift_report(
    report: DiffResult, left: Snapshot, right: Snapshot, blocks: list[str], limit: int
) -> Fitted:
    reductions: list[Callable[[DiffResult], DiffResult]] = [
        lambda r: r,
        lambda r: _members(r, MEMBERS_KEPT),
        lambda r: _members(_at_least(r, Severity.LOW), MEMBERS_KEPT),
        lambda r: _members(_at_least(r, Severity.MEDIUM), MEMBERS_KEPT),
        lambda r: _members(_at_least(r, Severity.MEDIUM), 0),
        lambda r: _members(replace(r, findings=r.likely_causes()), 0),
    ]
    parts = [
        Part("title", [lambda: REPORT_COMMENT + _split(render_markdown(report))[0]]),
        Part("drift", [_rendered(report, reduce) for reduce in reductions]),
        Part("sides", [lambda: _sides(report, left, right), str]),
        Part(
            "embedded",
            [
                lambda: embedded_section(blocks),
                lambda: embedded_section(blocks[:1]),
                str,
            ],
        ),
    ]

    def say(left_out: Sequence[str]) -> str:
        still = bool(blocks) and "the embedded snapshots" not in left_out
        return notice(left_out, embedded=still, limit=limit)

    return fit(parts, STEPS, say, limit)


def _split(markdown: str) -> tuple[str, str]:
    """The renderer's title paragraph, and the rest: the notice goes between them."""
    title, sep, rest = markdown.partition("\n\n")
    return title + sep, rest


def _rendered(report: DiffResult, reduce: Callable[[DiffResult], DiffResult]) -> Callable[[], str]:
    return lambda: _split(render_markdown(reduce(report)))[1] + "\n"


def _members(report: DiffResult, count: int) -> DiffResult:
    def trim(finding: Finding) -> Finding:
        return replace(finding, members=finding.members[:count])

    return replace(report, findings=tuple(trim(f) for f in report.findings))


def _at_least(report: DiffResult, severity: Severity) -> DiffResult:
    return replace(report, findings=report.at_or_above(severity))


def _sides(report: DiffResult, left: Snapshot, right: Snapshot) -> str:
    lines = []
    for label, snapshot in ((report.left_label, left), (report.right_label, right)):
        summary = "; ".join(
            md_text(line)
            for line in (python_line(snapshot), os_line(snapshot), packages_line(snapshot))
        )
        lines.append(f"- {md_code(label)}: {summary}")
    return details("The two environments", "\n".join(lines))
