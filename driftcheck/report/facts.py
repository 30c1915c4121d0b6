"""What an environment report shows, as plain rows: the Markdown and HTML renderers
escape them for their sink, so the choice of facts lives in one place.

Every string here is untrusted (it came from a target) and not yet escaped.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from driftcheck.render.summary import IMPLEMENTATION_NAMES
from driftcheck.snapshot.model import Distribution, Redacted, Snapshot

Cell = str | Redacted


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def limited(self, count: int) -> Table:
        return Table(self.columns, self.rows[:count])

    def first_columns(self, count: int) -> Table:
        return Table(self.columns[:count], tuple(row[:count] for row in self.rows))


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def interpreter_table(snapshot: Snapshot) -> Table:
    py = snapshot.python
    if py is None:
        return _static_interpreter_table(snapshot)
    rows: list[tuple[str, str | None]] = [
        ("implementation", IMPLEMENTATION_NAMES.get(py.implementation, py.implementation)),
        ("version", py.version),
        ("ABI (SOABI)", py.soabi),
        ("cache tag", py.cache_tag),
        ("extension suffix", py.ext_suffix),
        ("environment", py.environment_kind + (" (uv)" if py.uv else "")),
        ("executable", py.executable),
        ("prefix", py.prefix),
        ("base prefix", py.base_prefix),
        ("conda prefix", py.conda_prefix),
        ("pointer size", f"{py.pointer_bits} bits"),
        ("free-threaded", _yes(py.free_threaded)),
        ("debug build", _yes(py.debug_build)),
        ("compiler", py.compiler),
        ("encodings", f"default {py.default_encoding}, file system {py.filesystem_encoding}"),
        ("locale", ", ".join(f"{k}={v}" for k, v in sorted(py.locale.items()) if v)),
        ("linked libraries", ", ".join(f"{k} {v}" for k, v in sorted(py.build.items()) if v)),
        ("flags set", ", ".join(f"{k}={v}" for k, v in sorted(py.flags.items()) if v)),
    ]
    return Table(("field", "value"), tuple((k, v) for k, v in rows if v))


def _static_interpreter_table(snapshot: Snapshot) -> Table:
    """What an image's files said of its interpreter, each fact with the file behind it."""
    files = snapshot.static_python
    if files is None:
        return Table(("field", "value"), ())

    def sourced(value: str | None, fact: str) -> str | None:
        source = files.sources.get(fact)
        return f"{value} (from {source})" if value and source else value

    implementation = files.implementation
    free = None if files.free_threaded is None else _yes(files.free_threaded)
    rows: list[tuple[str, str | None]] = [
        ("read from", "the image's files: nothing was run"),
        ("implementation", IMPLEMENTATION_NAMES.get(implementation or "", implementation)),
        ("version", sourced(files.version, "version")),
        ("ABI (SOABI)", sourced(files.soabi, "soabi")),
        ("cache tag", sourced(files.cache_tag, "cache_tag")),
        ("extension suffix", files.ext_suffix),
        ("executable", files.sources.get("executable") or files.executable),
        ("OS package", sourced(files.os_package, "os_package")),
        ("free-threaded", free),
    ]
    return Table(("field", "value"), tuple((k, v) for k, v in rows if v))


def sys_path(snapshot: Snapshot) -> tuple[str, ...]:
    return snapshot.python.sys_path if snapshot.python else ()


def _source(dist: Distribution) -> str:
    parts = []
    if dist.editable:
        parts.append("editable")
    if dist.vcs:
        parts.append(f"{dist.vcs} {dist.vcs_commit or ''}".strip())
    if dist.direct_url:
        parts.append(dist.direct_url)
    if dist.shadowed_by:
        parts.append(f"shadowed by {dist.shadowed_by}")
    return ", ".join(parts)


def distributions_table(snapshot: Snapshot) -> Table:
    rows = tuple(
        (d.name, d.version, d.installer or "", _source(d), d.location)
        for d in sorted(snapshot.distributions, key=lambda d: (d.canonical_name, d.location))
    )
    return Table(("name", "version", "installer", "source", "location"), rows)


def environment_table(snapshot: Snapshot) -> Table:
    rows = tuple((name, snapshot.environment[name]) for name in sorted(snapshot.environment))
    return Table(("variable", "value"), rows)


def redacted_count(snapshot: Snapshot) -> int:
    return sum(1 for v in snapshot.environment.values() if isinstance(v, Redacted))


def os_package_counts(snapshot: Snapshot) -> dict[str, int]:
    return dict(sorted(Counter(p.manager for p in snapshot.os_packages).items()))


def os_packages_table(snapshot: Snapshot) -> Table:
    rows = tuple(
        (p.manager, p.name, p.version, p.architecture or "")
        for p in sorted(snapshot.os_packages, key=lambda p: p.key)
    )
    return Table(("manager", "name", "version", "architecture"), rows)


def native_libraries_table(snapshot: Snapshot) -> Table:
    rows = tuple(
        (lib.name, lib.version or "", lib.soname or "", lib.path or "")
        for lib in snapshot.native_libraries
    )
    return Table(("library", "version", "soname", "path"), rows)


def pth_table(snapshot: Snapshot) -> Table:
    rows = tuple(
        (p.path, str(len(p.path_lines)), "; ".join(p.code_lines)) for p in snapshot.pth_files
    )
    return Table((".pth file", "path lines", "code run at start-up"), rows)


def unknowns_table(snapshot: Snapshot) -> Table:
    return Table(("what", "why"), tuple((u.field, u.reason) for u in snapshot.unknowns))


def container_table(snapshot: Snapshot) -> Table:
    info = snapshot.container
    if info is None:
        return Table(("field", "value"), ())
    configured = info.configured_env
    hidden = sum(1 for v in configured.values() if isinstance(v, Redacted))
    rows: list[tuple[str, str | None]] = [
        ("image", info.image),
        ("image id", info.image_id),
        ("platform", info.platform),
        ("digests", ", ".join(info.repo_digests)),
        ("container", info.container_name),
        ("user", info.user),
        ("working directory", info.working_dir),
        ("entrypoint", " ".join(info.entrypoint)),
        ("command", " ".join(info.command)),
        ("created", info.created),
        ("layers", None if info.layers is None else str(info.layers)),
        ("configured variables", f"{len(configured)}, {hidden} redacted" if configured else ""),
        *((f"label {k}", v) for k, v in sorted(info.labels.items())),
    ]
    return Table(("field", "value"), tuple((k, v) for k, v in rows if v))


def created_line(snapshot: Snapshot) -> str:
    return (
        f"Captured {snapshot.created_at} by driftcheck {snapshot.generator.version} "
        f"from {snapshot.target.description}"
    )
