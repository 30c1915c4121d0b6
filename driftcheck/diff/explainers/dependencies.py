"""Dependency consistency on each side: is every declared requirement met there?

A version bump is only a symptom; "pandas requires numpy<2 and B has 2.1.0" is
the cause. Each side's Requires-Dist is evaluated with that side's own marker
environment (its Python, platform and machine, no extra selected), because a
requirement active on one interpreter can be inactive on another. An unmet
requirement on one side only is drift; one unmet on both sides is not.

The rule claims no changes: the package changes it points at are still
explained by the packages rule, so a finding here may have no change at all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from packaging.markers import InvalidMarker, UndefinedComparison, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion

from driftcheck.diff.explainers.common import (
    IMPLEMENTATION_NAMES,
    SIDES,
    Side,
    active,
    facts,
    install_fix,
    label,
    named,
    other,
    snapshot_of,
)
from driftcheck.diff.explainers.interface import Context
from driftcheck.diff.model import Change, Finding, Severity
from driftcheck.diff.pep440 import marker_holds, parse_requirement, parse_specifiers, parse_version
from driftcheck.diff.text import short
from driftcheck.snapshot.model import Distribution, Snapshot

RELEVANCE = 30  # a declared incompatibility is the surest cause there is
MAX_EVIDENCE = 20
_SYS_PLATFORM = {"linux": "linux", "darwin": "darwin", "windows": "win32"}
_EXTRA = re.compile(r"\bextra\s*==")
_MARKER_ERRORS = (InvalidMarker, UndefinedComparison, UndefinedEnvironmentName, InvalidVersion)


@dataclass(frozen=True)
class Unmet:
    requirer: Distribution
    requirement: Requirement
    text: str
    found: Distribution | None  # None: not installed on that side

    @property
    def key(self) -> tuple[str, str]:
        return (self.requirer.canonical_name, canonicalize_name(self.requirement.name))


@dataclass(frozen=True)
class PythonMismatch:
    dist: Distribution
    python: str

    @property
    def key(self) -> str:
        return self.dist.canonical_name


@dataclass
class SideCheck:
    unmet: dict[tuple[str, str], Unmet]
    python: dict[str, PythonMismatch]
    skipped: list[str]


def marker_environment(snapshot: Snapshot) -> dict[str, str] | None:
    """PEP 508 marker variables as that side's interpreter would report them."""
    py = snapshot.python
    if py is None:
        return None
    system = snapshot.os.system
    return {
        "implementation_name": py.implementation,
        "implementation_version": py.version,
        "os_name": "nt" if system.lower() == "windows" else "posix",
        "platform_machine": snapshot.os.machine,
        "platform_release": snapshot.os.kernel or "",
        "platform_system": system,
        "platform_version": snapshot.os.platform_version or "",
        "python_full_version": py.version,
        "platform_python_implementation": IMPLEMENTATION_NAMES.get(
            py.implementation, py.implementation
        ),
        "python_version": py.major_minor,
        "sys_platform": _SYS_PLATFORM.get(system.lower(), system.lower()),
        "extra": "",
    }


class DependenciesExplainer:
    name = "dependencies"

    def explain(self, pending: Sequence[Change], context: Context) -> list[Finding]:
        envs = {side: marker_environment(snapshot_of(context, side)) for side in SIDES}
        if None in envs.values():
            # One side has no interpreter (a static snapshot): what it cannot evaluate is
            # skipped on both sides, or the other side's results would look like drift.
            envs = {side: None for side in SIDES}
        pythons = {side: _python_version(snapshot_of(context, side)) for side in SIDES}
        scope = Scope(
            names=_differing(context),
            markers=envs["left"] != envs["right"],
            python=pythons["left"] != pythons["right"],
            check_python=None not in pythons.values(),
        )
        checks = {side: _check(snapshot_of(context, side), envs[side], scope) for side in SIDES}
        findings: list[Finding] = []
        for side in SIDES:
            mine, theirs = checks[side], checks[other(side)]
            for key, unmet in sorted(mine.unmet.items()):
                if key not in theirs.unmet:
                    findings.append(_unmet_finding(unmet, side, context, envs[side]))
            for name, mismatch in sorted(mine.python.items()):
                if name not in theirs.python:
                    findings.append(_python_finding(mismatch, side, context))
        skipped = [f"{label(context, s)}: {line}" for s in SIDES for line in checks[s].skipped]
        if skipped:
            findings.append(_skipped_finding(skipped))
        return findings


