"""--only and --ignore: narrowing a report to what the reader cares about."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from fnmatch import fnmatchcase

from driftcheck.diff.model import Finding, Report
from driftcheck.errors import UsageError


def check_categories(only: Sequence[str]) -> None:
    """Refuses an --only category no finding can carry: a typo would hide every finding."""
    from driftcheck.gate.policy import CATEGORIES

    for category in only:
        if category not in CATEGORIES:
            raise UsageError(
                f"--only {category!r} is not a category; use one of {', '.join(CATEGORIES)}"
            )


def filter_report(report: Report, *, only: Sequence[str], ignore: Sequence[str]) -> Report:
    """Keeps findings in the `only` categories (all when empty) and drops ignored subjects.

    An ignore pattern is a glob over the subject (`numpy`, `LC_*`) or over
    `category:subject` (`environment:HOSTNAME`).
    """
    kept = [
        f for f in report.findings if (not only or f.category in only) and not _ignored(f, ignore)
    ]
    return replace(report, findings=tuple(kept))


def _ignored(finding: Finding, patterns: Sequence[str]) -> bool:
    qualified = f"{finding.category}:{finding.subject}"
    return any(fnmatchcase(finding.subject, p) or fnmatchcase(qualified, p) for p in patterns)
