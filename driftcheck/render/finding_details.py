"""One finding as plain lines (explanation, change, evidence, members, fix) for CI sinks."""

from __future__ import annotations

from driftcheck.diff.model import Finding
from driftcheck.render.diff_text import fix_lines
from driftcheck.terminal import visible

MAX_MEMBERS = 50


def details(finding: Finding, fail_on: str) -> str:
    """Every line holds one untrusted value made visible: no value can add a line of its own."""
    lines = [
        f"severity: {finding.severity.label} (fail_on: {fail_on})",
        f"explanation: {visible(finding.explanation)}",
    ]
    if finding.symptom is not None:
        lines.append(visible(finding.symptom.words))
    if finding.left is not None or finding.right is not None:
        lines.append(f"change: {visible(finding.left or '-')} -> {visible(finding.right or '-')}")
    lines += [f"evidence: {visible(item)}" for item in finding.evidence]
    for member in finding.members[:MAX_MEMBERS]:
        change = f"{visible(member.left or '-')} -> {visible(member.right or '-')}"
        lines.append(f"member: {visible(member.subject)}: {change}")
    if len(finding.members) > MAX_MEMBERS:
        lines.append(f"member: … and {len(finding.members) - MAX_MEMBERS} more")
    if finding.fix:
        lines += fix_lines(finding.fix)
    return "\n".join(lines)
