"""Turns snapshot dataclasses into JSON-ready dicts and back, checking every type.

A snapshot file is untrusted input: decoding never trusts its shape, and a
mismatch names the exact place (``distributions[3].version``).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Iterable, Mapping
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

    One decoder per type, compiled once (a snapshot holds 100,000s of values). A value
    it refuses raises ``ShapeError`` naming the exact place (``distributions[3].version:
    expected a string, found an integer``): the place is gathered only while the refusal
    travels up, so a sound document pays nothing for it.
    """
    try:
        return _compiled(cls)(data)  # type: ignore[no-any-return,arg-type]
    except _Mismatch as exc:
        place = (where + "".join(reversed(exc.steps))).removeprefix(".")
        raise ShapeError(place, exc.problem) from None


class _Mismatch(Exception):
    """A decoder's refusal: the problem, and the steps (``.name``, ``[3]``) from the
    refused value up to where it was caught, innermost first."""

    def __init__(self, problem: str, step: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.steps: list[str] = [] if step is None else [step]


Decoder = Callable[[Any], Any]


@cache
def _compiled(tp: Any) -> Decoder:
    """The decoder for ``tp``: dataclasses, unions (dataclass members first), tuples,
    mappings, ``Any`` and the JSON scalars."""
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        return _compiled_union(typing.get_args(tp))
    if tp is Any:
        return _identity
    if dataclasses.is_dataclass(tp):
        return _compiled_dataclass(tp)  # type: ignore[arg-type]
    if origin is tuple:
        item_type = typing.get_args(tp)[0]
        return _tuple_of_str if item_type is str else _compiled_tuple(_compiled(item_type))
    if origin in (Mapping, dict):
        return _compiled_mapping(_compiled(typing.get_args(tp)[1]))
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
            raise _Mismatch(f"expected an object, found {_kind(data)}")
        kwargs = {}
        for name, item, required in fields:
            if name in data:
                try:
                    kwargs[name] = item(data[name])
                except _Mismatch as exc:
                    exc.steps.append(f".{name}")
                    raise
            elif required:
                raise _Mismatch("missing", f".{name}")
        return cls(**kwargs)

    return decode


def _compiled_tuple(item: Decoder) -> Decoder:
    def decode(value: Any) -> Any:
        if not isinstance(value, list):
            raise _Mismatch(f"expected a list, found {_kind(value)}")
        try:
            return tuple([item(v) for v in value])
        except _Mismatch:
            _locate(item, enumerate(value), "[{}]")
            raise

    return decode


def _compiled_mapping(item: Decoder) -> Decoder:
    def decode(value: Any) -> Any:
        if not isinstance(value, dict):
            raise _Mismatch(f"expected an object, found {_kind(value)}")
        try:
            return {k: item(v) for k, v in value.items()}
        except _Mismatch:
            _locate(item, value.items(), ".{}")
            raise

    return decode


def _locate(item: Decoder, entries: Iterable[tuple[Any, Any]], step: str) -> None:
    """Decodes the entries again (the refusal path only) to name the one refused."""
    for key, value in entries:
        try:
            item(value)
        except _Mismatch as exc:
            exc.steps.append(step.format(key))
            raise exc from None


def _compiled_union(options: tuple[Any, ...]) -> Decoder:
    nullable = type(None) in options
    # A dict only decodes into a dataclass member, a scalar only into a scalar member:
    # dataclass members are tried first.
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
        raise _Mismatch(f"{_kind(value)} is not allowed here")

    return decode


def _identity(value: Any) -> Any:
    return value


def _tuple_of_str(value: Any) -> Any:
    if not isinstance(value, list):
        raise _Mismatch(f"expected a list, found {_kind(value)}")
    if not all(isinstance(v, str) for v in value):
        _locate(_str, enumerate(value), "[{}]")
    return tuple(value)


def _none(value: Any) -> Any:
    if value is not None:
        raise _Mismatch(f"expected null, found {_kind(value)}")
    return None


def _bool(value: Any) -> Any:
    if not isinstance(value, bool):
        raise _Mismatch(f"expected true or false, found {_kind(value)}")
    return value


def _int(value: Any) -> Any:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Mismatch(f"expected an integer, found {_kind(value)}")
    return value


def _str(value: Any) -> Any:
    if not isinstance(value, str):
        raise _Mismatch(f"expected a string, found {_kind(value)}")
    return value


_SCALAR_DECODERS: dict[Any, Decoder] = {type(None): _none, bool: _bool, int: _int, str: _str}


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
