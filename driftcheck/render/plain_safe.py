"""Untrusted text made legal and inert for XML 1.0, strict JSON readers and CI logs.

`terminal.visible` already turns control sequences and bidi overrides into
visible escapes. What remains illegal in XML 1.0 (even as a character
reference) and unencodable in UTF-8 are lone surrogates and the
non-characters U+FFFE and U+FFFF: a strict parser would reject the whole
report, so they become visible escapes too. Markup characters are left to each
format's serializer.
"""

from __future__ import annotations

import re

from driftcheck.render.terminal import visible

_ILLEGAL = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def plain_text(text: str, *, keep_newlines: bool = False) -> str:
    return _ILLEGAL.sub(_escape, visible(text, keep_newlines=keep_newlines))
