"""check(): a baseline and a fresh snapshot, compared, judged by a policy."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from driftcheck.diff.ci_fixes import ci_report, in_ci
from driftcheck.diff.engine import compare
from driftcheck.diff.symptom.reading import ErrorText
from driftcheck.gate.apply import apply_policy
from driftcheck.gate.baseline import kind_warning
from driftcheck.gate.policy import Policy
from driftcheck.gate.verdict import CheckResult
from driftcheck.project.model import ProjectFacts
from driftcheck.snapshot.model import Snapshot


def check(
    baseline: Snapshot,
    current: Snapshot,
    *,
    baseline_path: Path,
    target_label: str,
    policy: Policy,
    fail_on: str,
    today: date | None = None,
    project: ProjectFacts | None = None,
    ci: bool | None = None,
    symptom: Sequence[ErrorText] = (),
) -> CheckResult:
    report = compare(
        baseline,
        current,
        left_label=str(baseline_path),
        right_label=target_label,
        project=project,
        symptom=symptom,
    )
    from driftcheck.lockfiles.side import is_lock

    # The image or the requirements are the fix there (a lock's own install command is).
    if (in_ci() if ci is None else ci) and not is_lock(baseline):
        report = ci_report(report, baseline)
    applied = apply_policy(report, policy, fail_on, today or date.today())
    kind = kind_warning(baseline, current, baseline_path)
    return CheckResult(
        report=applied.report,
        outcomes=applied.outcomes,
        fail_on=fail_on,
        baseline=str(baseline_path),
        target=target_label,
        policy=policy.source,
        warnings=(*([kind] if kind else []), *applied.warnings),
    )
