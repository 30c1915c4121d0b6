"""One small connection interface over sqlite3 and psycopg 3: the store's SQL is written
once, with `?` placeholders; each backend turns its own failures into driftcheck errors."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from driftcheck.errors import EngineUnreachableError, InvalidSnapshotError, UsageError
from driftcheck.store.location import Location

BUSY_TIMEOUT_MS = 60_000  # many CI jobs writing at once wait for each other, not fail
CONNECT_TIMEOUT_SECONDS = 10
# Serializes migrations between concurrent first writers (pg_advisory_xact_lock's key).
MIGRATION_LOCK_KEY = 0x64726966


class StoreUnreachableError(EngineUnreachableError):
    """The PostgreSQL server (or a locked SQLite file) did not answer: exit 4."""


Row = tuple[Any, ...]


class Database(Protocol):
    dialect: str  # "sqlite" or "postgresql": which DDL of a migration runs
    name: str

    def run(self, sql: str, params: Sequence[object] = ()) -> list[Row]: ...

    def transaction(self) -> contextlib.AbstractContextManager[None]: ...

    def lock_for_migrations(self) -> None: ...

    def close(self) -> None: ...


def connect(location: Location) -> Database:
    if location.kind == "postgresql":
        return PostgresDatabase(location)
    return SqliteDatabase(location)


class SqliteDatabase:
    """WAL (readers never wait for the writer), a busy timeout, and BEGIN IMMEDIATE for
    every write: concurrent writers queue instead of failing half-way."""

    dialect = "sqlite"

    def __init__(self, location: Location) -> None:
        self.name = location.name
        path = location.target
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise UsageError(f"store {path}: folder {folder} does not exist; create it first")
        if os.path.exists(path) and not os.path.isfile(path):
            raise InvalidSnapshotError(f"store {path}: not a regular file; pass a SQLite file")
        try:
            self._connection = sqlite3.connect(
                path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None
            )
            self.run(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.run("PRAGMA journal_mode = WAL")
        except sqlite3.Error as exc:
            raise _sqlite_error(self.name, exc) from None

    def run(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        try:
            return list(self._connection.execute(sql, tuple(params)).fetchall())
        except sqlite3.Error as exc:
            raise _sqlite_error(self.name, exc) from None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        self.run("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self._connection.execute("ROLLBACK")
            raise
        self.run("COMMIT")

    def lock_for_migrations(self) -> None:
        """BEGIN IMMEDIATE already holds the only write lock."""

    def close(self) -> None:
        self._connection.close()


def _sqlite_error(name: str, exc: sqlite3.Error) -> Exception:
    text = str(exc).replace("\n", " ")
    if isinstance(exc, sqlite3.OperationalError) and "locked" in text:
        return StoreUnreachableError(
            f"store {name}: still locked after {BUSY_TIMEOUT_MS // 1000} s ({text}); "
            "another writer holds it, try again"
        )
    if isinstance(exc, sqlite3.OperationalError) and "unable to open" in text:
        return UsageError(f"store {name}: cannot open it ({text}); check the path")
    return InvalidSnapshotError(
        f"store {name}: not a usable driftcheck store ({text}); pass another --store"
    )


class PostgresDatabase:
    """psycopg 3 in autocommit mode; writes in explicit transactions."""

    dialect = "postgresql"

    def __init__(self, location: Location) -> None:
        self.name = location.name
        try:
            import psycopg
        except ModuleNotFoundError as exc:
            if exc.name != "psycopg":
                raise
            raise UsageError(
                "a postgresql:// store needs psycopg 3, which is not installed: "
                "pip install 'driftcheck[postgres]'"
            ) from None
        self._errors = psycopg.Error
        try:
            self._connection = psycopg.connect(
                location.target, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS
            )
        except psycopg.Error as exc:
            raise StoreUnreachableError(
                f"store {self.name}: cannot connect ({_first_line(exc)}); "
                "check the URL and that the server runs"
            ) from None

    def run(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        try:
            cursor = self._connection.execute(sql.replace("?", "%s"), tuple(params))
            return list(cursor.fetchall()) if cursor.description is not None else []
        except self._errors as exc:
            raise self._error(exc) from None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        try:
            with self._connection.transaction():
                yield
        except self._errors as exc:
            raise self._error(exc) from None

    def lock_for_migrations(self) -> None:
        self.run("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK_KEY,))

    def close(self) -> None:
        self._connection.close()

    def _error(self, exc: Exception) -> Exception:
        import psycopg

        if isinstance(exc, psycopg.OperationalError):
            return StoreUnreachableError(
                f"store {self.name}: the server failed ({_first_line(exc)}); try again"
            )
        return InvalidSnapshotError(
            f"store {self.name}: not a usable driftcheck store ({_first_line(exc)}); "
            "pass another --store"
        )


def _first_line(exc: Exception) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:300] if lines else type(exc).__name__
