"""Poetry's `poetry.lock`: packages with optional markers (lock-version 2.1 records them).

`poetry install` (and `poetry sync`) installs every group that the project's
pyproject.toml does not declare `optional = true`, the dev group included: a
package only in optional groups is left out. It installs the project itself too
(unless `package-mode = false`), which no lock lists: poetry_project.py reads it.
Poetry 2 (lock-version 2.1) deprecates `poetry install --sync` for `poetry sync`;
poetry 1 (lock-version 2.0 and before) has only the former.
"""

from __future__ import annotations

from typing import Any

from driftcheck.lockfiles.fields import table, tables, text
from driftcheck.lockfiles.model import Lock, LockedPackage, LockedSource, LockfileError
from driftcheck.lockfiles.poetry_project import PoetryProject


def read_poetry_lock(
    document: dict[str, Any], path: str, project: PoetryProject | None = None
) -> Lock:
    metadata = table(document.get("metadata"), "metadata")
    if "content-hash" not in metadata:
        raise LockfileError("no [metadata] content-hash: not a poetry.lock")
    project = project or PoetryProject()
    optional_groups = project.optional_groups
    packages = [project.root] if project.root is not None else []
    notes = []
    for n, entry in enumerate(tables(document.get("package"), "package")):
        where = f"package[{n}]"
        marker = entry.get("markers")
        groups = entry.get("groups")
        installed_groups = (
            [g for g in groups if g not in optional_groups] if isinstance(groups, list) else None
        )
        if isinstance(groups, list) and groups and not installed_groups:
            notes.append(
                f"{entry.get('name')}: only in optional group(s) "
                f"{', '.join(map(str, groups))[:80]}, not installed by `poetry install`"
            )
            continue
        if isinstance(marker, dict):  # per group: installed where any installed one holds
            marker = (
                " or ".join(
                    f"({m})"
                    for g, m in marker.items()
                    if isinstance(m, str) and (installed_groups is None or g in installed_groups)
                )
                or None
            )
        packages.append(
            LockedPackage(
                name=text(entry.get("name"), f"{where}.name", required=True) or "",
                version=text(entry.get("version"), f"{where}.version"),
                source=_source(table(entry.get("source"), f"{where}.source"), entry, where),
                marker=text(marker, f"{where}.markers"),
                hashes=tuple(
                    h
                    for f in tables(entry.get("files"), f"{where}.files")
                    if isinstance(h := f.get("hash"), str)
                ),
            )
        )
    return Lock(
        path=path,
        form="poetry.lock",
        packages=tuple(packages),
        install="poetry sync" if _lock_version(metadata) >= (2, 1) else "poetry install --sync",
        requires_python=text(metadata.get("python-versions"), "metadata.python-versions"),
        notes=tuple(notes[:20]),
    )


def _source(source: dict[str, Any], entry: dict[str, Any], where: str) -> LockedSource:
    kind = text(source.get("type"), f"{where}.source.type")
    url = text(source.get("url"), f"{where}.source.url")
    if kind == "git":
        commit = text(source.get("resolved_reference"), f"{where}.source.resolved_reference")
        return LockedSource("vcs", url=url, vcs="git", commit=commit)
    if kind in ("directory", "file"):
        return LockedSource("path", url=url, editable=entry.get("develop") is True)
    if kind == "url":
        return LockedSource("url", url=url)
    return LockedSource("registry", url=url)


def _lock_version(metadata: dict[str, Any]) -> tuple[int, ...]:
    version = metadata.get("lock-version")
    try:
        return tuple(int(part) for part in str(version).split(".")[:2])
    except ValueError:
        return (0,)
