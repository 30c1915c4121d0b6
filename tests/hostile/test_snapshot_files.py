"""Snapshot files are input: damaged, hostile, newer or older ones, read by the real CLI.

The good file every case starts from is a real snapshot, taken by the CLI of this
test run's own interpreter. Damaged ones are refused with exit 3 and one line
naming the file; a newer model with exit 6 and an upgrade hint; an older model
is migrated in memory and the file left as it was; a newer revision's extra
fields cost one warning.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from hostile_support import Box

from driftcheck.snapshot import files as snapshot_files
from driftcheck.snapshot.model import SCHEMA_VERSION

from support import run_cli

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    out = tmp_path_factory.mktemp("good") / "snap.json"
    result = run_cli("snapshot", "--python", sys.executable, "-o", str(out))
    assert result.returncode == 0, result.stderr
    return out.read_bytes()


def show(box: Box, content: bytes, name: str = "snap.json"):
    path = box.work / name
    path.write_bytes(content)
    return box.run("show", str(path)), path


def edited(good: bytes, change: Any) -> bytes:
    doc = json.loads(good)
    change(doc)
    return json.dumps(doc).encode()


def with_extra(good: bytes, raw_json: str) -> bytes:
    """The good file with one more top-level key whose value is raw_json, verbatim."""
    return good.rstrip()[:-1] + b', "extra": ' + raw_json.encode() + b"}\n"


DAMAGED: dict[str, tuple[Any, str]] = {
    "empty": (lambda g: b"", "not valid JSON"),
    "truncated at 10%": (lambda g: g[: len(g) // 10], "not valid JSON"),
    "truncated at 50%": (lambda g: g[: len(g) // 2], "not valid JSON"),
    "truncated by one byte": (lambda g: g.rstrip()[:-1], "not valid JSON"),
    "not JSON": (lambda g: b"snapshot: yes\n", "not valid JSON"),
    "binary": (lambda g: bytes(range(256)) * 8, "not UTF-8"),
    "UTF-16": (lambda g: g.decode().encode("utf-16"), "not UTF-8"),
    "a list": (lambda g: b"[1, 2, 3]", "not a driftcheck snapshot"),
    "another tool's JSON": (lambda g: b'{"name": "x", "version": "1"}', "not a driftcheck"),
    "no schema_version": (
        lambda g: edited(g, lambda d: d.pop("schema_version")),
        "no schema_version",
    ),
    "schema_version 1_0": (
        lambda g: edited(g, lambda d: d.update(schema_version="1_0")),
        "not MODEL.REVISION",
    ),
    "schema_version a number": (
        lambda g: edited(g, lambda d: d.update(schema_version=1.0)),
        "not MODEL.REVISION",
    ),
    "schema_version 1.0.0": (
        lambda g: edited(g, lambda d: d.update(schema_version="1.0.0")),
        "not MODEL.REVISION",
    ),
    "distributions an object": (
        lambda g: edited(g, lambda d: d.update(distributions={"six": "1.16"})),
        "distributions: expected a list",
    ),
    "a distribution without version": (
        lambda g: edited(g, lambda d: d["distributions"][0].pop("version")),
        "distributions[0].version: missing",
    ),
    "os null": (lambda g: edited(g, lambda d: d.update(os=None)), "os: expected an object"),
    "NaN": (lambda g: with_extra(g, "NaN"), "NaN is not a JSON number"),
    "1e999": (lambda g: with_extra(g, "1e999"), "out of range"),
    "a 100,000-digit integer": (lambda g: with_extra(g, "9" * 100_000), "100000 digits"),
    "nesting 900 deep": (lambda g: with_extra(g, "[" * 900 + "]" * 900), "nested deeper"),
    "nesting 5,000 deep": (lambda g: with_extra(g, "[" * 5000 + "]" * 5000), "nested deeper"),
    "nesting 100,000 deep": (
        lambda g: with_extra(g, '{"a": ' * 100_000 + "1" + "}" * 100_000),
        "nested deeper",
    ),
}


@pytest.mark.parametrize("case", list(DAMAGED))
def test_damaged_snapshot_files_are_invalid_input(good, box, case):
    make, reason = DAMAGED[case]
    result, path = show(box, make(good))
    line = result.error_line(3)
    assert str(path) in line and reason in line, line


def test_a_diff_with_a_damaged_file_names_it(good, box):
    (box.work / "good.json").write_bytes(good)
    (box.work / "bad.json").write_bytes(good[: len(good) // 3])
    result = box.run("diff", str(box.work / "good.json"), str(box.work / "bad.json"))
    line = result.error_line(3)
    assert "bad.json" in line and "good.json" not in line


def test_a_file_over_the_size_limit_is_refused_unread(box):
    huge = box.work / "huge.json"
    with open(huge, "wb") as handle:  # sparse: no disk used
        handle.truncate(snapshot_files.MAX_SNAPSHOT_BYTES + 1)
    result = box.run("show", str(huge))
    assert "larger than" in result.error_line(3)
    assert result.peak_rss_mb < 100  # refused from its size, not read into memory


def test_a_folder_is_not_a_snapshot(box):
    line = box.run("show", str(box.work)).error_line(3)
    assert "not a regular file" in line


def test_a_newer_model_is_refused_with_an_upgrade_hint(good, box):
    newer = edited(good, lambda d: d.update(schema_version="2.0", added_in_2={"x": 1}))
    (box.work / "good.json").write_bytes(good)
    for command in (("show",), ("diff", str(box.work / "good.json"))):
        path = box.work / "newer.json"
        path.write_bytes(newer)
        line = box.run(*command, str(path)).error_line(6)
        assert "schema 2.0" in line and "upgrade driftcheck" in line


def test_a_newer_revision_costs_exactly_one_warning(good, box):
    def add_fields(doc: dict[str, Any]) -> None:
        doc["schema_version"] = "1.7"
        doc["added_section"] = {"anything": [1, 2, {"deep": True}]}
        doc["os"]["added_os_field"] = "x"
        doc["distributions"][0]["added_dist_field"] = ["y"]
        doc["target"]["added_target_field"] = None

    result, _ = show(box, edited(good, add_fields))
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(warnings) == 1, result.stderr
    assert warnings[0].startswith("driftcheck: warning: ") and "schema 1.7" in warnings[0]
    assert "Traceback" not in result.stderr


def test_an_older_model_without_a_migration_is_refused(box):
    fixture = (FIXTURES / "snapshot-0.9.json").read_bytes()
    result, path = show(box, fixture)
    line = result.error_line(3)
    assert "schema 0.9 is older than any this driftcheck reads" in line
    assert path.read_bytes() == fixture


def _migrate_0_to_1(doc: dict[str, Any]) -> dict[str, Any]:
    """What a real migration looks like: 0.x named distributions "packages" and kept
    the target as a bare description."""
    doc = dict(doc)
    doc["distributions"] = doc.pop("packages")
    doc["target"] = {"kind": "host", "description": doc["target"]}
    return doc


def test_an_older_model_is_migrated_in_memory_and_the_file_left_untouched(tmp_path, monkeypatch):
    # No schema older than 1.0 was ever released (MIGRATIONS is empty), so the policy is
    # proven with a test migration and a hand-made 0.9 file.
    monkeypatch.setitem(snapshot_files.MIGRATIONS, 0, _migrate_0_to_1)
    path = tmp_path / "old.json"
    path.write_bytes((FIXTURES / "snapshot-0.9.json").read_bytes())
    os.utime(path, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    before = (path.read_bytes(), path.stat().st_mtime_ns, sorted(os.listdir(tmp_path)))
    snapshot = snapshot_files.load(path)
    assert snapshot.schema_version == SCHEMA_VERSION
    assert [d.name for d in snapshot.distributions] == ["six"]
    assert snapshot.target.description == "unit test" and snapshot.label == "laptop-0.9"
    assert (path.read_bytes(), path.stat().st_mtime_ns, sorted(os.listdir(tmp_path))) == before
