"""Snapshots embedded in a report: compact, checksummed, bounded when read back.

A block is plain ASCII lines, the same in Markdown (inside a fenced code block) and
in HTML (inside <pre>), so one reader serves both:

    driftcheck-snapshot v1 1/2 zlib+base64 bytes=48213 sha256=<hex of the JSON>
    eJzt...   (base64 of the zlib-compressed JSON, 76 characters a line)
    end driftcheck-snapshot 1/2

The checksum covers the decompressed JSON, so an edit anywhere is caught; the end
line catches a block cut short. Decompression stops at MAX_EMBEDDED_BYTES whatever
the header claims, so a crafted block cannot exhaust memory; reading is linear in the
report's size, and more than MAX_BLOCK_HEADERS headers are refused (a real report
holds one or two). Lines may carry the `> ` of a quoted reply: a maintainer can save
a quoted comment and still read it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from driftcheck.errors import InvalidSnapshotError, SchemaTooNewError
from driftcheck.snapshot.codec import to_jsonable
from driftcheck.snapshot.model import Snapshot

MARKER = "driftcheck-snapshot"
VERSION = 1
ENCODING = "zlib+base64"
LINE_WIDTH = 76
MAX_EMBEDDED_BYTES = 64 * 1024 * 1024
# A block's index and count have three digits at most, so no report holds more blocks.
MAX_BLOCK_HEADERS = 999
_SHOWN_INDEXES = 10  # in the message naming the blocks a report holds

_QUOTE = r"^[ \t>]*"
_HEADER = re.compile(_QUOTE + MARKER + r" v(?P<version>[0-9]{1,4})(?P<rest>[^\n]*)$", re.M)
_FIELDS = re.compile(
    r" (?P<index>[0-9]{1,3})/(?P<count>[0-9]{1,3}) (?P<encoding>\S+) "
    r"bytes=(?P<bytes>[0-9]{1,12}) sha256=(?P<sha>[0-9a-f]{64})\s*"
)
_BASE64_LINE = re.compile(r"[A-Za-z0-9+/]+={0,2}")
_LINE_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")  # str.splitlines'


def pack(snapshot: Snapshot) -> str:
    """The snapshot as compact JSON (the readable one-entry-per-line form is for files)."""
    return json.dumps(
        to_jsonable(snapshot), sort_keys=True, ensure_ascii=True, separators=(",", ":")
    )


def embed_block(snapshot: Snapshot, index: int, count: int) -> str:
    """The block for SNAPSHOT, number INDEX of COUNT (1-based), without a trailing newline."""
    data = pack(snapshot).encode("ascii")
    encoded = base64.b64encode(zlib.compress(data, 9)).decode("ascii")
    header = (
        f"{MARKER} v{VERSION} {index}/{count} {ENCODING} "
        f"bytes={len(data)} sha256={hashlib.sha256(data).hexdigest()}"
    )
    lines = [encoded[i : i + LINE_WIDTH] for i in range(0, len(encoded), LINE_WIDTH)]
    return "\n".join([header, *lines, f"end {MARKER} {index}/{count}"])


def has_blocks(text: str) -> bool:
    return _HEADER.search(text) is not None


@dataclass(frozen=True)
class _Header:
    index: int
    count: int
    size: int
    sha256: str
    end: int  # where the header line ends in the report; its payload follows


@dataclass(frozen=True)
class _Block:
    header: _Header
    payload: str  # base64, lines joined
    complete: bool


def extract(text: str, index: int, name: str) -> str:
    """The JSON of embedded snapshot INDEX (1-based) of the report TEXT, verified.

    Linear in the size of TEXT, whatever it holds: one pass finds the headers (at most
    MAX_BLOCK_HEADERS), and only the chosen block's lines are read after that. A
    report is untrusted input: a scan from each header to the end of the text would
    be quadratic (16,000 headers once took 88 s).
    """
    headers = _headers(text, name)
    chosen = next((h for h in headers if h.index == index), None)
    if chosen is None:
        held = list(dict.fromkeys(f"#{h.index}" for h in headers))
        shown = ", ".join(held[:_SHOWN_INDEXES]) + (", …" if len(held) > _SHOWN_INDEXES else "")
        raise InvalidSnapshotError(
            f"{name} embeds snapshot(s) {shown}, not #{index}; pick one of those"
        )
    where = f"embedded snapshot #{index} of {name}"
    block = _read_block(text, chosen)
    if not block.complete:
        raise InvalidSnapshotError(
            f"{where} is truncated (its end line is missing); copy the whole report again"
        )
    return _decode(block, where)


def _headers(text: str, name: str) -> list[_Header]:
    headers: list[_Header] = []
    for header in _HEADER.finditer(text):
        if len(headers) == MAX_BLOCK_HEADERS:
            raise InvalidSnapshotError(
                f"{name}: more than {MAX_BLOCK_HEADERS} embedded snapshot headers "
                "(a driftcheck report holds one or two); pass the report as driftcheck "
                "wrote it, or the snapshot file"
            )
        version = int(header["version"])
        if version > VERSION:
            raise SchemaTooNewError(
                f"{name} embeds a snapshot in format v{version}; this driftcheck reads "
                f"v{VERSION}; upgrade driftcheck"
            )
        fields = _FIELDS.fullmatch(header["rest"])
        if fields is None or fields["encoding"] != ENCODING:
            raise InvalidSnapshotError(
                f"{name}: an embedded snapshot's header line was edited; "
                "copy the report again from its source"
            )
        index, count = int(fields["index"]), int(fields["count"])
        headers.append(_Header(index, count, int(fields["bytes"]), fields["sha"], header.end()))
    return headers


def _read_block(text: str, header: _Header) -> _Block:
    """The payload after HEADER, up to its end line or the first line that is not base64."""
    end_line = f"end {MARKER} {header.index}/{header.count}"
    pieces: list[str] = []
    for raw_line in _lines_after(text, header.end):
        line = re.sub(_QUOTE, "", raw_line).rstrip()
        if line == end_line:
            return _Block(header, "".join(pieces), True)
        if not _BASE64_LINE.fullmatch(line):
            break  # the block ends early: a paste lost its tail
        pieces.append(line)
    return _Block(header, "".join(pieces), False)


def _lines_after(text: str, start: int) -> Iterator[str]:
    """The lines of TEXT after the one holding START, split as str.splitlines splits them.

    Read one at a time, so that a scan stops where the block ends instead of copying
    and splitting the whole rest of the report first.
    """
    position = None
    for line_break in _LINE_BREAK.finditer(text, start):
        if position is not None:
            yield text[position : line_break.start()]
        position = line_break.end()
    if position is not None and position < len(text):
        yield text[position:]


def _decode(block: _Block, where: str) -> str:
    header = block.header
    damaged = f"{where} is damaged ({{}}); copy the report again from its source"
    if header.size > MAX_EMBEDDED_BYTES:
        raise InvalidSnapshotError(
            f"{where} claims {header.size} bytes, over the {MAX_EMBEDDED_BYTES}-byte limit"
        )
    try:
        compressed = base64.b64decode(block.payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidSnapshotError(damaged.format("not base64")) from exc
    inflater = zlib.decompressobj()
    try:
        # Never more than the header's size plus one byte: a bomb stops right there.
        data = inflater.decompress(compressed, header.size + 1)
    except zlib.error as exc:
        raise InvalidSnapshotError(damaged.format("not zlib data")) from exc
    if len(data) != header.size or not inflater.eof or inflater.unused_data:
        raise InvalidSnapshotError(damaged.format("its size does not match its header"))
    if hashlib.sha256(data).hexdigest() != header.sha256:
        raise InvalidSnapshotError(
            f"{where} was edited: its sha256 checksum does not match; "
            "copy the report again from its source"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidSnapshotError(damaged.format("not UTF-8 text")) from exc
