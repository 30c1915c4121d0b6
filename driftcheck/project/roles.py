"""Which of a project's imports and declarations make the program run, and which serve its
development: imports from tests and tooling files, extras, dependency groups and dev
requirement files. The program can start without the second kind, so they are weaker
evidence of use (diff/usage.py) and rank below (diff/relevance.py).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

_DEV_WORDS = re.compile(r"(^|[^a-z])(dev|develop|tests?|testing|lint|docs?|ci|typing)([^a-z]|$)")
_DEV_DIRS = frozenset({"tests", "test", "testing", "docs", "doc", "benchmarks", "examples"})
_DEV_FILES = frozenset({"conftest.py", "noxfile.py", "tasks.py", "setup.py", "fabfile.py"})


def is_development_file(path: str) -> bool:
    """A test, documentation or tooling file: its imports do not start the program."""
    parts = PurePosixPath(path).parts
    name = parts[-1] if parts else path
    if name in _DEV_FILES or name.startswith("test_") or name.endswith("_test.py"):
        return True
    return any(part in _DEV_DIRS for part in parts[:-1])


def is_extra_source(source: str) -> bool:
    return "(extra " in source


def is_optional_source(source: str) -> bool:
    """An extra, a dependency group, Poetry's dev dependencies, a dev requirements file."""
    if is_extra_source(source) or "(group " in source or "(poetry dev)" in source:
        return True
    if "(poetry group " in source:
        return "main" not in source
    return bool(_DEV_WORDS.search(source.lower())) and not source.startswith("pyproject.toml")
