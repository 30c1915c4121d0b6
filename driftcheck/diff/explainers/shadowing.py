"""Shadowed copies: a second copy of a package, hidden by one earlier on sys.path.

`pip list` and `importlib.metadata` may report one copy while `import` loads
the other, the classic "I upgraded it and nothing changed". An older copy
winning is the worst case, and the sentence says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from packaging.version import InvalidVersion

from driftcheck.diff.explainers.common import (
    Side,
    active,
    label,
    local_folder,
    named,
    snapshot_of,
)
from driftcheck.diff.explainers.interface import Context, in_section
from driftcheck.diff.model import Change, Finding, Fix, Severity
from driftcheck.diff.pep440 import parse_version
from driftcheck.diff.text import short
from driftcheck.snapshot.model import Distribution


class ShadowingExplainer:
    name = "shadowing"

    def explain(self, pending: Sequence[Change], context: Context) -> list[Finding]:
        findings = []
        for change in in_section(pending, "shadowed"):
            name, _, location = change.key.partition("@")
            if change.kind == "changed":
                findings.append(_changed(name, location, change, context))
            else:
                side: Side = "right" if change.kind == "added" else "left"
                entry = change.right if side == "right" else change.left
                findings.append(_appeared(name, location, entry, side, change, context))
        return findings


def _older(a: str, b: str) -> bool:
    try:
        return parse_version(a) < parse_version(b)
    except InvalidVersion:
        return False


def _appeared(
    name: str, location: str, entry: Any, side: Side, change: Change, context: Context
) -> Finding:
    here = label(context, side)
    entry = entry if isinstance(entry, Mapping) else {}
    hidden = str(entry.get("version") or "?")
    winner_location = str(entry.get("shadowed_by") or "an earlier folder")
    winner = active(snapshot_of(context, side)).get(name)
    winning = winner.version if winner else "?"
    if winner is not None and _editable_leftover(winner, location):
        return _leftover(winner, location, side, change, context)
    if _older(winning, hidden):
        explanation = (
            f"On {here}, an older copy of {name} ({winning}) at {winner_location} shadows "
            f"{hidden} at {location}: imports get {winning}, while pip may report {hidden}."
        )
    else:
        explanation = (
            f"On {here}, {name} {winning} at {winner_location} shadows another copy ({hidden}) "
            f"at {location}: imports get {winning}, and tools that read metadata may see either."
        )
    return Finding(
        category="packages",
        subject=f"{name} (shadowed copy)",
        severity=Severity.MEDIUM,
        explanation=explanation,
        left=short(hidden if side == "left" else None),
        right=short(hidden if side == "right" else None),
        evidence=(f"winning copy: {winner_location}", f"hidden copy: {location}"),
        fix=Fix.advise(
            f"remove the copy you do not want (at {winner_location} or {location}) with the "
            "interpreter that owns it, or reorder sys.path"
        ),
        changes=(change,),
    )


def _editable_leftover(winner: Distribution, location: str) -> bool:
    """The hidden copy is the *.egg-info setuptools leaves in an editable project's folder
    (`src/` of a src layout): the same install's metadata, which its .pth puts on sys.path.
    Snapshots taken since issue 13 drop it; older ones still hold it."""
    folder = local_folder(winner) if winner.editable else None
    if not folder:
        return False
    folder = folder.rstrip("/")
    return location == folder or location.startswith(folder + "/")


def _leftover(
    winner: Distribution, location: str, side: Side, change: Change, context: Context
) -> Finding:
    here = label(context, side)
    return Finding(
        category="packages",
        subject=f"{winner.canonical_name} (editable metadata)",
        severity=Severity.INFO,
        explanation=(
            f"On {here}, {location} holds the metadata setuptools writes into the project "
            f"folder of the editable install of {named(winner)}: part of that install, not a "
            "second copy; leave it in place."
        ),
        left=short(location if side == "left" else None),
        right=short(location if side == "right" else None),
        changes=(change,),
    )


def _changed(name: str, location: str, change: Change, context: Context) -> Finding:
    return Finding(
        category="packages",
        subject=f"{name} (shadowed copy)",
        severity=Severity.LOW,
        explanation=(
            f"The hidden copy of {name} at {location} differs between {context.left_label} and "
            f"{context.right_label} ({change.field}); imports still load the earlier copy."
        ),
        left=short(change.left),
        right=short(change.right),
        changes=(change,),
    )
