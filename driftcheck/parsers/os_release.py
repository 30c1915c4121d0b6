"""os-release(5): the one file that says which distribution a target is.

The format looks like shell but must not be run as shell (it is untrusted
target data), so the quoting rules are re-implemented here: "..." with
backslash escapes for $ " \\ ` only, '...' with none, and backslash escapes
outside quotes. Anything odd is skipped rather than raised: a damaged line
costs one key, never the whole snapshot.
"""

from __future__ import annotations

import re

# Shell variable names; the spec's own names are upper case, but lower-case
# keys are still valid shell and some vendors use them.
_ASSIGNMENT = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)")
_DOUBLE_QUOTE_ESCAPES = frozenset('$"\\`')


def parse_os_release(text: str) -> dict[str, str]:
    """Return the variables assigned in an os-release file; later lines win.

    Blank lines, comments and lines that are not `NAME=value` are ignored.
    """
    values: dict[str, str] = {}
    for line in text.removeprefix("\ufeff").split("\n"):
        match = _ASSIGNMENT.fullmatch(line.rstrip())
        if match is not None:
            values[match.group(1)] = _unquote(match.group(2))
    return values


def _unquote(raw: str) -> str:
    """Decode one shell-style value, leniently.

    An unterminated quote runs to the end of the line. Unquoted whitespace
    inside a value is kept (as systemd and Python's `platform` do), leading
    and trailing whitespace is not, and a `#` after whitespace starts a
    comment as in shell.
    """
    out: list[str] = []
    pending_space = ""
    i, n = 0, len(raw)
    while i < n:
        c = raw[i]
        if c in " \t":
            pending_space += c
            i += 1
            continue
        if pending_space:
            if c == "#":
                break
            if out:
                out.append(pending_space)
            pending_space = ""
        if c == "'":
            end = raw.find("'", i + 1)
            end = n if end < 0 else end
            out.append(raw[i + 1 : end])
            i = end + 1
        elif c == '"':
            i += 1
            while i < n and raw[i] != '"':
                if raw[i] == "\\" and i + 1 < n and raw[i + 1] in _DOUBLE_QUOTE_ESCAPES:
                    i += 1
                out.append(raw[i])
                i += 1
            i += 1
        elif c == "\\" and i + 1 < n:
            out.append(raw[i + 1])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)
