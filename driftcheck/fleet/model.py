"""What an N-way comparison produces: one row per differing fact, one cell per side."""

from __future__ import annotations

from dataclasses import dataclass

from driftcheck.diff.model import Severity


@dataclass(frozen=True)
class FleetRow:
    """One fact that is not the same on every side (a `category:subject` of the engine)."""

    category: str
    subject: str
    severity: Severity
    reference: str | None  # the majority value ("" for a fact that has no value of its own)
    values: tuple[str | None, ...]  # one per compared side, in the order of FleetReport.labels
    outliers: tuple[int, ...]  # the sides whose value is not the reference
    summary: str  # "only runner-7 has urllib3 1.26.20; the 19 others have 2.2.1"
    explanation: str  # the engine's sentence for the most severe outlier


@dataclass(frozen=True)
class FailedSide:
    label: str
    message: str
    exit_code: int


@dataclass(frozen=True)
class FleetReport:
    labels: tuple[str, ...]  # the compared sides (those that could be read)
    reference_side: int  # the side closest to the majority; every side was compared with it
    rows: tuple[FleetRow, ...]
    failed: tuple[FailedSide, ...] = ()
    not_comparable: tuple[str, ...] = ()

    def at_or_above(self, threshold: Severity) -> tuple[FleetRow, ...]:
        return tuple(row for row in self.rows if row.severity >= threshold)
