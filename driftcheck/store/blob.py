"""A stored snapshot is the JSON a snapshot file holds (already redacted), zlib-compressed."""

from __future__ import annotations

import zlib

from driftcheck.errors import InvalidSnapshotError
from driftcheck.snapshot import files as snapshot_files
from driftcheck.snapshot.model import Snapshot


def pack(snapshot: Snapshot) -> bytes:
    return zlib.compress(snapshot_files.dumps(snapshot).encode("utf-8"), 6)


def unpack(blob: object, name: str) -> Snapshot:
    """Bounded like a file (MAX_SNAPSHOT_BYTES once inflated); anything wrong: exit 3."""
    if isinstance(blob, memoryview):
        blob = blob.tobytes()
    if not isinstance(blob, bytes):
        raise InvalidSnapshotError(
            f"{name}: the stored snapshot is not bytes; the store is damaged"
        )
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(blob, snapshot_files.MAX_SNAPSHOT_BYTES + 1)
    except zlib.error as exc:
        raise InvalidSnapshotError(
            f"{name}: the stored snapshot is not zlib data ({exc}); the store is damaged"
        ) from None
    if len(raw) > snapshot_files.MAX_SNAPSHOT_BYTES or inflater.unconsumed_tail:
        raise InvalidSnapshotError(
            f"{name}: larger than {snapshot_files.MAX_SNAPSHOT_BYTES} bytes inflated"
        )
    if not inflater.eof:
        raise InvalidSnapshotError(
            f"{name}: the stored snapshot is truncated; the store is damaged"
        )
    return snapshot_files.loads(raw, name)
