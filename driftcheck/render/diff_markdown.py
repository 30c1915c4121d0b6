"""The drift report for tickets and merge requests: headline, likely causes, details.

Details sit in collapsible <details> sections so that a long report stays
readable in an issue; every string from a snapshot goes through markdown_safe.
"""

from __future__ import annotations

from collections import defaultdict

from driftcheck.diff.model import DiffResult, Finding, Fix
from driftcheck.render.markdown_safe import md_code, md_fence, md_text

INDENT = "   "  # under "1. ": sub-items and code blocks belong to the numbered item


def render_markdown(report: DiffResult) -> str:
    lines = [
        f"## driftcheck: {_code(report.left_label)} → {_code(report.right_label)}",
        "",
    ]
    if report.project is not None:
        lines += [f"Ranked for your project {md_text(report.project)}", ""]
    if report.symptom is not None:
        lines += [md_text(report.symptom.headline), ""]
        lines += [f"- {md_text(line)}" for line in report.symptom.unexplained]
        lines += [""] if report.symptom.unexplained else []
    if not report.drift:
        lines += ["**No drift.**", ""]
    causes = report.likely_causes()
    if causes:
        lines += ["### Likely causes", ""]
        if report.causes_are_low:
            lines += ["Nothing is rated medium or above: the likeliest low findings.", ""]
        for number, finding in enumerate(causes, 1):
            lines.append(f"{number}. **{finding.severity.label}** {md_text(finding.explanation)}")
            if finding.symptom is not None:
                lines.append(f"{INDENT}- {md_text('E' + finding.symptom.words[1:])}")
            if finding.project is not None:
                lines.append(f"{INDENT}- Your project: {md_text('; '.join(finding.project.notes))}")
            if finding.fix:
                lines.extend(_fix(finding.fix))
        lines.append("")
    groups: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        groups[finding.category].append(finding)
    for category, findings in groups.items():
        lines += [
            "<details>",
            f"<summary>{md_text(category)} ({len(findings)})</summary>",
            "",
            "| severity | subject | finding | A | B |",
            "|---|---|---|---|---|",
        ]
        for finding in findings:
            lines.append(_row(finding))
            lines.extend(_row(member, member=True) for member in finding.members[:50])
        lines += ["", "</details>", ""]
    if report.not_comparable:
        lines += ["<details>", "<summary>Not comparable</summary>", ""]
        lines += [f"- {md_text(item)}" for item in report.not_comparable]
        lines += ["", "</details>", ""]
    return "\n".join(lines).rstrip() + "\n"


def _fix(fix: Fix) -> list[str]:
    """Advice is escaped prose; a command is a code block (copyable, never rendered)."""
    lines = [f"{INDENT}- Fix: {md_text(fix.advice)}"] if fix.advice else []
    if fix.command:
        where = f" on {_code(fix.on)}" if fix.on else ""
        lines.append(f"{INDENT}- Run{where}:")
        lines.extend(f"{INDENT}  {line}" for line in md_fence(fix.command, "sh"))
    return lines


def _code(text: str) -> str:
    return md_code(text, in_table=False)


def _row(finding: Finding, *, member: bool = False) -> str:
    severity = "" if member else finding.severity.label
    explanation = md_text(finding.explanation)
    if finding.project is not None:
        explanation += " " + md_text(f"(your project: {'; '.join(finding.project.notes)})")
    cells = [
        severity,
        md_code(finding.subject),
        "" if member else explanation,
        md_code(finding.left) if finding.left else "",
        md_code(finding.right) if finding.right else "",
    ]
    return "| " + " | ".join(cells) + " |"
