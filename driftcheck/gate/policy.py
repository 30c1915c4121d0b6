"""A drift policy: what a check ignores, which package steps it allows, which severities it changes.

Rules match a finding's category and a glob over its subject (a package name,
an environment variable, an OS package). A grouped finding (the locale
variables, 300 dpkg packages) matches when its subject does, or when every
name inside it does: ignoring `LC_*` ignores a locale group made of LC_ALL and
LC_CTYPE, not one that also holds LANG.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from fnmatch import fnmatchcase

from driftcheck.diff.model import Finding, Severity

ANY = "*"
# Every category a finding can carry: the explainers' own, then the snapshot sections
# the fallback rule names. A typo in a policy's category is an error, not a no-op.
CATEGORIES = (
    "packages",
    "dependencies",
    "environment",
    "os",
    "platform",
    "python",
    "native-libraries",
    "container",
    "imports",
    "startup",
    "distributions",
    "shadowed",
    "os_packages",
    "native_libraries",
)
CHANGE_KINDS = ("patch", "minor", "major", "prerelease", "local")
_SEPARATORS = re.compile(r"[-_.]+")


@dataclass(frozen=True)
class IgnoreRule:
    where: str  # how messages name it: "driftcheck.toml: ignore[2]"
    category: str
    pattern: str
    reason: str
    expires: date | None = None

    def expired(self, today: date) -> bool:
        return self.expires is not None and today > self.expires

    def matches(self, finding: Finding) -> bool:
        return category_matches(self.category, finding) and subject_matches(self.pattern, finding)


@dataclass(frozen=True)
class AllowRule:
    """Version steps of a package that are expected, such as patch releases of certifi."""

    where: str
    package: str  # a glob over canonical distribution names
    changes: frozenset[str]
    reason: str | None = None

    def describe(self) -> str:
        kinds = ", ".join(k for k in CHANGE_KINDS if k in self.changes)
        return self.reason or f"the policy allows {kinds} changes of {self.package}"


@dataclass(frozen=True)
class SeverityRule:
    where: str
    category: str
    pattern: str
    severity: Severity
    reason: str | None = None

    def matches(self, finding: Finding) -> bool:
        return category_matches(self.category, finding) and subject_matches(self.pattern, finding)


@dataclass(frozen=True)
class Policy:
    source: str | None = None  # the file it came from; None for the built-in defaults
    fail_on: str | None = None  # a FailOn value
    ignore: tuple[IgnoreRule, ...] = ()
    allow: tuple[AllowRule, ...] = ()
    severity: tuple[SeverityRule, ...] = ()


def ignores_everything(rules: Iterable[IgnoreRule]) -> bool:
    """True when these rules alone leave nothing that could ever fail a check."""
    whole = {r.category for r in rules if r.pattern.strip(ANY) == ""}
    return ANY in whole or set(CATEGORIES) <= whole


def canonical_package(name: str) -> str:
    """PEP 503 normalisation; glob characters pass through unchanged."""
    return _SEPARATORS.sub("-", name).lower()


def category_matches(category: str, finding: Finding) -> bool:
    return category in (ANY, finding.category)


def subject_matches(pattern: str, finding: Finding) -> bool:
    if _glob(pattern, finding.subject):
        return True
    names = list(inner_names(finding))
    return bool(names) and all(_glob(pattern, name) for name in names)


def inner_names(finding: Finding) -> Iterable[str]:
    """The names a grouped finding stands for: its members, else the entries it claimed."""
    if finding.members:
        return [m.subject for m in finding.members]
    keys = {c.key for c in finding.changes if c.section in ("environment", "distributions")}
    return sorted(keys) if len(keys) > 1 or finding.subject not in keys else []


def _glob(pattern: str, name: str) -> bool:
    if fnmatchcase(name, pattern):
        return True
    # OS packages carry their architecture ("libssl3:amd64"): "libssl3" names them too.
    bare = name.rsplit(":", 1)[0]
    return bare != name and fnmatchcase(bare, pattern)
