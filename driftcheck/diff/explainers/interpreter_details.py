"""Interpreter details: flags, text encodings, bundled library versions, sys.path, paths.

These rarely break a program on their own, but some do: -O strips asserts, UTF-8
mode changes open()'s default encoding, the same sys.path entries in another
order make imports find other copies. Paths that only differ because two
machines lay out their files differently are noted (INFO), never ranked as
causes. Runs after the runtime rule, and after the environment rule, which
claims what its variables caused (PYTHONPATH's sys.path entries, the locale's
encodings).
"""

from __future__ import annotations

import codecs
from collections.abc import Sequence

from driftcheck.diff.explainers.common import count, portable_sys_path
from driftcheck.diff.explainers.interface import Context, in_section
from driftcheck.diff.model import Change, Finding, Fix, Severity
from driftcheck.diff.text import short
from driftcheck.snapshot.model import Interpreter

PATH_FIELDS = ("executable", "prefix", "base_prefix", "conda_prefix", "compiler")
ENCODING_FIELDS = ("default_encoding", "filesystem_encoding")
FLAG_SEVERITY = {
    "optimize": (Severity.MEDIUM, "assert statements are stripped under -O"),
    "utf8_mode": (Severity.MEDIUM, "UTF-8 mode changes the default text encoding"),
    "isolated": (Severity.MEDIUM, "isolated mode ignores PYTHON* variables and user site"),
    "no_user_site": (Severity.MEDIUM, "the user site-packages is left off sys.path"),
    "no_site": (Severity.MEDIUM, "site-packages and .pth files are not processed"),
    "safe_path": (Severity.MEDIUM, "the script's folder is not put on sys.path"),
    "ignore_environment": (Severity.MEDIUM, "PYTHON* variables are ignored"),
    "dev_mode": (Severity.LOW, "development mode enables extra warnings and checks"),
    "hash_randomization": (Severity.LOW, "the order of sets of strings changes run to run"),
    "int_max_str_digits": (Severity.LOW, "int/str conversions of long numbers are limited"),
    "bytes_warning": (Severity.LOW, "bytes/str comparisons warn or fail"),
    "warn_default_encoding": (Severity.LOW, "open() without an encoding warns"),
}


class InterpreterDetailsExplainer:
    name = "interpreter-details"

    def explain(self, pending: Sequence[Change], context: Context) -> list[Finding]:
        left, right = context.left.python, context.right.python
        changes = [c for c in in_section(pending, "python") if c.field]
        if left is None or right is None or not changes:
            return []
        fields = {c.field: c for c in changes}
        findings = []
        for group in (_environment_kind, _sys_path, _flags, _encodings, _build, _paths):
            finding = group(left, right, fields, context)
            if finding is not None:
                findings.append(finding)
        return findings


def _take(fields: dict[str, Change], *names: str) -> tuple[Change, ...]:
    return tuple(fields.pop(n) for n in names if n in fields)


def _environment_kind(
    left: Interpreter, right: Interpreter, fields: dict[str, Change], context: Context
) -> Finding | None:
    changes = _take(fields, "environment_kind", "uv")
    if not any(c.field == "environment_kind" for c in changes):
        if changes:  # only the uv marker differs
            return _info(
                "environment manager",
                "Only one side's environment is managed by uv; the packages are compared on "
                "their own.",
                changes,
            )
        return None
    return Finding(
        category="python",
        subject="environment kind",
        severity=Severity.LOW,
        explanation=(
            f"{context.left_label} runs in a {left.environment_kind} environment and "
            f"{context.right_label} in a {right.environment_kind} one: packages come from "
            "different folders and installers write to different places."
        ),
        left=short(left.environment_kind),
        right=short(right.environment_kind),
        changes=changes,
    )


def _sys_path(
    left: Interpreter, right: Interpreter, fields: dict[str, Change], context: Context
) -> Finding | None:
    if "sys_path" not in fields:
        return None
    change = fields.pop("sys_path")
    a, b = portable_sys_path(context.left), portable_sys_path(context.right)
    if sorted(a) == sorted(b) and a != b:
        first = next(i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y)
        return Finding(
            category="python",
            subject="sys.path order",
            severity=Severity.MEDIUM,
            explanation=(
                f"sys.path holds the same entries in another order: {right.sys_path[first]} "
                f"comes before {right.sys_path[b.index(a[first])]} on {context.right_label}, so "
                "an import that both hold resolves to a different copy."
            ),
            left=short(a),
            right=short(b),
            changes=(change,),
        )
    only_left = [e for e in a if e not in b]
    only_right = [e for e in b if e not in a]
    evidence = [f"only on {context.left_label}: {e}" for e in only_left]
    evidence += [f"only on {context.right_label}: {e}" for e in only_right]
    why = (
        "only by the machines' own paths"
        if a == b
        else f"({count(len(only_left), 'entry', 'entries')} only on {context.left_label}, "
        f"{len(only_right)} only on {context.right_label})"
    )
    return Finding(
        category="python",
        subject="sys.path",
        severity=Severity.INFO,
        explanation=f"sys.path differs {why}; the packages found there are compared on their own.",
        left=short(left.sys_path),
        right=short(right.sys_path),
        evidence=tuple(evidence),
        changes=(change,),
    )


