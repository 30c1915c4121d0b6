"""What a project's code imports: an AST scan of its .py files, never running them.

Bounded: at most MAX_FILES regular files of at most MAX_FILE_BYTES each (a FIFO
or a device is named in the notes, never opened so that it blocks), symlinks not
followed, virtual environments, VCS folders, build output and caches skipped.
A file that does not parse (Python 2, a template) is read line by line for
`import x` / `from x import y` instead, and counted in the notes.
"""

from __future__ import annotations

import ast
import os
import re
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

from driftcheck.project.files import NotReadError, read_project_file
from driftcheck.project.model import Imports

MAX_FILES = 5000
MAX_FILE_BYTES = 1024 * 1024
MAX_FILES_PER_MODULE = 5  # where a module is imported: enough to say "app.py and 3 more"
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".tox",
        ".nox",
        ".venv",
        "venv",
        ".eggs",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "build",
        "dist",
        "site-packages",
        "htmlcov",
    }
)
# A folder holding one of these is an environment, whatever its name.
ENVIRONMENT_MARKERS = ("pyvenv.cfg", "conda-meta")
_IMPORT_LINE = re.compile(
    r"^\s*(?:import\s+([\w.]+(?:\s*,\s*[\w.]+)*)|from\s+([\w.]+)\s+import\b)", re.MULTILINE
)


def scan_imports(root: Path) -> Imports:
    modules: dict[str, list[str]] = {}
    unparsed: list[str] = []
    not_read: list[str] = []
    skipped = 0
    scanned = 0
    real_root = root.resolve()
    for path in python_files(root):
        if scanned >= MAX_FILES:
            skipped += 1
            continue
        scanned += 1
        where = path.relative_to(root).as_posix()
        try:
            source = read_project_file(real_root, path, MAX_FILE_BYTES)
        except NotReadError as exc:
            not_read.append(f"{where} ({exc})")
            continue
        if len(source) > MAX_FILE_BYTES:
            unparsed.append(where)
            continue
        names = _parsed(source)
        if names is None:
            unparsed.append(where)
            names = _by_lines(source.decode("utf-8", errors="replace"))
        for name in names:
            files = modules.setdefault(name, [])
            if len(files) < MAX_FILES_PER_MODULE and where not in files:
                files.append(where)
    notes = []
    if unparsed:
        notes.append(f"{len(unparsed)} .py file(s) read line by line, not parsed: {_few(unparsed)}")
    if not_read:
        notes.append(f"{len(not_read)} .py file(s) not read: {_few(not_read)}")
    if skipped:
        notes.append(f"scanned the first {MAX_FILES} .py files; {skipped} more left out")
    return Imports(
        modules={k: tuple(v) for k, v in sorted(modules.items())},
        local_modules=local_modules(root),
        files_scanned=scanned,
        notes=tuple(notes),
    )


def _few(items: list[str]) -> str:
    return ", ".join(items[:3]) + (f" and {len(items) - 3} more" if len(items) > 3 else "")


def python_files(root: Path) -> Iterator[Path]:
    """The project's .py files in a stable order, environments and build output left out."""
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(
            d
            for d in dirs
            if d not in SKIP_DIRS
            and not d.endswith(".egg-info")
            and not _is_environment(Path(folder) / d)
        )
        for name in sorted(files):
            path = Path(folder) / name
            if name.endswith(".py") and not path.is_symlink():
                yield path


def _is_environment(folder: Path) -> bool:
    return any((folder / marker).exists() for marker in ENVIRONMENT_MARKERS)


def _parsed(source: bytes) -> set[str] | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # invalid escapes and the like: not our business
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            # `from google.cloud import storage`: the submodule may be a distribution's.
            names.update(f"{node.module}.{alias.name}" for alias in node.names if alias.name != "*")
    return names


def _by_lines(text: str) -> set[str]:
    names: set[str] = set()
    for match in _IMPORT_LINE.finditer(text):
        if match.group(1):
            names.update(part.strip() for part in match.group(1).split(","))
        elif not match.group(2).startswith("."):
            names.add(match.group(2))
    return names


def local_modules(root: Path) -> frozenset[str]:
    """Top-level modules and packages the project holds itself (in its folder or src/)."""
    names: set[str] = set()
    for base in (root, root / "src"):
        try:
            entries = list(base.iterdir())
        except OSError:
            continue
        for entry in entries:
            if entry.suffix == ".py" and entry.is_file():
                names.add(entry.stem)
            elif entry.is_dir() and (entry / "__init__.py").is_file():
                names.add(entry.name)
    return frozenset(names)


def is_stdlib(module: str) -> bool:
    top = module.partition(".")[0]
    return top in sys.stdlib_module_names or top == "__future__"
