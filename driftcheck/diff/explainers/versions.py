"""How far apart two versions of a package are, and what that step tells an engineer.

The step comes from PEP 440 (through `packaging`): major, minor, patch, a
pre-release, a downgrade, a local label. Its meaning depends on the project's
versioning: a semantic major warns of incompatible changes, a calendar version's
first number only says when (calver.py), and who depends on the package decides
how much either matters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from driftcheck.diff.explainers.calver import CalendarStep, calendar_step
from driftcheck.diff.explainers.common import join_names, named
from driftcheck.diff.model import Severity
from driftcheck.diff.pep440 import parse_version
from driftcheck.snapshot.model import Distribution

WHEN_NOT_HOW = "the version says when it came out, not how compatible it is"


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
        a, b = parse_version(left), parse_version(right)
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


@dataclass(frozen=True)
class Rating:
    """A version change in words: `step` says what moved, `why` what that means."""

    severity: Severity
    step: str
    why: str

    @property
    def explanation(self) -> str:
        return f"{self.step}: {self.why}."


@dataclass(frozen=True)
class Users:
    """Who imports the package on the side that changed it."""

    all: Sequence[Distribution]
    compiled: Sequence[Distribution]
    package_compiled: bool  # the package itself ships extension modules


def rate(left: Distribution, right: Distribution, users: Users, labels: tuple[str, str]) -> Rating:
    """The version change from `left` to `right` in words; `labels` name the two sides."""
    name, a, b = right.name, left.version, right.version
    moved = f"{name} moved from {a} to {b}"
    step = classify(a, b)
    if step is None:
        return Rating(
            Severity.MEDIUM, moved, "the versions are not PEP 440, so the step is unknown"
        )
    if step.kind == "build":
        return Rating(
            Severity.MEDIUM,
            f"{name} is {step.right.public} on both sides but a different build "
            f"({_local(step.left)} on {labels[0]}, {_local(step.right)} on {labels[1]})",
            "the local label marks another variant of the same release, such as a CUDA and a "
            "CPU build",
        )
    if step.downgrade:
        moved = f"{name} went back from {a} to {b}"
    calendar = calendar_step(right.canonical_name, step.left, step.right)
    if calendar is not None and not calendar.same_year and step.kind == "major":
        return _calendar_year(name, moved, step, calendar, users, labels[0])
    if calendar is not None and calendar.same_year:
        return _calendar_same_year(moved, step, calendar, users, labels[0])
    return _semantic(name, moved, step, users, labels[0])


def _local(version: Version) -> str:
    return f"+{version.local}" if version.local else "no local label"


def _semantic(name: str, moved: str, step: VersionStep, users: Users, left_label: str) -> Rating:
    noun = "downgrade" if step.downgrade else "release"
    pre = " involving a pre-release" if step.prerelease else ""
    if step.kind == "major":
        severity, why = _major(name, step, users)
        return Rating(severity, f"{moved}, a major {noun}{pre}", why)
    if step.kind == "minor":
        severity = Severity.MEDIUM if _weighty(step, users) else Severity.LOW
        why = (
            f"features or fixes that code on {left_label} relies on may be missing"
            if step.downgrade
            else "new features and deprecations, usually compatible"
        )
        return Rating(severity, f"{moved}, a minor {noun}{pre}", why)
    if step.prerelease:
        return Rating(
            Severity.MEDIUM,
            f"{moved}, a pre-release",
            "not a stable release, so behaviour may change",
        )
    why = (
        f"bug fixes present on {left_label} are missing"
        if step.downgrade
        else "bug fixes only, usually compatible"
    )
    kind = f"a patch {noun}" if step.kind == "patch" else "only a post- or dev-release apart"
    return Rating(Severity.LOW, f"{moved}, {kind}", why)


def _weighty(step: VersionStep, users: Users) -> bool:
    """A minor step matters more when something uses the package, it is compiled, it went
    back, or a pre-release is involved."""
    return bool(users.all) or users.package_compiled or step.downgrade or step.prerelease


def _major(name: str, step: VersionStep, users: Users) -> tuple[Severity, str]:
    major = step.left.release[0]
    if users.compiled:
        return Severity.HIGH, (
            f"compiled extensions built against {name} {major}.x "
            f"({join_names(named(d) for d in users.compiled)} here) can fail to import"
        )
    if users.all:
        return Severity.HIGH, (
            f"packages that use it ({join_names(named(d) for d in users.all)} here) may break "
            "on its incompatible API changes"
        )
    if users.package_compiled:
        return (
            Severity.HIGH,
            "its API and binary interface changed, so code that imports it may break",
        )
    return Severity.MEDIUM, "its API may have changed in incompatible ways"


def _calendar_year(
    name: str,
    moved: str,
    step: VersionStep,
    calendar: CalendarStep,
    users: Users,
    left_label: str,
) -> Rating:
    """Another year of a calendar-versioned project: one step below a semantic major, since
    the number promises nothing either way; what uses it decides the rest."""
    newer = "an older" if step.downgrade else "a newer"
    years = f" ({calendar.years})" if calendar.years else ""
    pre = " involving a pre-release" if step.prerelease else ""
    major_severity, _ = _major(name, step, users)
    severity = Severity(max(Severity.LOW, major_severity - 1))
    if step.downgrade:  # as for a minor downgrade: what A's code relies on may be missing
        severity = max(severity, Severity.MEDIUM)
    if step.downgrade:
        why = (
            f"features and fixes that code on {left_label} relies on may be missing; {WHEN_NOT_HOW}"
        )
    elif users.all:
        verb = "relies" if len(users.all) == 1 else "rely"
        why = (
            f"{WHEN_NOT_HOW}, so read its changelog for what "
            f"{join_names(named(d) for d in users.all)} here {verb} on"
        )
    else:
        why = f"{WHEN_NOT_HOW}; read its changelog"
    if calendar.note:
        why = f"{why}; {calendar.note}"
    return Rating(severity, f"{moved}, {newer} calendar release{years}{pre}", why)


def _calendar_same_year(
    moved: str, step: VersionStep, calendar: CalendarStep, users: Users, left_label: str
) -> Rating:
    """Two releases of one year: the later numbers say when too, so no minor/patch reading."""
    later = "an earlier" if step.downgrade else "a later"
    pre = " involving a pre-release" if step.prerelease else ""
    severity = Severity.MEDIUM if _weighty(step, users) else Severity.LOW
    why = (
        f"features or fixes that code on {left_label} relies on may be missing"
        if step.downgrade
        else f"usually compatible, though {WHEN_NOT_HOW}"
    )
    return Rating(
        severity, f"{moved}, {later} release from the same year ({calendar.left_year}){pre}", why
    )
