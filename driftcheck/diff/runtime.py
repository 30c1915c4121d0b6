"""What each side knows of its Python runtime, whether it ran or was read as files.

A live snapshot knows every fact of its interpreter; a static one only what the
image's files said (``Snapshot.static_python``: the version string in the
binary, the OS package, the lib-dynload ABI tags). When a static side is in a
diff, the runtime is compared on the facts both sides know, and a version at the
precision both know: "3.11" against "3.11.2" compares 3.11 with 3.11, never
calls the missing patch level drift. The rest of the interpreter (sys.path,
flags, encodings) is not comparable and is said so.
"""

from __future__ import annotations

from dataclasses import dataclass

from driftcheck.diff.model import Change
from driftcheck.snapshot.model import NO_INTERPRETER_FOUND, Snapshot

# Compared when a side was read as files; the order is the order of the changes.
STATIC_FIELDS = ("implementation", "version", "soabi", "ext_suffix", "cache_tag", "free_threaded")


@dataclass(frozen=True)
class Runtime:
    """One side's Python runtime, each fact None where the side cannot know it."""

    implementation: str | None
    version: str | None
    cache_tag: str | None
    soabi: str | None
    ext_suffix: str | None
    free_threaded: bool | None
    debug_build: bool | None
    pointer_bits: int | None
    os_python: bool  # the OS's own interpreter (or a venv made from it), under /usr
    from_files: bool  # read from an image's files, not asked of a running interpreter

    @property
    def major_minor(self) -> str | None:
        return ".".join(self.version.split(".")[:2]) if self.version else None


def runtime_of(snapshot: Snapshot) -> Runtime | None:
    py, files = snapshot.python, snapshot.static_python
    if py is not None:
        return Runtime(
            implementation=py.implementation,
            version=py.version,
            cache_tag=py.cache_tag,
            soabi=py.soabi,
            ext_suffix=py.ext_suffix,
            free_threaded=py.free_threaded,
            debug_build=py.debug_build,
            pointer_bits=py.pointer_bits,
            os_python=py.base_prefix.rstrip("/") == "/usr",
            from_files=False,
        )
    if files is None:
        return None
    return Runtime(
        implementation=files.implementation,
        version=files.version,
        cache_tag=files.cache_tag,
        soabi=files.soabi,
        ext_suffix=files.ext_suffix,
        free_threaded=files.free_threaded,
        debug_build=None,
        pointer_bits=None,
        # An interpreter an OS package installed (a venv's links lead to it).
        os_python=files.os_package is not None,
        from_files=True,
    )


def runs_os_python(snapshot: Snapshot) -> bool:
    """The interpreter (or the one a venv was made from) is the OS's own, under /usr."""
    runtime = runtime_of(snapshot)
    return runtime is not None and runtime.os_python


def known_precision(left: str, right: str) -> tuple[str, str]:
    """Two versions cut to the number of parts both have: ("3.11", "3.11")."""
    a, b = left.split("."), right.split(".")
    parts = min(len(a), len(b))
    return ".".join(a[:parts]), ".".join(b[:parts])


def knows_it_has_none(snapshot: Snapshot) -> bool:
    """No interpreter is a fact for a live side, and for a static one that looked and said
    so; a static snapshot of schema 1.0 recorded nothing of its interpreter."""
    if snapshot.target.mode != "static":
        return True
    return any(
        u.field == "python" and u.reason.startswith(NO_INTERPRETER_FOUND) for u in snapshot.unknowns
    )


def static_runtime_changes(left: Snapshot, right: Snapshot) -> tuple[list[Change], list[str]]:
    """The runtime's changes when a side was read as files: the facts both sides know;
    and what cannot be compared (a side that recorded nothing of its interpreter)."""
    a, b = runtime_of(left), runtime_of(right)
    unrecorded = [
        f"python: {side} snapshot was read as files by a driftcheck that did not record "
        "the interpreter; take it again to compare Python"
        for side, snapshot, runtime in (("the left", left, a), ("the right", right, b))
        if runtime is None and not knows_it_has_none(snapshot)
    ]
    if unrecorded or (a is None and b is None):
        return [], unrecorded
    if a is None or b is None:
        kind = "added" if a is None else "removed"
        value = _entry(b if a is None else a)  # type: ignore[arg-type]
        change = Change(
            "python",
            "interpreter",
            "",
            kind,
            None if a is None else value,
            value if a is None else None,
        )
        return [change], []
    changes = []
    for name in STATIC_FIELDS:
        old, new = getattr(a, name), getattr(b, name)
        if old is None or new is None:
            continue
        compared = known_precision(old, new) if name == "version" else (old, new)
        if compared[0] != compared[1]:
            changes.append(Change("python", "interpreter", name, "changed", old, new))
    return changes, []


def _entry(runtime: Runtime) -> dict[str, object]:
    return {name: getattr(runtime, name) for name in STATIC_FIELDS}
