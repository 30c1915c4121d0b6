"""JSON that came from outside (a probe's answer, a snapshot file), bounded before use.

``json.loads`` alone accepts what no driftcheck writer emits and what the code
that walks the result cannot always survive: NaN and Infinity; integers of any
length (CPython refuses more than 4,300 digits, after parsing them); duplicate
keys, of which the last silently wins; and nesting as deep as the C decoder's
recursion guard allows, about 1,000 levels on Python 3.11 but 10,000 and more
on 3.12+, deeper than the recursive code that redacts and decodes the result
can go. Each of these is a ``JsonInputError`` naming the problem, so that the
caller turns it into its own one-line error.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DEPTH = 64  # a snapshot or a probe answer is under 10 levels deep
MAX_INT_DIGITS = 40  # a byte count needs 20


class JsonInputError(ValueError):
    """The text is not the bounded JSON driftcheck reads; the message says why."""


def load_json(raw: bytes | memoryview | str, *, unique_keys: bool = False) -> Any:
    """The JSON value in ``raw`` (UTF-8 when bytes); raises JsonInputError otherwise."""
    try:
        text = raw if isinstance(raw, str) else str(raw, "utf-8")
    except UnicodeDecodeError as exc:
        raise JsonInputError(f"not UTF-8 text (byte {exc.start} is not)") from None
    try:
        value = json.loads(
            text,
            parse_constant=_constant,
            parse_int=_integer,
            parse_float=_number,
            object_pairs_hook=_unique_object if unique_keys else None,
        )
    except RecursionError:
        raise JsonInputError(f"nested deeper than {MAX_DEPTH} levels") from None
    except JsonInputError:
        raise
    except ValueError as exc:
        raise JsonInputError(f"not valid JSON ({_first_line(exc)})") from None
    if not within_depth(value, MAX_DEPTH):
        raise JsonInputError(f"nested deeper than {MAX_DEPTH} levels")
    return value


def _constant(name: str) -> Any:
    raise JsonInputError(f"{name} is not a JSON number")


def _integer(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise JsonInputError(f"an integer of {len(digits.lstrip('-'))} digits")
    return int(digits)


def _number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonInputError(f"the number {text[:20]!r} is out of range")
    return value


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise JsonInputError(f"the key {key[:60]!r} appears twice in one object")
            seen.add(key)
    return result


def within_depth(value: Any, limit: int) -> bool:
    """Level by level over containers only (exact dicts and lists, as json and tomllib
    build them): no recursion, whatever the input."""
    level = [value] if value.__class__ is dict or value.__class__ is list else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return False
        deeper = []
        for node in level:
            for item in node.values() if node.__class__ is dict else node:
                if item.__class__ is dict or item.__class__ is list:
                    deeper.append(item)
        level = deeper
    return True


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