@dataclass(frozen=True)
class Scope:
    """What can come out differently on the two sides, so that only that is checked.

    A requirement without a marker has the same outcome on both sides unless the
    requirer or the required package differs; a marker can flip only when the marker
    environments differ; Requires-Python only when the Python versions do.
    """

    names: set[str]
    markers: bool
    python: bool
    check_python: bool


def _differing(context: Context) -> set[str]:
    """Distributions that differ, and those that require one that differs."""
    left, right = active(context.left), active(context.right)
    changed = {
        name
        for name in set(left) | set(right)
        if _identity(left.get(name)) != _identity(right.get(name))
    }
    scope = set(changed)
    for snapshot in (context.left, context.right):
        users = facts(snapshot).dependants
        for name in changed:
            scope.update(d.canonical_name for d in users.get(name, ()))
    return scope


def _may_apply(text: str) -> bool:
    """A requirement with a marker that is not only about extras (none is ever selected)."""
    marker = text.partition(";")[2]
    return bool(marker) and not (_EXTRA.search(marker) and " or " not in marker)


def _identity(dist: Distribution | None) -> object:
    if dist is None:
        return None
    return (dist.version, dist.requires_dist, dist.requires_python)


def _check(snapshot: Snapshot, env: Mapping[str, str] | None, scope: Scope) -> SideCheck:
    result = SideCheck({}, {}, [])
    installed = active(snapshot)
    python = snapshot.python.version if snapshot.python and scope.check_python else None
    for dist in installed.values():
        in_scope = dist.canonical_name in scope.names
        for text in dist.requires_dist:
            if in_scope or (scope.markers and _may_apply(text)):
                _check_requirement(dist, text, installed, env, result)
        if python and dist.requires_python and (in_scope or scope.python):
            _check_python(dist, python, result)
    return result


def _check_requirement(
    dist: Distribution,
    text: str,
    installed: Mapping[str, Distribution],
    env: Mapping[str, str] | None,
    result: SideCheck,
) -> None:
    try:
        requirement = parse_requirement(text)
        if requirement.marker is not None:
            if env is None:
                return  # no interpreter on this side: markers cannot be evaluated
            if not marker_holds(requirement.marker, env):
                return
    except (InvalidRequirement, *_MARKER_ERRORS) as exc:
        result.skipped.append(f"{named(dist)}: Requires-Dist {text!r} not checked ({exc})")
        return
    found = installed.get(canonicalize_name(requirement.name))
    if found is not None and requirement.specifier:
        try:
            if requirement.specifier.contains(parse_version(found.version), prereleases=True):
                return
        except InvalidVersion as exc:
            result.skipped.append(f"{named(found)}: version not PEP 440 ({exc})")
            return
    elif found is not None:
        return
    unmet = Unmet(dist, requirement, text, found)
    result.unmet.setdefault(unmet.key, unmet)


def _check_python(dist: Distribution, python: str, result: SideCheck) -> None:
    try:
        specifiers = parse_specifiers(dist.requires_python or "")
        ok = specifiers.contains(parse_version(python), prereleases=True)
    except (InvalidSpecifier, InvalidVersion) as exc:
        result.skipped.append(f"{named(dist)}: Requires-Python not checked ({exc})")
        return
    if not ok:
        result.python[dist.canonical_name] = PythonMismatch(dist, python)


def _wanted(requirement: Requirement) -> str:
    return f"{requirement.name}{requirement.specifier}"


