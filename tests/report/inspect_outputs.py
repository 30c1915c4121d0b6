"""Checks on rendered bytes shared by the report tests: what a sink must never receive."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from markdown_it import MarkdownIt

# Raw characters that must never reach any output: ESC (CSI, OSC 8, OSC 52), BEL, CR,
# C1 controls (0x9b is a one-byte CSI), bidi overrides and isolates, line separators.
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)
OWN_HTML_BLOCKS = ("<details>", "</details>", "<summary>", "<!-- driftcheck-report")
MENTION = re.compile(r"(?:^|[^\w`])@[A-Za-z0-9]")


def assert_no_raw_controls(text: str, where: str) -> None:
    found = FORBIDDEN.search(text)
    assert found is None, f"{where}: raw {found.group()!r} at {found.start()}"


def markdown_tokens(markdown: str) -> list[Any]:
    parser = MarkdownIt("commonmark").enable("table").enable("strikethrough")
    out = []
    stack = list(parser.parse(markdown))
    while stack:
        token = stack.pop()
        out.append(token)
        stack.extend(token.children or [])
    return out


def assert_inert_markdown(markdown: str) -> None:
    """No link, image, inline HTML or @-mention; HTML blocks are driftcheck's own."""
    assert_no_raw_controls(markdown, "markdown")
    for token in markdown_tokens(markdown):
        assert token.type not in ("link_open", "image", "html_inline"), (token.type, token.content)
        if token.type == "html_block":
            assert token.content.startswith(OWN_HTML_BLOCKS), token.content[:200]
        if token.type == "text":
            assert not MENTION.search(token.content), token.content


class _Structure(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


HTML_TAGS = {
    "html", "head", "meta", "title", "style", "body", "script", "h1", "h2", "p", "dl",
    "dt", "dd", "details", "summary", "table", "thead", "tbody", "tr", "th", "td",
    "button", "div", "input", "select", "option", "span", "code", "pre", "ol", "ul",
    "li", "strong", "br",
}  # fmt: skip
HTML_ATTRIBUTES = {
    "lang", "charset", "http-equiv", "content", "name", "class", "id", "type", "data-col",
    "data-table", "data-role", "data-sort", "data-severity", "data-category", "placeholder",
    "aria-label", "value", "open",
}  # fmt: skip


def assert_inert_html(page: str) -> _Structure:
    """Only driftcheck's own tags and attributes, one script (its own), no URL anywhere."""
    assert_no_raw_controls(page, "html")
    structure = _Structure()
    structure.feed(page)
    for tag, attrs in structure.tags:
        assert tag in HTML_TAGS, tag
        for name, _ in attrs:
            assert name in HTML_ATTRIBUTES, (tag, name)
    assert [t for t, _ in structure.tags].count("script") == 1
    return structure
