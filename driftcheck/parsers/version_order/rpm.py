"""RPM's version order (rpmvercmp, rpm-version(7)): epoch:version-release.

Version and release are split into runs of ASCII letters and of digits; anything
else only separates. Digits beat letters, numbers compare as numbers, letters as
text. '~' sorts before everything, even the end (1.0~rc1 < 1.0); '^' after the
end but before anything else (1.0 < 1.0^git1 < 1.0.1).
"""

from __future__ import annotations

from driftcheck.numbers import compare_digits, is_digits


def _is_digit(char: str) -> bool:
    return "0" <= char <= "9"


def _is_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _run(text: str, start: int, digits: bool) -> int:
    """Where the run of digits (or of ASCII letters) starting at ``start`` ends."""
    end = start
    while end < len(text) and (
        _is_digit(text[end]) if digits else (text[end].isascii() and text[end].isalpha())
    ):
        end += 1
    return end


def rpmvercmp(a: str, b: str) -> int:
    if a == b:
        return 0
    i = j = 0
    while i < len(a) or j < len(b):
        while i < len(a) and not _is_alnum(a[i]) and a[i] not in "~^":
            i += 1
        while j < len(b) and not _is_alnum(b[j]) and b[j] not in "~^":
            j += 1
        char_a, char_b = a[i : i + 1], b[j : j + 1]
        if char_a == "~" or char_b == "~":
            if char_a != "~":
                return 1
            if char_b != "~":
                return -1
            i, j = i + 1, j + 1
            continue
        if char_a == "^" or char_b == "^":
            if not char_a:
                return -1
            if not char_b:
                return 1
            if char_a != "^":
                return 1
            if char_b != "^":
                return -1
            i, j = i + 1, j + 1
            continue
        if not (char_a and char_b):
            break
        digits = _is_digit(char_a)
        end_a, end_b = _run(a, i, digits), _run(b, j, digits)
        if end_b == j:  # the runs are of different kinds: digits are newer
            return 1 if digits else -1
        run_a, run_b = a[i:end_a], b[j:end_b]
        order = compare_digits(run_a, run_b) if digits else (run_a > run_b) - (run_a < run_b)
        if order:
            return order
        i, j = end_a, end_b
    if i >= len(a) and j >= len(b):
        return 0
    return -1 if i >= len(a) else 1


def _split(evr: str) -> tuple[str, str, str] | None:
    """(epoch, version, release), or None when the epoch is not a number."""
    epoch, colon, rest = evr.partition(":")
    if not colon:
        epoch, rest = "0", evr
    elif not is_digits(epoch):
        return None
    version, dash, release = rest.rpartition("-")
    return (epoch, version, release) if dash else (epoch, rest, "")


def compare_rpm(a: str, b: str) -> int:
    """Negative, 0 or positive as ``a`` is older than, the same as or newer than ``b``."""
    split_a, split_b = _split(a), _split(b)
    if split_a is None or split_b is None:
        return (a > b) - (a < b)
    (epoch_a, version_a, release_a), (epoch_b, version_b, release_b) = split_a, split_b
    return (
        compare_digits(epoch_a, epoch_b)
        or rpmvercmp(version_a, version_b)
        or rpmvercmp(release_a, release_b)
    )
