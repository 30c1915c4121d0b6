"""A .pth file Python blocks on at start-up: the program on that side never starts.

CPython's site.py opens every .pth file of its site folders before any program
code runs; one that is not a regular file (a FIFO with no writer) holds the
interpreter there for good. The probe skips such files and records them on the
interpreter (``start_up_blockers``); a static reading finds them along its
modelled sys.path. A blocker on one side only is critical: nothing runs there.
"""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Sequence

from driftcheck.diff.explainers.interface import Context, in_section
from driftcheck.diff.model import Change, Finding, Fix, Severity
from driftcheck.snapshot.model import Snapshot

FIELD = "start_up_blockers"


def blockers_of(snapshot: Snapshot) -> tuple[str, ...] | None:
    """The side's blocking .pth files; None when it cannot know them (an image read as
    files whose interpreter and sys.path were not modelled)."""
    if snapshot.python is not None:
        return snapshot.python.start_up_blockers
    modelled = any(u.field == "python.sys_path" for u in snapshot.unknowns)
    if snapshot.static_python is not None and modelled:
        return snapshot.static_python.start_up_blockers
    return None


class StartUpBlockersExplainer:
    name = "start-up-blockers"

    def explain(self, pending: Sequence[Change], context: Context) -> list[Finding]:
        left, right = blockers_of(context.left), blockers_of(context.right)
        claimed = tuple(c for c in in_section(pending, "python") if c.field == FIELD)
        if left is None or right is None or set(left) == set(right):
            return []
        findings = []
        sides = (
            (context.left_label, context.right_label, left, right),
            (context.right_label, context.left_label, right, left),
        )
        for label, other, here, there in sides:
            for path in sorted(set(here) - set(there)):
                findings.append(_finding(path, label, other, here is left, claimed))
                claimed = ()  # the change is claimed once, by the first finding
        return findings


def _finding(
    path: str, label: str, other: str, on_left: bool, changes: tuple[Change, ...]
) -> Finding:
    return Finding(
        category="startup",
        subject=posixpath.basename(path),
        # On A only: B, the side that is checked, starts; A's own trouble is context.
        severity=Severity.LOW if on_left else Severity.CRITICAL,
        explanation=(
            f"On {label}, Python blocks at start-up reading {path}, which is not a regular "
            "file (a FIFO): site.py opens every .pth file of its site folders before any "
            f"program code runs, so nothing that interpreter starts runs; {other} has no "
            "such file."
        ),
        left="blocks at start-up" if on_left else None,
        right=None if on_left else "blocks at start-up",
        evidence=(f"{path}: not a regular file, skipped by the probe",),
        fix=Fix.run(
            f"rm {shlex.quote(path)}",
            label,
            "remove the file, or replace it by a regular .pth file",
        ),
        changes=changes,
    )
