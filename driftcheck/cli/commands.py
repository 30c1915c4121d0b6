"""What each command does, between parsing (app.py) and the library (api.py)."""

from __future__ import annotations

import sys
from pathlib import Path

from driftcheck import api
from driftcheck.cli.progress import spinner
from driftcheck.render.summary import snapshot_summary
from driftcheck.snapshot import io
from driftcheck.targets.interface import Target


def run_snapshot(target: Target, *, output: str | None, label: str | None, anonymize: bool) -> None:
    with spinner(f"probing {target.describe()}"):
        snap = api.take_snapshot(
            target, label=label, anonymize=anonymize, key=api.fingerprint_key()
        )
    summary = snapshot_summary(snap)
    if output == "-":
        sys.stdout.write(io.dumps(snap))
        print(summary, file=sys.stderr)
        return
    path = Path(output) if output else Path("snapshots") / f"{snap.label}.json"
    io.save(snap, path)
    print(summary)
    print(f"Wrote {path}")


def run_show(source: str) -> None:
    with spinner(f"reading {source}"):
        snap = api.load_or_take(source, key=api.fingerprint_key())
    print(snapshot_summary(snap, details=True))
