"""The platform: OS family, architecture, libc, CPU features, measured against the wheels.

Wheels are built per OS, architecture and libc. A venv or image layer copied
to a machine where those differ installs nothing new, it just fails at import:
"numpy's wheel is manylinux_2_28; B has glibc 2.17". So besides rating the
platform changes themselves, this rule checks every installed wheel's platform
tag against the side it sits on, even when no field of the platform changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from driftcheck.diff.explainers.common import (
    SIDES,
    Side,
    installer_of,
    is_compiled,
    join_names,
    label,
    named,
    other,
    quote,
    snapshot_of,
)
from driftcheck.diff.explainers.interface import Context, in_section
from driftcheck.diff.explainers.wheel_tags import (
    LibcNeed,
    parse_libc_version,
    same_architecture,
    wheel_need,
)
from driftcheck.diff.model import Change, Finding, Fix, Severity
from driftcheck.diff.runtime import runtime_of
from driftcheck.diff.text import short
from driftcheck.snapshot.model import Distribution, Snapshot

NOTABLE_CPU_FLAGS = ("avx", "avx2", "fma", "avx512f", "sse4_2", "asimd", "sve")
HARDWARE_FIELDS = ("cpu.model", "cpu.count", "cpu.usable", "memory_bytes", "kernel")


@dataclass(frozen=True)
class Misfit:
    """An installed wheel whose platform tag the side cannot satisfy."""

    dist: Distribution
    need: LibcNeed
    reason: str  # "version", "family" or "architecture"


class PlatformExplainer:
    name = "platform"

    def explain(self, pending: Sequence[Change], context: Context) -> list[Finding]:
        fields = {c.field: c for c in in_section(pending, "os") if c.field}
        libc_native = [c for c in in_section(pending, "native_libraries") if c.key == "libc"]
        abi = [c for c in in_section(pending, "python") if c.field in ("soabi", "ext_suffix")]
        findings: list[Finding] = []
        if "system" in fields:
            findings.append(_system(fields, libc_native, abi, context))
            libc_native, abi = [], []
        if "machine" in fields:
            findings.append(_machine(fields, abi, context))
        family_changed = "libc.family" in fields
        if family_changed:
            findings.append(_libc_family(fields, libc_native, context))
            libc_native = []
        findings.extend(_misfits(fields, libc_native, context, skip_family=family_changed))
        if "libc.version" in fields:
            findings.append(_libc_version(fields, libc_native, context))
        for rule in (_cpu_flags, _os_release, _hardware):
            finding = rule(fields, context)
            if finding is not None:
                findings.append(finding)
        return findings


def _take(fields: dict[str, Change], *names: str) -> list[Change]:
    return [fields.pop(n) for n in names if n in fields]


def _compiled(snapshot: Snapshot) -> list[Distribution]:
    return [d for d in snapshot.active_distributions if is_compiled(d)]


def _system(
    fields: dict[str, Change], native: list[Change], abi: list[Change], context: Context
) -> Finding:
    left, right = context.left.os, context.right.os
    claimed = _take(fields, "system", "platform_version", "libc.family", "libc.version")
    claimed += _take(fields, *sorted(f for f in fields if f.startswith("os_release.")))
    return Finding(
        category="platform",
        subject="operating system",
        severity=Severity.HIGH,
        explanation=(
            f"{context.left_label} runs {left.pretty_name} and {context.right_label} runs "
            f"{right.pretty_name}: wheels, system libraries and paths are specific to each OS, "
            "so compiled packages and OS-dependent code behave differently."
        ),
        left=short(left.system),
        right=short(right.system),
        changes=(*claimed, *native, *abi),
        relevance=20,
    )


def _machine(fields: dict[str, Change], abi: list[Change], context: Context) -> Finding:
    left, right = context.left.os, context.right.os
    compiled = sorted({d.name for s in (context.left, context.right) for d in _compiled(s)})
    packages = f" ({join_names(compiled)} here)" if compiled else ""
    claimed = _take(fields, "machine", "cpu.flags", "cpu.model")
    return Finding(
        category="platform",
        subject="architecture",
        severity=Severity.HIGH,
        explanation=(
            f"{context.left_label} is {left.machine} and {context.right_label} is "
            f"{right.machine}: every compiled wheel{packages} must be the {right.machine} build, "
            "and packages without one are built from source or fail."
        ),
        left=short(left.machine),
        right=short(right.machine),
        evidence=tuple(f"compiled: {name}" for name in compiled[:20]),
        fix=Fix.advise(
            f"install {context.right_label}'s packages on {context.right_label} itself (never "
            f"copy a venv across architectures) so the installer picks {right.machine} wheels"
        ),
        changes=(*claimed, *abi),
        relevance=20,
    )


def _libc_family(fields: dict[str, Change], native: list[Change], context: Context) -> Finding:
    left, right = context.left.os.libc, context.right.os.libc
    manylinux = [
        d.name
        for d in context.right.active_distributions
        if (need := wheel_need(d)) is not None and need.family != right.family
    ]
    stuck = (
        f"so {join_names(manylinux)} on {context.right_label} cannot load there"
        if manylinux
        else "so each side needs its own builds"
    )
    return Finding(
        category="platform",
        subject="libc",
        severity=Severity.HIGH,
        explanation=(
            f"{context.left_label} uses {left.family} and {context.right_label} uses "
            f"{right.family}: compiled wheels are built for one libc (manylinux or musllinux), "
            f"{stuck}, and DNS resolution and locale handling differ."
        ),
        left=short(f"{left.family} {left.version or ''}".strip()),
        right=short(f"{right.family} {right.version or ''}".strip()),
        fix=Fix.advise(
            f"install {context.right_label}'s packages on {context.right_label} itself so the "
            f"installer picks {right.family} wheels"
        ),
        changes=(*_take(fields, "libc.family", "libc.version"), *native),
        relevance=20,
    )


def misfits(snapshot: Snapshot) -> dict[str, Misfit]:
    """The installed wheels whose platform tag this side cannot satisfy, by package."""
    info = snapshot.os
    if info.system.lower() != "linux":
        return {}
    have = parse_libc_version(info.libc.version)
    found: dict[str, Misfit] = {}
    for dist in snapshot.active_distributions:
        need = wheel_need(dist)
        if need is None:
            continue
        if info.libc.family in ("glibc", "musl") and need.family != info.libc.family:
            found[dist.canonical_name] = Misfit(dist, need, "family")
        elif info.machine and not same_architecture(info.machine, need.architecture):
            found[dist.canonical_name] = Misfit(dist, need, "architecture")
        elif have is not None and need.family == info.libc.family and need.version > have:
            found[dist.canonical_name] = Misfit(dist, need, "version")
    return found


def _misfits(
    fields: dict[str, Change], native: list[Change], context: Context, *, skip_family: bool
) -> list[Finding]:
    """Wheels that cannot load on one side only (the libc-family rule already names those)."""
    per_side = {side: misfits(snapshot_of(context, side)) for side in SIDES}
    findings = []
    for side in SIDES:
        only_here = [
            m
            for k, m in sorted(per_side[side].items())
            if k not in per_side[other(side)] and not (skip_family and m.reason == "family")
        ]
        if not only_here:
            continue
        claimed = _take(fields, "libc.version") + native
        native = []
        findings.append(_misfit_finding(side, only_here, claimed, context))
    return findings


def _misfit_sentence(misfit: Misfit, snapshot: Snapshot) -> str:
    info, need = snapshot.os, misfit.need
    if misfit.reason == "version":
        return (
            f"{misfit.dist.name}'s wheel is {need.tag} (needs {need.family} "
            f"{need.version_text}), but {{side}} has {info.libc.family} {info.libc.version}"
        )
    if misfit.reason == "family":
        return (
            f"{misfit.dist.name}'s wheel is {need.tag}, built for {need.family}, but {{side}} "
            f"uses {info.libc.family}"
        )
    return (
        f"{misfit.dist.name}'s wheel is {need.tag}, built for {need.architecture}, but {{side}} "
        f"is {info.machine}"
    )


def _misfit_finding(
    side: Side, found: list[Misfit], claimed: list[Change], context: Context
) -> Finding:
    here, snapshot = label(context, side), snapshot_of(context, side)
    found.sort(key=lambda m: (m.reason != "version", [-v for v in m.need.version]))
    worst = found[0]
    sentence = _misfit_sentence(worst, snapshot).format(side=here)
    rest = [m.dist.name for m in found[1:]]
    also = f" (and {join_names(rest)} likewise)" if rest else ""
    tool = installer_of(snapshot)
    prefix = "uv pip install" if tool == "uv" else "pip install"
    names = " ".join(quote(f"{m.dist.name}") for m in found)
    members = tuple(
        Finding(
            category="platform",
            subject=m.dist.canonical_name,
            severity=Severity.HIGH,
            explanation=_misfit_sentence(m, snapshot).format(side=here) + ".",
            left=None,
            right=short(m.need.tag),
        )
        for m in found
    )
    return Finding(
        category="platform",
        subject="wheels vs libc",
        severity=Severity.HIGH,
        explanation=f"{sentence}{also}, so {'their' if rest else 'its'} extension modules fail to "
        "load there.",
        left=short(_libc(context.left)),
        right=short(_libc(context.right)),
        evidence=tuple(f"{named(m.dist)}: {', '.join(m.dist.wheel_tags)}" for m in found[:20]),
        fix=Fix.run(
            f"{prefix} --force-reinstall --no-cache-dir {names}",
            on=here,
            advice=f"reinstall on {here} itself so the installer picks wheels it can load",
        ),
        members=members,
        changes=tuple(claimed),
        relevance=25,
        packages=tuple(m.dist.canonical_name for m in found),
    )


def _libc(snapshot: Snapshot) -> str:
    libc = snapshot.os.libc
    return f"{libc.family} {libc.version or '?'}"


def _libc_version(fields: dict[str, Change], native: list[Change], context: Context) -> Finding:
    change = fields.pop("libc.version")
    family = context.right.os.libc.family
    return Finding(
        category="platform",
        subject="libc version",
        severity=Severity.MEDIUM,
        explanation=(
            f"{family} is {change.left} on {context.left_label} and {change.right} on "
            f"{context.right_label}: binaries and wheels built against the newer one fail on "
            f"the older with 'version `GLIBC_x.y' not found'."
        ),
        left=short(change.left),
        right=short(change.right),
        changes=(change, *native),
        relevance=10,  # below the release it comes with, above single libraries
    )


def _cpu_flags(fields: dict[str, Change], context: Context) -> Finding | None:
    if "cpu.flags" not in fields:
        return None
    change = fields.pop("cpu.flags")
    flags = {side: set(snapshot_of(context, side).os.cpu.flags) for side in SIDES}
    lacking: list[str] = []
    users: set[str] = set()
    for side in SIDES:
        missing = [f for f in NOTABLE_CPU_FLAGS if f in flags[other(side)] - flags[side]]
        compiled = _compiled(snapshot_of(context, side))
        if missing and compiled:
            lacking.append(f"{label(context, side)}'s CPU lacks {', '.join(missing)}")
            users.update(d.name for d in compiled)
    if not lacking:
        return Finding(
            category="platform",
            subject="CPU flags",
            severity=Severity.INFO,
            explanation="The CPU feature flags differ, but no installed compiled package is "
            "known to depend on the ones that differ.",
            changes=(change,),
        )
    return Finding(
        category="platform",
        subject="CPU flags",
        severity=Severity.MEDIUM,
        explanation=(
            f"{'; '.join(lacking)}: compiled packages ({join_names(sorted(users))} here) take "
            "slower code paths there, and code built with -march=native on the other side "
            "crashes with 'Illegal instruction'."
        ),
        evidence=tuple(
            f"{label(context, s)}: {' '.join(f for f in NOTABLE_CPU_FLAGS if f in flags[s])}"
            for s in SIDES
        ),
        changes=(change,),
    )


def _os_release(fields: dict[str, Change], context: Context) -> Finding | None:
    names = sorted(f for f in fields if f.startswith("os_release."))
    if not names:
        return None
    changes = _take(fields, *names)
    key_fields = {"os_release.ID", "os_release.VERSION_ID"}
    left, right = context.left.os.pretty_name, context.right.os.pretty_name
    if not any(c.field in key_fields for c in changes):
        return Finding(
            category="os",
            subject="OS release",
            severity=Severity.INFO,
            explanation="The OS release files differ only in descriptive fields.",
            evidence=tuple(f"{c.field}: {short(c.left)} → {short(c.right)}" for c in changes),
            changes=tuple(changes),
        )
    return Finding(
        category="os",
        subject="OS release",
        severity=Severity.MEDIUM,
        explanation=(
            f"The OS release differs ({left} on {context.left_label}, {right} on "
            f"{context.right_label}): another base image, so {_release_brings(context)} come "
            "in other versions."
        ),
        left=short(left),
        right=short(right),
        evidence=tuple(f"{c.field}: {short(c.left)} → {short(c.right)}" for c in changes),
        fix=Fix.advise(
            f"build {context.right_label} from the same base image or release as "
            f"{context.left_label} ({left})"
        ),
        changes=tuple(changes),
        relevance=30,  # the root of the OS package, libc and system Python findings
    )


def _release_brings(context: Context) -> str:
    """What a new release changes that Python programs feel, from what the snapshots show."""
    a, b = context.left, context.right
    brings = []
    if a.os.libc.version and b.os.libc.version and a.os.libc.version != b.os.libc.version:
        libc = a.os.libc.family
        brings.append(f"the C library ({libc} {a.os.libc.version} → {b.os.libc.version})")
    old, new = (_os_python_minor(s) for s in (a, b))
    if old and new and old != new:
        brings.append(f"the system Python ({old} → {new})")
    if not brings:
        return "system libraries and tools"
    return f"{', '.join(brings)} and the other system libraries and tools"


def _os_python_minor(snapshot: Snapshot) -> str | None:
    """The OS's own Python's minor version, whether it was run or read as files."""
    runtime = runtime_of(snapshot)
    return runtime.major_minor if runtime is not None and runtime.os_python else None


def _hardware(fields: dict[str, Change], context: Context) -> Finding | None:
    changes = _take(fields, *HARDWARE_FIELDS, "platform_version")
    if not changes:
        return None
    return Finding(
        category="platform",
        subject="hardware and kernel",
        severity=Severity.INFO,
        explanation="The machines differ in CPU model or count, memory or kernel build, as "
        "machines do; not a cause on its own.",
        evidence=tuple(f"{c.field}: {short(c.left)} → {short(c.right)}" for c in changes),
        changes=tuple(changes),
    )
