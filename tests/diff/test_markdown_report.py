"""The Markdown report: hostile strings from a snapshot stay inert text."""

from __future__ import annotations

from dataclasses import replace

import pytest
from markdown_it import MarkdownIt

from driftcheck.diff.engine import compare
from driftcheck.diff.model import DiffResult, Finding, Fix, Severity
from driftcheck.render.diff_markdown import render_markdown
from driftcheck.render.markdown_safe import md_code, md_text
from driftcheck.snapshot.model import Distribution
from driftcheck.terminal import visible

from support import small_snapshot

HOSTILE = [
    "[click](https://evil.example/x)",
    "![img](https://evil.example/p.png)",
    "<script>alert(1)</script>",
    "@maintainer please",
    "`` ``` fence ``` ``",
    "a | b | c",
    "line1\nline2 # heading",
    "\x1b[2J\u202eevil",
    "<https://evil.example>",
    "*bold* _it_ ~~s~~",
]
OWN_HTML = {"<details>\n", "</details>\n"}


def _inline_texts(markdown: str) -> list[str]:
    """Each inline run as a reader sees it, in document order (text and inline code)."""
    runs = []
    for token in MarkdownIt("commonmark").enable("table").parse(markdown):
        if token.type == "inline":
            kept = (c.content for c in token.children or [] if c.type in ("text", "code_inline"))
            runs.append("".join(kept))
    return runs


def _tokens(markdown: str) -> list:
    parser = MarkdownIt("commonmark").enable("table")
    out = []
    stack = parser.parse(markdown)
    while stack:
        token = stack.pop()
        out.append(token)
        stack.extend(token.children or [])
    return out


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_strings_never_become_markup(hostile):
    left = small_snapshot()
    right = replace(
        left,
        environment={"HOME": hostile, hostile: "x"},
        distributions=(Distribution(hostile, "evil-pkg", "1.0", "/site", "e.dist-info"),),
    )
    markdown = render_markdown(compare(left, right, left_label=hostile, right_label="b"))
    assert "\x1b" not in markdown and "\u202e" not in markdown
    for token in _tokens(markdown):
        assert token.type not in ("link_open", "image", "html_inline"), (token.type, markdown)
        if token.type == "html_block":
            assert token.content.startswith(("<details>", "</details>", "<summary>")), token.content


def test_table_rows_keep_their_five_cells():
    left = small_snapshot()
    right = replace(left, environment={"HOME": "a | b | c"})
    markdown = render_markdown(compare(left, right))
    rows = [t for t in _tokens(markdown) if t.type == "tr_open"]
    assert rows
    for table_row in [line for line in markdown.splitlines() if line.startswith("| ")]:
        unescaped = table_row.replace("\\|", "")
        assert unescaped.count("|") == 6, table_row


def test_code_fence_is_longer_than_any_backtick_run():
    assert md_code("a ``` b") == "````a ``` b````"
    assert md_text("[x](y)") == "\\[x\\](y)"


def test_plain_text_escapes_only_what_would_render():
    """Versions and sentences stay readable: only what could open markup is escaped."""
    assert md_text("six 1.26.18, 2.0 (minor): fine; 50% - ok") == (
        "six 1.26.18, 2.0 (minor): fine; 50% - ok"
    )
    assert md_text("https://x.io/a") == "https\\://x.io/a"
    assert md_text("www.x.io") == "www\\.x.io"
    assert md_text("1. first") == "1\\. first"
    assert md_text("- item") == "\\- item"
    assert md_text("a*b_c`d|e~f$g<h&i#j") == "a\\*b\\_c\\`d\\|e\\~f\\$g\\<h\\&i\\#j"


@pytest.mark.parametrize("hostile", HOSTILE)
def test_commands_are_code_blocks_and_advice_is_inert_text(hostile):
    finding = Finding(
        category="packages",
        subject="x",
        severity=Severity.HIGH,
        explanation="x broke.",
        fix=Fix(command=f"pip install {hostile}", advice=f"ask {hostile}", on=hostile),
    )
    markdown = render_markdown(DiffResult("a", "b", (finding,)))
    tokens = _tokens(markdown)
    fences = [t for t in tokens if t.type == "fence"]
    assert [t.content for t in fences] == [visible(f"pip install {hostile}") + "\n"]
    assert fences[0].info == "sh"
    # escaped prose reads as the text itself (an `@` is shown as code: never a mention)
    assert f"Fix: ask {visible(hostile)}" in _inline_texts(markdown)
    for token in tokens:
        assert token.type not in ("link_open", "image", "html_inline"), (token.type, markdown)


def test_prose_advice_is_never_code():
    finding = Finding(
        category="os",
        subject="OS release",
        severity=Severity.MEDIUM,
        explanation="The OS differs.",
        fix=Fix.advise("build B from the same base image as A"),
    )
    tokens = _tokens(render_markdown(DiffResult("a", "b", (finding,))))
    assert not [t for t in tokens if t.type in ("fence", "code_inline") and "build" in t.content]
