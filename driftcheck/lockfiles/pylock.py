"""PEP 751 `pylock.toml` / `pylock.NAME.toml`: a flat list of packages, each with a marker."""

from __future__ import annotations

import shlex
from typing import Any

from driftcheck.lockfiles.fields import strings, table, tables, text
from driftcheck.lockfiles.model import Lock, LockedPackage, LockedSource, LockfileError


def read_pylock(document: dict[str, Any], path: str) -> Lock:
    version = text(document.get("lock-version"), "lock-version")
    if version is None:
        raise LockfileError("no lock-version: not a PEP 751 lock")
    if version.split(".")[0] != "1":
        raise LockfileError(f"lock-version {version[:20]!r} is newer than PEP 751's 1.x")
    packages = []
    for n, entry in enumerate(tables(document.get("packages"), "packages")):
        where = f"packages[{n}]"
        packages.append(
            LockedPackage(
                name=text(entry.get("name"), f"{where}.name", required=True) or "",
                version=text(entry.get("version"), f"{where}.version"),
                source=_source(entry, where),
                marker=text(entry.get("marker"), f"{where}.marker"),
                hashes=_hashes(entry, where),
            )
        )
    return Lock(
        path=path,
        form="pylock.toml",
        packages=tuple(packages),
        install=f"uv pip sync {shlex.quote(path)}",
        requires_python=text(document.get("requires-python"), "requires-python"),
        groups=strings(document.get("default-groups"), "default-groups"),
    )


def _source(entry: dict[str, Any], where: str) -> LockedSource:
    vcs = table(entry.get("vcs"), f"{where}.vcs")
    if vcs:
        return LockedSource(
            "vcs",
            url=text(vcs.get("url"), f"{where}.vcs.url") or text(vcs.get("path"), where),
            vcs=text(vcs.get("type"), f"{where}.vcs.type"),
            commit=text(vcs.get("commit-id"), f"{where}.vcs.commit-id"),
        )
    directory = table(entry.get("directory"), f"{where}.directory")
    if directory:
        return LockedSource(
            "path",
            url=text(directory.get("path"), f"{where}.directory.path"),
            editable=directory.get("editable") is True,
        )
    archive = table(entry.get("archive"), f"{where}.archive")
    if archive:
        url = text(archive.get("url"), f"{where}.archive.url")
        if url is None:
            return LockedSource("path", url=text(archive.get("path"), f"{where}.archive.path"))
        return LockedSource("url", url=url)
    return LockedSource("registry", url=text(entry.get("index"), f"{where}.index"))


def _hashes(entry: dict[str, Any], where: str) -> tuple[str, ...]:
    found: list[str] = []
    files = [*tables(entry.get("wheels"), f"{where}.wheels"), table(entry.get("sdist"), where)]
    for item in files:
        for algorithm, digest in table(item.get("hashes"), f"{where} hashes").items():
            if isinstance(digest, str):
                found.append(f"{algorithm}:{digest}")
    return tuple(found)
