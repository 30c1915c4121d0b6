"""`report --preview`: the Markdown exactly as it would be shared, redactions marked.

Three things stand where a secret was: a redacted value (`<redacted by RULE>`), a
secret cut out of free text (`<redacted>`) and masked URL credentials (`***`). On a
terminal each is shown in reverse video; elsewhere (a pipe, a file) it is framed by
`[[` and `]]`. The embedded snapshot's base64 lines are folded into one line: they
are the same redacted snapshot, compressed, and unreadable anyway.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from driftcheck.redaction.rules import MASK, REDACTED
from driftcheck.report.embed import MARKER
from driftcheck.report.markdown_parts import REDACTED_WORD
from driftcheck.terminal import visible

_MARKS = re.compile(
    "|".join(
        [
            rf"\\?<{REDACTED_WORD} by [^>\n]{{1,80}}>",
            re.escape(REDACTED).replace("<", r"\\?<").replace(">", r"\\?>"),
            re.escape(MASK),
            r"\\\*\\\*\\\*",  # *** after md_text's escaping
        ]
    )
)
_BLOCK = re.compile(
    rf"^(?P<header>{MARKER} v[0-9]+ .*)\n(?P<body>(?:[A-Za-z0-9+/=]+\n)*)(?P<end>end {MARKER} .*)$",
    re.M,
)
ON = "\x1b[7m"
OFF = "\x1b[27m"


@dataclass(frozen=True)
class Preview:
    text: str
    marked: int


def preview(markdown: str, *, terminal: bool) -> Preview:
    folded = _BLOCK.sub(_fold, markdown)
    safe = visible(folded, keep_newlines=True)  # our own escapes are added after this
    start, end = (ON, OFF) if terminal else ("[[", "]]")
    text, count = _MARKS.subn(lambda m: f"{start}{m.group(0)}{end}", safe)
    return Preview(text, count)


def _fold(match: re.Match[str]) -> str:
    lines = match["body"].count("\n")
    return (
        f"{match['header']}\n"
        f"({lines} lines of base64: the snapshot this report describes, compressed)\n"
        f"{match['end']}"
    )
