"""compare(): changes → explainers → ranked findings. Every change is claimed once."""

from __future__ import annotations

from collections.abc import Sequence

from driftcheck.diff.changes import compute_changes
from driftcheck.diff.explainers.fallback import FallbackExplainer
from driftcheck.diff.explainers.interface import Context, Explainer
from driftcheck.diff.model import Change, Finding, Report
from driftcheck.snapshot.model import Snapshot


def default_explainers() -> list[Explainer]:
    from driftcheck.diff.explainers.registry import EXPLAINERS

    return [cls() for cls in EXPLAINERS]


def compare(
    left: Snapshot,
    right: Snapshot,
    *,
    left_label: str | None = None,
    right_label: str | None = None,
    explainers: Sequence[Explainer] | None = None,
) -> Report:
    change_set = compute_changes(left, right)
    context = Context(left, right, left_label or left.label, right_label or right.label)
    findings = explain_all(change_set.changes, context, explainers)
    return Report(
        left_label=context.left_label,
        right_label=context.right_label,
        findings=tuple(rank(findings)),
        not_comparable=change_set.not_comparable,
    )


def explain_all(
    changes: Sequence[Change], context: Context, explainers: Sequence[Explainer] | None = None
) -> list[Finding]:
    pending = list(changes)
    findings: list[Finding] = []
    for explainer in [*(explainers or default_explainers()), FallbackExplainer()]:
        produced = explainer.explain(tuple(pending), context)
        claimed = {c.ident for f in produced for c in _all_changes(f)}
        pending = [c for c in pending if c.ident not in claimed]
        findings.extend(produced)
    return findings


def _all_changes(finding: Finding) -> list[Change]:
    out = list(finding.changes)
    for member in finding.members:
        out.extend(_all_changes(member))
    return out


def rank(findings: Sequence[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (-f.severity, -f.relevance, f.category, f.subject))
