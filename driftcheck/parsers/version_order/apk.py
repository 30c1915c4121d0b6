"""Alpine's version order (apk-tools, src/version.c): digit{.digit}{letter}{_suffix{#}}{~hash}{-r#}.

A version is read as a sequence of tokens, each kind allowed only after the kinds
before it: numbers separated by dots, one letter, suffixes with optional numbers,
a commit hash, a revision. Two versions are compared token by token. Suffixes
have a fixed order around the release itself:

    _alpha < _beta < _pre < _rc < (no suffix) < _cvs < _svn < _git < _hg < _p

so 1.2.3_rc1-r0 comes before 1.2.3-r0, and 1.2.3_p1 after it. A number after a
dot that starts with 0 is compared as text (1.02 < 1.1), as apk does. When one
version runs out first, it is the older one unless the other goes on with a
pre-release suffix; a token apk cannot read ends the version, as in apk, and
sorts below the end.
"""

from __future__ import annotations

from dataclasses import dataclass

from driftcheck.numbers import compare_digits

# Token kinds in the order they may follow each other (apk's enum PARTS).
INITIAL_DIGIT, DIGIT, LETTER, SUFFIX, SUFFIX_NUMBER, COMMIT_HASH, REVISION, END, INVALID = range(9)
_SUFFIXES = ("alpha", "beta", "pre", "rc", "", "cvs", "svn", "git", "hg", "p")
_RELEASE = _SUFFIXES.index("")  # no suffix: the release itself
_HEX = frozenset("0123456789abcdefABCDEF")


@dataclass(frozen=True)
class _Token:
    kind: int
    text: str = ""
    suffix: int = _RELEASE


def _span(text: str, start: int, allowed: str | frozenset[str]) -> int:
    end = start
    while end < len(text) and text[end] in allowed:
        end += 1
    return end


def _tokens(version: str) -> list[_Token]:
    """The tokens of ``version``, ending with END or INVALID."""
    found: list[_Token] = []
    end = _span(version, 0, "0123456789")
    if end == 0:
        return [_Token(INVALID)]
    found.append(_Token(INITIAL_DIGIT, version[:end]))
    position, kind = end, INITIAL_DIGIT
    while position < len(version):
        token, position = _next(version, position, kind)
        found.append(token)
        if token.kind == INVALID:
            return found
        kind = token.kind
    found.append(_Token(END))
    return found


def _next(version: str, position: int, previous: int) -> tuple[_Token, int]:
    """The token at ``position``, which must be allowed after ``previous``, and where it ends."""
    char = version[position]
    if "a" <= char <= "z" and previous <= DIGIT:
        return _Token(LETTER, char), position + 1
    if char in ".0123456789" and previous <= SUFFIX:
        if char == ".":
            if previous > DIGIT:
                return _Token(INVALID), position
            position += 1
        elif previous not in (INITIAL_DIGIT, DIGIT, SUFFIX):
            return _Token(INVALID), position
        end = _span(version, position, "0123456789")
        if end == position:
            return _Token(INVALID), position
        kind = SUFFIX_NUMBER if previous == SUFFIX else DIGIT
        return _Token(kind, version[position:end]), end
    if char == "_" and previous <= SUFFIX_NUMBER:
        end = _span(version, position + 1, "abcdefghijklmnopqrstuvwxyz")
        name = version[position + 1 : end]
        if name and name in _SUFFIXES:
            return _Token(SUFFIX, name, _SUFFIXES.index(name)), end
    elif char == "~" and previous < COMMIT_HASH:
        end = _span(version, position + 1, _HEX)
        if end > position + 1:
            return _Token(COMMIT_HASH, version[position + 1 : end]), end
    elif char == "-" and previous < REVISION and version.startswith("-r", position):
        end = _span(version, position + 2, "0123456789")
        if end > position + 2:
            return _Token(REVISION, version[position + 2 : end]), end
    return _Token(INVALID), position


def _compare_tokens(a: _Token, b: _Token) -> int:
    """Two tokens of the same kind."""
    if a.kind == SUFFIX:
        return (a.suffix > b.suffix) - (a.suffix < b.suffix)
    if a.kind in (INITIAL_DIGIT, SUFFIX_NUMBER, REVISION) or (
        a.kind == DIGIT and not a.text.startswith("0") and not b.text.startswith("0")
    ):
        return compare_digits(a.text, b.text)
    # a letter, a commit hash, or a number after a dot with a leading zero: as text
    return (a.text > b.text) - (a.text < b.text)


def compare_apk(a: str, b: str) -> int:
    """Negative, 0 or positive as ``a`` is older than, the same as or newer than ``b``."""
    tokens_a, tokens_b = _tokens(a), _tokens(b)
    for token_a, token_b in zip(tokens_a, tokens_b, strict=False):
        if token_a.kind != token_b.kind:
            return _compare_ends(token_a, token_b)
        if token_a.kind >= END:
            return 0
        order = _compare_tokens(token_a, token_b)
        if order:
            return order
    return 0  # not reached: both lists end with END or INVALID


def _compare_ends(a: _Token, b: _Token) -> int:
    """Equal so far, then different kinds of token: the one that goes on is newer, unless
    it goes on with a pre-release suffix."""
    if a.kind == SUFFIX and a.suffix < _RELEASE:
        return -1
    if b.kind == SUFFIX and b.suffix < _RELEASE:
        return 1
    return -1 if a.kind > b.kind else 1
