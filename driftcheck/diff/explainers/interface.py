"""The one protocol every explainer follows.

An explainer looks at the changes no earlier explainer claimed, and returns
findings; each finding lists the changes it explains (its claim). The engine
removes claimed changes before the next explainer runs, and a fallback rule
claims whatever is left, so nothing is silently dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from driftcheck.diff.model import Change, Finding
from driftcheck.snapshot.model import Snapshot


@dataclass(frozen=True)
class Context:
    left: Snapshot
    right: Snapshot
    left_label: str
    right_label: str


class Explainer(Protocol):
    name: str

    def explain(self, pending: Sequence[Change], context: Context) -> list[Finding]: ...


def in_section(pending: Sequence[Change], section: str) -> list[Change]:
    return [c for c in pending if c.section == section]
