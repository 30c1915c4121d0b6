"""A check as JUnit XML for CI test reports: one test case per finding.

A finding at or above the threshold is a failing test case whose message is
the explanation and whose body holds the evidence and the fix; a finding below
it passes; one the policy set aside is skipped, with the reason. With no
finding at all, one passing case says so, so that CI shows a test ran.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from driftcheck import __version__
from driftcheck.gate.verdict import CheckResult, Outcome, Status
from driftcheck.render.finding_details import details
from driftcheck.terminal import visible

SUITE = "driftcheck"


def render_junit(result: CheckResult) -> str:
    outcomes = result.outcomes
    failures = sum(1 for o in outcomes if o.status is Status.FAILING)
    skipped = sum(1 for o in outcomes if o.status.set_aside)
    root = ET.Element("testsuites", name=SUITE)
    suite = ET.SubElement(
        root,
        "testsuite",
        name=visible(f"driftcheck check: {result.baseline} -> {result.target}"),
        tests=str(max(len(outcomes), 1)),
        failures=str(failures),
        errors="0",
        skipped=str(skipped),
    )
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("driftcheck.version", __version__),
        ("baseline", result.baseline),
        ("target", result.target),
        ("policy", result.policy or "none"),
        ("fail_on", result.fail_on),
        ("verdict", result.verdict()),
    ):
        ET.SubElement(properties, "property", name=name, value=visible(value))
    for outcome in outcomes:
        _case(suite, outcome, result)
    if not outcomes:
        ET.SubElement(suite, "testcase", classname=SUITE, name="no drift")
    if result.warnings:
        lines = [f"warning: {visible(warning)}" for warning in result.warnings]
        ET.SubElement(suite, "system-err").text = "\n".join(lines)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


def _case(suite: ET.Element, outcome: Outcome, result: CheckResult) -> None:
    finding = outcome.finding
    case = ET.SubElement(
        suite,
        "testcase",
        classname=visible(f"{SUITE}.{finding.category}"),
        name=visible(f"{finding.category}/{finding.subject}"),
    )
    if outcome.status is Status.FAILING:
        failure = ET.SubElement(
            case,
            "failure",
            message=visible(f"[{finding.severity.label}] {finding.explanation}"),
            type=finding.severity.label,
        )
        failure.text = details(finding, result.fail_on)
    elif outcome.status.set_aside:
        reason = f"{outcome.status.value} by the policy: {outcome.reason or ''}"
        ET.SubElement(case, "skipped", message=visible(reason))
    else:
        case_out = ET.SubElement(case, "system-out")
        case_out.text = details(finding, result.fail_on)
