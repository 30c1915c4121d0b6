"""Untrusted text made inert for GitHub- and GitLab-flavoured Markdown.

A package name or an environment value must never become a link, an image, an
@-mention, HTML, emphasis, math or a table cell break. Plain text gets a backslash
before each character that could start one of those (CommonMark allows escaping any
ASCII punctuation) and nothing else, so ``1.26.18, 2.0`` stays readable; the ``:`` of
a scheme and the ``.`` after ``www`` are escaped so that no bare URL is autolinked,
and a list or heading marker at the start is escaped. Code gets a backtick fence
longer than any backtick run inside it.
"""

from __future__ import annotations

import re

from driftcheck.terminal import visible

# What can open a link or an image ("[", "]": with them escaped, "(" and "!" are
# inert), HTML, an entity, emphasis, code, math, a heading, a table cell or
# strikethrough, and the ":" of an autolink's scheme ("https://", "mailto:");
# "@" becomes code below.
_ACTIVE = re.compile(r"([\\`*_\[\]<>#|~&$@]|:(?=/)|(?<=mailto):|(?<=xmpp):)", re.IGNORECASE)
_WWW = re.compile(r"(?i)\b(www)\.")
# A block marker at the very start: "- ", "+ ", "= ", "1. ", "1) " make a list or a
# heading when the text starts a line.
_LEADING_MARKER = re.compile(r"^(\d{1,9})([.)])(?=\s|$)|^([-+=])(?=\s|$|[-=]*$)")
_BACKTICKS = re.compile(r"`+")


def md_text(text: str) -> str:
    """Plain text, inert: visible control characters, escaped punctuation, one line.

    `@` alone becomes inline code: mentions are found in the rendered text, where a
    backslash escape is already gone, but never inside code.
    """
    escaped = _WWW.sub(r"\1\\.", _ACTIVE.sub(r"\\\1", visible(text)))
    escaped = _LEADING_MARKER.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", escaped)
    return escaped.replace("\\@", "`@`")


def md_code(text: str, *, in_table: bool = True) -> str:
    """Inline code that no content can close early; `|` escaped for table cells.

    Outside a table a backslash in a code span is literal, so `|` stays as it is.
    """
    flat = visible(text)
    if in_table:
        flat = flat.replace("|", "\\|")
    longest = max((len(run) for run in _BACKTICKS.findall(flat)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {flat} " if flat.startswith("`") or flat.endswith("`") or not flat else flat
    return f"{fence}{padded}{fence}"


def md_fence(text: str, info: str = "") -> list[str]:
    """A fenced code block (one line of content) that no content can close early."""
    flat = visible(text)
    longest = max((len(run) for run in _BACKTICKS.findall(flat)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{info}", flat, fence]
