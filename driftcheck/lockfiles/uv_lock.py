"""uv's `uv.lock`: a universal resolution, kept as a graph whose edges carry the markers.

What `uv sync` installs is what can be reached from the workspace members (sources
`virtual` or `editable`, or a `path` to the project folder) along edges whose markers
hold, with the `dev` group (uv's default group) and no extras of the members.
"""

from __future__ import annotations

from typing import Any

from driftcheck.lockfiles.fields import table, tables, text
from driftcheck.lockfiles.model import Edge, Lock, LockedPackage, LockedSource, LockfileError

DEFAULT_GROUPS = ("dev",)
MEMBER_SOURCES = ("virtual", "editable")


def read_uv_lock(document: dict[str, Any], path: str) -> Lock:
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise LockfileError("no `version = 1`: not a uv.lock")
    if version != 1:
        raise LockfileError(
            f"uv.lock version {version} is newer than the version 1 driftcheck reads"
        )
    packages: list[LockedPackage] = []
    edges: list[tuple[int, tuple[Edge, ...]]] = []
    roots: list[Edge] = []
    for n, entry in enumerate(tables(document.get("package"), "package")):
        where = f"package[{n}]"
        name = text(entry.get("name"), f"{where}.name", required=True) or ""
        source_table = table(entry.get("source"), f"{where}.source")
        source = _source(source_table, where)
        member = any(k in source_table for k in MEMBER_SOURCES)
        packages.append(
            LockedPackage(
                name=name,
                version=text(entry.get("version"), f"{where}.version"),
                source=source,
                hashes=_hashes(entry, where),
            )
        )
        out = list(_edges(entry.get("dependencies"), f"{where}.dependencies"))
        for extra, listed in table(entry.get("optional-dependencies"), where).items():
            out.extend(_edges(listed, f"{where}.optional-dependencies", with_extra=extra))
        if member:
            version_pin = packages[-1].version
            roots.append(Edge(name, version_pin))
            groups = table(entry.get("dev-dependencies"), f"{where}.dev-dependencies")
            for group in DEFAULT_GROUPS:
                out.extend(_edges(groups.get(group), f"{where}.dev-dependencies.{group}"))
        edges.append((n, tuple(out)))
    return Lock(
        path=path,
        form="uv.lock",
        packages=tuple(packages),
        install="uv sync --locked",
        requires_python=text(document.get("requires-python"), "requires-python"),
        roots=tuple(roots),
        edges=tuple(edges),
        notes=() if roots else ("uv.lock names no workspace member: every package is compared",),
    )


def _edges(value: Any, where: str, with_extra: str | None = None) -> list[Edge]:
    found = []
    for n, item in enumerate(tables(value, where)):
        extras = item.get("extra")
        found.append(
            Edge(
                name=text(item.get("name"), f"{where}[{n}].name", required=True) or "",
                version=text(item.get("version"), f"{where}[{n}].version"),
                marker=text(item.get("marker"), f"{where}[{n}].marker"),
                extras=tuple(e for e in extras if isinstance(e, str))
                if isinstance(extras, list)
                else (),
                with_extra=with_extra,
            )
        )
    return found


def _source(source: dict[str, Any], where: str) -> LockedSource:
    if "git" in source:
        url = text(source["git"], f"{where}.source.git") or ""
        commit = url.rpartition("#")[2] if "#" in url else None
        return LockedSource("vcs", url=url.partition("#")[0], vcs="git", commit=commit)
    if "url" in source:
        return LockedSource("url", url=text(source["url"], f"{where}.source.url"))
    if "virtual" in source:  # a workspace member that is not a package: never installed
        return LockedSource("virtual", url=text(source["virtual"], f"{where}.source.virtual"))
    for kind in ("path", "directory", "editable"):
        if kind in source:
            return LockedSource(
                "path",
                url=text(source[kind], f"{where}.source.{kind}"),
                editable=kind == "editable",
            )
    return LockedSource("registry", url=text(source.get("registry"), f"{where}.source.registry"))


def _hashes(entry: dict[str, Any], where: str) -> tuple[str, ...]:
    files = [*tables(entry.get("wheels"), f"{where}.wheels"), table(entry.get("sdist"), where)]
    return tuple(h for f in files if isinstance(h := f.get("hash"), str))
