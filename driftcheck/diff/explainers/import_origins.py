"""Which file `import x` loads: a module that comes from no distribution is named as the cause.

A stray ``yaml/`` in a PYTHONPATH or .pth folder, a vendored copy, a user-site copy
or any copy earlier on sys.path wins over the distribution pip reports: "`import yaml`
loads /opt/tools/yaml/__init__.py on B, not PyYAML 6.0.2". Severity follows the
evidence of use of the distribution concerned (diff/rating.py calls `rate_import_origin`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from packaging.utils import canonicalize_name

from driftcheck.diff.explainers.common import (
    Side,
    active,
    join_names,
    label,
    other,
    snapshot_of,
)
from driftcheck.diff.explainers.interface import Context, in_section
from driftcheck.diff.model import Change, Finding, Fix, Severity
from driftcheck.diff.text import short
from driftcheck.diff.usage import Usage, Use, nothing_words, project_words
from driftcheck.snapshot.model import Snapshot

IMPACT = "imports"


class ImportOriginsExplainer:
    name = "import-origins"

    def explain(self, pending: Sequence[Change], context: Context) -> list[Finding]:
        return [_finding(c, context) for c in in_section(pending, "imports")]


def _dist(entry: Any, key: str = "distribution") -> str | None:
    value = entry.get(key) if isinstance(entry, Mapping) else None
    return value if isinstance(value, str) and value else None


def _copy_words(context: Context, side: Side, dist_name: str) -> str:
    """'PyYAML 6.0.2', the version as installed on SIDE when known."""
    dist = active(snapshot_of(context, side)).get(canonicalize_name(dist_name))
    return f"{dist.name} {dist.version}" if dist is not None else dist_name


def _in_site_folder(snapshot: Snapshot, origin: str) -> bool:
    """ORIGIN sits right in a folder where this side's distributions live."""
    package = origin.rsplit("/", 1)[-1].startswith("__init__.")
    folder = origin.rsplit("/", 2 if package else 1)[0]
    return any(d.location.rstrip("/") == folder for d in snapshot.distributions)


def _finding(change: Change, context: Context) -> Finding:
    name = change.key
    if change.kind == "changed":
        if _dist(change.right) is None:
            return _stray(name, "right", change, context)
        if _dist(change.left) is None:
            return _stray(name, "left", change, context)
        return _other_owner(change, context)
    return _stray(name, "right" if change.kind == "added" else "left", change, context)


def _stray(name: str, side: Side, change: Change, context: Context) -> Finding:
    here = label(context, side)
    there = label(context, other(side))
    entry = change.right if side == "right" else change.left
    theirs = change.left if side == "right" else change.right
    origin = str(entry.get("origin") or "?")
    hidden = entry.get("hidden_origin")
    hidden_dist = _dist(entry, "hidden_distribution")
    other_dist = _dist(theirs) if isinstance(theirs, Mapping) else None
    evidence = [f"{here}: `import {name}` loads {origin}, which no distribution installed"]
    packages: tuple[str, ...] = ()
    if other_dist is not None:
        copy = _copy_words(context, other(side), other_dist)
        explanation = f"`import {name}` loads {origin} on {here}, not {copy} as on {there}"
        packages = (canonicalize_name(other_dist),)
        severity = Severity.HIGH
        evidence.append(f"{there}: {theirs.get('origin')} from {copy}")
    elif hidden_dist is not None:
        copy = _copy_words(context, side, hidden_dist)
        explanation = f"`import {name}` loads {origin} on {here}, which hides {copy} at {hidden}"
        packages = (canonicalize_name(hidden_dist),)
        severity = Severity.HIGH
    elif hidden:
        explanation = (
            f"`import {name}` loads {origin} on {here}, a file no distribution installed, "
            f"which hides the copy at {hidden} (the standard library's, or an earlier folder's)"
        )
        severity = Severity.MEDIUM
    elif _in_site_folder(snapshot_of(context, side), origin):
        # An OS package's module in dist-packages (apt_pkg), a file copied beside the
        # distributions: the OS package and package findings speak for those.
        explanation = (
            f"`import {name}` loads {origin} on {here}, a module in a site folder that no "
            f"distribution's metadata lists; {there} has no such module"
        )
        severity = Severity.INFO
    else:
        explanation = (
            f"`import {name}` loads {origin} on {here}, a file no distribution installed "
            f"(from a PYTHONPATH or .pth folder); {there} has no such module"
        )
        severity = Severity.LOW
    if hidden:
        evidence.append(f"hidden copy on {here}: {hidden}")
    folder = origin.rsplit("/__init__", 1)[0] if "/__init__" in origin else origin
    fix = Fix.advise(
        f"remove or rename {folder} on {here}, or take its folder off PYTHONPATH and .pth "
        f"files there, so that `import {name}` finds the installed distribution"
    )
    return Finding(
        category="imports",
        subject=name,
        severity=severity,
        explanation=f"{explanation}.",
        left=short(origin if side == "left" else (theirs or {}).get("origin")),
        right=short(origin if side == "right" else (theirs or {}).get("origin")),
        evidence=tuple(evidence),
        fix=fix,
        changes=(change,),
        packages=packages,
        relevance=12 if severity >= Severity.HIGH else 5,
        impact=IMPACT,
    )


def _other_owner(change: Change, context: Context) -> Finding:
    a, b = _dist(change.left) or "?", _dist(change.right) or "?"
    return Finding(
        category="imports",
        subject=change.key,
        severity=Severity.LOW,
        explanation=(
            f"`import {change.key}` loads {_copy_words(context, 'left', a)} on "
            f"{context.left_label} but {_copy_words(context, 'right', b)} on "
            f"{context.right_label}: two distributions ship the same module."
        ),
        left=short(change.left.get("origin")),
        right=short(change.right.get("origin")),
        changes=(change,),
        packages=(canonicalize_name(b),),
    )


def rate_import_origin(finding: Finding, use: Use, usage: Usage) -> Finding:
    """High when the program uses the module (the project imports the distribution, or it
    is asked for by name or required by what is); low when nothing does."""
    from driftcheck.diff.rating import _moved

    files = usage.project.modules.get(finding.subject, ()) if usage.project else ()
    if files:
        why = f"your code imports it ({join_names(files, limit=1)})"
        return _moved(finding, max(finding.severity, Severity.HIGH), why, say=True)
    if not finding.packages:
        return finding  # no distribution to weigh: the explainer's own rating stands
    said = project_words(use)
    if use.direct:
        return _moved(finding, max(finding.severity, Severity.HIGH), str(said), say=True)
    if any(use.used_on(s) for s in ("left", "right")):
        return finding
    if use.extras or use.test_imported or use.dev:
        return _moved(finding, min(finding.severity, Severity.MEDIUM), str(said), say=True)
    if finding.severity <= Severity.LOW:
        return finding
    name = finding.packages[0] if finding.packages else finding.subject
    return _moved(finding, Severity.LOW, nothing_words(use, name, ("left", "right"), usage))
