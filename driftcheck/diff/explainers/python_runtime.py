"""The Python runtime: implementation, version, ABI and build flavour.

What matters is whether code and compiled extensions from one side can run on
the other: a new minor version changes the ABI (every extension needs another
build) and removes stdlib modules; a free-threaded, debug or 32-bit build, or
another extension suffix, cannot load the other side's extensions. The rest of
the interpreter (flags, encodings, paths) is rated by `interpreter_details`.
An image read as files states what its files say (version, ABI), and the rules
run on what both sides know (`diff.runtime`).
"""

from __future__ import annotations

from collections.abc import Sequence

from driftcheck.diff.explainers.common import (
    IMPLEMENTATION_NAMES,
    join_names,
    openssl_same_series,
    openssl_series,
)
from driftcheck.diff.explainers.interface import Context, in_section
from driftcheck.diff.model import Change, Finding, Fix, Severity
from driftcheck.diff.runtime import Runtime, runs_os_python, runtime_of
from driftcheck.diff.text import short
from driftcheck.numbers import small_int
from driftcheck.snapshot.model import Snapshot

__all__ = ["PythonRuntimeExplainer", "removed_between", "runs_os_python"]

ABI_FIELDS = ("soabi", "ext_suffix", "cache_tag")
# Stdlib modules removed in each version (PEP 594's "dead batteries" and earlier).
REMOVED_MODULES: dict[tuple[int, int], tuple[str, ...]] = {
    (3, 10): ("formatter", "parser", "symbol"),
    (3, 11): ("binhex",),
    (3, 12): ("distutils", "imp", "asynchat", "asyncore", "smtpd"),
    (3, 13): (
        "cgi",
        "crypt",
        "telnetlib",
        "pipes",
        "imghdr",
        "lib2to3",
        "cgitb",
        "nntplib",
        "audioop",
        "aifc",
        "chunk",
        "mailcap",
        "msilib",
        "nis",
        "ossaudiodev",
        "sndhdr",
        "spwd",
        "sunau",
        "uu",
        "xdrlib",
    ),
}


class PythonRuntimeExplainer:
    name = "python-runtime"

    def explain(self, pending: Sequence[Change], context: Context) -> list[Finding]:
        changes = in_section(pending, "python")
        if not changes:
            return []
        left, right = runtime_of(context.left), runtime_of(context.right)
        if left is None or right is None:
            return [_presence(changes, context)]
        fields = {c.field: c for c in changes if c.field}
        findings: list[Finding] = []
        for rule in (_implementation, _version, _free_threaded, _debug, _pointer, _abi):
            finding = rule(left, right, fields, context)
            if finding is not None:
                findings.append(finding)
        findings.extend(_openssl(fields, context))
        return findings


def _take(fields: dict[str, Change], *names: str) -> tuple[Change, ...]:
    return tuple(fields.pop(n) for n in names if n in fields)


def _name(py: Runtime) -> str:
    implementation = py.implementation or "Python"
    version = py.version or "(version unknown)"
    return f"{IMPLEMENTATION_NAMES.get(implementation, implementation)} {version}"


def _presence(changes: list[Change], context: Context) -> Finding:
    left, right = runtime_of(context.left), runtime_of(context.right)
    py = left or right
    has, lacks, lacking = (
        (context.left_label, context.right_label, context.right)
        if left
        else (context.right_label, context.left_label, context.left)
    )
    how = (
        "no Python interpreter where a live probe would look (read as files)"
        if lacking.target.mode == "static"
        else "no Python interpreter that could be probed"
    )
    verb = "holds" if py is not None and py.from_files else "runs"
    return Finding(
        category="python",
        subject="interpreter",
        severity=Severity.HIGH,
        explanation=(
            f"{has} {verb} {_name(py) if py else 'Python'} but {lacks} has {how}, so nothing "
            "Python-based runs there as it does on the other."
        ),
        left=short(_name(left) if left else None),
        right=short(_name(right) if right else None),
        changes=tuple(changes),
    )


def _implementation(
    left: Runtime, right: Runtime, fields: dict[str, Change], context: Context
) -> Finding | None:
    if "implementation" not in fields:
        return None
    return Finding(
        category="python",
        subject="implementation",
        severity=Severity.HIGH,
        explanation=(
            f"{context.left_label} runs {_name(left)} but {context.right_label} runs "
            f"{_name(right)}: compiled extensions are built per implementation, and C-API "
            "and garbage-collection behaviour differ."
        ),
        left=short(left.implementation),
        right=short(right.implementation),
        changes=_take(fields, "implementation", *ABI_FIELDS),
    )


