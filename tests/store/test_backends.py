"""The history store against both backends: a SQLite file and a real PostgreSQL server."""

from __future__ import annotations

import json
import subprocess
import sys
import zlib
from dataclasses import replace
from pathlib import Path

import pytest

from driftcheck.errors import InvalidSnapshotError
from driftcheck.snapshot import files as snapshot_io
from driftcheck.snapshot.model import Distribution, Snapshot
from driftcheck.store.database import connect
from driftcheck.store.history import Store, open_store
from driftcheck.store.location import parse_location
from driftcheck.store.references import load_stored
from driftcheck.store.schema import CURRENT_VERSION, applied_versions, migrate

from support import assert_one_line_error, run_cli, small_snapshot

WRITERS = 20
CLI_CHECKED_BLOB = b"not zlib at all"
# One writer: waits for the start signal (all 20 are then ready), records one snapshot.
WRITER = """
import sys, time
from dataclasses import replace
from pathlib import Path
from driftcheck.errors import InvalidSnapshotError
from driftcheck.snapshot import files as snapshot_io
from driftcheck.store.history import open_store

location, snapshot_file, go, number = sys.argv[1:]
snapshot = replace(snapshot_io.load(Path(snapshot_file)), label=f"runner-{number}")
while not Path(go).exists():
    time.sleep(0.01)
with open_store(location) as store:
    print(store.record(snapshot, verdict="pass", commit=f"{int(number):040x}"))
"""


def drifted(snapshot: Snapshot) -> Snapshot:
    six = Distribution("six", "six", "1.17.0", "/site", "six-1.17.0.dist-info")
    return replace(snapshot, distributions=(six,))


@pytest.fixture
def snapshot_files(tmp_path: Path) -> tuple[Path, Path]:
    """A baseline and a drifted snapshot (six 1.16.0 -> 1.17.0: a low finding)."""
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    snapshot_io.save(small_snapshot(), good)
    snapshot_io.save(drifted(small_snapshot()), bad)
    return good, bad


def six_version(snapshot: Snapshot) -> str:
    return next(d.version for d in snapshot.distributions if d.canonical_name == "six")


def test_records_are_listed_newest_first(store_location: str) -> None:
    with open_store(store_location) as store:
        first = store.record(small_snapshot(), verdict="pass", commit="a" * 40)
        second = store.record(drifted(small_snapshot()), verdict="fail", commit="b" * 40)
        third = store.record(replace(small_snapshot(), label="other"), commit=None)
        assert first < second < third
        entries = store.entries()
        assert [e.id for e in entries] == [third, second, first]
        assert [(e.label, e.verdict) for e in entries[1:]] == [("unit", "fail"), ("unit", "pass")]
        assert entries[1].commit == "b" * 40
        assert [e.id for e in store.entries("unit")] == [second, first]
        loaded = store.load(second)
        assert loaded is not None and six_version(loaded) == "1.17.0"
    result = run_cli("history", "unit", "--store", store_location, "--format", "json")
    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout)["snapshots"]
    assert [(s["id"], s["verdict"], s["commit"]) for s in listed] == [
        (second, "fail", "b" * 40),
        (first, "pass", "a" * 40),
    ]


def test_last_pass_is_the_pass_before_a_fail(
    store_location: str, snapshot_files: tuple[Path, Path]
) -> None:
    good, bad = snapshot_files
    store = ("--store", store_location, "--label", "ci", "--fail-on", "info")
    passed = run_cli("check", "--baseline", str(good), "--target", str(good), *store)
    assert passed.returncode == 0, passed.stderr
    assert "recorded @1 (pass) as ci" in passed.stderr
    failed = run_cli("check", "--baseline", str(good), "--target", str(bad), *store)
    assert failed.returncode == 1, failed.stderr
    assert "(fail) as ci" in failed.stderr

    assert six_version(load_stored("@last-pass", store=store_location)) == "1.16.0"
    assert six_version(load_stored("@last-pass:ci", store=store_location)) == "1.16.0"
    assert six_version(load_stored("@latest", store=store_location)) == "1.17.0"
    # the failing job explains itself against the last green run
    explained = run_cli("diff", "@last-pass", str(bad), "--store", store_location)
    assert explained.returncode == 0, explained.stderr
    assert "six moved from 1.16.0 to 1.17.0" in explained.stdout
    # and a check can use it as its baseline
    again = run_cli("check", "--baseline", "@last-pass", "--target", str(bad), *store)
    assert again.returncode == 1, again.stderr
    assert "six" in again.stdout
    history = run_cli("history", "ci", "--store", store_location)
    assert history.returncode == 0, history.stderr
    verdicts = [line.split()[-1] for line in history.stdout.splitlines()[1:]]
    assert verdicts == ["fail", "fail", "pass"]


