"""Snapshot files: atomic writes, round trips, and versioned reads."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from driftcheck.errors import InvalidSnapshotError, OutputError, SchemaTooNewError
from driftcheck.snapshot import files as snapshot_files
from driftcheck.snapshot.model import (
    Snapshot,
)

from support import assert_valid_snapshot, small_snapshot


def test_round_trip_is_exact(tmp_path):
    snap = small_snapshot()
    path = tmp_path / "s.json"
    snapshot_files.save(snap, path)
    assert snapshot_files.load(path) == snap
    assert_valid_snapshot(json.loads(path.read_text()))


def test_written_file_is_ascii_even_for_hostile_text(tmp_path):
    snap = small_snapshot()
    hostile = Snapshot(**{**snap.__dict__, "label": "x", "environment": {"E": "\x1b[2J\u202e"}})
    path = tmp_path / "s.json"
    snapshot_files.save(hostile, path)
    raw = path.read_bytes()
    assert b"\x1b" not in raw and raw.isascii()
    assert snapshot_files.load(path).environment["E"] == "\x1b[2J\u202e"


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_failed_write_keeps_previous_file_and_leaves_no_temp(tmp_path, monkeypatch, failing):
    path = tmp_path / "s.json"
    path.write_text("previous")

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, boom)
    with pytest.raises(OutputError, match="previous file is intact"):
        snapshot_files.save(small_snapshot(), path)
    monkeypatch.undo()
    assert path.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]


def test_interrupted_write_leaves_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "s.json"
    path.write_text("previous")

    def interrupt(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        snapshot_files.save(small_snapshot(), path)
    monkeypatch.undo()
    assert path.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]


def _doc() -> dict[str, object]:
    return json.loads(snapshot_files.dumps(small_snapshot()))  # type: ignore[no-any-return]


def test_wrong_types_name_the_field():
    doc = _doc()
    doc["distributions"][0]["version"] = 3  # type: ignore[index]
    with pytest.raises(InvalidSnapshotError, match=r"distributions\[0\]\.version"):
        snapshot_files.loads(json.dumps(doc), "f.json")


def test_newer_model_is_refused():
    doc = dict(_doc(), schema_version="2.0")
    with pytest.raises(SchemaTooNewError, match="upgrade"):
        snapshot_files.loads(json.dumps(doc), "f.json")


def test_deeply_nested_json_is_invalid_input_not_a_crash():
    with pytest.raises(InvalidSnapshotError):
        snapshot_files.loads("[" * 100_000 + "]" * 100_000, "deep.json")


def test_snapshot_file_from_disk_path_is_named(tmp_path: Path):
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InvalidSnapshotError, match=r"bad\.json"):
        snapshot_files.load(bad)
