"""A project's declared dependencies: pyproject.toml, requirements files, setup.cfg.

Read as data, never executed (no setup.py). pyproject.toml gives PEP 621
dependencies and extras, PEP 735 dependency groups and Poetry's tables;
requirements files follow `-r` includes (never URLs, never out of the project
folder); only regular files are opened, never blocking (files.py); setup.cfg gives
install_requires and extras_require. A line that is not a requirement (an
index option, a path) is skipped; a file that is not valid TOML or INI is an
error, because a wrong ranking would be worse than none.
"""

from __future__ import annotations

import configparser
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from driftcheck.project.files import NotReadError, inside, read_project_file
from driftcheck.project.model import Declared, ProjectFileError
from driftcheck.project.roles import is_optional_source
from driftcheck.untrusted_toml import TomlInputError, load_toml

MAX_FILE_BYTES = 1024 * 1024
MAX_REQUIREMENT_FILES = 50
MAX_INCLUDE_DEPTH = 10
REQUIREMENT_PATTERNS = ("requirements*.txt", "*-requirements.txt", "requirements/*.txt")
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_INCLUDE = re.compile(r"^(?:-r|--requirement)(?:\s*=\s*|\s+|(?=\S))(\S+)")


class _Collector:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.real_root = root.resolve()  # what each file read must lie under
        self.names: dict[str, list[str]] = {}
        self.files: list[str] = []
        self.notes: list[str] = []
        self.project_name: str | None = None
        self.extras: dict[str, set[str]] = {}

    def where(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def add(self, name: str, source: str) -> None:
        sources = self.names.setdefault(canonicalize_name(name), [])
        if source not in sources:
            sources.append(source)

    def add_requirement(self, text: str, source: str) -> bool:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            return False
        self.add(requirement.name, source)
        self.add_extras(requirement, source)
        return True

    def add_extras(self, requirement: Requirement, source: str) -> None:
        """`requests[socks]` to run the program: socks' requirements are followed too."""
        if requirement.extras and not is_optional_source(source):
            wanted = self.extras.setdefault(canonicalize_name(requirement.name), set())
            wanted.update(canonicalize_name(e) for e in requirement.extras)

    def result(self) -> Declared:
        return Declared(
            names={k: tuple(v) for k, v in sorted(self.names.items())},
            project_name=self.project_name,
            files=tuple(self.files),
            notes=tuple(self.notes),
            extras={k: tuple(sorted(v)) for k, v in sorted(self.extras.items())},
        )


def read_declared(root: Path) -> Declared:
    collector = _Collector(root)
    pyproject = root / "pyproject.toml"
    if os.path.lexists(pyproject):  # a FIFO or a link out is named in the notes, not read
        _read_pyproject(pyproject, collector)
    setup_cfg = root / "setup.cfg"
    if os.path.lexists(setup_cfg):
        _read_setup_cfg(setup_cfg, collector)
    seen: set[Path] = set()
    for path in requirement_files(root):
        _read_requirements(path, collector, seen, depth=0)
    return collector.result()


def requirement_files(root: Path) -> list[Path]:
    found = {p for pattern in REQUIREMENT_PATTERNS for p in root.glob(pattern) if not p.is_dir()}
    return sorted(found)[:MAX_REQUIREMENT_FILES]


def _read_text(path: Path, collector: _Collector) -> str | None:
    try:
        raw = read_project_file(collector.real_root, path, MAX_FILE_BYTES)
    except NotReadError as exc:
        collector.notes.append(f"{collector.where(path)}: {exc}, not read")
        return None
    if len(raw) > MAX_FILE_BYTES:
        collector.notes.append(f"{collector.where(path)}: larger than 1 MiB, not read")
        return None
    collector.files.append(collector.where(path))
    return raw.decode("utf-8", errors="replace")


# --------------------------------------------------------------------------- pyproject.toml


def _read_pyproject(path: Path, collector: _Collector) -> None:
    text = _read_text(path, collector)
    if text is None:
        return
    try:
        data = load_toml(text)
    except TomlInputError as exc:
        raise ProjectFileError(f"{path}: {exc}; fix the file or leave out --project") from exc
    project = _table(data.get("project"))
    name = project.get("name")
    source = "pyproject.toml"
    _strings(project.get("dependencies"), source, collector)
    for extra, requirements in _table(project.get("optional-dependencies")).items():
        _strings(requirements, f"{source} (extra {extra})", collector)
    for group, requirements in _table(data.get("dependency-groups")).items():
        # {include-group = "..."} tables only point at other groups, read on their own.
        _strings(requirements, f"{source} (group {group})", collector)
    poetry = _table(_table(data.get("tool")).get("poetry"))
    _poetry_names(poetry.get("dependencies"), f"{source} (poetry)", collector)
    _poetry_names(poetry.get("dev-dependencies"), f"{source} (poetry dev)", collector)
    for group, body in _table(poetry.get("group")).items():
        dependencies = _table(body).get("dependencies")
        _poetry_names(dependencies, f"{source} (poetry group {group})", collector)
    name = name or poetry.get("name")
    if isinstance(name, str) and name.strip():
        collector.project_name = canonicalize_name(name)


def _table(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _strings(value: Any, source: str, collector: _Collector) -> None:
    if not isinstance(value, list):
        return
    bad = [v for v in value if isinstance(v, str) and not collector.add_requirement(v, source)]
    if bad:
        collector.notes.append(f"{source}: {len(bad)} entries are not PEP 508 requirements")


def _poetry_names(value: Any, source: str, collector: _Collector) -> None:
    for name in _table(value):
        if name.lower() != "python":
            collector.add(name, source)


# --------------------------------------------------------------------------- setup.cfg


def _read_setup_cfg(path: Path, collector: _Collector) -> None:
    text = _read_text(path, collector)
    if text is None:
        return
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error as exc:
        first = str(exc).splitlines()[0]
        raise ProjectFileError(
            f"{path}: not a valid setup.cfg ({first}); fix the file or leave out --project"
        ) from exc
    if parser.has_option("options", "install_requires"):
        _lines(parser.get("options", "install_requires"), "setup.cfg", collector)
    if parser.has_section("options.extras_require"):
        for extra, value in parser.items("options.extras_require"):
            _lines(value, f"setup.cfg (extra {extra})", collector)
    name = parser.get("metadata", "name", fallback="").strip()
    if name and collector.project_name is None:
        collector.project_name = canonicalize_name(name)


def _lines(value: str, source: str, collector: _Collector) -> None:
    for line in value.replace(";", "\n;").splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";")):
            collector.add_requirement(line, source)


