"""Typed access to the tables of a parsed lockfile, whose shape is never trusted."""

from __future__ import annotations

from typing import Any

from driftcheck.lockfiles.model import LockfileError


def table(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise LockfileError(f"{where} is not a table")
    return value


def tables(value: Any, where: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise LockfileError(f"{where} is not a list of tables")
    return value


def text(value: Any, where: str, *, required: bool = False) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or len(value) > 4096:
        raise LockfileError(
            f"{where} is not a string" if not isinstance(value, str) else f"{where} is too long"
        )
    return value


def strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise LockfileError(f"{where} is not a list of strings")
    return tuple(value)
