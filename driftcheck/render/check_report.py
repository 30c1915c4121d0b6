"""A check's result in the diff report formats: the report, what the policy set aside, the verdict.

The diff renderers draw the findings that count; this module adds what only a
check knows (the threshold, the verdict, the findings a policy ignored or
allowed, with the reason) without changing them.
"""

from __future__ import annotations

from typing import Any

from driftcheck.gate.verdict import CheckResult, Outcome
from driftcheck.render.diff_json import (
    CHECK_REPORT_FORMAT,
    CHECK_REPORT_VERSION,
    dump_json,
    finding_document,
    report_document,
)
from driftcheck.render.diff_markdown import render_markdown
from driftcheck.render.diff_text import render_text
from driftcheck.render.markdown_safe import md_code, md_text
from driftcheck.terminal import visible


def check_text(result: CheckResult) -> str:
    return f"{check_text_body(result)}\n{result.verdict()}\n"


def check_text_body(result: CheckResult) -> str:
    """The report without the verdict: GitHub Actions prints annotations between them."""
    lines = [render_text(result.report, title="driftcheck check").rstrip("\n")]
    if result.set_aside:
        # Not "No drift." when the policy set findings aside: say what it set aside.
        lines = [_no_drift_but_set_aside(lines[0], "No drift.", result, "")]
        lines += ["", f"Set aside by the policy ({len(result.set_aside)})"]
        lines += [f"  {_aside_line(o)}" for o in result.set_aside]
    return "\n".join(lines) + "\n"


def _no_drift_but_set_aside(text: str, line: str, result: CheckResult, strong: str) -> str:
    """The report's "No drift." line, when the policy set findings aside, saying so."""
    aside = result.set_aside
    worst = max(o.finding.severity for o in aside)
    said = (
        f"{strong}No drift left once the policy set aside {len(aside)} "
        f"finding{'s' if len(aside) != 1 else ''} (the worst {worst.label}){strong}: "
        "see Set aside by the policy."
    )
    return "\n".join(said if row == line else row for row in text.split("\n"))


def _aside_line(outcome: Outcome) -> str:
    finding = outcome.finding
    where = f"{visible(finding.category)} {visible(finding.subject)}"
    reason = visible(outcome.reason or "")
    return f"[{finding.severity.label}] {where}: {outcome.status.value}: {reason}"


def check_markdown(result: CheckResult) -> str:
    verdict = "failed" if not result.passed else "passed"
    lines = [
        f"**driftcheck check {verdict}**: {md_text(result.verdict().removeprefix('driftcheck: '))}",
        "",
        render_markdown(result.report).rstrip("\n"),
    ]
    if result.set_aside:
        lines[2] = _no_drift_but_set_aside(lines[2], "**No drift.**", result, "**")
    if result.set_aside:
        lines += [
            "",
            "<details>",
            f"<summary>Set aside by the policy ({len(result.set_aside)})</summary>",
            "",
            "| severity | category | subject | status | reason |",
            "|---|---|---|---|---|",
        ]
        lines += [_aside_row(o) for o in result.set_aside]
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def _aside_row(outcome: Outcome) -> str:
    finding = outcome.finding
    cells = [
        finding.severity.label,
        md_text(finding.category),
        md_code(finding.subject),
        outcome.status.value,
        md_text(outcome.reason or ""),
    ]
    return "| " + " | ".join(cells) + " |"


def check_json(result: CheckResult) -> str:
    """The diff report document, with a `check` object and each finding's status."""
    document = report_document(result.report)
    # Its own format: the report's fields and more (schemas/check-report-1.1.json).
    document.update(format=CHECK_REPORT_FORMAT, version=CHECK_REPORT_VERSION)
    counted = [o for o in result.outcomes if not o.status.set_aside]
    for entry, outcome in zip(document["findings"], counted, strict=True):
        entry.update(_status(outcome))
    document["check"] = {
        "baseline": result.baseline,
        "target": result.target,
        "policy": result.policy,
        "fail_on": result.fail_on,
        "passed": result.passed,
        "failing": len(result.failing),
        "verdict": result.verdict(),
        "warnings": list(result.warnings),
    }
    document["set_aside"] = [
        {**finding_document(o.finding), **_status(o)} for o in result.set_aside
    ]
    return dump_json(document)


def _status(outcome: Outcome) -> dict[str, Any]:
    entry: dict[str, Any] = {"status": outcome.status.value}
    if outcome.reason is not None:
        entry["reason"] = outcome.reason
    if outcome.original_severity is not None:
        entry["engine_severity"] = outcome.original_severity.label
    return entry
