"""Untrusted text made inert for GitHub- and GitLab-flavoured Markdown.

A package name or an environment value must never become a link, an image, an
@-mention, HTML, emphasis or a table cell break. Plain text gets every ASCII
punctuation character backslash-escaped (CommonMark allows that for all of
them, and it also breaks bare-URL autolinks); code gets a backtick fence longer
than any backtick run inside it.
"""

from __future__ import annotations

import re

from driftcheck.terminal import visible

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_BACKTICKS = re.compile(r"`+")


def md_text(text: str) -> str:
    """Plain text, inert: visible control characters, escaped punctuation, one line.

    `@` alone becomes inline code: mentions are found in the rendered text, where a
    backslash escape is already gone, but never inside code.
    """
    return _PUNCTUATION.sub(r"\\\1", visible(text)).replace("\\@", "`@`")


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
