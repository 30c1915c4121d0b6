"""Causes and their effects: a finding that another one explains becomes its member.

One mechanism often shows as two findings: PYTHONPATH set on B, and "`import six`
loads /tools/six.py on B" because that folder is on it. The variable is the cause a
user can act on; the import is what it does. Each rule here recognises such a pair
from the snapshots' facts (never from wording) and folds the effect into the cause,
which takes the effect's severity and says what it does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from driftcheck.diff.model import Finding, Fix
from driftcheck.snapshot.model import Snapshot


def fold_effects(findings: Sequence[Finding], left: Snapshot, right: Snapshot) -> list[Finding]:
    folded = _stray_instead_of_missing(list(findings))
    return _pythonpath_imports(folded, left, right)


def _stray_instead_of_missing(findings: list[Finding]) -> list[Finding]:
    """A distribution missing on one side whose module still imports there, from a stray
    copy: `import yaml` does not fail with ModuleNotFoundError, it loads the stray. The
    import finding says what really happens; the missing distribution is its member."""
    out = list(findings)
    for cause in [f for f in findings if f.category == "imports" and f.packages]:
        effects = [
            f
            for f in out
            if f.category == "packages" and f.impact == "missing" and f.subject in cause.packages
        ]
        if not effects:
            continue
        worst = max(effects, key=lambda f: f.severity)
        folded = replace(
            cause,
            severity=max(cause.severity, worst.severity),
            relevance=max(cause.relevance, worst.relevance),
            project=cause.project or worst.project,
            explanation=f"{cause.explanation.rstrip('.')}; the distribution itself is not "
            "installed there.",
            members=cause.members + tuple(effects),
            fix=_both_fixes(cause.fix, worst.fix),
        )
        out = [folded if f is cause else f for f in out if not any(f is e for e in effects)]
    return out


def _both_fixes(first: Fix | None, then: Fix | None) -> Fix | None:
    """The stray's removal, then the install the missing distribution needs."""
    if first is None or then is None or then.command is None or then.on is None:
        return first or then
    if not first.advice:
        return then
    return Fix.run(then.command, then.on, advice=f"{first.advice.rstrip('.')}; then install it")


def _pythonpath_imports(findings: list[Finding], left: Snapshot, right: Snapshot) -> list[Finding]:
    """`import x` loads a copy from a folder that PYTHONPATH puts on that side's
    sys.path, and the other side sets no PYTHONPATH: PYTHONPATH is the cause. (Set on
    both sides, to folders that differ by machine paths, the copy in one of them is.)"""
    cause = next(
        (f for f in findings if (f.category, f.subject) == ("environment", "PYTHONPATH")), None
    )
    if cause is None:
        return findings
    folders_left, folders_right = _folders(left), _folders(right)
    only = {
        "left": folders_left if not folders_right else set(),
        "right": folders_right if not folders_left else set(),
    }
    effects = [
        f
        for f in findings
        if f.category == "imports"
        and (_under(f.left, only["left"]) or _under(f.right, only["right"]))
    ]
    if not effects:
        return findings
    worst = max(effects, key=lambda f: f.severity)
    names = ", ".join(f"`import {f.subject}`" for f in effects[:3])
    folded = replace(
        cause,
        severity=max(cause.severity, worst.severity),
        relevance=max(cause.relevance, worst.relevance),
        explanation=f"{cause.explanation.rstrip('.')}; there it makes {names} load "
        "a copy from its folders instead of the installed one.",
        members=cause.members + tuple(effects),
        packages=tuple(sorted({*cause.packages, *(p for f in effects for p in f.packages)})),
        evidence=cause.evidence + tuple(e for f in effects for e in f.evidence[:1]),
    )
    return [folded if f is cause else f for f in findings if not any(f is e for e in effects)]


def _folders(snapshot: Snapshot) -> set[str]:
    value = snapshot.environment.get("PYTHONPATH")
    if not isinstance(value, str):  # unset, or redacted: nothing to match
        return set()
    return {folder.rstrip("/") for folder in value.split(":") if folder}


def _under(path: str | None, folders: set[str]) -> bool:
    return path is not None and any(path.startswith(folder + "/") for folder in folders)
