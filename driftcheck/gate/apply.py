"""Applying a policy to a diff report: severity overrides, then ignore rules, then allowances."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from fnmatch import fnmatchcase

from driftcheck.diff.engine import rank
from driftcheck.diff.explainers.packages import classify
from driftcheck.diff.model import DiffResult, Finding, Severity
from driftcheck.gate.policy import AllowRule, IgnoreRule, Policy, ignores_everything
from driftcheck.gate.verdict import Outcome, Status

# How packages.classify names a step, in the words a policy uses.
STEP_NAMES = {"build": "local", "other": "patch"}


@dataclass(frozen=True)
class Applied:
    report: DiffResult  # the findings that count, ranked
    outcomes: tuple[Outcome, ...]
    warnings: tuple[str, ...]


def apply_policy(report: DiffResult, policy: Policy, fail_on: str, today: date) -> Applied:
    threshold = None if fail_on == "never" else Severity.parse(fail_on)
    warnings = [_expired(rule) for rule in policy.ignore if rule.expired(today)]
    live_rules = [rule for rule in policy.ignore if not rule.expired(today)]
    counted: list[Outcome] = []
    set_aside: list[Outcome] = []
    for finding in report.findings:
        outcome = _decide(finding, policy, live_rules, threshold)
        (set_aside if outcome.status.set_aside else counted).append(outcome)
    kept = rank([o.finding for o in counted])
    order = {id(f): n for n, f in enumerate(kept)}
    counted.sort(key=lambda o: order[id(o.finding)])
    if ignores_everything(live_rules):
        warnings.append(f"the policy in {policy.source} ignores every category: no drift can fail")
    elif report.findings and not counted:
        warnings.append(
            f"the policy in {policy.source} set aside all {len(report.findings)} findings; "
            "check that its rules are not broader than meant"
        )
    return Applied(replace(report, findings=tuple(kept)), (*counted, *set_aside), tuple(warnings))


def _decide(
    finding: Finding,
    policy: Policy,
    ignore: Sequence[IgnoreRule],
    threshold: Severity | None,
) -> Outcome:
    original = finding.severity
    for override in policy.severity:  # the last matching rule wins
        if override.matches(finding):
            finding = replace(finding, severity=override.severity)
    changed = original if finding.severity != original else None
    rule = next((r for r in ignore if r.matches(finding)), None)
    if rule is not None:
        return Outcome(finding, Status.IGNORED, rule.reason, changed)
    allowance = next((a for a in policy.allow if _allowed(a, finding)), None)
    if allowance is not None:
        return Outcome(finding, Status.ALLOWED, allowance.describe(), changed)
    failing = threshold is not None and finding.severity >= threshold
    return Outcome(finding, Status.FAILING if failing else Status.PASSING, None, changed)


def version_step(finding: Finding) -> frozenset[str] | None:
    """The kinds of a package's version change (say {"minor", "prerelease"}); None otherwise."""
    if finding.category != "packages":
        return None
    change = next(
        (
            c
            for c in finding.changes
            if c.section == "distributions" and c.field == "version" and c.key == finding.subject
        ),
        None,
    )
    if change is None:
        return None
    step = classify(str(change.left), str(change.right))
    if step is None:
        return None
    kinds = {STEP_NAMES.get(step.kind, step.kind)}
    if step.prerelease:
        kinds.add("prerelease")
    return frozenset(kinds)


def _allowed(rule: AllowRule, finding: Finding) -> bool:
    kinds = version_step(finding)
    return (
        kinds is not None and fnmatchcase(finding.subject, rule.package) and kinds <= rule.changes
    )


def _expired(rule: IgnoreRule) -> str:
    return (
        f"{rule.where} (category {rule.category}, pattern {rule.pattern!r}) expired on "
        f"{rule.expires}: it no longer ignores anything; renew or remove it"
    )
