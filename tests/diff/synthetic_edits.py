"""Edits that turn a real captured snapshot into a SYNTHETIC one: what this machine cannot
capture (another libc, another Python, a package from another distribution). The tests
that use them say what they changed; everything else is the real capture."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from driftcheck.diff.engine import compare
from driftcheck.diff.model import DiffResult, Finding
from driftcheck.snapshot.model import Snapshot


def compare_ab(left: Snapshot, right: Snapshot) -> DiffResult:
    return compare(left, right, left_label="A", right_label="B")


def with_dist(snapshot: Snapshot, name: str, **fields: Any) -> Snapshot:
    dists = tuple(
        replace(d, **fields) if d.canonical_name == name else d for d in snapshot.distributions
    )
    return replace(snapshot, distributions=dists)


def with_python(snapshot: Snapshot, **fields: Any) -> Snapshot:
    assert snapshot.python is not None
    return replace(snapshot, python=replace(snapshot.python, **fields))


def only_finding(report: DiffResult, subject: str) -> Finding:
    found = [f for f in report.findings if f.subject == subject]
    assert len(found) == 1, [(f.subject, f.explanation) for f in report.findings]
    return found[0]
