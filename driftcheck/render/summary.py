"""A short, readable summary of one snapshot for the terminal."""

from __future__ import annotations

from collections import Counter

from driftcheck.snapshot.model import Redacted, Snapshot
from driftcheck.terminal import visible

IMPLEMENTATION_NAMES = {"cpython": "CPython", "pypy": "PyPy", "graalpy": "GraalPy"}


def snapshot_summary(snapshot: Snapshot, *, details: bool = False) -> str:
    lines = [f"Snapshot {visible(snapshot.label)!s}: {visible(snapshot.target.description)}"]
    lines.append(_row("Python", python_line(snapshot)))
    lines.append(_row("Packages", packages_line(snapshot)))
    lines.append(_row("OS", os_line(snapshot)))
    lines.append(_row("Env", env_line(snapshot)))
    if snapshot.native_libraries:
        libs = ", ".join(
            f"{visible(lib.name)} {visible(lib.version or '?')}"
            for lib in snapshot.native_libraries
            if ":" not in lib.name
        )
        lines.append(_row("Libraries", libs))
    if snapshot.native_needs is not None:
        lines.append(_row("Needs", needs_line(snapshot)))
    if snapshot.unknowns:
        lines.append(_row("Partial", f"{len(snapshot.unknowns)} fact(s) could not be read"))
        if details:
            lines.extend(
                f"    - {visible(u.field)}: {visible(u.reason)}" for u in snapshot.unknowns
            )
    if details:
        lines.append(
            _row(
                "Taken",
                visible(f"{snapshot.created_at} by driftcheck {snapshot.generator.version}"),
            )
        )
        lines.append(
            _row(
                "Schema",
                visible(f"{snapshot.schema_version}, rules v{snapshot.redaction.rules_version}"),
            )
        )
    # Belt and braces: whatever a field forgot, no control sequence reaches a terminal.
    return visible("\n".join(lines), keep_newlines=True)


def needs_line(snapshot: Snapshot) -> str:
    """'255 shared objects, every needed library found', or the missing sonames named."""
    modules = snapshot.native_needs or ()
    missing = sorted({n.soname for m in modules for n in m.needed if n.path is None})
    count = f"{len(modules)} shared object(s)"
    if not missing:
        return f"{count}, every library they need found"
    shown = ", ".join(visible(s) for s in missing[:3]) + (" …" if len(missing) > 3 else "")
    return f"{count}; not found: {shown}"


def _row(title: str, text: str) -> str:
    return f"  {title:<10}{text}"


def python_line(snapshot: Snapshot) -> str:
    py = snapshot.python
    if py is None:
        return _static_python_line(snapshot)
    implementation = IMPLEMENTATION_NAMES.get(py.implementation, py.implementation)
    parts = [f"{visible(implementation)} {visible(py.version)}"]
    if py.soabi:
        parts.append(f"ABI {visible(py.soabi)}")
    parts.append(visible(py.environment_kind))
    if py.free_threaded:
        parts.append("free-threaded")
    if py.debug_build:
        parts.append("debug build")
    return ", ".join(parts)


def _static_python_line(snapshot: Snapshot) -> str:
    """The row after "Python": what the files say, or that no interpreter is there."""
    files = snapshot.static_python
    if files is None:
        if snapshot.target.kind == "lockfile":
            return "not known: a lockfile names no interpreter (see requires-python)"
        if snapshot.target.mode == "static":
            return "none found in the image's files"
        if snapshot.target.mode == "sbom":
            return "unknown (an SBOM does not describe the interpreter)"
        return "no interpreter found (not a Python target)"
    implementation = IMPLEMENTATION_NAMES.get(files.implementation or "", files.implementation)
    version = files.version or "(version unknown)"
    parts = [f"{visible(implementation or 'Python')} {visible(version)}"]
    if files.soabi:
        parts.append(f"ABI {visible(files.soabi)}")
    if files.free_threaded:
        parts.append("free-threaded")
    parts.append(f"read from the image's files ({visible(files.executable)})")
    return ", ".join(parts)


def packages_line(snapshot: Snapshot) -> str:
    active = snapshot.active_distributions
    extras = []
    shadowed = len(snapshot.distributions) - len(active)
    if shadowed:
        extras.append(f"{shadowed} shadowed")
    editable = sum(1 for d in active if d.editable)
    if editable:
        extras.append(f"{editable} editable")
    suffix = f" ({', '.join(extras)})" if extras else ""
    return f"{len(active)} distributions{suffix}"


def os_line(snapshot: Snapshot) -> str:
    os_info = snapshot.os
    parts = [visible(os_info.pretty_name), visible(os_info.machine)]
    if os_info.libc.family not in ("none", "unknown"):
        parts.append(f"{visible(os_info.libc.family)} {visible(os_info.libc.version or '?')}")
    by_manager = Counter(p.manager for p in snapshot.os_packages)
    parts.extend(
        f"{count} {visible(manager)} packages" for manager, count in sorted(by_manager.items())
    )
    return ", ".join(p for p in parts if p)


def env_line(snapshot: Snapshot) -> str:
    redacted = sum(1 for v in snapshot.environment.values() if isinstance(v, Redacted))
    configured = snapshot.container.configured_env if snapshot.container else {}
    elsewhere = snapshot.redaction.redacted_count - redacted
    elsewhere -= sum(1 for v in configured.values() if isinstance(v, Redacted))
    text = f"{len(snapshot.environment)} variables, {redacted} redacted"
    if elsewhere > 0:
        text += f" (and {elsewhere} secret(s) removed from other fields)"
    if snapshot.redaction.anonymized:
        text += ", anonymized"
    return text
