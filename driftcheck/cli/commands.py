"""What each command does, between parsing (app.py) and the library (api.py)."""

from __future__ import annotations

import re
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
    path = Path(output) if output else Path("snapshots") / f"{safe_label(snap.label)}.json"
    io.save(snap, path, create_folder=output is None)
    print(summary)
    print(f"Wrote {path}")


def safe_label(label: str) -> str:
    """A default label comes from the target (a container name, an image): make it a file name."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", label).strip(".-")
    return cleaned[:100] or "snapshot"


def run_show(source: str) -> None:
    with spinner(f"reading {source}"):
        snap = api.load_or_take(source, key=api.fingerprint_key())
    print(snapshot_summary(snap, details=True))
