"""Environment variables: which ones change what a Python program does, and which are noise.

Rated from the table in `variables`; related variables make one finding (the
locale, proxies, thread counts, session noise). A variable also explains the
interpreter facts it drives (PYTHONPATH → sys.path, LANG → UTF-8 mode and
encodings), so those are claimed here, before the runtime rule sees them.

A redacted value is never printed, nor is the other side's value of that
variable: "differs (values redacted)" is all a finding may say.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from driftcheck.diff.explainers.common import (
    count,
    join_names,
    portable_path,
    portable_sys_path,
    quote,
)
from driftcheck.diff.explainers.interface import Context, in_section
from driftcheck.diff.explainers.variables import (
    NOISE,
    THREAD_READERS,
    THREADS,
    VariableRule,
    rule_for,
    severity_of,
)
from driftcheck.diff.model import Change, Finding, Fix, Severity
from driftcheck.diff.text import short
from driftcheck.snapshot.model import Snapshot

MAX_SEPARATE_OTHERS = 3
# Among findings of one severity: a variable with a known effect is a plausible cause, one
# nobody rates may be, and PATH entries that differ are mostly each machine's own folders.
KNOWN_EFFECT, PATH_ENTRIES = 5, -5
SHELL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# Claimed in this order, so that PYTHONUTF8 (not the locale) explains UTF-8 mode when both moved.
_GROUP_ORDER = ("PYTHONPATH", "PYTHONUTF8")


def is_redacted(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get("redacted") is True


def hidden(change: Change) -> bool:
    return is_redacted(change.left) or is_redacted(change.right)


def shown(value: Any, hide: bool) -> str | None:
    """A value for a finding's left/right: None stays None (unset), hidden stays hidden."""
    if value is None:
        return None
    return "<redacted>" if hide or is_redacted(value) else short(value)


class EnvironmentExplainer:
    name = "environment"

    def explain(self, pending: Sequence[Change], context: Context) -> list[Finding]:
        python = [c for c in in_section(pending, "python") if c.field]
        groups: dict[str, list[Change]] = {}
        rules: dict[str, VariableRule] = {}
        others: list[Change] = []
        findings: list[Finding] = []
        for change in in_section(pending, "environment"):
            rule = rule_for(change.key)
            if change.key == "PATH":
                findings.append(_path(change, context))
            elif rule is None:
                others.append(change)
            else:
                groups.setdefault(rule.group, []).append(change)
                rules[rule.group] = rule
        order = sorted(groups, key=lambda g: (g not in _GROUP_ORDER, g))
        for group in order:
            rule = rules[group]
            if rule is NOISE:
                findings.append(_noise(groups[group], context))
                continue
            driven = _driven(rule, python, groups[group], context)
            python = [c for c in python if c not in driven]
            findings.append(_group(rule, groups[group], driven, context))
        findings.extend(_others(others, context))
        return findings


def _driven(
    rule: VariableRule, python: list[Change], members: list[Change], context: Context
) -> list[Change]:
    """The interpreter changes these variables caused."""
    if rule.group == "PYTHONPATH":
        return [c for c in python if c.field == "sys_path" and _pythonpath_explains(context)]
    return [c for c in python if any(_matches(c.field, d) for d in rule.drives)]


def _matches(field: str, driven: str) -> bool:
    return field.startswith(driven) if driven.endswith(".") else field == driven


def _entries(snapshot: Snapshot, value: Any) -> list[str]:
    if not isinstance(value, str):
        return []
    separator = ";" if snapshot.os.system.lower() == "windows" else ":"
    parts = [p for p in value.split(separator) if p]
    return parts + [p.rstrip("/") for p in parts]


def _pythonpath_explains(context: Context) -> bool:
    """True when sys.path differs only by each side's PYTHONPATH entries (and machine paths)."""
    left = _entries(context.left, context.left.environment.get("PYTHONPATH"))
    right = _entries(context.right, context.right.environment.get("PYTHONPATH"))
    return portable_sys_path(context.left, left) == portable_sys_path(context.right, right)


