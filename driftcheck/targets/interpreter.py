"""Which interpreter the user means when they say "my environment".

Order: --python PATH, else $VIRTUAL_ENV, else $CONDA_PREFIX, else `python3` on
PATH. driftcheck's own interpreter is never picked just because driftcheck was
installed with pipx or into a private virtual environment.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from driftcheck.errors import ProbeError, UsageError

WINDOWS = os.name == "nt"


def interpreter_in_prefix(prefix: Path) -> Path | None:
    names = ("Scripts/python.exe", "python.exe") if WINDOWS else ("bin/python3", "bin/python")
    for name in names:
        candidate = prefix / name
        if candidate.exists():
            return candidate
    for name in names:
        broken_link(prefix / name)
    return None


def broken_link(path: Path) -> None:
    """Raises the error for a venv's interpreter whose base Python was removed."""
    if path.is_symlink() and not path.exists():
        raise ProbeError(
            f"{path} links to {os.readlink(path)}, which no longer exists: the Python this "
            "environment was made from was removed; recreate the environment "
            "(python3 -m venv --clear) or pass another --python"
        )


def resolve_interpreter(python: str | None, environ: Mapping[str, str]) -> tuple[Path, str]:
    """Returns the interpreter and how it was chosen (shown to the user)."""
    if python:
        return _explicit(Path(python)), "--python"
    for variable in ("VIRTUAL_ENV", "CONDA_PREFIX"):
        prefix = environ.get(variable)
        if prefix:
            found = interpreter_in_prefix(Path(prefix))
            if found is None:
                raise UsageError(
                    f"${variable} is {prefix} but holds no Python interpreter; "
                    "activate another environment or pass --python PATH"
                )
            return found, f"${variable}"
    found = _python_on_path(environ.get("PATH", os.defpath))
    if found is None:
        raise UsageError("no python3 on PATH; pass --python PATH to name an interpreter")
    return found, "PATH"


def _explicit(path: Path) -> Path:
    if not path.exists() and os.sep not in str(path):
        import shutil  # imported when used: this module runs before a host probe starts

        on_path = shutil.which(str(path))  # --python python3.12: a name on PATH
        if on_path:
            return Path(on_path)
    path = path.absolute()  # not resolve(): a venv's bin/python link must stay itself
    if path.is_dir():
        found = interpreter_in_prefix(path)
        if found is None:
            raise ProbeError(f"{path} is a folder without bin/python; pass the interpreter itself")
        return found
    if not path.exists():
        broken_link(path)
        raise ProbeError(f"{path} does not exist; pass the path of a Python interpreter")
    return path


def _python_on_path(search_path: str) -> Path | None:
    import shutil

    own_bin = _own_bin()
    for folder in search_path.split(os.pathsep):
        if not folder or Path(folder).resolve() == own_bin:
            continue  # driftcheck's own (pipx) environment is not the user's
        for name in ("python3", "python"):
            found = shutil.which(name, path=folder)
            if found:
                return Path(found)
    return None


def _own_bin() -> Path | None:
    """The bin folder of driftcheck's own environment (pipx, a venv of its own), or None
    when driftcheck runs from driftcheck.pyz: the Python running it is the user's."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if not os.path.isdir(package):  # inside a zip archive
        return None
    return Path(sys.prefix, "Scripts" if WINDOWS else "bin").resolve()
