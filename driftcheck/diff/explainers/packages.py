"""Package versions: added, removed and changed distributions, each change classified.

A bare "numpy 1.26.4 → 2.1.0" does not say whether it matters. The version step
(PEP 440, through `packaging`) and who depends on the package do: a major
release of something compiled packages require breaks imports, a patch release
of a leaf package rarely matters. A new version also explains the metadata that
came with it (requirements, wheel tags, top-level names), so those are claimed
with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from driftcheck.diff.explainers.common import (
    active,
    by_key,
    dependants,
    install_fix,
    is_compiled,
    join_names,
    named,
    uninstall_fix,
)
from driftcheck.diff.explainers.interface import Context, in_section
from driftcheck.diff.model import Change, Finding, Severity
from driftcheck.diff.text import short
from driftcheck.snapshot.model import Distribution

# Fields a new release brings along: explained by the version change itself.
RELEASE_FIELDS = ("requires_dist", "requires_python", "wheel_tags", "top_level")
INSTALL_FIELDS = ("editable", "vcs", "vcs_commit")


@dataclass(frozen=True)
class VersionStep:
    """How far apart two versions are: major, minor, patch, build (local label) or other."""

    kind: str
    downgrade: bool
    prerelease: bool
    left: Version
    right: Version


def classify(left: str, right: str) -> VersionStep | None:
    """The step between two PEP 440 versions; None when either is not PEP 440."""
    try:
        a, b = Version(left), Version(right)
    except InvalidVersion:
        return None
    ra, rb = (*a.release, 0, 0, 0)[:3], (*b.release, 0, 0, 0)[:3]
    if a.public == b.public:
        kind = "build" if a.local != b.local else "other"
    elif ra[0] != rb[0]:
        kind = "major"
    elif ra[1] != rb[1]:
        kind = "minor"
    elif ra[2] != rb[2] or a.release != b.release:
        kind = "patch"
    else:
        kind = "other"  # only pre-, post- or dev-release parts differ
    return VersionStep(kind, b < a, a.is_prerelease or b.is_prerelease, a, b)


class PackagesExplainer:
    name = "packages"

    def explain(self, pending: Sequence[Change], context: Context) -> list[Finding]:
        findings: list[Finding] = []
        left, right = active(context.left), active(context.right)
        for key, changes in sorted(by_key(in_section(pending, "distributions")).items()):
            whole = [c for c in changes if c.field == ""]
            if whole and key in left and key not in right:
                findings.append(_removed(left[key], whole, context))
            elif whole and key in right and key not in left:
                findings.append(_added(right[key], whole, context))
            elif key in left and key in right:
                fields = {c.field: c for c in changes}
                if "version" in fields:
                    findings.append(_changed(left[key], right[key], fields, context))
        return findings


def _removed(dist: Distribution, changes: list[Change], context: Context) -> Finding:
    a, b = context.left_label, context.right_label
    users = dependants(context.right, dist.canonical_name)
    users_left = dependants(context.left, dist.canonical_name)
    module = dist.top_level[0] if dist.top_level else dist.name
    reason = ""
    if users:
        verb = "requires" if len(users) == 1 else "require"
        reason = f", and {join_names(named(d) for d in users)} on {b} {verb} it"
    elif users_left:
        reason = f" (on {a} it was required by {join_names(named(d) for d in users_left)})"
    return Finding(
        category="packages",
        subject=dist.canonical_name,
        severity=Severity.HIGH if users else Severity.MEDIUM,
        explanation=(
            f"{named(dist)} is installed on {a} but missing on {b}, so `import {module}` "
            f"fails there with ModuleNotFoundError{reason}."
        ),
        left=short(dist.version),
        right=None,
        evidence=(f"{a}: {dist.location}",),
        fix=install_fix(context, "right", f"{dist.name}=={dist.version}", dist.canonical_name),
        changes=tuple(changes),
        relevance=10 if users else 0,
    )


def _added(dist: Distribution, changes: list[Change], context: Context) -> Finding:
    users = dependants(context.right, dist.canonical_name)
    if users:
        why = f"pulled in as a dependency of {join_names(named(d) for d in users)}"
        severity = Severity.INFO
    else:
        why = "it can change behaviour through plugins, entry points or optional imports"
        severity = Severity.LOW
    return Finding(
        category="packages",
        subject=dist.canonical_name,
        severity=severity,
        explanation=f"{named(dist)} is installed on {context.right_label} only: {why}.",
        left=None,
        right=short(dist.version),
        evidence=(f"{context.right_label}: {dist.location}",),
        fix=uninstall_fix(context, "right", dist.name),
        changes=tuple(changes),
    )


def _changed(
    left: Distribution, right: Distribution, fields: dict[str, Change], context: Context
) -> Finding:
    claimed = [fields["version"]] + [fields[f] for f in RELEASE_FIELDS if f in fields]
    if "direct_url" in fields and not any(f in fields for f in INSTALL_FIELDS):
        claimed.append(fields["direct_url"])
    step = classify(left.version, right.version)
    users = [d for d in dependants(context.right, right.canonical_name) if d is not right]
    compiled_users = [d for d in users if is_compiled(d)]
    compiled = is_compiled(left) or is_compiled(right)
    severity, explanation = _rate(left, right, step, users, compiled_users, compiled, context)
    evidence = [
        f"{context.left_label}: {named(left)}" + _tags(left),
        f"{context.right_label}: {named(right)}" + _tags(right),
    ]
    if users:
        evidence.append(f"required by: {', '.join(named(d) for d in users)}")
    return Finding(
        category="packages",
        subject=right.canonical_name,
        severity=severity,
        explanation=explanation,
        left=short(left.version),
        right=short(right.version),
        evidence=tuple(evidence),
        fix=install_fix(context, "right", f"{left.name}=={left.version}", left.canonical_name),
        changes=tuple(claimed),
        relevance=(5 * len(compiled_users) + len(users)) if severity >= Severity.HIGH else 0,
    )


def _tags(dist: Distribution) -> str:
    return f" ({', '.join(dist.wheel_tags)})" if dist.wheel_tags else ""


def _rate(
    left: Distribution,
    right: Distribution,
    step: VersionStep | None,
    users: list[Distribution],
    compiled_users: list[Distribution],
    compiled: bool,
    context: Context,
) -> tuple[Severity, str]:
    name, a, b = right.name, left.version, right.version
    moved = f"{name} moved from {a} to {b}"
    if step is None:
        return Severity.MEDIUM, f"{moved}; the versions are not PEP 440, so the step is unknown."
    if step.downgrade:
        moved = f"{name} went back from {a} to {b}"
    if step.kind == "build":
        local_a = f"+{step.left.local}" if step.left.local else "no local label"
        local_b = f"+{step.right.local}" if step.right.local else "no local label"
        return Severity.MEDIUM, (
            f"{name} is {step.right.public} on both sides but a different build ({local_a} on "
            f"{context.left_label}, {local_b} on {context.right_label}): the local label marks "
            "another variant of the same release, such as a CUDA and a CPU build."
        )
    noun = "downgrade" if step.downgrade else "release"
    pre = " involving a pre-release" if step.prerelease else ""
    if step.kind == "major":
        major = step.left.release[0]
        if compiled_users:
            users_text = join_names(named(d) for d in compiled_users)
            return Severity.HIGH, (
                f"{moved}, a major {noun}{pre}: compiled extensions built against {name} "
                f"{major}.x ({users_text} here) can fail to import."
            )
        if users:
            users_text = join_names(named(d) for d in users)
            return Severity.HIGH, (
                f"{moved}, a major {noun}{pre}: packages that use it ({users_text} here) may "
                "break on its incompatible API changes."
            )
        if compiled:
            return Severity.HIGH, (
                f"{moved}, a major {noun}{pre}: its API and binary interface changed, so code "
                "that imports it may break."
            )
        return Severity.MEDIUM, (
            f"{moved}, a major {noun}{pre}: its API may have changed in incompatible ways."
        )
    if step.kind == "minor":
        severity = Severity.MEDIUM if (users or compiled or step.downgrade) else Severity.LOW
        why = (
            f"features or fixes that code on {context.left_label} relies on may be missing"
            if step.downgrade
            else "new features and deprecations, usually compatible"
        )
        if step.prerelease:
            severity = max(severity, Severity.MEDIUM)
        return severity, f"{moved}, a minor {noun}{pre}: {why}."
    severity = Severity.MEDIUM if step.prerelease else Severity.LOW
    if step.prerelease:
        return severity, f"{moved}, a pre-release: not a stable release, so behaviour may change."
    why = (
        f"bug fixes present on {context.left_label} are missing"
        if step.downgrade
        else "bug fixes only, usually compatible"
    )
    kind = f"a patch {noun}" if step.kind == "patch" else "only a post- or dev-release apart"
    return severity, f"{moved}, {kind}: {why}."
