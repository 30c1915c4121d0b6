"""The snapshots a report is about, each with the name the report gives it."""

from __future__ import annotations

from pathlib import Path

from driftcheck import api
from driftcheck.report.build import Side
from driftcheck.snapshot.anonymize import anonymize_snapshot, anonymizer_for
from driftcheck.targets.reference import parse_reference


def load_side(source: str, *, key: bytes | None, anonymize: bool) -> Side:
    """A file is named by its file name (where it sits on the reporter's disk is of no
    use to a reader); a live target by its snapshot's label."""
    if parse_reference(source).kind != "file":
        snapshot = api.load_or_take(source, key=key, anonymize=anonymize)
        return Side(snapshot, snapshot.label)
    snapshot = api.load_or_take(source, key=key)
    label = Path(source).name or source
    if anonymize:
        anonymizer = anonymizer_for(snapshot)
        label = anonymizer.apply(label)
        snapshot = anonymize_snapshot(snapshot, anonymizer)
    return Side(snapshot, label)


def distinct(sides: list[Side]) -> list[Side]:
    """Two sides of one name would make a drift report ambiguous: A and B tell them apart."""
    if len(sides) == 2 and sides[0].label == sides[1].label:
        return [Side(s.snapshot, f"{tag}: {s.label}") for tag, s in zip("AB", sides, strict=True)]
    return sides
