"""Every renderer, by the format or option that asks for it: one interface each.

A diff renderer turns a diff's result into the text of one format; a check renderer
turns a check's result into one CI report. Each renderer module is imported only when
its format is asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from driftcheck.diff.model import DiffResult
    from driftcheck.gate.verdict import CheckResult

DiffRenderer = Callable[["DiffResult"], str]
CheckRenderer = Callable[["CheckResult"], str]
DIFF_FORMATS = ("text", "json", "markdown")


def diff_renderer(output_format: str) -> DiffRenderer:
    """The renderer of ``diff --format``; ValueError for a format that has none."""
    if output_format == "text":
        from driftcheck.render.diff_text import render_text

        return render_text
    if output_format == "json":
        from driftcheck.render.diff_json import render_json

        return render_json
    if output_format == "markdown":
        from driftcheck.render.diff_markdown import render_markdown

        return render_markdown
    raise ValueError(f"no diff renderer for {output_format!r}")


def check_renderer(option: str, *, location: str) -> CheckRenderer:
    """The renderer of one of check's report options; ``location`` is the baseline's
    path as Code Quality names it."""
    if option == "--junit":
        from driftcheck.render.junit import render_junit

        return render_junit
    if option in ("--markdown", "--json"):
        from driftcheck.render.check_report import check_json, check_markdown

        return check_markdown if option == "--markdown" else check_json
    if option == "--codequality":
        from driftcheck.render.codequality import render_codequality

        return lambda result: render_codequality(result, location=location)
    raise ValueError(f"no check renderer for {option!r}")
