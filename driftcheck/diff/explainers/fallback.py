"""Claims whatever no other rule explained: nothing is silently dropped."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from driftcheck.diff.categories import category_of
from driftcheck.diff.explainers.interface import Context
from driftcheck.diff.model import Change, Finding, Severity
from driftcheck.diff.text import short


class FallbackExplainer:
    name = "fallback"

    def explain(self, pending: Sequence[Change], context: Context) -> list[Finding]:
        by_entry: dict[tuple[str, str], list[Change]] = defaultdict(list)
        for change in pending:
            by_entry[(change.section, change.key)].append(change)
        findings = []
        for (section, key), changes in sorted(by_entry.items()):
            fields = ", ".join(c.field or c.kind for c in changes)
            first = changes[0]
            findings.append(
                Finding(
                    category=category_of(section) or section,
                    subject=key,
                    severity=Severity.INFO,
                    explanation=f"{section} {key} differs ({fields}); no rule rates it.",
                    left=short(first.left),
                    right=short(first.right),
                    changes=tuple(changes),
                )
            )
        return findings
