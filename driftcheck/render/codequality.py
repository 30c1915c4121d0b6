"""A check as a GitLab Code Quality report: one issue per finding that counts.

Each issue points at the baseline file (the thing a merge request changes to
accept drift), by its path from the repository root. Its fingerprint is a hash
of that path, category and subject, so the same drift keeps the same identity
from one pipeline to the next and GitLab can tell new findings from fixed ones,
while two jobs checking against different baselines never collide. Findings
the policy set aside are left out: they are accepted drift, not issues.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any

from driftcheck.diff.model import Severity
from driftcheck.gate.verdict import CheckResult
from driftcheck.terminal import visible

SEVERITIES = {
    Severity.INFO: "info",
    Severity.LOW: "minor",
    Severity.MEDIUM: "major",
    Severity.HIGH: "critical",
    Severity.CRITICAL: "blocker",
}


def render_codequality(result: CheckResult, *, location: str) -> str:
    issues: list[dict[str, Any]] = []
    seen: Counter[str] = Counter()
    for finding in result.report.findings:
        # The baseline is part of the identity: two jobs with different baselines
        # report different issues, not the same one twice.
        identity = f"{location}\0{finding.category}\0{finding.subject}"
        seen[identity] += 1
        if seen[identity] > 1:  # two findings about one subject: both keep a stable identity
            identity += f"\0{seen[identity]}"
        issues.append(
            {
                "type": "issue",
                "description": visible(
                    f"[{finding.severity.label}] {finding.category} {finding.subject}: "
                    f"{finding.explanation}"
                    + (f" ({finding.symptom.words})" if finding.symptom else "")
                ),
                "check_name": visible(f"driftcheck.{finding.category}"),
                "fingerprint": fingerprint(identity),
                "severity": SEVERITIES[finding.severity],
                "location": {"path": visible(location), "lines": {"begin": 1}},
            }
        )
    return json.dumps(issues, indent=2, ensure_ascii=True) + "\n"


def fingerprint(identity: str) -> str:
    return hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()
