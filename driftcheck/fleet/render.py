"""An N-way report as text (a matrix that fits a screen) or JSON (fleet-report-1.0)."""

from __future__ import annotations

from typing import Any

from driftcheck import __version__
from driftcheck.diff.model import Severity
from driftcheck.fleet.model import FleetReport, FleetRow
from driftcheck.redaction.rules import scrub_text
from driftcheck.render.diff_json import dump_json
from driftcheck.terminal import visible

FLEET_FORMAT = "driftcheck-fleet-report"
FLEET_VERSION = "1.0"
MAX_TEXT_ROWS = 12  # rows of the matrix shown; the rest are counted (JSON lists them all)
SUBJECT_WIDTH = 28
SUMMARY_WIDTH = 150
CELL_WIDTH = 3  # side numbers up to 99, and a letter per value that is not the reference


def _clean(text: str) -> str:
    return visible(scrub_text(text)[0])


def render_fleet_text(report: FleetReport) -> str:
    labels = [_clean(label) for label in report.labels]
    lines = [
        f"driftcheck: {len(labels)} sides compared with side {report.reference_side + 1} "
        f"({labels[report.reference_side][:40]}), the closest to the majority",
    ]
    lines += _legend(labels)
    for failed in report.failed:
        lines.append(f"  -- {_clean(failed.label)}: not compared ({_clean(failed.message)})")
    shown = [r for r in report.rows if r.severity > Severity.INFO]
    info = len(report.rows) - len(shown)
    if not shown:
        lines.append("\nNo drift above info between these sides.")
    else:
        header = "".join(f"{i + 1:>{CELL_WIDTH}}" for i in range(len(labels)))
        lines.append(f"\n{'severity':<9}{'fact':<{SUBJECT_WIDTH}}{header}")
        for row in shown[:MAX_TEXT_ROWS]:
            lines += _row_lines(row, labels)
        if len(shown) > MAX_TEXT_ROWS:
            lines.append(
                f"... and {len(shown) - MAX_TEXT_ROWS} more row(s) above info; "
                "--format json lists them all"
            )
    if info:
        lines.append(f"{info} info row(s) not shown (paths, session variables)")
    if report.not_comparable:
        lines.append(
            "Not comparable on some sides: " + ", ".join(_clean(x) for x in report.not_comparable)
        )
    return "\n".join(lines) + "\n"


def _legend(labels: list[str], width: int = 100) -> list[str]:
    """The sides by number, several to a line (a column is a number, not a name)."""
    lines, line = [], " "
    for i, label in enumerate(labels):
        item = f" {i + 1}={label[:40]}"
        if len(line) + len(item) > width and line.strip():
            lines.append(line)
            line = " "
        line += item
    return [*lines, line]


def _row_lines(row: FleetRow, labels: list[str]) -> list[str]:
    letters: dict[str | None, str] = {}
    cells = []
    for side, value in enumerate(row.values):
        if side not in row.outliers:
            cells.append("·")
            continue
        letter = letters.setdefault(value, "abcdefghijklmnopqrstuvwxyz"[min(len(letters), 25)])
        cells.append(letter)
    fact = _clean(f"{row.category}:{row.subject}")
    if len(fact) > SUBJECT_WIDTH - 1:
        fact = fact[: SUBJECT_WIDTH - 2] + "…"
    matrix = "".join(f"{cell:>{CELL_WIDTH}}" for cell in cells)
    named = _clean(row.summary)
    if len(named) > SUMMARY_WIDTH:  # long values (a sys.path): JSON has them whole
        named = named[: SUMMARY_WIDTH - 1] + "…"
    return [f"{row.severity.label:<9}{fact:<{SUBJECT_WIDTH}}{matrix}", f"{'':9}{named}"]


def render_fleet_json(report: FleetReport) -> str:
    return dump_json(fleet_document(report))


def fleet_document(report: FleetReport) -> dict[str, Any]:
    labels = [scrub_text(label)[0] for label in report.labels]
    return {
        "format": FLEET_FORMAT,
        "version": FLEET_VERSION,
        "generator": {"name": "driftcheck", "version": __version__},
        "sides": labels,
        "reference_side": labels[report.reference_side],
        "failed": [
            {
                "side": scrub_text(f.label)[0],
                "message": scrub_text(f.message)[0],
                "exit_code": f.exit_code,
            }
            for f in report.failed
        ],
        "rows": [_row(row, labels) for row in report.rows],
        "not_comparable": list(report.not_comparable),
    }


def _row(row: FleetRow, labels: list[str]) -> dict[str, Any]:
    return {
        "category": row.category,
        "subject": scrub_text(row.subject)[0],
        "severity": row.severity.label,
        "reference": None if row.reference is None else scrub_text(row.reference)[0],
        "values": [None if value is None else scrub_text(value)[0] for value in row.values],
        "outliers": [labels[i] for i in row.outliers],
        "summary": scrub_text(row.summary)[0],
        "explanation": scrub_text(row.explanation)[0],
    }
