"""The HTML report's templates cannot forget an escape: the environment does it.

Every `{{ value }}` goes through html_page.inert (controls made visible, then
html.escape with quotes) and autoescaping; only Markup (macro output, the page's own
CSS, script and CSP) passes as it is. These tests render real templates from the
package, and read the template sources for the ways to opt out of escaping.
"""

from __future__ import annotations

import re
from importlib import resources

from driftcheck.report.html_page import CONTENT_SECURITY_POLICY, SCRIPT, STYLE, templates

HOSTILE = "<script>alert('x')</script> & \"q\" \x1b[31m\u202e\r\n"


def test_a_bare_value_in_any_template_is_escaped_and_visible() -> None:
    page = (
        templates()
        .from_string('<p title="{{ value }}">{{ value }}</p>{{ value ~ "<b>" }}')
        .render(value=HOSTILE)
    )
    assert "<script>" not in page and "<b>" not in page and "\x1b" not in page
    assert "\u202e" not in page and "\r" not in page and "\n" not in page
    shown = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;q&quot; \\x1b[31m"
    assert page.count(shown) == 3, page
    # The title attribute cannot be closed early: its only quote is the template's own.
    assert page.startswith('<p title="&lt;script&gt;') and page.count('"') == 2


def test_the_page_shell_is_inserted_verbatim_and_the_title_escaped() -> None:
    page = (
        templates()
        .from_string('{% from "parts.html.j2" import page %}{% call page(t) %}{% endcall %}')
        .render(t=HOSTILE)
    )
    assert f'content="{CONTENT_SECURITY_POLICY}"' in page  # its quotes hash-sourced, kept
    assert f"<style>{STYLE}</style>" in page and f"<script>{SCRIPT}</script>" in page
    assert page.count("<script>") == 1
    assert "<title>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;q&quot; " in page
    assert "\\x1b[31m\\u202e\\x0d\\n</title>" in page


def test_no_template_opts_out_of_escaping() -> None:
    folder = resources.files("driftcheck.report") / "templates"
    sources = {f.name: f.read_text(encoding="utf-8") for f in folder.iterdir()}
    assert {"parts.html.j2", "environment.html.j2", "drift.html.j2"} <= set(sources)
    opt_outs = re.compile(r"\|\s*safe\b|autoescape\s+false|\bMarkup\b")
    for name, source in sources.items():
        assert not opt_outs.search(source), name
