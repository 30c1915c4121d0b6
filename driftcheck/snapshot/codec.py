"""Turns snapshot dataclasses into JSON-ready dicts and back, checking every type.

A snapshot file is untrusted input: decoding never trusts its shape, and a
mismatch names the exact place (``distributions[3].version``).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from functools import cache
from typing import Any, TypeVar, Union

T = TypeVar("T")


class ShapeError(ValueError):
    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where or 'top level'}: {problem}")
        self.where = where


_SCALARS = (str, int, float, bool, type(None))


def to_jsonable(value: Any) -> Any:
    """Called for every value of a snapshot (100,000s): scalars first, fields cached."""
    if isinstance(value, _SCALARS):
        return value
    names = field_names(type(value))  # type: ignore[arg-type]
    if names is not None:
        out: dict[str, Any] = {"redacted": True} if type(value).__name__ == "Redacted" else {}
        for name in names:
            out[name] = to_jsonable(getattr(value, name))
        return out
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [to_jsonable(v) for v in value]
    return value


@cache
def field_names(cls: type) -> tuple[str, ...] | None:
    """The field names of a dataclass, None for any other type (cached: asked 100,000s
    of times when a snapshot is written)."""
    if not dataclasses.is_dataclass(cls):
        return None
    return tuple(f.name for f in dataclasses.fields(cls))


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def from_jsonable(cls: type[T], data: Any, where: str = "") -> T:
    """Builds ``cls`` from ``data``; extra keys are ignored, missing required ones are not."""
    if not isinstance(data, dict):
        raise ShapeError(where, f"expected an object, found {_kind(data)}")
    kwargs: dict[str, Any] = {}
    hints = _hints(cls)  # type: ignore[arg-type]
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        path = f"{where}.{f.name}" if where else f.name
        if f.name not in data:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ShapeError(path, "missing")
            continue
        kwargs[f.name] = _decode(hints[f.name], data[f.name], path)
    return cls(**kwargs)


def _decode(tp: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        return _decode_union(typing.get_args(tp), value, where)
    if tp is Any:
        return value
    if dataclasses.is_dataclass(tp):
        return from_jsonable(tp, value, where)  # type: ignore[arg-type]
    if origin is tuple:
        if not isinstance(value, list):
            raise ShapeError(where, f"expected a list, found {_kind(value)}")
        item = typing.get_args(tp)[0]
        return tuple(_decode(item, v, f"{where}[{i}]") for i, v in enumerate(value))
    if origin in (Mapping, dict):
        if not isinstance(value, dict):
            raise ShapeError(where, f"expected an object, found {_kind(value)}")
        item = typing.get_args(tp)[1]
        return {k: _decode(item, v, f"{where}.{k}") for k, v in value.items()}
    if tp is type(None):
        if value is not None:
            raise ShapeError(where, f"expected null, found {_kind(value)}")
        return None
    if tp is bool:
        if not isinstance(value, bool):
            raise ShapeError(where, f"expected true or false, found {_kind(value)}")
        return value
    if tp is int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise ShapeError(where, f"expected an integer, found {_kind(value)}")
        return value
    if tp is str:
        if not isinstance(value, str):
            raise ShapeError(where, f"expected a string, found {_kind(value)}")
        return value
    raise TypeError(f"unsupported type {tp!r} at {where}")  # a bug in the model, not in input


def _decode_union(options: tuple[Any, ...], value: Any, where: str) -> Any:
    if value is None and type(None) in options:
        return None
    # A dict only decodes into a dataclass member, a scalar only into a scalar member.
    ordered = sorted(options, key=lambda o: not dataclasses.is_dataclass(o))
    for option in ordered:
        if option is type(None):
            continue
        try:
            return _decode(option, value, where)
        except ShapeError:
            continue
    raise ShapeError(where, f"{_kind(value)} is not allowed here")


def _kind(value: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        type(None): "null",
    }.get(type(value), type(value).__name__)
