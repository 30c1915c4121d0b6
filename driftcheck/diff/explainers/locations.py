"""Where packages live: one finding per pair of folders, not one line per package.

Two virtual environments on two machines almost never share a path, so a
location change is usually noise (INFO). It matters when the package comes
from a folder with a different role: the venv's site-packages on one side,
the user site or the system's dist-packages on the other.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from driftcheck.diff.explainers.common import join_names
from driftcheck.diff.explainers.interface import Context, in_section
from driftcheck.diff.model import Change, Finding, Severity
from driftcheck.diff.text import short
from driftcheck.snapshot.model import Snapshot


def role(snapshot: Snapshot, location: str) -> tuple[str, str]:
    """A location relative to the interpreter's prefix or base prefix, else itself."""
    py = snapshot.python
    if py is not None:
        for name, prefix in (("prefix", py.prefix), ("base_prefix", py.base_prefix)):
            root = prefix.rstrip("/")
            if root and (location == root or location.startswith(root + "/")):
                # lib/python3.9/site-packages and lib/python3.11/site-packages: one role.
                return (name, re.sub(r"/python\d+\.\d+t?/", "/pythonX.Y/", location[len(root) :]))
    return ("path", location)


class LocationsExplainer:
    name = "locations"

    def explain(self, pending: Sequence[Change], context: Context) -> list[Finding]:
        groups: dict[tuple[str, str], list[Change]] = {}
        for change in in_section(pending, "distributions"):
            if change.field == "location":
                groups.setdefault((str(change.left), str(change.right)), []).append(change)
        return [_finding(a, b, changes, context) for (a, b), changes in sorted(groups.items())]


def _finding(left: str, right: str, changes: list[Change], context: Context) -> Finding:
    names = [c.key for c in changes]
    same_role = role(context.left, left) == role(context.right, right)
    count = f"{len(names)} distributions" if len(names) > 1 else names[0]
    verb = "live" if len(names) > 1 else "lives"
    if same_role:
        severity = Severity.INFO
        why = "the same place relative to each interpreter, so only the machine's paths differ"
    else:
        severity = Severity.LOW
        why = "a folder with another role (user site, system packages), which may hold other copies"
    return Finding(
        category="packages",
        subject="install location",
        severity=severity,
        explanation=(
            f"{count} {verb} in {left} on {context.left_label} but in {right} on "
            f"{context.right_label}: {why}."
        ),
        left=short(left),
        right=short(right),
        evidence=(f"packages: {join_names(names, limit=20)}",),
        changes=tuple(changes),
    )
