"""The drift report as stable JSON, for tools.

Its shape is the JSON Schema shipped beside this module (schemas/report-1.1.json; 1.1
added what --symptom/--log explain):
once released, fields are only ever added, in a new version with a new file.
"""

from __future__ import annotations

import json
from typing import Any

from driftcheck import __version__
from driftcheck.diff.model import DiffResult, Finding, Fix, ProjectUse, SymptomLink, SymptomSummary

REPORT_FORMAT = "driftcheck-report"
REPORT_VERSION = "1.1"
# `check --json`: the report with each finding's status, what was set aside, the verdict.
CHECK_REPORT_FORMAT = "driftcheck-check-report"
CHECK_REPORT_VERSION = "1.1"


def render_json(report: DiffResult) -> str:
    return dump_json(report_document(report))


def dump_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"


def report_document(report: DiffResult) -> dict[str, Any]:
    """The report as JSON-ready data; `check` adds its verdict to it."""
    return {
        "format": REPORT_FORMAT,
        "version": REPORT_VERSION,
        "generator": {"name": "driftcheck", "version": __version__},
        "left": report.left_label,
        "right": report.right_label,
        "drift": report.drift,
        "project": report.project,
        "findings": [_finding(f) for f in report.findings],
        "not_comparable": list(report.not_comparable),
        "symptom": _symptom(report.symptom),
    }


def finding_document(finding: Finding) -> dict[str, Any]:
    return _finding(finding)


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "category": finding.category,
        "subject": finding.subject,
        "severity": finding.severity.label,
        "explanation": finding.explanation,
        "left": finding.left,
        "right": finding.right,
        "evidence": list(finding.evidence),
        "fix": _fix(finding.fix),
        "project": _project(finding.project),
        "members": [_finding(m) for m in finding.members],
        "explains": _explains(finding.symptom),
    }


def _fix(fix: Fix | None) -> dict[str, str | None] | None:
    if fix is None:
        return None
    return {"command": fix.command, "advice": fix.advice, "on": fix.on}


def _project(use: ProjectUse | None) -> dict[str, Any] | None:
    if use is None:
        return None
    return {"direct": use.direct, "notes": list(use.notes)}


STRENGTHS = {3: "names it", 2: "mechanism", 1: "contributes"}


def _explains(link: SymptomLink | None) -> dict[str, Any] | None:
    if link is None:
        return None
    return {"line": link.line, "error": link.quote, "strength": STRENGTHS[link.strength]}


def _symptom(summary: SymptomSummary | None) -> dict[str, Any] | None:
    if summary is None:
        return None
    return {
        "read": summary.read,
        "errors": summary.errors,
        "explained": list(summary.explained),
        "unexplained": list(summary.unexplained),
    }
