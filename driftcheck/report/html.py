"""The HTML report: everything (no size limit), sortable and filterable tables.

Every target string reaches the page through `esc` (visible control characters,
then html.escape with quotes), as element text or a quoted attribute value; none
goes into the script, a URL or a style.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from driftcheck.diff.model import Finding, Report, Severity
from driftcheck.render.summary import env_line, os_line, packages_line, python_line
from driftcheck.report import facts
from driftcheck.report.facts import Cell, Table
from driftcheck.report.html_page import esc, page
from driftcheck.report.markdown_parts import redacted_text
from driftcheck.snapshot.model import Redacted, Snapshot

MEMBERS_SHOWN = 200


def html_environment_report(snapshot: Snapshot, label: str, blocks: Sequence[str]) -> str:
    title = f"driftcheck environment report: {label}"
    sections = [
        f"<h1>{esc(title)}</h1>",
        _facts_list(snapshot),
        f'<p class="muted">{esc(facts.created_line(snapshot))}.</p>',
        _section("Interpreter", _interpreter(snapshot)),
        _section(
            f"Distributions ({len(snapshot.distributions)})",
            _data_table("distributions", facts.distributions_table(snapshot)),
        ),
        _section(
            f"Environment variables ({len(snapshot.environment)}, "
            f"{facts.redacted_count(snapshot)} redacted)",
            _data_table("environment", facts.environment_table(snapshot)),
        ),
        _section(
            f"OS packages ({len(snapshot.os_packages)})",
            _data_table("os-packages", facts.os_packages_table(snapshot)),
        ),
        _optional("Native libraries", "native", facts.native_libraries_table(snapshot)),
        _optional(".pth start-up files", "pth", facts.pth_table(snapshot)),
        _optional("Container", "container", facts.container_table(snapshot)),
        _optional("Unknowns: what could not be read", "unknowns", facts.unknowns_table(snapshot)),
        _embedded(blocks),
    ]
    return page(title, "\n".join(s for s in sections if s))


def html_drift_report(
    report: Report, left: Snapshot, right: Snapshot, blocks: Sequence[str]
) -> str:
    title = f"driftcheck: {report.left_label} \u2192 {report.right_label}"
    sections = [f"<h1>{esc(title)}</h1>"]
    if not report.drift:
        sections.append("<p><strong>No drift.</strong></p>")
    causes = report.likely_causes()
    if causes:
        items = "".join(f"<li>{_badge(f)} {esc(f.explanation)}{_fix(f)}</li>" for f in causes)
        note = (
            "<p>Nothing is rated medium or above: the likeliest low findings.</p>\n"
            if report.causes_are_low
            else ""
        )
        sections.append(f"<h2>Likely causes</h2>\n{note}<ol>{items}</ol>")
    sections.append(_section(f"Findings ({len(report.findings)})", _findings(report)))
    if report.not_comparable:
        items = "".join(f"<li>{esc(item)}</li>" for item in report.not_comparable)
        sections.append(_section("Not comparable", f"<ul>{items}</ul>"))
    sides = "".join(
        f"<li><code>{esc(label)}</code>: {esc(python_line(s))}; {esc(os_line(s))}; "
        f"{esc(packages_line(s))}</li>"
        for label, s in ((report.left_label, left), (report.right_label, right))
    )
    sections.append(_section("The two environments", f"<ul>{sides}</ul>"))
    sections.append(_embedded(blocks))
    return page(title, "\n".join(s for s in sections if s))


def _section(title: str, body: str) -> str:
    return f"<details open>\n<summary>{esc(title)}</summary>\n{body}\n</details>"


def _optional(title: str, table_id: str, data: Table) -> str:
    if not data.rows:
        return ""
    return _section(f"{title} ({len(data.rows)})", _data_table(table_id, data))


def _facts_list(snapshot: Snapshot) -> str:
    rows = (
        ("Python", python_line(snapshot)),
        ("OS", os_line(snapshot)),
        ("Packages", packages_line(snapshot)),
        ("Environment", env_line(snapshot)),
    )
    items = "".join(f"<dt>{name}</dt><dd>{esc(text)}</dd>" for name, text in rows)
    return f"<dl>{items}</dl>"


def _interpreter(snapshot: Snapshot) -> str:
    if snapshot.python is None and snapshot.static_python is None:
        return "<p>Not a Python target: no interpreter was found.</p>"
    rows = "".join(
        f"<tr><th>{esc(str(k))}</th><td>{_cell(v)}</td></tr>"
        for k, v in facts.interpreter_table(snapshot).rows
    )
    if snapshot.python is None:  # read from an image's files: no sys.path to show
        return f"<table>{rows}</table>"
    paths = "".join(f"<li><code>{esc(p)}</code></li>" for p in facts.sys_path(snapshot))
    return f"<table>{rows}</table>\n<p>sys.path, in order:</p>\n<ol>{paths}</ol>"


def _cell(value: Cell) -> str:
    if isinstance(value, Redacted):
        return f'<span class="redacted">{esc(redacted_text(value))}</span>'
    return esc(value)


def _controls(table_id: str, extra: str = "") -> str:
    return (
        f'<div class="controls">{extra}'
        f'<input type="search" data-table="{table_id}" data-role="text" '
        f'placeholder="Filter rows" aria-label="Filter rows">'
        f'<span class="count" data-table="{table_id}" data-role="count"></span></div>'
    )


def _head(columns: Sequence[str]) -> str:
    cells = "".join(
        f'<th><button type="button" data-col="{i}">{esc(name)}</button></th>'
        for i, name in enumerate(columns)
    )
    return f"<thead><tr>{cells}</tr></thead>"


def _data_table(table_id: str, data: Table) -> str:
    if not data.rows:
        return "<p>None.</p>"
    body = "".join(
        "<tr>" + "".join(f'<td class="code">{_cell(c)}</td>' for c in row) + "</tr>"
        for row in data.rows
    )
    table = (
        f'<table class="data" id="t-{table_id}">{_head(data.columns)}<tbody>{body}</tbody></table>'
    )
    return _controls(f"t-{table_id}") + table


def _findings(report: Report) -> str:
    if not report.findings:
        return "<p>No findings.</p>"
    severities = "".join(f'<option value="{int(s)}">{s.label} and above</option>' for s in Severity)
    categories = "".join(
        f'<option value="{esc(c)}">{esc(c)}</option>'
        for c in sorted({f.category for f in report.findings})
    )
    selects = (
        '<select data-table="t-findings" data-role="severity" aria-label="Severity">'
        f'<option value="">every severity</option>{severities}</select>'
        '<select data-table="t-findings" data-role="category" aria-label="Category">'
        f'<option value="">every category</option>{categories}</select>'
    )
    columns = ("severity", "category", "subject", "finding", "A", "B")
    rows = "".join(_finding_row(f) for f in report.findings)
    table = f'<table class="data" id="t-findings">{_head(columns)}<tbody>{rows}</tbody></table>'
    return _controls("t-findings", selects) + table


def _finding_row(finding: Finding) -> str:
    cells = [
        f'<td data-sort="{int(finding.severity)}">{_badge(finding)}</td>',
        f"<td>{esc(finding.category)}</td>",
        f'<td class="code">{esc(finding.subject)}</td>',
        f"<td>{esc(finding.explanation)}{_fix(finding)}{_members(finding)}</td>",
        f'<td class="code">{esc(finding.left or "")}</td>',
        f'<td class="code">{esc(finding.right or "")}</td>',
    ]
    return (
        f'<tr data-severity="{int(finding.severity)}" data-category="{esc(finding.category)}">'
        + "".join(cells)
        + "</tr>"
    )


def _badge(finding: Finding) -> str:
    label = finding.severity.label
    return f'<span class="sev sev-{label}">{label}</span>'


def _fix(finding: Finding) -> str:
    """Advice is text; a command is code, with the side it runs on."""
    fix = finding.fix
    if fix is None:
        return ""
    parts = [f"<br>Fix: {esc(fix.advice)}"] if fix.advice else []
    if fix.command:
        where = f" on {esc(fix.on)}" if fix.on else ""
        parts.append(f"<br>Run{where}: <code>{esc(fix.command)}</code>")
    return "".join(parts)


def _members(finding: Finding) -> str:
    if not finding.members:
        return ""
    items = "".join(
        f"<li><code>{esc(m.subject)}</code>: {esc(m.left or '-')} \u2192 {esc(m.right or '-')}</li>"
        for m in finding.members[:MEMBERS_SHOWN]
    )
    extra = len(finding.members) - MEMBERS_SHOWN
    tail = f"<li>… and {extra} more</li>" if extra > 0 else ""
    return (
        f"<details><summary>{len(finding.members)} members</summary>"
        f"<ul>{items}{tail}</ul></details>"
    )


def _embedded(blocks: Sequence[str]) -> str:
    if not blocks:
        return ""
    which = (
        "<code>FILE.html</code> reads the snapshot"
        if len(blocks) == 1
        else "<code>FILE.html</code> (or <code>FILE.html#1</code>) reads the left snapshot, "
        "<code>FILE.html#2</code> the right one"
    )
    # Our own ASCII lines: escaped all the same, but their newlines must stay newlines.
    pres = "".join(f'<pre class="embedded">\n{html.escape(block)}\n</pre>' for block in blocks)
    body = (
        "<p>Saved as a file, this report is a snapshot: <code>driftcheck show FILE.html</code>, "
        f"<code>driftcheck diff FILE.html my-env.json</code>; {which}.</p>{pres}"
    )
    title = "Snapshots for driftcheck (machine-readable, redacted)"
    return f"<details>\n<summary>{title}</summary>\n{body}\n</details>"
