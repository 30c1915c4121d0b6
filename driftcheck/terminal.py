"""Makes untrusted text safe for a terminal: control sequences become visible.

A package name or an environment value can hold ESC sequences (clear the
screen, OSC 8 links, OSC 52 clipboard writes), C1 controls, bidi overrides or
undecodable bytes.
Every string that came from a target passes through `visible` before printing.
"""

from __future__ import annotations

import re

_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Lone surrogates (undecodable bytes that Python kept with surrogateescape) and U+FFFE/U+FFFF
# cannot be written as UTF-8 or XML 1.0: a report holding one would fail to write.
_UNSAFE = re.compile(
    f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{_BIDI}\\u2028\\u2029\\ud800-\\udfff\\ufffe\\uffff]"
)


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, *, keep_newlines: bool = False) -> str:
    """Escapes every control or direction-changing character; tabs are kept."""
    escaped = _UNSAFE.sub(_escape, text)
    return escaped if keep_newlines else escaped.replace("\n", "\\n")
