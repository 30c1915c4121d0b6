"""Native libraries: OpenSSL, libstdc++, OpenMP, BLAS and the C library, by name.

These are what compiled packages load at import time. An OpenSSL major series
change alters TLS behaviour and breaks extensions linked against the old
soname; a libstdc++ older than the one an extension was built with fails with
"GLIBCXX_… not found". Libraries bundled inside wheels (`numpy.libs/…`) follow
their package, so they are grouped under it and only noted when the package
version did not change with them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cmp_to_key
from typing import Any

from packaging.utils import canonicalize_name

from driftcheck.diff.explainers.common import (
    active,
    fix_label,
    in_ci_job,
    join_names,
    openssl_same_series,
    openssl_series,
)
from driftcheck.diff.explainers.interface import Context, in_section
from driftcheck.diff.model import Change, Finding, Fix, Severity
from driftcheck.diff.text import short
from driftcheck.numbers import DIGITS, compare_digits
from driftcheck.snapshot.model import Distribution

OPENSSL = ("libssl", "libcrypto")
_SONAME = re.compile(r"^(lib[A-Za-z0-9_+.-]*?)\.so\.([0-9]+)")
WHY = {
    "libgomp": "the OpenMP runtime differs, so parallel numeric code schedules threads "
    "differently, and two OpenMP runtimes in one process can clash",
    "openblas": "the BLAS library differs, so linear-algebra speed differs and results can "
    "differ in the last bits",
    "mkl": "the BLAS library differs, so linear-algebra speed differs and results can differ "
    "in the last bits",
    "libc": "the C library differs, so binaries built against the newer one fail on the older",
}


def _version(value: Any) -> str | None:
    if isinstance(value, Mapping):
        found = value.get("version")
        return str(found) if found else None
    return None


def _soname(value: Any) -> str | None:
    return str(value["soname"]) if isinstance(value, Mapping) and value.get("soname") else None


class NativeLibrariesExplainer:
    name = "native-libraries"

    def explain(self, pending: Sequence[Change], context: Context) -> list[Finding]:
        changes = in_section(pending, "native_libraries")
        system: dict[str, list[Change]] = {}
        bundled: dict[str, list[Change]] = {}
        for change in changes:
            owner, sep, _ = change.key.partition(":")
            target = bundled if sep else system
            target.setdefault(owner if sep else change.key, []).append(change)
        findings: list[Finding] = []
        ssl = [c for name in OPENSSL for c in system.pop(name, [])]
        if ssl:
            findings.append(_openssl(ssl, context))
        for name, lib_changes in sorted(system.items()):
            findings.append(_system(name, lib_changes, context))
        for owner, lib_changes in sorted(bundled.items()):
            findings.append(_bundled(owner, lib_changes, context))
        return findings


def _entry(changes: list[Change], side: str) -> dict[str, Any]:
    """The library's entry on one side, rebuilt from its changes (whole or per field)."""
    out: dict[str, Any] = {}
    for change in changes:
        value = change.left if side == "left" else change.right
        if change.field == "":
            if isinstance(value, Mapping):
                out.update(value)
        else:
            out[change.field] = value
    return out


def _openssl(changes: list[Change], context: Context) -> Finding:
    a, b = context.left_label, context.right_label
    first = changes[0]
    left = _version(_entry([c for c in changes if c.key == first.key], "left"))
    right = _version(_entry([c for c in changes if c.key == first.key], "right"))
    left = left or _native_version(context, "left", first.key)
    right = right or _native_version(context, "right", first.key)
    if left is None or right is None:
        has = a if left else b
        return Finding(
            category="native-libraries",
            subject="OpenSSL",
            severity=Severity.MEDIUM,
            explanation=(
                f"Only {has} has a system OpenSSL ({left or right}): extensions that link "
                "against libssl or libcrypto fail to load where it is missing."
            ),
            left=short(left),
            right=short(right),
            changes=tuple(changes),
        )
    old, new = openssl_series(left), openssl_series(right)
    major = old != new
    return Finding(
        category="native-libraries",
        subject="OpenSSL",
        severity=Severity.HIGH if major else Severity.LOW,
        explanation=(
            f"OpenSSL moved from {left} to {right}"
            + (
                ", a new major series: legacy algorithms are off by default, TLS defaults are "
                f"stricter, and extensions linked against the {old} libraries fail to load."
                if major
                else f", {openssl_same_series(left, right)}."
            )
        ),
        left=short(left),
        right=short(right),
        evidence=tuple(
            f"{c.key} {c.field or c.kind}: {short(c.left)} → {short(c.right)}" for c in changes
        ),
        relevance=5 if major else 0,
        changes=tuple(changes),
    )


