"""A lean streaming tar reader: entries one by one, data read only where it is wanted.

Python's tarfile makes an object per member, reads its stream in 10 KiB pieces
and parses every PAX record; an image layer has tens of thousands of headers,
most of them PAX headers holding timestamps. This reader takes its bytes in
large chunks (``ChunkReader``; the caller hashes each chunk as it goes by, so
the digest covers the very bytes parsed), parses each header block in place,
skips the data of entries nobody asked for by moving an offset, and keeps
nothing of an entry once the next one is read.

Extension headers are bounded before they are read (``max_header``): a PAX or
GNU long-name header, a sparse map. Their meaning follows the engine's tar
reader: PAX records win over GNU long names, the last of repeated extension
headers wins, a global PAX header (``g``) applies to nothing (the engine
ignores it). A header cut short, data cut short, or a damaged header anywhere
is a ``TarFormatError``; the end of the stream at a header boundary ends the
archive like the zero blocks do.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol

from driftcheck.static.tarheader import (
    BLOCK,
    DIRECTORY,
    EXTENSIONS,
    GNU_LONG_LINK,
    GNU_LONG_NAME,
    GNU_SPARSE,
    HEADER_ONLY,
    PAX_GLOBAL,
    REGULAR,
    REGULAR_OLD,
    TarEntry,
    TarFormatError,
    TarHeaderTooLarge,
    c_string,
    check_sparse,
    parse_block,
    parse_pax,
    pax_number,
    pax_text,
    sparse_map,
    sparse_pairs,
)

__all__ = ["ChunkReader", "TarEntry", "TarFormatError", "TarHeaderTooLarge", "TarReader"]

KiB = 1024
MAX_TAR_HEADER = 1024 * KiB  # one PAX / GNU long-name header, one sparse map
_SPECIAL = frozenset({REGULAR_OLD, GNU_SPARSE})  # entries that need more than their header


class ByteSource(Protocol):
    """Where a tar's bytes come from: a stream of chunks, or a file read at offsets."""

    def read(self, size: int, /) -> bytes:
        """Exactly ``size`` bytes, fewer only at the end."""
        ...

    def skip(self, size: int, /) -> int:
        """Passes over ``size`` bytes; how many there were (fewer only at the end)."""
        ...


class ChunkReader:
    """A ``ByteSource`` over an iterable of chunks; never holds more than one chunk."""

    __slots__ = ("_buffer", "_chunks", "_position")

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks: Iterator[bytes] = iter(chunks)
        self._buffer = b""
        self._position = 0

    def read(self, size: int) -> bytes:
        start, end, buffer = self._position, self._position + size, self._buffer
        if end <= len(buffer):
            self._position = end
            return buffer[start:end]
        parts, missing = [buffer[start:]], end - len(buffer)
        for chunk in self._chunks:
            if len(chunk) >= missing:
                parts.append(chunk[:missing])
                self._buffer, self._position = chunk, missing
                return b"".join(parts)
            parts.append(chunk)
            missing -= len(chunk)
        self._buffer, self._position = b"", 0
        return b"".join(parts)

    def skip(self, size: int) -> int:
        end, buffer = self._position + size, self._buffer
        if end <= len(buffer):
            self._position = end
            return size
        missing = end - len(buffer)
        for chunk in self._chunks:
            if len(chunk) >= missing:
                self._buffer, self._position = chunk, missing
                return size
            missing -= len(chunk)
        self._buffer, self._position = b"", 0
        return size - missing

    def drain(self) -> None:
        """Reads the stream to its end (so that a digest over it covers every byte)."""
        for _ in self._chunks:
            pass
        self._buffer, self._position = b"", 0


