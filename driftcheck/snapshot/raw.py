"""Typed accessors for the probe's raw answer, which is untrusted input.

Every accessor raises `RawShapeError` naming the field, so a hostile or broken
probe answer becomes one clear error rather than a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class RawShapeError(ValueError):
    pass


def obj(data: Any, field: str) -> Mapping[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise RawShapeError(f"{field} is not an object")
    return data


def text(data: Mapping[str, Any], key: str, field: str, default: str | None = None) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise RawShapeError(f"{field}.{key} is not a string")
    return value


def opt_text(data: Mapping[str, Any], key: str, field: str) -> str | None:
    value = data.get(key)
    if type(value) is str:  # the usual answer, first: asked ~10 times per distribution
        return value
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RawShapeError(f"{field}.{key} is not a string")
    return str(value)


def opt_int(data: Mapping[str, Any], key: str, field: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise RawShapeError(f"{field}.{key} is not an integer")
    return value


def flag(data: Mapping[str, Any], key: str, field: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool | int):
        raise RawShapeError(f"{field}.{key} is not a boolean")
    return bool(value)


def texts(data: Mapping[str, Any], key: str, field: str) -> tuple[str, ...]:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise RawShapeError(f"{field}.{key} is not a list of strings")
    items = tuple(value)
    # The types are collected in C; the item-by-item test runs only when one is not str.
    if set(map(type, items)) - {str} and not all(isinstance(v, str) for v in items):
        raise RawShapeError(f"{field}.{key} is not a list of strings")
    return items


def objects(data: Mapping[str, Any], key: str, field: str) -> list[Mapping[str, Any]]:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise RawShapeError(f"{field}.{key} is not a list")
    return [obj(item, f"{field}.{key}[{i}]") for i, item in enumerate(value)]


def text_map(data: Mapping[str, Any], key: str, field: str) -> dict[str, str | None]:
    value = obj(data.get(key), f"{field}.{key}")
    out: dict[str, str | None] = {}
    for name, item in value.items():
        if item is not None and not isinstance(item, str):
            raise RawShapeError(f"{field}.{key}.{name} is not a string")
        out[str(name)] = item
    return out
