"""compare(): changes → explainers → ranked findings. Every change is claimed once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from driftcheck.diff.causes import fold_effects
from driftcheck.diff.changes import compute_changes
from driftcheck.diff.explainers.common import SIDES, fix_label, in_ci_job, label
from driftcheck.diff.explainers.fallback import FallbackExplainer
from driftcheck.diff.explainers.interface import Context, Explainer
from driftcheck.diff.model import Change, DiffResult, Finding
from driftcheck.diff.rating import rate_by_use
from driftcheck.diff.usage import usage
from driftcheck.redaction.rules import scrub_text
from driftcheck.snapshot.model import Snapshot

if TYPE_CHECKING:
    from driftcheck.diff.symptom.reading import ErrorText
    from driftcheck.project.model import ProjectFacts


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
    project: ProjectFacts | None = None,
    symptom: Sequence[ErrorText] = (),
) -> DiffResult:
    """The ranked findings, rated by evidence of use: what `project` imports and declares
    (else what each side asked for by name) and what those require (diff/rating.py).
    With `symptom` (the error text of --symptom/--log), the findings that explain it
    come first, each saying which line it explains (diff/symptom/)."""

    from driftcheck.lockfiles.side import resolve_pair

    left, right = resolve_pair(left, right)  # a lock's markers, for the other side
    change_set = compute_changes(left, right)
    # A side's label is a user's words (a path, a reference that may carry a login).
    labels = (scrub_text(left_label or left.label)[0], scrub_text(right_label or right.label)[0])
    context = Context(left, right, *labels)
    findings = [
        _fixes_by_side_name(f, context)
        for f in explain_all(change_set.changes, context, explainers)
    ]
    evidence = usage(left, right, (context.left_label, context.right_label), project)
    findings = rate_by_use(findings, evidence)
    findings = fold_effects(findings, left, right)  # PYTHONPATH explains `import six`
    from driftcheck.diff.lock_fixes import lock_fixes

    findings = lock_fixes(findings, left, right, labels)  # `uv sync`, not `pip install x==1`
    if in_ci_job(right):
        findings = _fixes_for_ci(findings, left, context)
    summary = None
    if project is not None:
        from driftcheck.diff.relevance import annotate, project_uses

        uses = project_uses(project, (left, right))
        findings, summary = annotate(findings, uses), uses.summary
    symptom_summary = None
    if symptom:
        from driftcheck.diff.symptom.matching import explain_symptom

        findings, symptom_summary = explain_symptom(findings, symptom, (left, right))
    return DiffResult(
        left_label=context.left_label,
        right_label=context.right_label,
        findings=tuple(rank(findings)),
        not_comparable=change_set.not_comparable,
        project=summary,
        symptom=symptom_summary,
    )


def _fixes_by_side_name(finding: Finding, context: Context) -> Finding:
    """A fix runs on a machine: it names it by the snapshot's label ("ci"), not by the file
    the report read it from ("b.json"), where the two differ (common.fix_label)."""
    fix = finding.fix
    names = {label(context, s): fix_label(context, s) for s in SIDES}
    members = tuple(_fixes_by_side_name(m, context) for m in finding.members)
    if fix is not None and fix.on in names and names[fix.on] != fix.on:
        finding = replace(finding, fix=replace(fix, on=names[fix.on]))
    return replace(finding, members=members) if members != finding.members else finding


def _fixes_for_ci(findings: list[Finding], left: Snapshot, context: Context) -> list[Finding]:
    """The right side's snapshot was taken in a CI job: a command run there is gone with
    the job, so its fixes speak of the image and its requirements, as `check` does in CI."""
    from driftcheck.diff.ci_fixes import baseline_image, ci_finding

    image = baseline_image(left)
    on_right = {context.right_label, fix_label(context, "right")}
    return [
        ci_finding(f, image) if f.fix is not None and f.fix.on in on_right else f for f in findings
    ]


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
    """What explains the error given (--symptom/--log) first, the most direct link first;
    then severity; within one, what the project uses directly, then through a dependency,
    then the rule's own relevance."""
    return sorted(findings, key=_rank_key)


def _rank_key(finding: Finding) -> tuple[int, int, int, int, str, str]:
    use = finding.project
    used = 0 if use is None else (2 if use.direct else 1)
    link = 0 if finding.symptom is None else finding.symptom.strength
    return (-link, -finding.severity, -used, -finding.relevance, finding.category, finding.subject)