def _describe(change: Change, context: Context) -> str:
    a, b, name = context.left_label, context.right_label, change.key
    hide = hidden(change)
    if change.kind in ("added", "removed"):
        side, value = (b, change.right) if change.kind == "added" else (a, change.left)
        shown_value = "value redacted" if hide else short(value)
        return f"{name} is set on {side} only ({shown_value})"
    if hide:
        return f"{name} differs (values redacted)"
    return f"{name} is {short(change.left)} on {a} but {short(change.right)} on {b}"


def _arrow(change: Change) -> str:
    if hidden(change):
        return f"{change.key} (values redacted)"
    arrow = f"{change.key} {short(change.left) or 'unset'} → {short(change.right) or 'unset'}"
    return arrow + (" by Python's locale coercion" if coerced(change) else "")


def coerced(change: Change) -> bool:
    """LC_CTYPE=C.UTF-8 that Python itself set (PEP 538) because the locale was unusable."""
    value = change.right if change.kind == "added" else change.left
    return (
        change.key == "LC_CTYPE"
        and change.kind in ("added", "removed")
        and isinstance(value, str)
        and value.replace("-", "").lower() == "c.utf8"
    )


def _fix(change: Change, context: Context) -> Fix:
    """A shell command where one is safe to write: the name came from a target too."""
    b, name = context.right_label, change.key
    if change.left is None:  # set on B only: unset it there, whatever its value was
        if SHELL_NAME.match(name):
            return Fix.run(f"unset {name}", on=b)
        return Fix.advise(f"unset {name} on {b}")
    if hidden(change) or not SHELL_NAME.match(name):
        return Fix.advise(f"set {name} on {b} to the value {context.left_label} uses")
    return Fix.run(f"export {name}={quote(str(change.left))}", on=b)


def _joined(fixes: list[Fix]) -> Fix | None:
    """Several variables' fixes as one: the commands in a row, the advice together."""
    commands = [f.command for f in fixes if f.command]
    advice = [f.advice for f in fixes if f.advice]
    if not commands and not advice:
        return None
    on = next((f.on for f in fixes if f.command), None)
    return Fix("; ".join(commands) or None, "; ".join(advice) or None, on)


def _group(
    rule: VariableRule, members: list[Change], driven: list[Change], context: Context
) -> Finding:
    members = sorted(members, key=lambda c: c.key)
    if len(members) == 1:
        what = _describe(members[0], context)
    else:
        what = f"The {rule.group} differ ({', '.join(_arrow(c) for c in members)})"
        if rule.group == "locale":
            what = f"The locale differs ({', '.join(_arrow(c) for c in members)})"
    if rule is THREADS:
        readers = sorted({THREAD_READERS.get(c.key, c.key) for c in members})
        what = (
            f"{what}: {join_names(readers, limit=4)} read {'it' if len(members) == 1 else 'them'}"
        )
    severity = max(severity_of(c.key, rule, (c.left, c.right)) for c in members)
    utf8 = next((c for c in driven if c.field == "flags.utf8_mode"), None)
    note = ""
    if utf8 is not None and rule.group != "PYTHONUTF8":
        on = context.right_label if utf8.right else context.left_label
        note = f", and Python's UTF-8 mode is on only on {on}"
    first = members[0]
    return Finding(
        category="environment",
        subject=rule.group if len(members) > 1 else first.key,
        severity=severity,
        explanation=f"{what}: {rule.why}{note}.",
        left=shown(first.left, hidden(first)) if len(members) == 1 else None,
        right=shown(first.right, hidden(first)) if len(members) == 1 else None,
        evidence=_driven_evidence(driven, any(hidden(c) for c in members)),
        fix=_joined([_fix(c, context) for c in members if not coerced(c)]),
        changes=(*members, *driven),
        relevance=10 if severity >= Severity.HIGH else KNOWN_EFFECT,
    )


