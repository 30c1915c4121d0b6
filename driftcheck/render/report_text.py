"""The drift report for a terminal: likely causes first, then details by category."""

from __future__ import annotations

from collections import Counter, defaultdict

from driftcheck.diff.model import Finding, Report
from driftcheck.render.terminal import visible


def render_text(report: Report, *, title: str = "driftcheck diff") -> str:
    lines = [f"{title}: {visible(report.left_label)} -> {visible(report.right_label)}"]
    if not report.drift:
        lines.append("No drift.")
    causes = report.likely_causes()
    if causes:
        lines += ["", "Likely causes"]
        for number, finding in enumerate(causes, 1):
            lines.append(f"  {number}. {_headline(finding)}")
            if finding.fix:
                lines.append(f"     fix: {visible(finding.fix)}")
    if report.findings:
        lines += ["", "Details"]
        groups: dict[str, list[Finding]] = defaultdict(list)
        for finding in report.findings:
            groups[finding.category].append(finding)
        for category, findings in groups.items():
            lines.append(f"  {visible(category)} ({len(findings)})")
            for finding in findings:
                lines.append(f"    {_headline(finding, with_category=False)}")
                lines.extend(f"      {_member(m)}" for m in finding.members[:20])
                if len(finding.members) > 20:
                    lines.append(f"      … and {len(finding.members) - 20} more")
    if report.not_comparable:
        lines += ["", "Not comparable"]
        lines.extend(f"  {visible(item)}" for item in report.not_comparable)
    lines += ["", _totals(report)]
    return "\n".join(lines) + "\n"


def _headline(finding: Finding, *, with_category: bool = True) -> str:
    where = f"{visible(finding.category)}: " if with_category else ""
    return f"[{finding.severity.label}] {where}{visible(finding.explanation)}"


def _member(finding: Finding) -> str:
    change = f"{visible(finding.left or '-')} -> {visible(finding.right or '-')}"
    return f"{visible(finding.subject)}: {change}"


def _totals(report: Report) -> str:
    if not report.findings:
        return "0 findings."
    counts = Counter(f.severity for f in report.findings)
    parts = [f"{counts[s]} {s.label}" for s in sorted(counts, reverse=True)]
    return f"{len(report.findings)} findings: {', '.join(parts)}."
