"""The drift report for a terminal: likely causes first, then details by category."""

from __future__ import annotations

from collections import Counter, defaultdict

from driftcheck.diff.model import EVIDENCE_PREFIX, DiffResult, Finding, Fix, Severity
from driftcheck.diff.text import short
from driftcheck.terminal import visible

MEMBERS_SHOWN = 5  # of a group (a base-image upgrade's packages); JSON and Markdown list 50+

USE_LINE = 110  # characters of the use: line under a likely cause


def render_text(report: DiffResult, *, title: str = "driftcheck diff") -> str:
    lines = [f"{title}: {visible(report.left_label)} -> {visible(report.right_label)}"]
    if report.project is not None:
        lines.append(f"Ranked for your project {visible(report.project)}")
    lines.extend(symptom_lines(report))
    if not report.drift:
        lines.append("No drift.")
    causes = report.likely_causes()
    if causes:
        lines += ["", "Likely causes"]
        if report.causes_are_low:
            lines.append("  (nothing is rated medium or above: the likeliest low findings)")
        for number, finding in enumerate(causes, 1):
            lines.append(f"  {number}. {_headline(finding)}")
            if finding.symptom is not None:
                lines.append(f"     {visible(finding.symptom.words)}")
            lines.extend(f"     {line}" for line in _project(finding))
            lines.extend(f"     {line}" for line in _use(finding))
            if finding.fix:
                lines.extend(f"     {line}" for line in fix_lines(finding.fix))
    lines.extend(_details(report, causes))
    if report.not_comparable:
        lines += ["", "Not comparable"]
        lines.extend(f"  {visible(item)}" for item in report.not_comparable)
    lines += ["", _totals(report)]
    return "\n".join(lines) + "\n"


def _details(report: DiffResult, causes: tuple[Finding, ...]) -> list[str]:
    """The findings not shown as likely causes, by category (a cause is not said twice);
    info findings (context, not causes) as one line when there is drift: a typical pair
    fits one screen."""
    shown = {id(f) for f in causes}
    rest = [f for f in report.findings if id(f) not in shown]
    info = [f for f in rest if f.severity is Severity.INFO] if report.drift else []
    rest = [f for f in rest if f.severity is not Severity.INFO or not report.drift]
    if not rest and not info:
        return []
    lines = ["", "Details"]
    groups: dict[str, list[Finding]] = defaultdict(list)
    for finding in rest:
        groups[finding.category].append(finding)
    for category, findings in groups.items():
        lines.append(f"  {visible(category)} ({len(findings)})")
        for finding in findings:
            lines.append(f"    {_headline(finding, with_category=False)}")
            lines.extend(f"      {line}" for line in _project(finding))
            lines.extend(f"      {_member(m)}" for m in finding.members[:MEMBERS_SHOWN])
            if len(finding.members) > MEMBERS_SHOWN:
                more = len(finding.members) - MEMBERS_SHOWN
                lines.append(f"      … and {more} more (--format json or markdown lists them)")
    if info:
        subjects = ", ".join(visible(f"{f.category}:{f.subject}") for f in info[:4])
        others = f" and {len(info) - 4} more" if len(info) > 4 else ""
        lines.append(
            f"  info ({len(info)}): context, not causes ({subjects}{others}); "
            "--format json or markdown explains them"
        )
    return lines


def symptom_lines(report: DiffResult) -> list[str]:
    """What the error text held: one line, and one per error nothing here explains."""
    summary = report.symptom
    if summary is None:
        return []
    if not summary.errors:
        return [visible(summary.headline)]
    return [visible(summary.headline), *(f"  {visible(line)}" for line in summary.unexplained)]


def _headline(finding: Finding, *, with_category: bool = True) -> str:
    where = f"{visible(finding.category)}: " if with_category else ""
    return f"[{finding.severity.label}] {where}{visible(finding.explanation)}"


def _project(finding: Finding) -> list[str]:
    if finding.project is None:
        return []
    return [f"your project: {visible('; '.join(finding.project.notes))}"]


def _use(finding: Finding) -> list[str]:
    """Why a likely cause is rated as it is (who imports or requires it), in one short line:
    the evidence's clauses, strongest first, as many as fit."""
    use = next((e for e in finding.evidence if e.startswith(EVIDENCE_PREFIX)), None)
    if use is None:
        return []
    clauses = use.split("; ")
    kept = clauses[:1]
    for clause in clauses[1:]:
        if len("; ".join([*kept, clause])) > USE_LINE:
            break
        kept.append(clause)
    return [visible(short("; ".join(kept)) or "")]


def fix_lines(fix: Fix) -> list[str]:
    """Advice reads as a sentence; a command stands alone on its line, ready to copy."""
    lines = [f"fix: {visible(fix.advice)}"] if fix.advice else []
    if fix.command:
        where = f" on {visible(fix.on)}" if fix.on else ""
        lines.append(f"run{where}: {visible(fix.command)}")
    return lines


def _member(finding: Finding) -> str:
    change = f"{visible(finding.left or '-')} -> {visible(finding.right or '-')}"
    return f"{visible(finding.subject)}: {change}"


def _totals(report: DiffResult) -> str:
    if not report.findings:
        return "0 findings."
    counts = Counter(f.severity for f in report.findings)
    parts = [f"{counts[s]} {s.label}" for s in sorted(counts, reverse=True)]
    total = len(report.findings)
    return f"{total} {'finding' if total == 1 else 'findings'}: {', '.join(parts)}."
