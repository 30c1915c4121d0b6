"""Reading a report back as a snapshot: `FILE.md`, `FILE.html`, `FILE.md#2`.

A file holding an embedded snapshot block is read as a report, whatever its name;
any other file as a snapshot. `FILE#N` picks the N-th embedded snapshot (1 is the
left or only one, 2 the right one of a drift report); a file literally named with
`#N` still wins. The embedded JSON goes through the same reader as a snapshot file,
redaction included: a report is untrusted input like any other.
"""

from __future__ import annotations

import re
from pathlib import Path

from driftcheck.errors import InvalidSnapshotError, UsageError
from driftcheck.report import embed
from driftcheck.snapshot import files as snapshot_files
from driftcheck.snapshot.model import Snapshot

REPORT_MARKER = "driftcheck-report"
_SELECTOR = re.compile(r"(?P<path>.+)#(?P<index>[1-9][0-9]{0,2})")


def load_snapshot_file(text: str) -> Snapshot:
    path, index = Path(text), None
    selected = _SELECTOR.fullmatch(text)
    if selected is not None and not path.exists():
        path, index = Path(selected["path"]), int(selected["index"])
    raw = snapshot_files.read_bounded(path)
    if b"driftcheck-" not in raw:
        return _plain(raw, path, index)
    report = raw.decode("utf-8", errors="replace")
    if embed.has_blocks(report):
        chosen = index or 1
        return snapshot_files.loads(embed.extract(report, chosen, str(path)), f"{path}#{chosen}")
    if REPORT_MARKER in report and not report.lstrip().startswith("{"):
        raise InvalidSnapshotError(
            f"{path} is a driftcheck report without an embedded snapshot (left out to fit, "
            "or cut off in the copy); copy the whole report again, or ask for the snapshot "
            "file or a report made with -o FILE.html"
        )
    return _plain(raw, path, index)


def _plain(raw: bytes, path: Path, index: int | None) -> Snapshot:
    if index is not None:
        raise UsageError(
            f"{path}#{index} picks an embedded snapshot, but {path} is a snapshot file: pass {path}"
        )
    from driftcheck.sbom.read import snapshot_document  # a CycloneDX or SPDX SBOM is a side

    return snapshot_files.loads(raw, str(path), other_format=snapshot_document)