def _driven_evidence(driven: list[Change], secret: bool) -> tuple[str, ...]:
    """The interpreter changes, without values when the variable behind them was redacted."""
    if secret:
        return tuple(f"python {c.field} differs" for c in driven)
    return tuple(f"python {c.field}: {short(c.left)} → {short(c.right)}" for c in driven)


def _split_path(snapshot: Snapshot, value: Any) -> list[str]:
    separator = ";" if snapshot.os.system.lower() == "windows" else ":"
    return [portable_path(snapshot, p) for p in str(value).split(separator) if p]


def _path(change: Change, context: Context) -> Finding:
    a, b = context.left_label, context.right_label
    if hidden(change) or change.left is None or change.right is None:
        return _path_finding(
            change,
            Severity.LOW,
            f"{_describe(change, context)}: commands can resolve to other programs.",
        )
    left, right = _split_path(context.left, change.left), _split_path(context.right, change.right)
    if left == right:
        return _path_finding(
            change,
            Severity.INFO,
            "PATH differs only by the machines' own paths (the same entries relative to each "
            "interpreter).",
        )
    if sorted(left) == sorted(right):
        first = next(i for i, (x, y) in enumerate(zip(left, right, strict=True)) if x != y)
        return _path_finding(
            change,
            Severity.MEDIUM,
            f"PATH holds the same entries in another order: {right[first]} comes before "
            f"{left[first]} on {b}, so `python`, `pip` and other commands can resolve to a "
            "different program there.",
            fix=Fix.run(f"export PATH={quote(str(change.left))}", on=b),
        )
    only_left = [e for e in left if e not in right]
    only_right = [e for e in right if e not in left]
    return _path_finding(
        change,
        Severity.LOW,
        f"PATH differs ({count(len(only_left), 'entry', 'entries')} only on {a}, "
        f"{len(only_right)} only on {b}), "
        "so commands can resolve to other programs.",
        evidence=(
            *(f"only on {a}: {e}" for e in only_left),
            *(f"only on {b}: {e}" for e in only_right),
        ),
        relevance=PATH_ENTRIES,
    )


def _path_finding(
    change: Change,
    severity: Severity,
    explanation: str,
    *,
    evidence: tuple[str, ...] = (),
    fix: Fix | None = None,
    relevance: int = 0,
) -> Finding:
    return Finding(
        category="environment",
        subject="PATH",
        severity=severity,
        explanation=explanation,
        left=shown(change.left, hidden(change)),
        right=shown(change.right, hidden(change)),
        evidence=evidence,
        fix=fix,
        changes=(change,),
        relevance=relevance,
    )


def _noise(members: list[Change], context: Context) -> Finding:
    members = sorted(members, key=lambda c: c.key)
    names = [c.key for c in members]
    return Finding(
        category="environment",
        subject="session variables",
        severity=Severity.INFO,
        explanation=(
            f"{len(names)} session variable(s) differ ({join_names(names, limit=6)}): "
            f"{NOISE.why}, not a cause."
        ),
        evidence=tuple(_arrow(c) for c in members),
        changes=tuple(members),
    )


def _other(change: Change, context: Context) -> Finding:
    return Finding(
        category="environment",
        subject=change.key,
        severity=Severity.LOW,
        explanation=f"{_describe(change, context)}: programs that read it behave differently.",
        left=shown(change.left, hidden(change)),
        right=shown(change.right, hidden(change)),
        fix=_fix(change, context),
        changes=(change,),
    )


def _others(changes: list[Change], context: Context) -> list[Finding]:
    changes = sorted(changes, key=lambda c: c.key)
    if len(changes) <= MAX_SEPARATE_OTHERS:
        return [_other(c, context) for c in changes]
    names = [c.key for c in changes]
    return [
        Finding(
            category="environment",
            subject="other variables",
            severity=Severity.LOW,
            explanation=(
                f"{len(names)} other variables differ ({join_names(names, limit=6)}): programs "
                "that read them behave differently."
            ),
            evidence=tuple(_arrow(c) for c in changes),
            members=tuple(replace(_other(c, context), changes=()) for c in changes),
            changes=tuple(changes),
        )
    ]
