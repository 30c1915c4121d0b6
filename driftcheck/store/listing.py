"""`driftcheck history`: the stored snapshots, newest first, as text or JSON."""

from __future__ import annotations

import json

from driftcheck.store.history import Entry
from driftcheck.terminal import visible

HISTORY_FORMAT = "driftcheck-history"
HISTORY_VERSION = "1.0"


def history_text(entries: list[Entry], store_name: str) -> str:
    if not entries:
        return f"No snapshots in {visible(store_name)}.\n"
    rows = [("ID", "LABEL", "RECORDED (UTC)", "COMMIT", "VERDICT")]
    for entry in entries:
        rows.append(
            (
                f"@{entry.id}",
                visible(entry.label[:60]),
                visible(entry.recorded_at[:40]),
                visible((entry.commit or "-")[:12]),
                entry.verdict or "-",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    return "\n".join(lines) + "\n"


def history_json(entries: list[Entry]) -> str:
    document = {
        "format": HISTORY_FORMAT,
        "version": HISTORY_VERSION,
        "snapshots": [
            {
                "id": entry.id,
                "reference": f"@{entry.id}",
                "label": entry.label,
                "recorded_at": entry.recorded_at,
                "commit": entry.commit,
                "verdict": entry.verdict,
            }
            for entry in entries
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"
