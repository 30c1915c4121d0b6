"""Markdown building blocks shared by the environment and drift reports.

Target strings only ever pass through `md_code` or `md_text`; the HTML here
(<details>, <summary>) holds driftcheck's own words and numbers, never target text,
because GitHub and GitLab do not apply Markdown escapes inside an HTML block.
"""

from __future__ import annotations

from collections.abc import Sequence

from driftcheck.render.markdown_safe import md_code
from driftcheck.report.facts import Cell, Table
from driftcheck.snapshot.model import Redacted

REPORT_COMMENT = "<!-- driftcheck-report v1 -->\n"
REDACTED_WORD = "redacted"  # how a redacted value reads in a report; --preview marks it


def redacted_text(value: Redacted) -> str:
    shown = f"<{REDACTED_WORD} by {value.rule}>"
    return f"{value.preview} {shown}" if value.preview else shown


def cell(value: Cell, *, limit: int | None = None) -> str:
    if isinstance(value, Redacted):
        return md_code(redacted_text(value))
    if not value:
        return ""
    if limit is not None and len(value) > limit:
        value = value[:limit] + "…"
    return md_code(value)


def table(data: Table, *, limit: int | None = None) -> str:
    header = "| " + " | ".join(data.columns) + " |"
    rule = "|" + "---|" * len(data.columns)
    rows = ["| " + " | ".join(cell(c, limit=limit) for c in row) + " |" for row in data.rows]
    return "\n".join([header, rule, *rows]) + "\n"


def details(summary: str, body: str) -> str:
    """A collapsible section; SUMMARY is driftcheck's own text (no target strings)."""
    return f"<details>\n<summary>{summary}</summary>\n\n{body.rstrip()}\n\n</details>\n\n"


def bullet_list(items: Sequence[str]) -> str:
    return "".join(f"- {md_code(item)}\n" for item in items)


def more(shown: int, total: int) -> str:
    return f"\n… and {total - shown} more, left out to fit.\n" if total > shown else ""


def notice(left_out: Sequence[str], *, embedded: bool, limit: int) -> str:
    if not left_out:
        return ""
    where = (
        " The embedded snapshot below still holds everything."
        if embedded
        else " Ask the reporter for the snapshot file for everything."
    )
    return (
        f"> **Shortened to fit the {limit:,}-character limit of an issue body.** "
        f"Left out: {'; '.join(left_out)}.{where}\n\n"
    )


def embedded_section(blocks: Sequence[str]) -> str:
    if not blocks:
        return ""
    count = len(blocks)
    which = (
        "`FILE.md` reads the snapshot"
        if count == 1
        else "`FILE.md` (or `FILE.md#1`) reads the left snapshot, `FILE.md#2` the right one"
    )
    body = (
        "Saved as a file, this report is a snapshot: `driftcheck show FILE.md`, "
        f"`driftcheck diff FILE.md my-env.json`; {which}.\n\n"
        + "".join(f"```text\n{block}\n```\n\n" for block in blocks)
    )
    title = "Snapshot" if count == 1 else "Snapshots"
    return details(f"{title} for driftcheck (machine-readable, redacted)", body)
