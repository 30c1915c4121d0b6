"""Poetry's `poetry.lock`: packages with optional markers (lock-version 2.1 records them)."""

from __future__ import annotations

from typing import Any

from driftcheck.lockfiles.fields import table, tables, text
from driftcheck.lockfiles.model import Lock, LockedPackage, LockedSource, LockfileError


def read_poetry_lock(document: dict[str, Any], path: str) -> Lock:
    metadata = table(document.get("metadata"), "metadata")
    if "content-hash" not in metadata:
        raise LockfileError("no [metadata] content-hash: not a poetry.lock")
    packages = []
    notes = []
    for n, entry in enumerate(tables(document.get("package"), "package")):
        where = f"package[{n}]"
        marker = entry.get("markers")
        if isinstance(marker, dict):  # per group: installed where any of them holds
            marker = " or ".join(f"({m})" for m in marker.values() if isinstance(m, str)) or None
        groups = entry.get("groups")
        if isinstance(groups, list) and groups and "main" not in groups:
            notes.append(
                f"{entry.get('name')}: only in group(s) {', '.join(map(str, groups))[:80]}"
            )
            continue  # `poetry install` without --with installs the main group
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
        install="poetry install --sync",
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
