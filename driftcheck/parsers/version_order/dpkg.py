"""Debian's version order (deb-version(7), dpkg's verrevcmp): epoch:upstream-revision.

Upstream and revision are compared as alternating runs of non-digits and digits:
non-digits character by character, letters before other symbols and '~' before
everything, even the end (1.0~rc1 < 1.0); digits as numbers.
"""

from __future__ import annotations

from driftcheck.numbers import compare_digits, is_digits


def _is_digit(char: str) -> bool:
    return "0" <= char <= "9"


def _weight(char: str) -> int:
    """dpkg's order(): the end (and a digit) 0, '~' -1, ASCII letters, then the rest."""
    if not char or _is_digit(char):
        return 0
    if char == "~":
        return -1
    if char.isascii() and char.isalpha():
        return ord(char)
    return ord(char) + 256


def compare_fragment(a: str, b: str) -> int:
    """verrevcmp over one part (upstream or revision)."""
    i = j = 0
    while i < len(a) or j < len(b):
        while (i < len(a) and not _is_digit(a[i])) or (j < len(b) and not _is_digit(b[j])):
            weight_a = _weight(a[i] if i < len(a) else "")
            weight_b = _weight(b[j] if j < len(b) else "")
            if weight_a != weight_b:
                return -1 if weight_a < weight_b else 1
            i, j = i + 1, j + 1
        start_a, start_b = i, j
        while i < len(a) and _is_digit(a[i]):
            i += 1
        while j < len(b) and _is_digit(b[j]):
            j += 1
        order = compare_digits(a[start_a:i], b[start_b:j])
        if order:
            return order
    return 0


def _split(version: str) -> tuple[str, str, str] | None:
    """(epoch, upstream, revision), or None when the epoch is not a number."""
    epoch, colon, rest = version.partition(":")
    if not colon:
        epoch, rest = "0", version
    elif not is_digits(epoch):
        return None
    upstream, dash, revision = rest.rpartition("-")
    return (epoch, upstream, revision) if dash else (epoch, rest, "")


def compare_dpkg(a: str, b: str) -> int:
    """Negative, 0 or positive as ``a`` is older than, the same as or newer than ``b``."""
    split_a, split_b = _split(a), _split(b)
    if split_a is None or split_b is None:  # dpkg refuses such a version: plain text
        return (a > b) - (a < b)
    (epoch_a, upstream_a, revision_a), (epoch_b, upstream_b, revision_b) = split_a, split_b
    return (
        compare_digits(epoch_a, epoch_b)
        or compare_fragment(upstream_a, upstream_b)
        or compare_fragment(revision_a, revision_b)
    )
