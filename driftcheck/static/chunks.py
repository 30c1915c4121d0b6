"""A blob's bytes as large chunks, hashed and counted as they go by; gzip inflated in bounds.

Every byte of a layer is hashed (the digest check needs the whole blob), so the
cost of reading one is the cost of moving its bytes: they move here in chunks of
a mebibyte, each hashed once (OpenSSL's SHA-256 through hashlib) and handed on
as it is, never copied into a stream object and read back in small pieces. The
chunk that is hashed is the chunk that is parsed.

Gzip layers are inflated with zlib directly: any number of gzip members, with
zero padding between them (as the gzip module reads them), the CRC and length
of each member checked by zlib. Output comes in pieces of at most a mebibyte
whatever the ratio, so a decompression bomb costs time (bounded by the byte
budget of the caller), never memory.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable, Iterator
from typing import Protocol

KiB = 1024
MiB = 1024 * KiB
CHUNK = 1 * MiB
INFLATE_INPUT = 128 * KiB  # input per inflate call: the unconsumed tail zlib copies stays small
GZIP_WBITS = 16 + zlib.MAX_WBITS


class Readable(Protocol):
    """What a blob or a layer is read from: a file, a file region, a network stream."""

    def read(self, size: int = -1, /) -> bytes: ...


class HashedChunks:
    """A stream's chunks, hashed and counted; stops one byte past ``limit`` (to notice it)."""

    def __init__(self, stream: Readable, limit: int | None = None) -> None:
        self._stream = stream
        self._stop = None if limit is None else limit + 1
        self._hash = hashlib.sha256()
        self.size = 0

    def __iter__(self) -> Iterator[bytes]:
        stream, update, stop = self._stream, self._hash.update, self._stop
        while True:
            want = CHUNK if stop is None else min(CHUNK, stop - self.size)
            if want <= 0:
                return
            chunk = stream.read(want)
            if not chunk:
                return
            self.size += len(chunk)
            update(chunk)
            yield chunk

    @property
    def digest(self) -> str:
        return "sha256:" + self._hash.hexdigest()


class Hashed:
    """Chunks passed through unchanged, hashed and counted on the way."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = chunks
        self._hash = hashlib.sha256()
        self.size = 0

    def __iter__(self) -> Iterator[bytes]:
        update = self._hash.update
        for chunk in self._chunks:
            self.size += len(chunk)
            update(chunk)
            yield chunk

    @property
    def digest(self) -> str:
        return "sha256:" + self._hash.hexdigest()


def gunzip(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Inflates a gzip stream of one or more members; EOFError if it is cut short.

    zlib hands back what follows a member's end as a copy (``unused_data``) of the
    input given in that call, so the input goes in pieces no larger than about twice
    the member read before: a stream of many tiny members costs time in proportion
    to its size, not to its size times the piece size.
    """
    inflater = zlib.decompressobj(GZIP_WBITS)
    in_member = False  # the current member has had input
    member_input = 0  # bytes given to the current member
    piece_size = INFLATE_INPUT
    for chunk in chunks:
        view, position = memoryview(chunk), 0
        while position < len(view):
            if not in_member:
                position += _zeros_at_start(view[position:])  # padding between members
                if position == len(view):
                    break
                in_member, member_input = True, 0
            piece = view[position : position + piece_size]
            given = len(piece)
            while True:
                out = inflater.decompress(piece, CHUNK)
                if out:
                    yield out
                if inflater.eof:
                    break
                piece = memoryview(inflater.unconsumed_tail)
                if not piece and len(out) < CHUNK:
                    break  # this piece is used up and nothing is pending
            if inflater.eof:  # the member ended: padding or another member follows
                given -= len(inflater.unused_data)
                member_input += given
                piece_size = min(INFLATE_INPUT, max(64, 2 * member_input))
                inflater, in_member = zlib.decompressobj(GZIP_WBITS), False
            else:
                member_input += given
                piece_size = min(INFLATE_INPUT, 2 * piece_size)
            position += given
    if in_member:
        raise EOFError("the compressed layer ends before its end-of-stream marker")


_ZERO_BLOCK = bytes(64 * KiB)
_NEAR = 4 * KiB


def _zeros_at_start(view: memoryview) -> int:
    """How many zero bytes ``view`` starts with.

    Padding can be gigabytes (it is charged to the byte budget as it is read), so whole
    blocks are compared with zeros in place (``startswith`` is a memcmp); only the block
    where the zeros end, at most 4 KiB, is copied to find where.
    """
    count, step = 0, len(_ZERO_BLOCK)
    while count < len(view):
        block = view[count : count + step]
        if _ZERO_BLOCK.startswith(block):
            count += len(block)
        elif step > _NEAR:
            step = _NEAR  # the zeros end in this block: look closer
        else:
            data = bytes(block)
            return count + len(data) - len(data.lstrip(b"\0"))
    return count
