"""Embedded snapshots: read back exactly, refused when edited, cut or crafted."""

from __future__ import annotations

import base64
import hashlib
import zlib
from dataclasses import replace
from pathlib import Path

import pytest

from driftcheck.errors import InvalidSnapshotError, SchemaTooNewError, UsageError
from driftcheck.report.embed import MAX_EMBEDDED_BYTES, embed_block, pack
from driftcheck.report.readback import load_snapshot_file
from driftcheck.snapshot import files as snapshot_files
from driftcheck.snapshot.codec import to_jsonable

from support import assert_one_line_error, run_cli, small_snapshot


def _report(tmp_path: Path, *blocks: str, name: str = "ticket.md") -> Path:
    path = tmp_path / name
    body = "\n\n".join(f"```text\n{b}\n```" for b in blocks)
    path.write_text(f"<!-- driftcheck-report v1 -->\n## A ticket\n\n{body}\n")
    return path


def test_round_trip_is_exact(tmp_path: Path) -> None:
    left = small_snapshot()
    right = replace(left, label="other")
    path = _report(tmp_path, embed_block(left, 1, 2), embed_block(right, 2, 2))
    assert to_jsonable(load_snapshot_file(str(path))) == to_jsonable(left)
    assert to_jsonable(load_snapshot_file(f"{path}#1")) == to_jsonable(left)
    assert to_jsonable(load_snapshot_file(f"{path}#2")) == to_jsonable(right)
    with pytest.raises(InvalidSnapshotError, match="not #3"):
        load_snapshot_file(f"{path}#3")


def test_block_lines_are_short_ascii() -> None:
    block = embed_block(small_snapshot(), 1, 1)
    assert block.isascii() and "`" not in block and "<" not in block
    assert max(len(line) for line in block.splitlines()[1:-1]) <= 76


def test_quoted_reply_and_windows_line_ends_still_read(tmp_path: Path) -> None:
    block = embed_block(small_snapshot(), 1, 1)
    quoted = "\r\n".join("> " + line for line in block.splitlines())
    path = tmp_path / "reply.md"
    path.write_bytes(f"> someone wrote:\r\n> ```text\r\n{quoted}\r\n> ```\r\n".encode())
    assert load_snapshot_file(str(path)).label == "unit"


def _edited(block: str, line: int, position: int) -> str:
    lines = block.splitlines()
    chars = list(lines[line])
    chars[position] = "A" if chars[position] != "A" else "B"
    lines[line] = "".join(chars)
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("payload", "damaged|edited"),
        ("last-payload", "damaged|edited"),
        ("truncated", "truncated"),
        ("header", "header line was edited"),
    ],
)
def test_damaged_blocks_are_refused(tmp_path: Path, how: str, message: str) -> None:
    block = embed_block(small_snapshot(), 1, 1)
    lines = block.splitlines()
    if how == "payload":
        block = _edited(block, 1, 10)
    elif how == "last-payload":
        block = _edited(block, len(lines) - 2, 2)
    elif how == "truncated":
        block = "\n".join(lines[:-2])
    else:
        block = block.replace("zlib+base64", "zlib+base32")
    path = _report(tmp_path, block)
    with pytest.raises(InvalidSnapshotError, match=message):
        load_snapshot_file(str(path))
    line = assert_one_line_error(run_cli("show", str(path)), 3)
    assert "copy" in line


def test_a_changed_value_with_a_valid_encoding_fails_the_checksum(tmp_path: Path) -> None:
    data = pack(small_snapshot()).replace('"six"', '"evil"').encode()
    good = embed_block(small_snapshot(), 1, 1).splitlines()[0]
    header = good.rsplit(" bytes=", 1)[0] + f" bytes={len(data)} sha256={good[-64:]}"
    body = base64.b64encode(zlib.compress(data)).decode()
    path = _report(tmp_path, f"{header}\n{body}\nend driftcheck-snapshot 1/1")
    with pytest.raises(InvalidSnapshotError, match="sha256 checksum"):
        load_snapshot_file(str(path))


def test_a_decompression_bomb_stops_at_the_declared_size(tmp_path: Path) -> None:
    bomb = zlib.compress(b"\0" * (200 * 1024 * 1024), 9)  # 200 MiB of zeros in ~200 KiB
    payload = base64.b64encode(bomb).decode()
    digest = hashlib.sha256(b"\0" * 100).hexdigest()
    header = f"driftcheck-snapshot v1 1/1 zlib+base64 bytes=100 sha256={digest}"
    path = _report(tmp_path, f"{header}\n{payload}\nend driftcheck-snapshot 1/1")
    with pytest.raises(InvalidSnapshotError, match="size does not match"):
        load_snapshot_file(str(path))
    huge = f"driftcheck-snapshot v1 1/1 zlib+base64 bytes={MAX_EMBEDDED_BYTES + 1} sha256={digest}"
    path = _report(tmp_path, f"{huge}\n{payload}\nend driftcheck-snapshot 1/1", name="h.md")
    with pytest.raises(InvalidSnapshotError, match="limit"):
        load_snapshot_file(str(path))


def test_a_newer_block_format_asks_for_an_upgrade(tmp_path: Path) -> None:
    block = embed_block(small_snapshot(), 1, 1).replace(" v1 ", " v9 ", 1)
    path = _report(tmp_path, block)
    with pytest.raises(SchemaTooNewError, match="upgrade"):
        load_snapshot_file(str(path))
    assert_one_line_error(run_cli("diff", str(path), str(path)), 6)


def test_a_report_without_a_snapshot_says_so(tmp_path: Path) -> None:
    path = tmp_path / "ticket.md"
    path.write_text("<!-- driftcheck-report v1 -->\n## driftcheck environment report\n")
    with pytest.raises(InvalidSnapshotError, match="without an embedded snapshot"):
        load_snapshot_file(str(path))


def test_a_selector_on_a_snapshot_file_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    snapshot_files.save(small_snapshot(), path)
    assert load_snapshot_file(str(path)).label == "unit"
    with pytest.raises(UsageError, match="is a snapshot file"):
        load_snapshot_file(f"{path}#2")
    odd = tmp_path / "odd#2"  # a file really named with '#2' is read as it is
    snapshot_files.save(small_snapshot(), odd)
    assert load_snapshot_file(str(odd)).label == "unit"


def test_the_embedded_snapshot_is_redacted_again_when_read(tmp_path: Path) -> None:
    planted = replace(small_snapshot(), environment={"SOME": "ghp_" + "Aa1" * 12})
    path = _report(tmp_path, embed_block(planted, 1, 1))
    loaded = load_snapshot_file(str(path))
    assert not isinstance(loaded.environment["SOME"], str)
