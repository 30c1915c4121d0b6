"""Turns snapshot dataclasses into JSON-ready dicts and back, checking every type.

A snapshot file is untrusted input: decoding never trusts its shape, and a
mismatch names the exact place (``distributions[3].version``).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
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
    """Builds ``cls`` from ``data``; extra keys are ignored, missing required ones are not.

    A decoder compiled once per type does the work (a snapshot holds 100,000s of
    values); only when it refuses the data does the checked walk below run again,
    to name the exact place in the error.
    """
    try:
        return _compiled(cls)(data)  # type: ignore[no-any-return,arg-type]
    except _Mismatch:
        return _checked(cls, data, where)


def _checked(cls: type[T], data: Any, where: str) -> T:
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


class _Mismatch(Exception):
    """The compiled decoders' refusal: cheap, with no place; the checked walk names it."""


Decoder = Callable[[Any], Any]


@cache
def _compiled(tp: Any) -> Decoder:
    """A decoder accepting exactly what `_decode` accepts for ``tp``, without paths."""
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        return _compiled_union(typing.get_args(tp))
    if tp is Any:
        return _identity
    if dataclasses.is_dataclass(tp):
        return _compiled_dataclass(tp)  # type: ignore[arg-type]
    if origin is tuple:
        item_type = typing.get_args(tp)[0]
        if item_type is str:
            return _tuple_of_str
        item = _compiled(item_type)

        def tuple_of(value: Any) -> Any:
            if not isinstance(value, list):
                raise _Mismatch
            return tuple(item(v) for v in value)

        return tuple_of
    if origin in (Mapping, dict):
        item = _compiled(typing.get_args(tp)[1])

        def mapping_of(value: Any) -> Any:
            if not isinstance(value, dict):
                raise _Mismatch
            return {k: item(v) for k, v in value.items()}

        return mapping_of
    scalar = _SCALAR_DECODERS.get(tp)
    if scalar is None:
        raise TypeError(f"unsupported type {tp!r}")  # a bug in the model, not in input
    return scalar


def _compiled_dataclass(cls: type) -> Decoder:
    hints = _hints(cls)
    fields = [
        (
            f.name,
            _compiled(hints[f.name]),
            f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING,
        )
        for f in dataclasses.fields(cls)
    ]

    def decode(data: Any) -> Any:
        if not isinstance(data, dict):
            raise _Mismatch
        kwargs = {}
        for name, item, required in fields:
            if name in data:
                kwargs[name] = item(data[name])
            elif required:
                raise _Mismatch
        return cls(**kwargs)

    return decode


def _compiled_union(options: tuple[Any, ...]) -> Decoder:
    nullable = type(None) in options
    # As in _decode_union: dataclass members are tried before scalar ones.
    ordered = sorted(options, key=lambda o: not dataclasses.is_dataclass(o))
    members = [_compiled(o) for o in ordered if o is not type(None)]

    def decode(value: Any) -> Any:
        if value is None and nullable:
            return None
        for member in members:
            try:
                return member(value)
            except _Mismatch:
                continue
        raise _Mismatch

    return decode


def _identity(value: Any) -> Any:
    return value


def _tuple_of_str(value: Any) -> Any:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Mismatch
    return tuple(value)


def _none(value: Any) -> Any:
    if value is not None:
        raise _Mismatch
    return None


def _bool(value: Any) -> Any:
    if not isinstance(value, bool):
        raise _Mismatch
    return value


def _int(value: Any) -> Any:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Mismatch
    return value


def _str(value: Any) -> Any:
    if not isinstance(value, str):
        raise _Mismatch
    return value


_SCALAR_DECODERS: dict[Any, Decoder] = {type(None): _none, bool: _bool, int: _int, str: _str}


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