def _native_version(context: Context, side: str, name: str) -> str | None:
    snapshot = context.left if side == "left" else context.right
    return next((lib.version for lib in snapshot.native_libraries if lib.name == name), None)


def _glibcxx(version: str | None) -> str | None:
    """libstdc++.so.6.0.N exports symbols up to GLIBCXX_3.4.N."""
    match = re.fullmatch(r"6\.0\.([0-9]+)", version or "")
    return f"GLIBCXX_3.4.{match.group(1)}" if match else None


def _system(name: str, changes: list[Change], context: Context) -> Finding:
    a, b = context.left_label, context.right_label
    left = _version(_entry(changes, "left")) or _native_version(context, "left", name)
    right = _version(_entry(changes, "right")) or _native_version(context, "right", name)
    if name == "libstdc++":
        versions = [v for v in (left, right) if v]
        newest = max(versions, key=cmp_to_key(_newer), default=None)
        symbol = _glibcxx(newest)
        why = "C++ extensions built against the newer one fail on the older" + (
            f" with '{symbol}' not found" if symbol else ""
        )
    else:
        why = WHY.get(name, "compiled packages that link against it can behave differently")
    present = [
        f"{left} on {a}" if left else f"none on {a}",
        f"{right} on {b}" if right else f"none on {b}",
    ]
    return Finding(
        category="native-libraries",
        subject=name,
        severity=Severity.MEDIUM,
        explanation=f"{name} differs ({', '.join(present)}): {why}.",
        left=short(left) or short(_soname(_entry(changes, "left"))),
        right=short(right) or short(_soname(_entry(changes, "right"))),
        evidence=tuple(f"{c.field or c.kind}: {short(c.left)} → {short(c.right)}" for c in changes),
        fix=_os_package_fix(_soname(_entry(changes, "left")), right, context),
        changes=tuple(changes),
    )


def debian_package(soname: str) -> str | None:
    """The package Debian's library policy names after a soname: libgomp.so.1 → libgomp1,
    libfoo2.so.1 → libfoo2-1 (a digit before the number takes a hyphen)."""
    match = _SONAME.match(soname)
    if match is None:
        return None
    stem, number = match.group(1).lower(), match.group(2)
    return f"{stem}-{number}" if stem[-1].isdigit() else f"{stem}{number}"


def _os_package_fix(soname: str | None, right: str | None, context: Context) -> Fix | None:
    """A library on A only: the dpkg package that holds it on A, by name, for B. Named only
    when A's package list confirms the name the soname gives."""
    package = debian_package(soname) if soname and right is None else None
    on_left = {p.name for p in context.left.os_packages if p.manager == "dpkg"}
    if package is None or package not in on_left:
        return None
    command = f"apt-get install -y {package}"
    b = fix_label(context, "right")
    if in_ci_job(context.right):
        return Fix.advise(f"{b} is a CI job: add `{command}` to the image its jobs run in")
    if context.right.container is not None:
        return Fix.advise(f"add `{command}` to the image {b} runs, and rebuild it")
    return Fix.run(command, on=b)


def _newer(a: str, b: str) -> int:
    """The numbers of two library versions compared in turn, however long."""
    numbers_a, numbers_b = DIGITS.findall(a), DIGITS.findall(b)
    for x, y in zip(numbers_a, numbers_b, strict=False):
        if order := compare_digits(x, y):
            return order
    return (len(numbers_a) > len(numbers_b)) - (len(numbers_a) < len(numbers_b))


def _bundled(owner: str, changes: list[Change], context: Context) -> Finding:
    name = canonicalize_name(owner)
    left = active(context.left).get(name) or _by_top_level(context, "left", owner)
    right = active(context.right).get(name) or _by_top_level(context, "right", owner)
    libs = sorted({c.key.partition(":")[2] for c in changes})
    listed = join_names(libs, limit=4)
    if left is None or right is None:
        severity, why = Severity.INFO, f"{owner} is installed on one side only"
    elif left.version != right.version:
        severity = Severity.INFO
        why = f"they came with {owner}'s own version change ({left.version} → {right.version})"
    else:
        severity = Severity.LOW
        why = f"{owner} {right.version} is the same version, so this is a different build of it"
    return Finding(
        category="native-libraries",
        subject=f"{owner} bundled libraries",
        severity=severity,
        explanation=f"The native libraries bundled in {owner}'s wheel differ ({listed}): {why}.",
        evidence=tuple(f"{c.key} {c.kind}" for c in changes),
        changes=tuple(changes),
    )


def _by_top_level(context: Context, side: str, owner: str) -> Distribution | None:
    snapshot = context.left if side == "left" else context.right
    return next((d for d in snapshot.active_distributions if owner in d.top_level), None)