def _flags(
    left: Interpreter, right: Interpreter, fields: dict[str, Change], context: Context
) -> Finding | None:
    changes = _take(fields, *sorted(f for f in fields if f.startswith("flags.")))
    if not changes:
        return None
    # A flag that one Python version does not have yet, left at its default on the other,
    # is the version change speaking (rated by the runtime rule), not a setting.
    newer_only = tuple(c for c in changes if _absent_vs_default(c))
    changes = tuple(c for c in changes if c not in newer_only)
    if not changes:
        names = ", ".join(c.field.removeprefix("flags.") for c in newer_only)
        return _info(
            "interpreter flags",
            f"Only one side's Python version has the flags {names}, left at their defaults.",
            newer_only,
        )
    rated = []
    for change in changes:
        flag = change.field.removeprefix("flags.")
        severity, why = FLAG_SEVERITY.get(flag, (Severity.INFO, "a runtime option"))
        rated.append((severity, flag, why, change))
    rated.sort(key=lambda r: -r[0])
    severity, flag, why, _ = rated[0]
    listed = ", ".join(f"{f} {short(c.left)} → {short(c.right)}" for _, f, _, c in rated)
    return Finding(
        category="python",
        subject="interpreter flags",
        severity=severity,
        explanation=f"Interpreter flags differ ({listed}): {why}.",
        left=short({f: c.left for _, f, _, c in rated}),
        right=short({f: c.right for _, f, _, c in rated}),
        changes=(*changes, *newer_only),
    )


def _absent_vs_default(change: Change) -> bool:
    if change.left is None:
        present = change.right
    elif change.right is None:
        present = change.left
    else:
        return False
    return present in (0, -1)  # off, or int_max_str_digits' "use the default limit"


def same_codec(a: object, b: object) -> bool:
    try:
        return codecs.lookup(str(a)).name == codecs.lookup(str(b)).name
    except (LookupError, ValueError):  # ValueError: a name holding a NUL, from the target
        return str(a).lower() == str(b).lower()


def _encodings(
    left: Interpreter, right: Interpreter, fields: dict[str, Change], context: Context
) -> Finding | None:
    names = [f for f in fields if f in ENCODING_FIELDS or f.startswith("locale.")]
    changes = _take(fields, *sorted(names))
    if not changes:
        return None
    encodings = [c for c in changes if c.field != "locale.lc_ctype"]
    if all(same_codec(c.left, c.right) for c in encodings) and len(encodings) == len(changes):
        return _info(
            "text encoding", "The text encodings are the same, only spelled differently.", changes
        )
    preferred = left.locale.get("preferred_encoding"), right.locale.get("preferred_encoding")
    return Finding(
        category="python",
        subject="text encoding",
        severity=Severity.MEDIUM,
        explanation=(
            f"The locale encoding is {preferred[0]} on {context.left_label} but {preferred[1]} "
            f"on {context.right_label}, so open() without an encoding reads and writes text "
            "differently."
        ),
        left=short(preferred[0]),
        right=short(preferred[1]),
        evidence=tuple(f"{c.field}: {short(c.left)} → {short(c.right)}" for c in changes),
        fix=Fix.advise("pass encoding='utf-8' to open(), or set PYTHONUTF8=1 on both sides"),
        changes=changes,
    )


def _build(
    left: Interpreter, right: Interpreter, fields: dict[str, Change], context: Context
) -> Finding | None:
    changes = _take(fields, *sorted(f for f in fields if f.startswith("build.")))
    if not changes:
        return None
    listed = ", ".join(
        f"{c.field.removeprefix('build.')} {short(c.left)} → {short(c.right)}" for c in changes
    )
    sqlite = any(c.field == "build.sqlite" for c in changes)
    return Finding(
        category="python",
        subject="bundled libraries",
        severity=Severity.LOW if sqlite else Severity.INFO,
        explanation=(
            f"Libraries built into Python differ ({listed})"
            + (": SQL features and query plans of sqlite3 can differ." if sqlite else ".")
        ),
        changes=changes,
    )


def _paths(
    left: Interpreter, right: Interpreter, fields: dict[str, Change], context: Context
) -> Finding | None:
    changes = _take(fields, *PATH_FIELDS)
    if not changes:
        return None
    return _info(
        "interpreter paths",
        "The interpreter's paths and build details differ, as they do between machines; "
        "not a cause on their own.",
        changes,
    )


def _info(subject: str, explanation: str, changes: tuple[Change, ...]) -> Finding:
    return Finding(
        category="python",
        subject=subject,
        severity=Severity.INFO,
        explanation=explanation,
        left=short(changes[0].left),
        right=short(changes[0].right),
        evidence=tuple(f"{c.field}: {short(c.left)} → {short(c.right)}" for c in changes),
        changes=changes,
    )
