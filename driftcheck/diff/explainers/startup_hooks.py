"""Code that runs at every start-up: sitecustomize, usercustomize and .pth files.

site.py imports sitecustomize and usercustomize, and runs the `import` lines of
every .pth file in a site folder, before the program's first line: they can patch
modules, set variables or print. Path lines add folders to sys.path, where a stray
module can hide an installed one (the import-origins explainer names those).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping, Sequence
from typing import Any

from driftcheck.diff.explainers.common import Side, join_names, label, other
from driftcheck.diff.explainers.interface import Context
from driftcheck.diff.model import Change, Finding, Fix, Severity
from driftcheck.diff.text import short

HOOKS = ("sitecustomize", "usercustomize")
# .pth files that installers and tools write themselves: their presence follows a
# distribution (setuptools, an editable install, virtualenv), which the package
# findings name already.
TOOL_PTH_PREFIXES = ("distutils-precedence", "_virtualenv", "__editable__", "easy-install")


STDLIB_HOOK = re.compile(r"/usr/lib/python3\.\d+/(sitecustomize|usercustomize)\.py")


class StartupHooksExplainer:
    name = "startup-hooks"

    def explain(self, pending: Sequence[Change], context: Context) -> list[Finding]:
        findings = []
        for change in pending:
            if change.section != "startup":
                continue
            if change.key in HOOKS:
                findings.append(_hook(change, context))
            elif change.key.rstrip("+").endswith(".pth"):
                findings.append(_pth(change, context))
        return findings


def _entry(change: Change, side: Side) -> Mapping[str, Any]:
    value = change.left if side == "left" else change.right
    return value if isinstance(value, Mapping) else {}


def _hook(change: Change, context: Context) -> Finding:
    name = change.key
    if change.kind == "changed":
        a, b = _entry(change, "left"), _entry(change, "right")
        explanation = (
            f"{name} differs: {a.get('path')} on {context.left_label} "
            f"(sha256 {str(a.get('sha256'))[:12]}) and {b.get('path')} on "
            f"{context.right_label} (sha256 {str(b.get('sha256'))[:12]}); site.py imports "
            "it at every start-up, before the program runs"
        )
        if a.get("loaded") != b.get("loaded"):
            ran = context.left_label if a.get("loaded") else context.right_label
            explanation += f", and only on {ran} did it run"
        fix = Fix.advise(f"make {name} the same on both sides, or remove the one not wanted")
        left, right = a.get("path"), b.get("path")
    else:
        side: Side = "right" if change.kind == "added" else "left"
        entry = _entry(change, side)
        here, there = label(context, side), label(context, other(side))
        ran = (
            ""
            if entry.get("loaded") is not False
            else " (found, though this side's site.py did not import it)"
        )
        explanation = (
            f"site.py imports {entry.get('path')} ({name}) at every start-up on {here} only{ran}: "
            f"it can patch modules, set variables or print before the program runs; {there} "
            f"has no {name}"
        )
        fix = Fix.advise(f"remove {entry.get('path')} on {here} if it is not wanted there")
        left = entry.get("path") if side == "left" else None
        right = entry.get("path") if side == "right" else None
    loaded = [e.get("loaded") for e in (_entry(change, "left"), _entry(change, "right")) if e]
    severity = Severity.MEDIUM if any(loaded) else Severity.LOW
    if all(_shipped_with_python(str(p)) for p in (left, right) if p):
        # Debian's and Ubuntu's python3 ship /usr/lib/python3.X/sitecustomize.py: a system
        # Python on one side and a python.org build on the other, which other findings name.
        severity = Severity.LOW
        explanation += (
            ", in the standard library folder of a system Python (its OS package ships it)"
        )
    return Finding(
        category="startup",
        subject=name,
        severity=severity,
        explanation=f"{explanation}.",
        left=short(left),
        right=short(right),
        fix=fix,
        changes=(change,),
        relevance=4,
    )


def _shipped_with_python(path: str) -> bool:
    """A hook in a system Python's own standard library folder, not in a site folder."""
    return STDLIB_HOOK.fullmatch(path) is not None


def _is_tool_pth(name: str) -> bool:
    return name.startswith(TOOL_PTH_PREFIXES) or name.endswith("-nspkg.pth")


def _tail(line: str) -> str:
    return posixpath.basename(line.rstrip("/"))


def _pth(change: Change, context: Context) -> Finding:
    name = change.key.rstrip("+")
    if change.kind == "changed":
        a, b = _entry(change, "left"), _entry(change, "right")
        code_changed = a.get("code_lines") != b.get("code_lines")
        tails = (
            [_tail(x) for x in a.get("path_lines", ())],
            [_tail(x) for x in b.get("path_lines", ())],
        )
        if code_changed:
            severity = Severity.MEDIUM
            what = "its `import` lines (code site.py runs at every start-up) differ"
        elif tails[0] == tails[1]:
            severity = Severity.INFO
            what = "its folders differ only by the machine's paths"
        else:
            severity = Severity.LOW
            what = "it adds other folders to sys.path"
        sides: tuple[Side, Side] = ("left", "right")
        shown = [join_names(map(_cut, _lines(_entry(change, s))), 4) for s in sides]
        evidence = tuple(
            f"{label(context, s)}: {text or '(empty)'}"
            for s, text in zip(sides, shown, strict=True)
        )
        explanation = (
            f"{name} differs between {context.left_label} and {context.right_label}: {what}"
        )
        left, right = a.get("path"), b.get("path")
        fix = None
    else:
        side: Side = "right" if change.kind == "added" else "left"
        entry = _entry(change, side)
        here = label(context, side)
        code = list(entry.get("code_lines", ()))
        paths = list(entry.get("path_lines", ()))
        does = []
        if code:
            does.append(f"runs code at every start-up ({_cut(code[0])})")
        if paths:
            does.append(f"adds {join_names(paths, limit=3)} to sys.path")
        severity = Severity.MEDIUM if code else Severity.LOW
        if _is_tool_pth(name):
            severity = Severity.INFO
        explanation = f"{entry.get('path')} on {here} only {' and '.join(does) or 'is empty'}"
        evidence = tuple(f"{here}: {_cut(line, 200)}" for line in [*code, *paths][:6])
        left = entry.get("path") if side == "left" else None
        right = entry.get("path") if side == "right" else None
        fix = Fix.advise(f"remove {entry.get('path')} on {here} if nothing installed it on purpose")
    return Finding(
        category="startup",
        subject=name,
        severity=severity,
        explanation=f"{explanation}.",
        left=short(left),
        right=short(right),
        evidence=evidence,
        fix=fix,
        changes=(change,),
        relevance=3,
    )


def _cut(line: str, limit: int = 60) -> str:
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _lines(entry: Mapping[str, Any]) -> list[str]:
    return [*entry.get("code_lines", ()), *entry.get("path_lines", ())]