# --------------------------------------------------------------------------- requirements


def _read_requirements(path: Path, collector: _Collector, seen: set[Path], depth: int) -> None:
    resolved = Path(os.path.realpath(path))  # Path.resolve raises on a link loop
    if resolved in seen or len(seen) >= MAX_REQUIREMENT_FILES:
        return
    seen.add(resolved)
    text = _read_text(path, collector)
    if text is None:
        return
    source = collector.where(path)
    for line in logical_lines(text):
        include = _INCLUDE.match(line)
        if include:
            target = include.group(1)
            if "://" in target:
                collector.notes.append(f"{source}: -r {target} is a URL, not followed")
            elif not inside(collector.real_root, path.parent / target):
                collector.notes.append(
                    f"{source}: -r {target} is outside the project folder, not followed"
                )
            elif depth >= MAX_INCLUDE_DEPTH:
                collector.notes.append(f"{source}: includes nested too deeply, stopped")
            else:
                _read_requirements(path.parent / target, collector, seen, depth + 1)
            continue
        name = requirement_line_name(line)
        if name is not None:
            collector.add(name, source)
            if "[" in line and not line.startswith("-"):
                collector.add_requirement(line, source)


def logical_lines(text: str) -> Iterator[str]:
    """pip's reading: continuation backslashes joined, comments and blank lines dropped."""
    pending = ""
    for raw in text.splitlines():
        if raw.endswith("\\"):
            pending += raw[:-1]
            continue
        line = re.sub(r"(^|\s)#.*$", "", pending + raw).strip()
        pending = ""
        if line:
            yield line
    if pending.strip():
        yield pending.strip()


def requirement_line_name(line: str) -> str | None:
    """The distribution a requirements line asks for, or None (options, bare paths, URLs)."""
    if line.startswith(("-e", "--editable")):
        egg = _EGG.search(line)
        return egg.group(1) if egg else None
    if line.startswith("-"):
        return None  # -c constraints, --index-url and other options declare nothing
    try:
        return Requirement(line).name
    except InvalidRequirement:
        egg = _EGG.search(line)
        return egg.group(1) if egg else None