def _unmet_finding(
    unmet: Unmet, side: Side, context: Context, env: Mapping[str, str] | None
) -> Finding:
    here, there = label(context, side), label(context, other(side))
    name = canonicalize_name(unmet.requirement.name)
    theirs = active(snapshot_of(context, other(side))).get(name)
    wanted = _wanted(unmet.requirement)
    elsewhere = ""
    if theirs is not None and _satisfies(unmet.requirement, theirs):
        elsewhere = f" ({there} has {theirs.version}, which satisfies it)"
    elif theirs is not None:
        elsewhere = f" ({there} has {theirs.version} too, but the requirement does not apply there)"
    if unmet.found is None:
        explanation = (
            f"{named(unmet.requirer)} requires {wanted}, but {here} does not have "
            f"{unmet.requirement.name} installed{elsewhere}, so code that imports it fails "
            "with ModuleNotFoundError."
        )
        pin = wanted
        if theirs is not None and not unmet.requirement.specifier:
            pin = f"{unmet.requirement.name}=={theirs.version}"
        fix = install_fix(context, side, pin, name)
    else:
        explanation = (
            f"{named(unmet.requirer)} requires {wanted}, but {here} has "
            f"{named(unmet.found)}{elsewhere}, so {unmet.requirer.name} runs against a "
            "version it declares incompatible."
        )
        fix = install_fix(context, side, wanted, name)
    evidence = [f"{unmet.requirer.name} {unmet.requirer.version} Requires-Dist: {unmet.text}"]
    if unmet.requirement.marker is not None and env is not None:
        evidence.append(
            f"marker true on {here}: python_version={env['python_version']}, "
            f"sys_platform={env['sys_platform']}, platform_machine={env['platform_machine']}"
        )
    if theirs is not None:
        evidence.append(f"{there}: {named(theirs)}")
    versions = {
        side: unmet.found.version if unmet.found else "missing",
        other(side): theirs.version if theirs else "missing",
    }
    return Finding(
        category="dependencies",
        subject=f"{unmet.requirer.canonical_name} requires {name}",
        severity=Severity.HIGH,
        explanation=explanation,
        left=short(versions["left"]),
        right=short(versions["right"]),
        evidence=tuple(evidence),
        fix=fix,
        relevance=RELEVANCE,
        packages=(unmet.requirer.canonical_name, name),
        impact="unmet",
    )


def _satisfies(requirement: Requirement, dist: Distribution) -> bool:
    try:
        return requirement.specifier.contains(parse_version(dist.version), prereleases=True)
    except InvalidVersion:
        return False


def _python_finding(mismatch: PythonMismatch, side: Side, context: Context) -> Finding:
    here, there = label(context, side), label(context, other(side))
    dist = mismatch.dist
    theirs = active(snapshot_of(context, other(side))).get(dist.canonical_name)
    if theirs is not None and _supports(theirs, mismatch.python):
        fix = install_fix(context, side, f"{dist.name}=={theirs.version}", dist.canonical_name)
    else:
        fix = replace(
            install_fix(context, side, dist.name, dist.canonical_name, "--force-reinstall"),
            advice=(
                f"reinstall {dist.name} with {here}'s own interpreter so the installer picks a "
                f"release that supports Python {mismatch.python}"
            ),
        )
    return Finding(
        category="dependencies",
        subject=f"{dist.canonical_name} requires Python {dist.requires_python}",
        severity=Severity.HIGH,
        explanation=(
            f"{named(dist)} requires Python {dist.requires_python}, but {here} runs Python "
            f"{mismatch.python}, so it was not installed for this interpreter and can fail "
            "to import or misbehave there."
        ),
        left=short(_python_version(context.left)),
        right=short(_python_version(context.right)),
        evidence=(
            f"{named(dist)} Requires-Python: {dist.requires_python}",
            f"{there}: " + (named(theirs) if theirs else f"no {dist.name}"),
        ),
        fix=fix,
        relevance=RELEVANCE,
        packages=(dist.canonical_name,),
        impact="python",
    )


def _supports(dist: Distribution, python: str) -> bool:
    try:
        specifiers = parse_specifiers(dist.requires_python or "")
        return specifiers.contains(parse_version(python), prereleases=True)
    except (InvalidSpecifier, InvalidVersion):
        return False


def _python_version(snapshot: Snapshot) -> str | None:
    return snapshot.python.version if snapshot.python else None


def _skipped_finding(skipped: list[str]) -> Finding:
    evidence = skipped[:MAX_EVIDENCE]
    if len(skipped) > MAX_EVIDENCE:
        evidence.append(f"… and {len(skipped) - MAX_EVIDENCE} more")
    return Finding(
        category="dependencies",
        subject="unchecked requirements",
        severity=Severity.INFO,
        explanation=(
            f"{len(skipped)} requirement(s) could not be parsed or evaluated, so their "
            "consistency was not checked."
        ),
        evidence=tuple(evidence),
    )
