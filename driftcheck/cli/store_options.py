"""--store (shared by every command that records or reads stored snapshots) and `history`."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated

import typer

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        metavar="PATH|URL",
        help="History store: a SQLite file (or sqlite:///PATH) or postgresql://USER@HOST/DB "
        "(default: $DRIFTCHECK_STORE). snapshot and check record in it; @last-pass[:LABEL], "
        "@latest[:LABEL] and @ID read from it.",
    ),
]


class HistoryFormat(str, Enum):
    text = "text"
    json = "json"


def run_history(label: str | None, output_format: HistoryFormat) -> None:
    from driftcheck.errors import UsageError
    from driftcheck.store import STORE_VARIABLE, chosen_store
    from driftcheck.store.history import open_store
    from driftcheck.store.listing import history_json, history_text

    location = chosen_store()
    if location is None:
        raise UsageError(f"history reads a store: pass --store PATH|URL or set {STORE_VARIABLE}")
    with open_store(location, existing=True) as store:
        entries = store.entries(label)
        name = store.name
    if output_format is HistoryFormat.json:
        sys.stdout.write(history_json(entries))
    else:
        sys.stdout.write(history_text(entries, name))
