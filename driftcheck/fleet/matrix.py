"""N sides → rows of differing facts: every side is compared with the modal side by the
two-way engine (same explainers, same severity rules), and the findings are merged.

The modal side is the one that agrees with the majority on the most facts: a first pass
compares every side with the first, counts the values of each fact, and when another
side is closer to the majority, the sides are compared again with that one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from driftcheck.diff.model import DiffResult, Finding, Severity
from driftcheck.fleet.model import FleetReport, FleetRow
from driftcheck.snapshot.model import Snapshot

Compare = Callable[[Snapshot, Snapshot, str, str], DiffResult]
Key = tuple[str, str]
NO_VALUE = "(none)"  # the fact is absent on that side (a package not installed, a variable unset)
DIFFERS = "(differs)"  # a grouped finding with no single value (session variables)


def compare_fleet(sides: Sequence[tuple[str, Snapshot]], compare: Compare) -> FleetReport:
    """``compare(left, right, left_label, right_label)`` is the two-way engine, filtered."""
    if len(sides) < 2:
        raise ValueError("an N-way comparison needs two sides at least")
    reports = _against(sides, 0, compare)
    modal = _modal_side(len(sides), 0, reports)
    if modal != 0:
        reports = _against(sides, modal, compare)
    rows = _rows([label for label, _ in sides], modal, reports)
    not_comparable = sorted({item for r in reports.values() for item in r.not_comparable})
    return FleetReport(
        labels=tuple(label for label, _ in sides),
        reference_side=modal,
        rows=tuple(rows),
        not_comparable=tuple(not_comparable),
    )


def _against(
    sides: Sequence[tuple[str, Snapshot]], pivot: int, compare: Compare
) -> dict[int, DiffResult]:
    label, snapshot = sides[pivot]
    return {
        i: compare(snapshot, other, label, other_label)
        for i, (other_label, other) in enumerate(sides)
        if i != pivot
    }


def _cells(count: int, pivot: int, reports: dict[int, DiffResult]) -> dict[Key, list[str]]:
    """Each fact's value on every side; a side without a finding has the pivot's value."""
    found: dict[Key, dict[int, Finding]] = {}
    for side, report in reports.items():
        for finding in report.findings:
            # One fact can carry two findings (urllib3's downgrade, and that it was asked
            # for by name): its value is the most severe one's.
            held = found.setdefault((finding.category, finding.subject), {})
            if side not in held or finding.severity > held[side].severity:
                held[side] = finding
    cells: dict[Key, list[str]] = {}
    for key, by_side in found.items():
        first = next(iter(by_side.values()))
        pivot_value = _value(first, left=True)
        row = [pivot_value] * count
        for side, finding in by_side.items():
            row[side] = _value(finding, left=False)
        cells[key] = row
    return cells


def _value(finding: Finding, *, left: bool) -> str:
    """A side's value of the fact; a finding whose two values read the same (a grouped
    one, or a requirement unmet on one side) still marks that side as different."""
    if finding.left == finding.right:
        return "" if left else DIFFERS
    value = finding.left if left else finding.right
    return NO_VALUE if value is None else value


def _majority(values: Sequence[str]) -> str:
    counts = Counter(values)
    best = max(counts.values())
    return next(v for v in values if counts[v] == best)  # ties: the first side's value


def _modal_side(count: int, pivot: int, reports: dict[int, DiffResult]) -> int:
    agreement = [0] * count
    for values in _cells(count, pivot, reports).values():
        reference = _majority(values)
        for side, value in enumerate(values):
            agreement[side] += value == reference
    best = max(agreement)
    return pivot if agreement[pivot] == best else agreement.index(best)


def _rows(labels: Sequence[str], pivot: int, reports: dict[int, DiffResult]) -> list[FleetRow]:
    cells = _cells(len(labels), pivot, reports)
    worst: dict[Key, Finding] = {}
    for report in reports.values():
        for finding in report.findings:
            key = (finding.category, finding.subject)
            if key not in worst or finding.severity > worst[key].severity:
                worst[key] = finding
    rows = []
    for key, values in cells.items():
        reference = _majority(values)
        outliers = tuple(i for i, v in enumerate(values) if v != reference)
        finding = worst[key]
        rows.append(
            FleetRow(
                category=key[0],
                subject=key[1],
                severity=finding.severity,
                reference=reference,
                values=tuple(values),
                outliers=outliers,
                summary=summary(key[1], labels, values, reference, outliers),
                explanation=finding.explanation,
            )
        )
    rows.sort(key=lambda r: (-r.severity, len(r.outliers), r.category, r.subject))
    return rows


def summary(
    subject: str,
    labels: Sequence[str],
    values: Sequence[str],
    reference: str,
    outliers: Sequence[int],
) -> str:
    """One sentence naming the outliers: "only runner-7 has urllib3 1.26.20"."""
    by_value: dict[str, list[int]] = {}
    for side in outliers:
        by_value.setdefault(values[side], []).append(side)
    parts = []
    for value, sides in by_value.items():
        names = _names([labels[s] for s in sides])
        lead = "only " if len(sides) == 1 and len(by_value) == 1 else ""
        if value == DIFFERS:
            verb = "differs" if len(sides) == 1 else "differ"
            parts.append(f"{lead}{names} {verb} on {subject}")
            continue
        verb = "has" if len(sides) == 1 else "have"
        parts.append(f"{lead}{names} {verb} {_phrase(subject, value)}")
    others = len(labels) - len(outliers)
    if not others:
        rest = "no value is shared by a majority"
    elif reference == "":
        rest = f"the {others} other(s) agree"
    else:
        rest = f"the {others} other(s) have {_phrase(subject, reference)}"
    return "; ".join([*parts, rest])


def _phrase(subject: str, value: str) -> str:
    if value == NO_VALUE:
        return f"no {subject}"
    if value == DIFFERS:  # a majority that differs from the modal side, each its own way
        return f"another {subject}"
    return f"{subject} {value}"


def _names(labels: Sequence[str], limit: int = 3) -> str:
    if len(labels) <= limit:
        return ", ".join(labels)
    return f"{', '.join(labels[:limit])} and {len(labels) - limit} more"


def severity_of(report: FleetReport) -> Severity | None:
    return max((row.severity for row in report.rows), default=None)
