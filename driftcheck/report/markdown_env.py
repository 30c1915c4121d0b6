"""The environment report of one snapshot, in Markdown sized to an issue body.

Headline first (Python, OS, package counts), then collapsible sections. When the
whole does not fit, `STEPS` says what goes first: the OS package list, then long
values, then columns, and the embedded snapshot only when every detail for humans
is already gone: it is what lets a maintainer compare with their own environment.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from driftcheck.render.markdown_safe import md_code, md_text
from driftcheck.render.summary import env_line, os_line, packages_line, python_line
from driftcheck.report import facts
from driftcheck.report.fit import Fitted, Part, Step, fit
from driftcheck.report.markdown_parts import (
    REPORT_COMMENT,
    bullet_list,
    details,
    embedded_section,
    more,
    notice,
    table,
)
from driftcheck.snapshot.model import Snapshot

TRUNCATED_VALUE = 120  # characters of a long environment value kept when shortened
TRUNCATED_ROWS = 200  # distribution rows kept when even the short table is too long

STEPS = (
    Step("os_packages", "the list of OS packages (their counts remain)"),
    Step("environment", f"environment values past {TRUNCATED_VALUE} characters"),
    Step("distributions", "the installer, source and location of each distribution"),
    Step("pth", "the .pth start-up files"),
    Step("interpreter", "sys.path"),
    Step("native", "the sonames and paths of native libraries"),
    Step("container", "the container's details"),
    Step("environment", "environment values (their names remain)"),
    Step("unknowns", "the reasons past the first 20 unknowns"),
    Step("embedded", "the embedded snapshot"),
    Step("distributions", f"distributions past the first {TRUNCATED_ROWS}"),
    Step("environment", "the environment variables"),
)


def environment_report(snapshot: Snapshot, label: str, blocks: list[str], limit: int) -> Fitted:
    """The report; BLOCKS are the embedded snapshot block(s), dropped only near the end."""
    parts = [
        Part("headline", [lambda: _headline(snapshot, label)]),
        Part(
            "interpreter",
            [lambda: _interpreter(snapshot, True), lambda: _interpreter(snapshot, False)],
        ),
        Part("distributions", _distribution_variants(snapshot)),
        Part("environment", _environment_variants(snapshot)),
        Part(
            "os_packages",
            [lambda: _os_packages(snapshot, True), lambda: _os_packages(snapshot, False)],
        ),
        Part("native", [lambda: _native(snapshot, 4), lambda: _native(snapshot, 2)]),
        Part("pth", [lambda: _pth(snapshot), str]),
        Part("container", [lambda: _container(snapshot), str]),
        Part("unknowns", [lambda: _unknowns(snapshot, None), lambda: _unknowns(snapshot, 20)]),
        Part("embedded", [lambda: embedded_section(blocks), str]),
    ]

    def say(left_out: Sequence[str]) -> str:
        still_embedded = bool(blocks) and "the embedded snapshot" not in left_out
        return notice(left_out, embedded=still_embedded, limit=limit)

    return fit(parts, STEPS, say, limit)


def _headline(snapshot: Snapshot, label: str) -> str:
    lines = [
        REPORT_COMMENT,
        f"## driftcheck environment report: {md_code(label)}",
        "",
        f"**Python** {md_text(python_line(snapshot))}  ",
        f"**OS** {md_text(os_line(snapshot))}  ",
        f"**Packages** {md_text(packages_line(snapshot))}  ",
        f"**Environment** {md_text(env_line(snapshot))}",
        "",
        md_text(facts.created_line(snapshot)) + ".",
    ]
    if snapshot.unknowns:
        lines.append(
            f"**Partial:** {len(snapshot.unknowns)} fact(s) could not be read (see Unknowns)."
        )
    return "\n".join(lines) + "\n\n"


def _interpreter(snapshot: Snapshot, with_path: bool) -> str:
    if snapshot.python is None and snapshot.static_python is None:
        return details("Interpreter", "Not a Python target: no interpreter was found.")
    body = table(facts.interpreter_table(snapshot))
    paths = facts.sys_path(snapshot)
    if with_path and paths:
        body += "\n`sys.path`, in order:\n\n" + bullet_list(paths)
    return details("Interpreter", body)


def _distribution_variants(snapshot: Snapshot) -> list[Callable[[], str]]:
    full = facts.distributions_table(snapshot)
    total = len(full.rows)
    summary = f"Distributions ({total})"
    if not total:
        return [lambda: details(summary, "None found.")]
    short = full.first_columns(2)
    return [
        lambda: details(summary, table(full)),
        lambda: details(summary, table(short)),
        lambda: details(
            summary, table(short.limited(TRUNCATED_ROWS)) + more(TRUNCATED_ROWS, total)
        ),
    ]


def _environment_variants(snapshot: Snapshot) -> list[Callable[[], str]]:
    data = facts.environment_table(snapshot)
    summary = f"Environment variables ({len(data.rows)}, {facts.redacted_count(snapshot)} redacted)"
    names = ", ".join(md_code(str(row[0])) for row in data.rows)
    return [
        lambda: details(summary, table(data)),
        lambda: details(summary, table(data, limit=TRUNCATED_VALUE)),
        lambda: details(summary, names or "None."),
        str,
    ]


def _os_packages(snapshot: Snapshot, with_list: bool) -> str:
    counts = facts.os_package_counts(snapshot)
    if not counts:
        return details("OS packages (0)", "No package database was found.")
    total = sum(counts.values())
    body = ", ".join(f"{n} {md_text(manager)}" for manager, n in counts.items()) + " packages.\n"
    if with_list:
        body += "\n" + table(facts.os_packages_table(snapshot))
    return details(f"OS packages ({total})", body)


def _native(snapshot: Snapshot, columns: int) -> str:
    data = facts.native_libraries_table(snapshot)
    if not data.rows:
        return ""
    return details(f"Native libraries ({len(data.rows)})", table(data.first_columns(columns)))


def _pth(snapshot: Snapshot) -> str:
    data = facts.pth_table(snapshot)
    if not data.rows:
        return ""
    return details(f".pth start-up files ({len(data.rows)})", table(data))


def _container(snapshot: Snapshot) -> str:
    data = facts.container_table(snapshot)
    return details("Container", table(data)) if data.rows else ""


def _unknowns(snapshot: Snapshot, first: int | None) -> str:
    data = facts.unknowns_table(snapshot)
    if not data.rows:
        return ""
    shown = data if first is None else data.limited(first)
    body = table(shown) + more(len(shown.rows), len(data.rows))
    return details(f"Unknowns: what could not be read ({len(data.rows)})", body)
