"""TOML that a user points driftcheck at (a policy file, a project's pyproject.toml), bounded.

``tomllib`` parses arrays and inline tables recursively: 5,000 nested brackets
raise RecursionError, not TOMLDecodeError. Dotted keys and table headers nest
without recursion, but then hand every later reader (a message quoting a value,
a walk over the tables) a document thousands of levels deep. Both are a
``TomlInputError`` here, like any other invalid TOML, for the caller to turn into
its own one-line error.
"""

from __future__ import annotations

import sys
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

from driftcheck.untrusted_json import within_depth

MAX_DEPTH = 64  # a policy is 3 levels deep, a pyproject.toml rarely more than 6


class TomlInputError(ValueError):
    """Not TOML driftcheck reads; the message says why ("not valid TOML (…)", "nested …")."""


def load_toml(text: str) -> dict[str, Any]:
    try:
        document: dict[str, Any] = tomllib.loads(text)
    except RecursionError:
        raise TomlInputError(f"not valid TOML (nested deeper than {MAX_DEPTH} levels)") from None
    except tomllib.TOMLDecodeError as exc:
        raise TomlInputError(f"not valid TOML ({exc})") from None
    if not within_depth(document, MAX_DEPTH):
        raise TomlInputError(f"not valid TOML (nested deeper than {MAX_DEPTH} levels)")
    return document
