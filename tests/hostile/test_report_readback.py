"""Reports read back as snapshots (`show ticket.md`, `diff ticket.md x.json`) when they
are crafted: thousands of block headers must neither take minutes nor pass unbounded.

A report is untrusted text. Reading it back used to copy and split the rest of the
report at every block header: quadratic, 88 s for 16,000 headers. The real CLI runs
on generated hostile reports (its subprocess timeout is only a guard: no wall-clock
assertion), and the reader's work is counted, deterministically, on reports of N and
4N headers: it must grow like the report, not like its square.
"""

from __future__ import annotations

import re
from typing import Any, SupportsIndex

import pytest
from crafted_reports import FAKE_HEADER, many_headers_report
from hostile_support import Box

from driftcheck.errors import InvalidSnapshotError
from driftcheck.report import embed
from driftcheck.report.embed import MAX_BLOCK_HEADERS, embed_block
from driftcheck.snapshot import files as snapshot_files

from support import small_snapshot

GUARD_SECONDS = 120  # only so that a hang fails instead of blocking the suite


def test_the_cli_refuses_a_report_with_too_many_block_headers(box: Box) -> None:
    ticket = box.work / "ticket.md"
    ticket.write_text(many_headers_report(16_000))
    (box.work / "x.json").write_text(snapshot_files.dumps(small_snapshot()))
    for args in (["show", str(ticket)], ["diff", str(ticket), "x.json"]):
        result = box.run(*args, timeout=GUARD_SECONDS)
        line = result.error_line(3)
        assert f"more than {MAX_BLOCK_HEADERS} embedded snapshot headers" in line, line
        assert str(ticket) in line


def test_the_cli_reads_a_report_with_as_many_headers_as_allowed(box: Box) -> None:
    """998 crafted headers, then a real block #2: found and read; #1 is a cut block."""
    ticket = box.work / "ticket.md"
    real = embed_block(small_snapshot(), 2, 2)
    ticket.write_text(many_headers_report(MAX_BLOCK_HEADERS - 1, real, lines_per_block=40))
    result = box.run("show", f"{ticket}#2", timeout=GUARD_SECONDS)
    assert result.returncode == 0, result.stderr
    assert "unit" in result.stdout  # the label of small_snapshot()
    assert "truncated" in box.run("show", str(ticket), timeout=GUARD_SECONDS).error_line(3)


# --- the reader's work, counted -----------------------------------------------------


class CountedText(str):
    """A report whose characters are charged each time the reader copies or searches
    them: slices, and the str methods that scan from a position to the end."""

    charged = 0

    def __getitem__(self, key: SupportsIndex | slice) -> str:
        piece = str.__getitem__(self, key)
        CountedText.charged += len(piece)
        return piece

    def _scan(self, start: Any = 0) -> None:
        CountedText.charged += len(self) - (start or 0)

    def find(self, sub: str, start: Any = None, end: Any = None) -> int:
        self._scan(start)
        return str.find(self, sub, start, end)

    def index(self, sub: str, start: Any = None, end: Any = None) -> int:
        self._scan(start)
        return str.index(self, sub, start, end)

    def splitlines(self, keepends: bool = False) -> list[str]:
        self._scan()
        return str.splitlines(self, keepends)

    def split(self, sep: str | None = None, maxsplit: SupportsIndex = -1) -> list[str]:
        self._scan()
        return str.split(self, sep, maxsplit)

    def partition(self, sep: str) -> tuple[str, str, str]:
        self._scan()
        return str.partition(self, sep)


class CountedPattern:
    """A compiled pattern that charges the characters from where a search starts to
    the end of the string (what a search may scan), then runs it."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.pattern, name)
        if not callable(method):
            return method

        def counted(string: str, *args: Any, **kwargs: Any) -> Any:
            start = args[0] if args else kwargs.get("pos", 0)
            CountedText.charged += max(0, len(string) - start)
            return method(string, *args, **kwargs)

        return counted


def work_to_read(report: str, monkeypatch: pytest.MonkeyPatch) -> int:
    """Characters the reader charges to extract block #2 of REPORT (copied or searched)."""
    for name, value in vars(embed).items():
        if isinstance(value, re.Pattern):
            monkeypatch.setattr(embed, name, CountedPattern(value))
    CountedText.charged = 0
    assert embed.extract(CountedText(report), 2, "ticket.md")
    monkeypatch.undo()
    return CountedText.charged


def test_reading_back_is_linear_in_the_number_of_headers(monkeypatch: pytest.MonkeyPatch) -> None:
    """4x the headers costs about 4x the work, and a few passes over the report at most.

    The quadratic reader (a copy of the rest of the report from every header) charged
    over 100 passes for 200 headers and 4x more again for 800: this fails on it.
    """
    real = embed_block(small_snapshot(), 2, 2)
    small, large = (many_headers_report(n, real) for n in (200, 800))
    small_work, large_work = (work_to_read(r, monkeypatch) for r in (small, large))
    assert small_work <= 3 * len(small), (small_work, len(small))
    assert large_work <= 3 * len(large), (large_work, len(large))
    assert large_work <= 4.5 * small_work, (small_work, large_work)


def test_the_message_naming_the_blocks_held_stays_one_short_line() -> None:
    with pytest.raises(InvalidSnapshotError) as caught:
        embed.extract(many_headers_report(MAX_BLOCK_HEADERS - 1), 7, "ticket.md")
    assert str(caught.value) == "ticket.md embeds snapshot(s) #1, not #7; pick one of those"
    many = "\n".join(FAKE_HEADER.replace(" 1/1 ", f" {n}/999 ") + "\nQUJD" for n in range(1, 999))
    with pytest.raises(InvalidSnapshotError) as caught:
        embed.extract(many, 999, "ticket.md")
    assert len(str(caught.value)) < 200 and "#10, …" in str(caught.value)