def test_twenty_concurrent_writers_lose_nothing(store_location: str, tmp_path: Path) -> None:
    """A new store: the 20 writers race on the migrations too."""
    snapshot_file = tmp_path / "small.json"
    snapshot_io.save(small_snapshot(), snapshot_file)
    go = tmp_path / "go"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, store_location, str(snapshot_file), str(go), str(n)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(WRITERS)
    ]
    go.touch()
    ids = []
    for writer in writers:
        out, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err
        ids.append(int(out))
    assert len(set(ids)) == WRITERS
    with open_store(store_location) as store:
        entries = store.entries()
        assert sorted(e.id for e in entries) == sorted(ids)
        assert {e.label for e in entries} == {f"runner-{n}" for n in range(WRITERS)}
        assert {e.commit for e in entries} == {f"{n:040x}" for n in range(WRITERS)}
        for entry in entries:
            loaded = store.load(entry.id)
            assert loaded is not None and loaded.label == entry.label


def _indexes(store: Store) -> set[str]:
    db = store._db
    if db.dialect == "sqlite":
        rows = db.run("SELECT name FROM sqlite_master WHERE type = 'index'")
    else:
        rows = db.run("SELECT indexname FROM pg_indexes WHERE tablename = 'snapshots'")
    return {row[0] for row in rows}


def test_an_old_store_is_migrated(store_location: str) -> None:
    db = connect(parse_location(store_location))
    migrate(db, up_to=1)  # what the first release of the store made
    old = Store(db)
    old_id = old.record(small_snapshot(), verdict="pass", commit=None)
    assert applied_versions(db) == {1}
    assert "snapshots_by_label" not in _indexes(old)
    db.close()

    with open_store(store_location) as store:
        assert applied_versions(store._db) == set(range(1, CURRENT_VERSION + 1))
        assert "snapshots_by_label" in _indexes(store)
        assert store.newest("unit", passed=True) == old_id
    assert load_stored(f"@{old_id}", store=store_location).label == "unit"


def test_a_newer_store_is_refused(store_location: str) -> None:
    with open_store(store_location) as store:
        store.record(small_snapshot(), verdict="pass")
        with store._db.transaction():
            store._db.run(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                (CURRENT_VERSION + 1, "2099-01-01T00:00:00+00:00"),
            )
    result = run_cli("history", "--store", store_location)
    line = assert_one_line_error(result, 6)
    assert f"schema version {CURRENT_VERSION + 1}" in line and "upgrade driftcheck" in line
    shown = run_cli("show", "@latest", "--store", store_location)
    assert_one_line_error(shown, 6)


@pytest.mark.parametrize(
    "blob",
    [
        CLI_CHECKED_BLOB,
        zlib.compress(b'{"format": "driftcheck-snapshot", "schema_ver')[:-3],  # truncated
        zlib.compress(b"[" * 100_000),  # JSON nested past the depth bound
        zlib.compress(b'{"format": "driftcheck-snapshot", "schema_version": "1.0"}'),
    ],
    ids=["not-zlib", "truncated", "deep-json", "not-a-snapshot"],
)
def test_a_corrupt_stored_snapshot_is_exit_3(store_location: str, blob: bytes) -> None:
    with open_store(store_location) as store:
        damaged = store.record(small_snapshot(), verdict="pass")
        with store._db.transaction():
            store._db.run("UPDATE snapshots SET snapshot = ? WHERE id = ?", (blob, damaged))
    with pytest.raises(InvalidSnapshotError, match=f"snapshot @{damaged}"):
        load_stored("@last-pass", store=store_location)
    if blob == CLI_CHECKED_BLOB:  # the command line, once per backend: one line, exit 3
        result = run_cli("diff", "@last-pass", "@latest", "--store", store_location)
        line = assert_one_line_error(result, 3)
        assert f"snapshot @{damaged}" in line
    # the listing does not read the snapshots: it still works, and says which one it was
    listed = run_cli("history", "--store", store_location)
    assert listed.returncode == 0 and f"@{damaged}" in listed.stdout