class TarReader:
    """The entries of one tar, in order; ``read`` gives the current entry's content."""

    def __init__(self, source: ByteSource, max_header: int = MAX_TAR_HEADER) -> None:
        self._read, self._skip = source.read, source.skip
        self._max_header = max_header
        self._left = 0  # data bytes of the current entry not read yet
        self._rest = 0  # bytes to pass over before the next header: data left and padding
        self._sparse: list[tuple[int, int]] | None = None
        self._current: TarEntry | None = None

    def __iter__(self) -> Iterator[TarEntry]:
        while (entry := self.next()) is not None:
            yield entry

    def next(self) -> TarEntry | None:
        """The next entry, or None at the end of the archive."""
        if self._rest:
            if self._skip(self._rest) != self._rest:
                raise TarFormatError("unexpected end of data")
            self._left = self._rest = 0
        self._current = self._sparse = None
        pax: dict[bytes, bytes] = {}
        long_name = long_link = None
        extended = False
        while True:
            block = self._read(BLOCK)
            header = parse_block(block) if len(block) == BLOCK else None
            if header is None:
                if extended or 0 < len(block) < BLOCK:
                    raise TarFormatError("unexpected end of data (in a header)")
                return None  # a zero block, or the end of the stream at a boundary
            kind = header.kind
            if kind not in EXTENSIONS:
                if extended or kind in _SPECIAL:
                    self._extend(header, pax, long_name, long_link)
                elif kind not in HEADER_ONLY:
                    self._left = header.size
                    self._rest = header.size + (-header.size % BLOCK)
                self._current = header
                return header
            extended = True
            data = self._extension(header.size)
            if kind == GNU_LONG_NAME:
                long_name = c_string(data)
            elif kind == GNU_LONG_LINK:
                long_link = c_string(data)
            elif kind == PAX_GLOBAL:  # applies to nothing, and ends what came before
                pax, long_name, long_link, extended = {}, None, None, False
            else:
                pax = parse_pax(data)

    @property
    def sparse(self) -> bool:
        """The current entry is sparse: ``read`` gives its content in one call only."""
        return self._sparse is not None

    def read(self, limit: int) -> bytes:
        """The current entry's first ``limit`` bytes (a sparse file's holes as zeros); for
        a regular entry, each call goes on where the last one stopped."""
        if self._current is None:
            return b""
        stored = self._data(min(limit, self._left))
        if self._sparse is None:
            return stored
        content = bytearray(min(limit, self._current.size))
        position = 0
        for offset, length in self._sparse:
            if offset >= len(content) or position >= len(stored):
                break
            piece = stored[position : position + length][: len(content) - offset]
            content[offset : offset + len(piece)] = piece
            position += length
        return bytes(content)

    # --- headers -------------------------------------------------------------------

    def _extension(self, size: int) -> bytes:
        if size > self._max_header:
            raise TarHeaderTooLarge(size)
        padded = size + -size % BLOCK
        data = self._read(padded)  # with its padding: one read
        if len(data) != padded:
            raise TarFormatError("unexpected end of data (in an extended header)")
        return data[:size]

    def _extend(
        self, entry: TarEntry, pax: dict[bytes, bytes], long_name: str | None, long_link: str | None
    ) -> None:
        """Applies extension headers to ``entry`` and sets up its data."""
        if long_name is not None:
            entry.name = long_name
        if long_link is not None:
            entry.linkname = long_link
        if entry.kind == REGULAR_OLD:
            entry.kind = DIRECTORY if entry.name.endswith("/") else REGULAR
        if pax:
            if b"path" in pax:
                entry.name = pax_text(pax[b"path"])
            if b"linkpath" in pax:
                entry.linkname = pax_text(pax[b"linkpath"])
            if b"size" in pax:
                entry.size = pax_number(pax[b"size"])
        if entry.kind in HEADER_ONLY:
            return
        stored = entry.size
        self._left, self._rest = stored, stored + (-stored % BLOCK)
        if entry.sparse is not None:
            self._sparse = self._old_gnu_sparse(entry, stored)
            entry.size = entry.sparse.size
        elif pax and any(key.startswith(b"GNU.sparse.") for key in pax):
            self._sparse = self._pax_sparse(pax, entry)
            entry.kind = GNU_SPARSE

    def _old_gnu_sparse(self, header: TarEntry, stored: int) -> list[tuple[int, int]]:
        assert header.sparse is not None
        pairs, more, budget = list(header.sparse.pairs), header.sparse.more, self._max_header
        while more:
            budget -= BLOCK
            if budget < 0:
                raise TarHeaderTooLarge(self._max_header + BLOCK)
            block = self._read(BLOCK)
            if len(block) != BLOCK:
                raise TarFormatError("unexpected end of data (in a sparse header)")
            pairs += sparse_pairs(block, 21)
            more = block[504] != 0
        return check_sparse(pairs, header.sparse.size, stored)

    def _pax_sparse(self, pax: dict[bytes, bytes], entry: TarEntry) -> list[tuple[int, int]]:
        """GNU sparse formats 0.0 and 0.1 (map in the PAX records), 1.0 (map in the data)."""
        if b"GNU.sparse.name" in pax:
            entry.name = pax_text(pax[b"GNU.sparse.name"])
        real = pax.get(b"GNU.sparse.realsize", pax.get(b"GNU.sparse.size"))
        if real is None:
            raise TarFormatError("a sparse file without its size")
        entry.size = pax_number(real)
        if pax.get(b"GNU.sparse.major") == b"1" and pax.get(b"GNU.sparse.minor") == b"0":
            numbers = self._map_in_data()
        else:
            text = pax.get(b"GNU.sparse.map", b"")
            numbers = [pax_number(n) for n in text.split(b",")] if text else []
        return sparse_map(numbers, entry.size, self._left)

    def _map_in_data(self) -> list[int]:
        """Format 1.0: decimal numbers, one a line (a count, then pairs), in whole blocks."""
        numbers: list[int] = []
        count, partial, read = -1, b"", 0
        while count < 0 or len(numbers) < 2 * count:
            if read + BLOCK > self._max_header:
                raise TarHeaderTooLarge(read + BLOCK)
            if self._left < BLOCK:
                raise TarFormatError("a sparse map longer than its entry")
            lines = (partial + self._data(BLOCK)).split(b"\n")
            read += BLOCK
            partial = lines.pop()  # the line the next block ends (or the padding after the map)
            for line in lines:
                if count < 0:
                    count = pax_number(line)
                elif len(numbers) < 2 * count:
                    numbers.append(pax_number(line))
            if len(partial) > 20 and (count < 0 or len(numbers) < 2 * count):
                raise TarFormatError("a damaged sparse map")  # no number is that long
        return numbers

    def _data(self, size: int) -> bytes:
        data = self._read(size)
        if len(data) != size:
            raise TarFormatError("unexpected end of data")
        self._left -= size
        self._rest -= size
        return data
