"""Recording snapshots in a store and finding them again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType

from driftcheck.errors import InvalidSnapshotError, UsageError
from driftcheck.snapshot.model import SCHEMA_VERSION, Snapshot
from driftcheck.store import blob
from driftcheck.store.commit import current_commit
from driftcheck.store.database import Database, connect
from driftcheck.store.location import parse_location
from driftcheck.store.schema import migrate

VERDICTS = ("pass", "fail")
_ENTRY_COLUMNS = "id, label, recorded_at, commit_sha, verdict"


@dataclass(frozen=True)
class Entry:
    """One stored snapshot, as `history` lists it. Every field came from the store:
    untrusted, escaped by whoever prints it."""

    id: int
    label: str
    recorded_at: str
    commit: str | None
    verdict: str | None


def open_store(text: str, *, existing: bool = False) -> Store:
    """Connects and brings the schema up to date (exit 6 when the store is newer).
    ``existing``: a command that only reads refuses a SQLite file that is not there (a
    mistyped path), rather than creating an empty store."""
    location = parse_location(text)
    if existing and location.kind == "sqlite" and not Path(location.target).exists():
        raise UsageError(
            f"store {location.name}: no such file; check the path, or record snapshots into "
            "it first (snapshot --store, check --store)"
        )
    db = connect(location)
    try:
        migrate(db)
    except BaseException:
        db.close()
        raise
    return Store(db)


class Store:
    def __init__(self, db: Database) -> None:
        self._db = db
        self.name = db.name

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._db.close()

    def record(
        self, snapshot: Snapshot, *, verdict: str | None = None, commit: str | None = None
    ) -> int:
        """One row in one transaction; its id. *commit* defaults to current_commit()."""
        if verdict is not None and verdict not in VERDICTS:
            raise ValueError(f"verdict {verdict!r} is not one of {VERDICTS}")
        row = (
            snapshot.label,
            datetime.now(timezone.utc).isoformat(timespec="seconds"),
            commit if commit is not None else current_commit(),
            verdict,
            SCHEMA_VERSION,
            blob.pack(snapshot),
        )
        with self._db.transaction():
            rows = self._db.run(
                "INSERT INTO snapshots (label, recorded_at, commit_sha, verdict, "
                "schema_version, snapshot) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                row,
            )
        return _integer(rows[0][0], self.name)

    def entries(self, label: str | None = None, limit: int | None = None) -> list[Entry]:
        """Newest first."""
        where, params = ("WHERE label = ?", [label]) if label is not None else ("", [])
        bound = f" LIMIT {int(limit)}" if limit is not None else ""
        rows = self._db.run(
            f"SELECT {_ENTRY_COLUMNS} FROM snapshots {where} ORDER BY id DESC{bound}", params
        )
        return [self._entry(row) for row in rows]

    def labels(self) -> list[str]:
        rows = self._db.run("SELECT DISTINCT label FROM snapshots ORDER BY label")
        return [_text(row[0], self.name, "label") for row in rows]

    def newest(self, label: str, *, passed: bool = False) -> int | None:
        """The id of *label*'s newest snapshot (whose check passed, with *passed*)."""
        verdict = " AND verdict = 'pass'" if passed else ""
        rows = self._db.run(f"SELECT max(id) FROM snapshots WHERE label = ?{verdict}", (label,))
        return None if not rows or rows[0][0] is None else _integer(rows[0][0], self.name)

    def load(self, snapshot_id: int) -> Snapshot | None:
        rows = self._db.run("SELECT snapshot FROM snapshots WHERE id = ?", (snapshot_id,))
        if not rows:
            return None
        return blob.unpack(rows[0][0], f"store {self.name}, snapshot @{snapshot_id}")

    def _entry(self, row: tuple[object, ...]) -> Entry:
        snapshot_id, label, recorded_at, commit, verdict = row
        if verdict is not None and verdict not in VERDICTS:
            raise InvalidSnapshotError(
                f"store {self.name}: snapshot @{snapshot_id} has verdict "
                f"{str(verdict)[:20]!r}, not pass or fail; the store is damaged"
            )
        return Entry(
            id=_integer(snapshot_id, self.name),
            label=_text(label, self.name, "label"),
            recorded_at=_text(recorded_at, self.name, "recorded_at"),
            commit=None if commit is None else _text(commit, self.name, "commit_sha"),
            verdict=None if verdict is None else str(verdict),
        )


def _integer(value: object, name: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise InvalidSnapshotError(f"store {name}: an id is {str(value)[:20]!r}; the store is damaged")


def _text(value: object, name: str, column: str) -> str:
    if isinstance(value, str):
        return value
    raise InvalidSnapshotError(
        f"store {name}: a {column} is not text ({type(value).__name__}); the store is damaged"
    )
