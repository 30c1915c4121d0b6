"""The HTML report: everything (no size limit), sortable and filterable tables.

The pages are Jinja templates (report/templates, package data) rendered by an
autoescaping environment whose `finalize` makes every `{{ value }}` inert and visible
(html_page.inert): target text can only reach the page as element text or a quoted
attribute value, and a template cannot forget to escape it. No target string goes into
the script, a URL or a style.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from driftcheck.diff.model import DiffResult, Severity
from driftcheck.render.summary import env_line, os_line, packages_line, python_line
from driftcheck.report import facts
from driftcheck.report.html_page import templates
from driftcheck.snapshot.model import Snapshot

MEMBERS_SHOWN = 200


@dataclass(frozen=True)
class _SideLine:
    label: str
    python: str
    os: str
    packages: str


def html_environment_report(snapshot: Snapshot, label: str, blocks: Sequence[str]) -> str:
    has_python = snapshot.python is not None or snapshot.static_python is not None
    return _render(
        "environment.html.j2",
        title=f"driftcheck environment report: {label}",
        summary=(
            ("Python", python_line(snapshot)),
            ("OS", os_line(snapshot)),
            ("Packages", packages_line(snapshot)),
            ("Environment", env_line(snapshot)),
        ),
        created=facts.created_line(snapshot),
        interpreter=facts.interpreter_table(snapshot) if has_python else None,
        # read from an image's files: no sys.path to show
        sys_path=facts.sys_path(snapshot) if snapshot.python is not None else None,
        distributions=facts.distributions_table(snapshot),
        environment=facts.environment_table(snapshot),
        redacted=facts.redacted_count(snapshot),
        os_packages=facts.os_packages_table(snapshot),
        native=facts.native_libraries_table(snapshot),
        pth=facts.pth_table(snapshot),
        container=facts.container_table(snapshot),
        unknowns=facts.unknowns_table(snapshot),
        blocks=blocks,
    )


def html_drift_report(
    report: DiffResult, left: Snapshot, right: Snapshot, blocks: Sequence[str]
) -> str:
    sides = [
        _SideLine(label, python_line(s), os_line(s), packages_line(s))
        for label, s in ((report.left_label, left), (report.right_label, right))
    ]
    return _render(
        "drift.html.j2",
        title=f"driftcheck: {report.left_label} \u2192 {report.right_label}",
        report=report,
        causes=report.likely_causes(),
        severities=list(Severity),
        members_shown=MEMBERS_SHOWN,
        sides=sides,
        blocks=blocks,
    )


def _render(template: str, **context: object) -> str:
    return templates().get_template(template).render(**context)
