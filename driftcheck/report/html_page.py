"""The shell of the HTML report: one self-contained page, locked down by its own CSP,
and the template environment that renders it (templates/*.html.j2, package data).

Style and script are inline and allowed by their sha256 hashes only; everything
else (images, fonts, fetches, frames, forms) is refused by `default-src 'none'`, so
the page works offline and a string that slipped through escaping still could not
load or run anything. Tables of class `data` get sorting (click a column header)
and filtering (the controls whose `data-table` names them); rows are hidden with
the `hidden` attribute, so the script never touches styles.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from driftcheck.report.markdown_parts import redacted_text
from driftcheck.snapshot.model import Redacted
from driftcheck.terminal import visible

STYLE = """
:root { color-scheme: light dark; --line: #8884; --muted: #8889; }
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 75rem;
  padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; }
h2 { font-size: 1.15rem; margin-top: 2rem; }
code, pre, td.code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .5rem; text-align: left;
  vertical-align: top; overflow-wrap: break-word; }
th { white-space: nowrap; }
th button { all: unset; cursor: pointer; font-weight: 600; }
th button::after { content: " \\2195"; color: var(--muted); }
th[aria-sort="ascending"] button::after { content: " \\2191"; }
th[aria-sort="descending"] button::after { content: " \\2193"; }
.controls { display: flex; gap: .75rem; flex-wrap: wrap; align-items: center; }
.controls input, .controls select { font: inherit; padding: .2rem .4rem; }
.count, .muted { color: var(--muted); }
.sev { font-weight: 600; text-transform: uppercase; font-size: 12px; }
.sev-critical, .sev-high { color: #c0392b; }
.sev-medium { color: #b9770e; }
.redacted { background: #8883; border-radius: 3px; padding: 0 .2rem; }
.notice { border-left: 4px solid #b9770e; padding: .25rem .75rem; }
pre.embedded { white-space: pre; overflow-x: auto; max-height: 12rem; }
details > summary { cursor: pointer; font-weight: 600; margin: .5rem 0; }
"""

SCRIPT = """
"use strict";
(function () {
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
  function controls(table) {
    return Array.prototype.filter.call(document.querySelectorAll("[data-table]"),
      function (el) { return el.getAttribute("data-table") === table.id; });
  }
  function refresh(table) {
    var needle = "", minimum = -1, category = "", status = null, shown = 0, total = 0;
    controls(table).forEach(function (el) {
      var role = el.getAttribute("data-role");
      if (role === "text") { needle = el.value.trim().toLowerCase(); }
      else if (role === "severity") { minimum = el.value === "" ? -1 : Number(el.value); }
      else if (role === "category") { category = el.value; }
      else if (role === "count") { status = el; }
    });
    each(table.tBodies[0].rows, function (row) {
      var ok = (needle === "" || row.textContent.toLowerCase().indexOf(needle) !== -1) &&
        (minimum < 0 || Number(row.getAttribute("data-severity")) >= minimum) &&
        (category === "" || row.getAttribute("data-category") === category);
      row.hidden = !ok;
      total += 1;
      if (ok) { shown += 1; }
    });
    if (status !== null) { status.textContent = shown + " of " + total + " rows"; }
  }
  function sortBy(table, button) {
    var column = Number(button.getAttribute("data-col"));
    var ascending = button.parentNode.getAttribute("aria-sort") !== "ascending";
    each(table.tHead.rows[0].cells, function (th) { th.removeAttribute("aria-sort"); });
    button.parentNode.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
    var body = table.tBodies[0];
    var keyed = Array.prototype.map.call(body.rows, function (row, index) {
      var td = row.cells[column];
      var key = td.hasAttribute("data-sort") ? td.getAttribute("data-sort") : td.textContent;
      return { row: row, key: key, index: index };
    });
    keyed.sort(function (a, b) {
      var order = collator.compare(a.key, b.key);
      return (ascending ? order : -order) || a.index - b.index;
    });
    keyed.forEach(function (item) { body.appendChild(item.row); });
  }
  each(document.querySelectorAll("table.data"), function (table) {
    controls(table).forEach(function (el) {
      el.addEventListener("input", function () { refresh(table); });
      el.addEventListener("change", function () { refresh(table); });
    });
    each(table.querySelectorAll("th button"), function (button) {
      button.addEventListener("click", function () { sortBy(table, button); });
    });
    refresh(table);
  });
}());
"""


def _hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src {_hash(STYLE)}; script-src {_hash(SCRIPT)}; "
    "img-src 'none'; base-uri 'none'; form-action 'none'"
)


class _Shell:
    """The page's own constants: trusted, inserted as they are (the CSP hashes them)."""

    csp = Markup(CONTENT_SECURITY_POLICY)
    style = Markup(STYLE)
    script = Markup(SCRIPT)


def inert(value: object) -> object:
    """Every `{{ value }}` of the templates: target text becomes inert and visible.

    Control and direction-changing characters are shown as escapes, then the text is
    escaped for an element or a quoted attribute (html.escape with quotes, the bytes
    the report always had); any other value (a number) as its text. Markup (a macro's
    output, the shell) passes as it is. Autoescaping stays on as a second line of defence.
    """
    if hasattr(value, "__html__"):
        return value
    return Markup(html.escape(visible(str(value)), quote=True))


@functools.cache
def templates() -> Environment:
    """The report templates (package data), autoescaped: a forgotten escape cannot happen."""
    environment = Environment(
        loader=PackageLoader("driftcheck.report", "templates"),
        autoescape=True,
        finalize=inert,
        undefined=StrictUndefined,
        auto_reload=False,
    )
    environment.globals["shell"] = _Shell
    environment.tests["redacted"] = lambda value: isinstance(value, Redacted)
    environment.filters["redacted_text"] = redacted_text
    return environment