def _minor(version: str | None) -> tuple[int, int] | None:
    parts = (version or "").split(".")
    if len(parts) < 2:
        return None
    major, minor = small_int(parts[0]), small_int(parts[1])
    return None if major is None or minor is None else (major, minor)


def removed_between(old: tuple[int, int], new: tuple[int, int]) -> list[str]:
    """'distutils, imp, … (3.12)' for every version after `old` up to `new`."""
    out = []
    for version, modules in sorted(REMOVED_MODULES.items()):
        if old < version <= new:
            names = join_names(modules, limit=6)
            out.append(f"{names} (removed in {version[0]}.{version[1]})")
    return out


def _version(
    left: Runtime, right: Runtime, fields: dict[str, Change], context: Context
) -> Finding | None:
    if "version" not in fields:
        return None
    a, b = context.left_label, context.right_label
    old, new = _minor(left.version), _minor(right.version)
    if old is None or new is None or old == new:
        return Finding(
            category="python",
            subject="version",
            severity=Severity.LOW,
            explanation=(
                f"Python is {left.version} on {a} and {right.version} on {b}: the same minor "
                "version and ABI, differing only by bug and security fixes."
            ),
            left=short(left.version),
            right=short(right.version),
            fix=Fix.advise(f"use Python {left.version} on {b} to match exactly"),
            changes=_take(fields, "version", "compiler"),
        )
    tag = f"cp{new[0]}{new[1]}" if right.implementation == "cpython" else right.cache_tag
    release = _os_python(context)
    came = f" that comes with {release}" if release else ""
    if new > old:
        removed = removed_between(old, new)
        gone = f", and the stdlib lost {'; '.join(removed)}" if removed else ""
        explanation = (
            f"Python moved from {left.version} to {right.version}, a new minor version{came}: "
            f"every compiled extension needs a {tag} build{gone}."
        )
    else:
        explanation = (
            f"Python went back from {left.version} to {right.version}{came}: every compiled "
            f"extension needs a {tag} build, and code using what {old[0]}.{old[1]} added "
            "(syntax, stdlib functions) fails."
        )
    if release:
        base = context.left.os.pretty_name
        fix = (
            f"build {b} from {a}'s base ({base}) to get its Python {old[0]}.{old[1]} back, or "
            f"reinstall every package with {b}'s interpreter so compiled wheels match it"
        )
    else:
        fix = (
            f"run {b} on Python {old[0]}.{old[1]} as {a} does, or reinstall every package "
            f"with {b}'s interpreter so compiled wheels match it"
        )
    evidence = tuple(f"{c.field}: {short(c.left)} → {short(c.right)}" for c in _abi_of(fields))
    evidence += _version_sources(context)
    return Finding(
        category="python",
        subject="version",
        severity=Severity.HIGH,
        explanation=explanation,
        left=short(left.version),
        right=short(right.version),
        evidence=evidence,
        fix=Fix.advise(fix),
        changes=_take(fields, "version", "compiler", *ABI_FIELDS),
        relevance=20,
    )


def _os_python(context: Context) -> str | None:
    """The right side's OS release when both sides run their OS's own Python and it changed.

    Then the new minor is not a choice someone made but part of another base image.
    """
    sides = (context.left, context.right)
    if not all(runs_os_python(s) for s in sides):
        return None
    releases = [(s.os.os_release.get("ID"), s.os.os_release.get("VERSION_ID")) for s in sides]
    if None in releases[0] or releases[0] == releases[1]:
        return None
    return context.right.os.pretty_name


def _version_sources(context: Context) -> tuple[str, ...]:
    """Where a side read as files found its version: the claim's evidence."""
    out = []
    sides = ((context.left_label, context.left), (context.right_label, context.right))
    for name, snapshot in sides:
        files = snapshot.static_python
        if snapshot.python is None and files is not None and files.sources.get("version"):
            out.append(f"{name}: Python {files.version} from {files.sources['version']}")
    return tuple(out)


def _abi_of(fields: dict[str, Change]) -> list[Change]:
    return [fields[f] for f in ABI_FIELDS if f in fields]


def _free_threaded(
    left: Runtime, right: Runtime, fields: dict[str, Change], context: Context
) -> Finding | None:
    if "free_threaded" not in fields:
        return None
    gil_free, other = (
        (context.left_label, context.right_label)
        if left.free_threaded
        else (context.right_label, context.left_label)
    )
    return Finding(
        category="python",
        subject="free-threaded build",
        severity=Severity.HIGH,
        explanation=(
            f"{gil_free} runs a free-threaded (no GIL) build and {other} a standard one: "
            "compiled extensions need separate 't' builds, and code that relied on the GIL "
            "for thread safety can race."
        ),
        left=str(left.free_threaded).lower(),
        right=str(right.free_threaded).lower(),
        changes=_take(fields, "free_threaded", *ABI_FIELDS),
    )


