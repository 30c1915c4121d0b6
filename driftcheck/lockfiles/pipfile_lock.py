"""Pipenv's `Pipfile.lock` (JSON): `default` is what `pipenv sync` installs."""

from __future__ import annotations

from typing import Any

from driftcheck.lockfiles.fields import strings, table, text
from driftcheck.lockfiles.model import Lock, LockedPackage, LockedSource, LockfileError


def read_pipfile_lock(document: Any, path: str) -> Lock:
    if not isinstance(document, dict) or not isinstance(document.get("_meta"), dict):
        raise LockfileError("no _meta object: not a Pipfile.lock")
    requires = table(document["_meta"].get("requires"), "_meta.requires")
    packages = []
    for name, entry in table(document.get("default"), "default").items():
        where = f"default.{name[:60]}"
        entry = table(entry, where)
        pin = text(entry.get("version"), f"{where}.version")
        packages.append(
            LockedPackage(
                name=name,
                version=pin[2:] if pin and pin.startswith("==") else None,
                source=_source(entry, where),
                marker=text(entry.get("markers"), f"{where}.markers"),
                hashes=strings(entry.get("hashes"), f"{where}.hashes"),
            )
        )
    python = text(requires.get("python_full_version") or requires.get("python_version"), "_meta")
    return Lock(
        path=path,
        form="Pipfile.lock",
        packages=tuple(packages),
        install="pipenv sync",
        requires_python=f"=={python}.*"
        if python and python.count(".") == 1
        else python and f"=={python}",
        notes=("develop: not installed by `pipenv sync`, not compared",)
        if document.get("develop")
        else (),
    )


def _source(entry: dict[str, Any], where: str) -> LockedSource:
    if "git" in entry:
        return LockedSource(
            "vcs",
            url=text(entry["git"], f"{where}.git"),
            vcs="git",
            commit=text(entry.get("ref"), where),
        )
    if "path" in entry:
        return LockedSource(
            "path", url=text(entry["path"], f"{where}.path"), editable=entry.get("editable") is True
        )
    if "file" in entry:
        return LockedSource("url", url=text(entry["file"], f"{where}.file"))
    return LockedSource("registry", url=None)
