"""Numbers inside text that came from a target: versions, tags, library names.

Two traps lie in ``int(text)``. ``str.isdigit`` is true for characters ``int``
refuses ('²', '①'), and ``int`` takes digits of other scripts ('٣') that no
version scheme means. And CPython refuses to convert more than 4,300 digits
(fewer when ``PYTHONINTMAXSTRDIGITS`` says so): a version of 5,000 digits raised
ValueError deep inside a comparison. So: only ASCII digits count as digits, a
number longer than ``MAX_DIGITS`` is not turned into an ``int`` at all, and runs
of digits of any length are compared as text, by length then digit by digit.
"""

from __future__ import annotations

import re

# No real version, tag or soname carries a number this long; far below the 640 digits
# that PYTHONINTMAXSTRDIGITS can lower CPython's conversion limit to.
MAX_DIGITS = 64
DIGITS = re.compile(r"[0-9]+")
_TOO_LONG = re.compile(f"[0-9]{{{MAX_DIGITS + 1}}}")


def is_digits(text: str) -> bool:
    """Only '0'-'9', at least one: what every version scheme calls a number."""
    return text.isascii() and text.isdigit()


def small_int(text: str) -> int | None:
    """The value of a run of ASCII digits, or None: not digits, or longer than MAX_DIGITS."""
    if not is_digits(text) or len(text) > MAX_DIGITS:
        return None
    return int(text)


def has_long_number(text: str) -> bool:
    """True when ``text`` holds a run of more than MAX_DIGITS ASCII digits."""
    return _TOO_LONG.search(text) is not None


def compare_digits(a: str, b: str) -> int:
    """-1, 0 or 1: two runs of ASCII digits compared as numbers, however long ('' is 0)."""
    a, b = a.lstrip("0"), b.lstrip("0")
    if len(a) != len(b):
        return -1 if len(a) < len(b) else 1
    return (a > b) - (a < b)