def _debug(
    left: Runtime, right: Runtime, fields: dict[str, Change], context: Context
) -> Finding | None:
    if "debug_build" not in fields:
        return None
    debug = context.left_label if left.debug_build else context.right_label
    return Finding(
        category="python",
        subject="debug build",
        severity=Severity.MEDIUM,
        explanation=(
            f"{debug} runs a debug build of Python: much slower, with extra runtime checks "
            "that can turn silent bugs in extensions into crashes."
        ),
        left=str(left.debug_build).lower(),
        right=str(right.debug_build).lower(),
        changes=_take(fields, "debug_build", *ABI_FIELDS),
    )


def _pointer(
    left: Runtime, right: Runtime, fields: dict[str, Change], context: Context
) -> Finding | None:
    if "pointer_bits" not in fields:
        return None
    return Finding(
        category="python",
        subject="pointer size",
        severity=Severity.HIGH,
        explanation=(
            f"{context.left_label} runs a {left.pointer_bits}-bit Python and "
            f"{context.right_label} a {right.pointer_bits}-bit one: they need different "
            "wheels, and a 32-bit process cannot address more than a few GB of memory."
        ),
        left=str(left.pointer_bits),
        right=str(right.pointer_bits),
        changes=_take(fields, "pointer_bits", *ABI_FIELDS),
    )


def _abi(
    left: Runtime, right: Runtime, fields: dict[str, Change], context: Context
) -> Finding | None:
    changes = _take(fields, *ABI_FIELDS)
    if not changes:
        return None
    if not any(c.field in ("soabi", "ext_suffix") for c in changes):
        return Finding(
            category="python",
            subject="bytecode cache tag",
            severity=Severity.LOW,
            explanation=(
                f"The bytecode cache tag is {left.cache_tag} on {context.left_label} and "
                f"{right.cache_tag} on {context.right_label}, so .pyc files are not shared."
            ),
            left=short(left.cache_tag),
            right=short(right.cache_tag),
            changes=changes,
        )
    return Finding(
        category="python",
        subject="extension ABI",
        severity=Severity.HIGH,
        explanation=(
            f"Extension modules are built for {left.ext_suffix or left.soabi} on "
            f"{context.left_label} but {right.ext_suffix or right.soabi} on "
            f"{context.right_label}, so compiled extensions cannot be shared between them."
        ),
        left=short(left.soabi),
        right=short(right.soabi),
        evidence=tuple(f"{c.field}: {short(c.left)} → {short(c.right)}" for c in changes),
        fix=Fix.advise(f"reinstall compiled packages with {context.right_label}'s own interpreter"),
        changes=changes,
    )


def _openssl(fields: dict[str, Change], context: Context) -> list[Finding]:
    if "build.openssl" not in fields:
        return []
    change = fields.pop("build.openssl")
    old, new = openssl_series(str(change.left)), openssl_series(str(change.right))
    major = old is not None and new is not None and old != new
    left, right = " ".join(str(change.left).split()), " ".join(str(change.right).split())
    if major and (old, new) == (_system_openssl(context.left), _system_openssl(context.right)):
        # The system OpenSSL moved the same way: its own finding names the consequences.
        return [
            Finding(
                category="python",
                subject="ssl module OpenSSL",
                severity=Severity.LOW,
                explanation=(
                    f"Python's ssl module follows the system OpenSSL ({left} on "
                    f"{context.left_label}, {right} on {context.right_label}); the OpenSSL "
                    "finding rates that move."
                ),
                left=short(left),
                right=short(right),
                changes=(change,),
            )
        ]
    return [
        Finding(
            category="python",
            subject="ssl module OpenSSL",
            severity=Severity.HIGH if major else Severity.LOW,
            explanation=(
                f"Python's ssl module uses {left} on {context.left_label} and "
                f"{right} on {context.right_label}"
                + (
                    ", another major series: TLS defaults, legacy algorithms and certificate "
                    "checks differ."
                    if major
                    else f", {openssl_same_series(left, right)}."
                )
            ),
            left=short(left),
            right=short(right),
            changes=(change,),
            relevance=5 if major else 0,
        )
    ]


def _system_openssl(snapshot: Snapshot) -> str | None:
    version = next(
        (lib.version for lib in snapshot.native_libraries if lib.name in ("libssl", "libcrypto")),
        None,
    )
    return openssl_series(version)
