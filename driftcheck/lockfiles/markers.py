"""A lock's markers evaluated for the environment on the other side of the diff.

The values come from that side's snapshot, never from driftcheck's own interpreter:
packaging fills any name left out from the running Python, so every name is set.
"""

from __future__ import annotations

from collections.abc import Mapping

from packaging.markers import InvalidMarker, Marker, UndefinedComparison, UndefinedEnvironmentName

from driftcheck.snapshot.model import Snapshot

SYS_PLATFORMS = {"Linux": "linux", "Darwin": "darwin", "Windows": "win32", "FreeBSD": "freebsd"}
IMPLEMENTATIONS = {
    "cpython": "CPython",
    "pypy": "PyPy",
    "graalpy": "GraalVM",
    "ironpython": "IronPython",
}

MarkerEnvironment = Mapping[str, str | frozenset[str]]


def marker_environment(
    snapshot: Snapshot, groups: frozenset[str] = frozenset()
) -> dict[str, str | frozenset[str]] | None:
    """None when the side knows no Python version (an image without one)."""
    python, files = snapshot.python, snapshot.static_python
    version = python.version if python else files.version if files else None
    if not version:
        return None
    implementation = (
        python.implementation if python else files.implementation if files else None
    ) or "cpython"
    system = snapshot.os.system
    return {
        "implementation_name": implementation.lower(),
        "implementation_version": version,
        "platform_python_implementation": IMPLEMENTATIONS.get(
            implementation.lower(), implementation
        ),
        "python_version": ".".join(version.split(".")[:2]),
        "python_full_version": version,
        "sys_platform": SYS_PLATFORMS.get(system, system.lower()),
        "platform_system": system,
        "platform_machine": snapshot.os.machine,
        "os_name": "nt" if system == "Windows" else "posix",
        "platform_release": snapshot.os.kernel or "",
        "platform_version": snapshot.os.platform_version or "",
        "extra": "",
        "extras": frozenset(),
        "dependency_groups": groups,
    }


def holds(marker: str | None, environment: MarkerEnvironment | None) -> bool | None:
    """True or False; None when it cannot be evaluated (no environment, an invalid or
    unknown marker): the caller keeps the package and says so."""
    if marker is None:
        return True
    if environment is None:
        return None
    try:
        parsed = Marker(marker)
    except InvalidMarker:
        return None
    try:
        return parsed.evaluate(dict(environment), "lock_file")  # type: ignore[arg-type, call-arg, unused-ignore]
    except TypeError:  # packaging before 25: no lock-file context
        scalar = {k: v for k, v in environment.items() if isinstance(v, str)}
        try:
            return parsed.evaluate(scalar)
        except (UndefinedComparison, UndefinedEnvironmentName):
            return None
    except (UndefinedComparison, UndefinedEnvironmentName):
        return None
