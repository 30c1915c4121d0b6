"""A check for GitHub Actions: workflow-command annotations and a job summary.

A runner reads every stdout line that starts with `::` (after blanks) as a
command. Annotation values are escaped as the runner expects (`%`, CR and LF
everywhere; `:` and `,` too in properties) after every control character was
made visible, so no value can end its line and start a command of its own.
The human report printed before them is wrapped in stop-commands with a random
token, so that a hostile subject printed at the start of a line stays text.
"""

from __future__ import annotations

import secrets

from driftcheck.diff.model import Severity
from driftcheck.gate.verdict import CheckResult, Status
from driftcheck.render.finding_details import details
from driftcheck.terminal import visible

MAX_ANNOTATIONS = 50
WARN_FROM = Severity.MEDIUM


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: str) -> str:
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return (
        f"::{name} {props}::{escape_data(message)}"
        if props
        else f"::{name}::{escape_data(message)}"
    )


def annotation_lines(result: CheckResult, *, file: str | None) -> str:
    """::error for findings that fail the check, ::warning for medium and up that do not."""
    lines: list[str] = []
    chosen = [
        o
        for o in result.outcomes
        if o.status is Status.FAILING
        or (o.status is Status.PASSING and o.finding.severity >= WARN_FROM)
    ]
    where = {"file": file, "line": "1"} if file else {}
    for outcome in chosen[:MAX_ANNOTATIONS]:
        finding = outcome.finding
        title = visible(
            f"driftcheck: [{finding.severity.label}] {finding.category} {finding.subject}"
        )
        body = details(finding, result.fail_on)
        name = "error" if outcome.status is Status.FAILING else "warning"
        lines.append(command(name, body, title=title, **where))
    if len(chosen) > MAX_ANNOTATIONS:
        more = len(chosen) - MAX_ANNOTATIONS
        lines.append(command("notice", f"{more} more findings: see the driftcheck report"))
    return "".join(f"{line}\n" for line in lines)


def without_commands(text: str) -> str:
    """`text` between stop-commands and its resume marker: printed, never obeyed."""
    token = secrets.token_hex(16)
    return f"::stop-commands::{token}\n{text}::{token}::\n"
