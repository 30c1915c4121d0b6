"""What a poetry.lock leaves to the pyproject.toml beside it: the optional groups,
which `poetry install` skips, and the project itself, which it installs (editable,
from its folder) unless `package-mode = false`.

The file is read bounded and only if it is a regular file; a pyproject.toml that
cannot be read leaves the lock alone (every group compared, no project).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from driftcheck.lockfiles.model import PROJECT, LockedPackage, LockedSource
from driftcheck.regular_files import NotReadError, read_regular_file
from driftcheck.untrusted_toml import TomlInputError, load_toml

MAX_PYPROJECT_BYTES = 1024 * 1024


@dataclass(frozen=True)
class PoetryProject:
    optional_groups: frozenset[str] = frozenset()
    root: LockedPackage | None = None  # the project, compared only where it is installed


def poetry_project(lock_path: str) -> PoetryProject:
    folder = Path(lock_path).parent
    try:
        raw = read_regular_file(folder / "pyproject.toml", MAX_PYPROJECT_BYTES)
        if len(raw) > MAX_PYPROJECT_BYTES:
            return PoetryProject()
        document = load_toml(raw.decode("utf-8"))
    except (OSError, NotReadError, UnicodeDecodeError, TomlInputError):
        return PoetryProject()
    poetry = _table(_table(document.get("tool")).get("poetry"))
    groups = _table(poetry.get("group"))
    optional = frozenset(
        name for name, group in groups.items() if _table(group).get("optional") is True
    )
    return PoetryProject(optional, _root(_table(document.get("project")), poetry, str(folder)))


def _root(project: dict[str, Any], poetry: dict[str, Any], folder: str) -> LockedPackage | None:
    if poetry.get("package-mode") is False:
        return None
    name = project.get("name", poetry.get("name"))
    if not isinstance(name, str) or not 0 < len(name) <= 200:
        return None
    dynamic = project.get("dynamic")
    version = project.get("version", poetry.get("version"))
    if isinstance(dynamic, list) and "version" in dynamic:
        version = poetry.get("version")  # poetry 2 keeps a dynamic version under tool.poetry
    if not isinstance(version, str) or len(version) > 200:
        version = None
    return LockedPackage(name, version, LockedSource(PROJECT, url=folder, editable=True))


def _table(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
