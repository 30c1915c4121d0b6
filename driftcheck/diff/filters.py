"""--only and --ignore: narrowing a report to what the reader cares about."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from fnmatch import fnmatchcase

from driftcheck.diff.categories import CATEGORIES, category_of
from driftcheck.diff.model import DiffResult, Finding
from driftcheck.errors import UsageError


def check_categories(only: Sequence[str]) -> tuple[str, ...]:
    """The --only categories, each in its one spelling; a category no finding can carry
    is refused: a typo would hide every finding."""
    chosen = []
    for name in only:
        category = category_of(name)
        if category is None:
            raise UsageError(
                f"--only {name!r} is not a category; use one of {', '.join(CATEGORIES)}"
            )
        chosen.append(category)
    return tuple(chosen)


def filter_report(report: DiffResult, *, only: Sequence[str], ignore: Sequence[str]) -> DiffResult:
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
