"""--project DIR: the one entry point that turns a folder into ProjectFacts."""

from __future__ import annotations

from pathlib import Path

from driftcheck.errors import UsageError
from driftcheck.project.declared import read_declared
from driftcheck.project.imports import scan_imports
from driftcheck.project.model import ProjectFacts


def read_project(folder: str) -> ProjectFacts:
    root = Path(folder).expanduser()
    if not root.exists():
        raise UsageError(f"--project {folder}: no such folder; pass your project's root folder")
    if not root.is_dir():
        raise UsageError(f"--project {folder}: not a folder; pass your project's root folder")
    try:
        next(root.iterdir(), None)
    except OSError as exc:
        raise UsageError(
            f"--project {folder}: cannot read the folder ({exc.strerror or exc}); "
            "check its permissions"
        ) from exc
    root = root.resolve()
    declared = read_declared(root)
    imports = scan_imports(root)
    if not declared.files and not imports.files_scanned:
        raise UsageError(
            f"--project {folder}: no pyproject.toml, setup.cfg, requirements file or .py file "
            "there; pass your project's root folder"
        )
    return ProjectFacts(root=root, declared=declared, imports=imports)
