"""--only and --ignore: narrowing a report to what the reader cares about."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from fnmatch import fnmatchcase

from driftcheck.diff.model import Finding, Report


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
