"""Which files are lockfiles (by name, else by content), read under a byte budget.

A name says the form (`uv.lock`, `pylock.dev.toml`, `requirements-ci.txt`, …) and the
content must agree; a file of another name is a lockfile only when its first bytes
say so unmistakably (`lock-version = …`, a Pipfile.lock's `_meta`), so that snapshots
and reports are never misread. Only regular files are opened, never blocking.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from driftcheck.errors import InvalidSnapshotError
from driftcheck.lockfiles.conda_env import read_conda_environment
from driftcheck.lockfiles.model import Lock, LockfileError
from driftcheck.lockfiles.pipfile_lock import read_pipfile_lock
from driftcheck.lockfiles.poetry_lock import read_poetry_lock
from driftcheck.lockfiles.poetry_project import poetry_project
from driftcheck.lockfiles.pylock import read_pylock
from driftcheck.lockfiles.requirements import read_requirements
from driftcheck.lockfiles.uv_lock import read_uv_lock
from driftcheck.regular_files import NotReadError, read_regular_file
from driftcheck.untrusted_json import JsonInputError, load_json
from driftcheck.untrusted_toml import TomlInputError, load_toml

MAX_LOCK_BYTES = 16 * 1024 * 1024  # a 3,000-package uv.lock is about 4 MB
SNIFF_BYTES = 64 * 1024

NAMES = (
    ("pylock.toml", "pylock.toml"),
    ("pylock.*.toml", "pylock.toml"),
    ("uv.lock", "uv.lock"),
    ("poetry.lock", "poetry.lock"),
    ("Pipfile.lock", "Pipfile.lock"),
    ("requirements*.txt", "requirements.txt"),
    ("environment*.yml", "environment.yml"),
    ("environment*.yaml", "environment.yml"),
)
_LOCK_VERSION = re.compile(rb"^lock-version\s*=", re.MULTILINE)
_PACKAGE_TABLE = re.compile(rb"^\[\[package\]\]", re.MULTILINE)
_UV_VERSION = re.compile(rb"^version\s*=\s*1\s*$", re.MULTILINE)


def form_by_name(path: str) -> str | None:
    name = Path(path).name
    for pattern, form in NAMES:
        if fnmatch.fnmatchcase(name, pattern):
            return form
    return None


def form_by_content(head: bytes) -> str | None:
    if b"driftcheck-" in head:  # a snapshot or a report: never a lockfile
        return None
    if head.lstrip()[:1] == b"{":
        return "Pipfile.lock" if b'"_meta"' in head and b'"pipfile-spec"' in head else None
    if _PACKAGE_TABLE.search(head):  # poetry.lock has a lock-version too, in [metadata]
        if b"content-hash" in head:
            return "poetry.lock"
        if _UV_VERSION.search(head):
            return "uv.lock"
        return None
    return "pylock.toml" if _LOCK_VERSION.search(head) else None


def lockfile_at(path: str) -> Lock | None:
    """The lock in `path`, None when it is not a lockfile (a snapshot, a report, a
    file that does not exist: the snapshot reader says what is wrong with those)."""
    form = form_by_name(path)
    try:
        if form is not None and os.stat(path).st_size > MAX_LOCK_BYTES:  # refused unread
            raise InvalidSnapshotError(
                f"{path}: larger than {MAX_LOCK_BYTES:,} bytes, more than any {form} "
                "driftcheck reads; pass the lockfile itself"
            )
        raw = read_regular_file(Path(path), MAX_LOCK_BYTES if form else SNIFF_BYTES)
    except FileNotFoundError:
        return None
    except NotReadError as exc:
        if form is None:
            return None
        raise InvalidSnapshotError(
            f"{path}: {exc}; pass a lockfile that is a regular file"
        ) from None
    if form is None:
        form = form_by_content(raw[:SNIFF_BYTES])
        if form is None:
            return None
        raw = read_regular_file(Path(path), MAX_LOCK_BYTES)
    if len(raw) > MAX_LOCK_BYTES:
        raise InvalidSnapshotError(
            f"{path}: larger than {MAX_LOCK_BYTES:,} bytes, more than any {form} driftcheck reads"
        )
    try:
        return parse_lock(raw, form, path)
    except LockfileError as exc:
        raise InvalidSnapshotError(f"{path}: not a readable {form}: {exc}") from None


def parse_lock(raw: bytes, form: str, path: str) -> Lock:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LockfileError(f"not UTF-8 text (byte {exc.start} is not)") from None
    readers: dict[str, Callable[[str, str], Lock]] = {
        "pylock.toml": lambda t, p: read_pylock(_toml(t), p),
        "uv.lock": lambda t, p: read_uv_lock(_toml(t), p),
        "poetry.lock": lambda t, p: read_poetry_lock(_toml(t), p, poetry_project(p)),
        "Pipfile.lock": lambda t, p: read_pipfile_lock(_json(t), p),
        "requirements.txt": read_requirements,
        "environment.yml": read_conda_environment,
    }
    return readers[form](text.removeprefix("\ufeff"), path)


def _toml(text: str) -> dict[str, Any]:
    try:
        return load_toml(text)
    except TomlInputError as exc:
        raise LockfileError(str(exc)) from None


def _json(text: str) -> Any:
    try:
        return load_json(text, unique_keys=True)
    except JsonInputError as exc:
        raise LockfileError(str(exc)) from None
