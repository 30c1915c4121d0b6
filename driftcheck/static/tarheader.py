"""One tar header block, PAX records and sparse maps, parsed as the engine parses them.

A header is 512 bytes: checksum verified (unsigned, or signed as some old tars
wrote it), numbers octal or base-256, the ustar prefix joined to the name only
in ustar/PAX headers (a GNU header keeps other fields there). What a block means
follows the engine's own tar reader (what a container would see once the layer
is extracted), which differs from Python's tarfile only on crafted archives: an
invalid header or a cut-short one is an error wherever it is (tarfile takes it
for the end of the archive after the first member), a negative size is refused.

The checksum is the sum of the block's bytes; it is computed with two Adler-32
calls (the low 16 bits of Adler-32 are 1 + the sum of the bytes, exact for 256
bytes or fewer), about four times faster than summing in Python, which matters
with tens of thousands of headers per image.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from zlib import adler32

BLOCK = 512
ZERO_BLOCK = bytes(BLOCK)
ENCODING = "utf-8"  # names that are not UTF-8 keep their bytes as surrogate escapes
ERRORS = "surrogateescape"

# Type flags (one byte): what an entry is.
REGULAR = ord("0")
REGULAR_OLD = 0  # "\0": a pre-POSIX regular file, or a folder when its name ends in "/"
HARD_LINK = ord("1")
SYMLINK = ord("2")
CHAR_DEVICE = ord("3")
BLOCK_DEVICE = ord("4")
DIRECTORY = ord("5")
FIFO = ord("6")
CONTIGUOUS = ord("7")  # a regular file to tar readers
# Extension headers: they describe the entry that follows them.
PAX = ord("x")
PAX_SOLARIS = ord("X")
PAX_GLOBAL = ord("g")
GNU_LONG_NAME = ord("L")
GNU_LONG_LINK = ord("K")
GNU_SPARSE = ord("S")
EXTENSIONS = frozenset({PAX, PAX_SOLARIS, PAX_GLOBAL, GNU_LONG_NAME, GNU_LONG_LINK})
# No data follows these, whatever their size field says.
HEADER_ONLY = frozenset({HARD_LINK, SYMLINK, CHAR_DEVICE, BLOCK_DEVICE, DIRECTORY, FIFO})
FILE_TYPES = frozenset({REGULAR, CONTIGUOUS, GNU_SPARSE})

USTAR_MAGIC = b"ustar\x00"  # ustar and PAX headers (GNU headers say "ustar  \0")
STAR_TRAILER = b"tar\x00"
SPARSE_PAIR_KEYS = (b"GNU.sparse.offset", b"GNU.sparse.numbytes")  # format 0.0: repeated
DECIMAL = re.compile(rb"[0-9]+\Z")
MAX_SPARSE_ENTRIES = 1_000_000 // 24  # no more than a 1 MiB header's worth


class TarFormatError(ValueError):
    """Not a readable tar: a damaged header, an impossible number, data cut short."""


class TarHeaderTooLarge(Exception):
    """A PAX, GNU long-name or sparse header larger than the reader's bound."""


@dataclass(frozen=True, slots=True)
class OldSparse:
    """An old GNU sparse header's own map (more pairs may follow in extension blocks)."""

    pairs: list[tuple[int, int]]  # (offset, length) in the file
    size: int  # the file's real size
    more: bool  # extension blocks with more pairs follow


class TarEntry:
    """One member: its name and link target, its type flag and its size.

    As parsed from a header block, ``size`` is the data stored after it; the reader
    then applies extension headers (a sparse file's ``size`` becomes its real size).
    A plain class with slots: one is made per header, and a dataclass would cost
    start-up time for nothing.
    """

    __slots__ = ("kind", "linkname", "name", "size", "sparse")

    def __init__(self, name: str, linkname: str, kind: int, size: int) -> None:
        self.name = name
        self.linkname = linkname
        self.kind = kind  # a type flag; "\0" files become REGULAR or DIRECTORY
        self.size = size
        self.sparse: OldSparse | None = None

    def isreg(self) -> bool:
        return self.kind in FILE_TYPES

    def isdir(self) -> bool:
        return self.kind == DIRECTORY

    def __repr__(self) -> str:
        return f"TarEntry({self.name!r}, {self.linkname!r}, {chr(self.kind)!r}, {self.size})"


def parse_block(block: bytes) -> TarEntry | None:
    """The header in one 512-byte block; None for a zero block (the end of the archive)."""
    field = block[148:156]
    try:  # the usual octal digits are parsed here, without a call
        digits = field.strip(b" \0")
        stored = int(digits, 8) if digits.isdigit() else number(field)
        digits = block[124:136].strip(b" \0")
        size = int(digits, 8) if digits.isdigit() else number(block[124:136])
    except ValueError:  # an 8 or a 9 among octal digits
        raise TarFormatError("a tar header with an invalid number") from None
    total = (adler32(block[:256]) & 0xFFFF) + (adler32(block[256:]) & 0xFFFF) - 2
    unsigned = total - sum(field) + 8 * 32  # the field itself counts as spaces
    if stored != unsigned and stored != unsigned - 256 * _high_bytes(block):
        if block == ZERO_BLOCK:
            return None
        raise TarFormatError("a damaged tar header (bad checksum)")
    if size < 0:
        raise TarFormatError("a tar header with a negative size")
    kind = block[156]
    if kind in EXTENSIONS:
        return TarEntry("", "", kind, size)  # its data says what it means
    end = block.find(0, 0, 100)
    name = (block[:end] if end >= 0 else block[:100]).decode(ENCODING, ERRORS)
    if block[345] and block[257:263] == USTAR_MAGIC:  # ustar: a prefix for long names
        prefix = block[345:476] if block[508:512] == STAR_TRAILER else block[345:500]
        name = c_string(prefix) + "/" + name
    header = TarEntry(name, c_string(block[157:257]) if block[157] else "", kind, size)
    if kind == GNU_SPARSE:
        header.sparse = OldSparse(
            sparse_pairs(block[386:482], 4), number(block[483:495]), block[482] != 0
        )
    return header


def _high_bytes(block: bytes) -> int:
    """Bytes >= 128 outside the checksum field (for the signed checksum some tars write)."""
    high = sum(1 for byte in block if byte >= 128)
    return high - sum(1 for byte in block[148:156] if byte >= 128)


def number(field: bytes) -> int:
    """A numeric field: octal digits (NUL or space padded), or base-256 (high bit set)."""
    if field[0] & 0x80:
        value = int.from_bytes(field, "big") & ~(0x80 << (8 * (len(field) - 1)))
        if field[0] & 0x40:  # two's complement: negative
            value -= 1 << (8 * len(field) - 1)
        return value
    digits = field.strip(b" \0")
    if 0 in digits:
        digits = digits[: digits.index(0)]
    if not digits.isdigit():  # no sign, no space, no underscore: digits only
        if digits:
            raise TarFormatError("a tar header with an invalid number")
        return 0
    try:
        return int(digits, 8)
    except ValueError:  # an 8 or a 9
        raise TarFormatError("a tar header with an invalid number") from None


def c_string(field: bytes) -> str:
    end = field.find(0)
    return (field if end < 0 else field[:end]).decode(ENCODING, ERRORS)


def sparse_pairs(field: bytes, count: int) -> list[tuple[int, int]]:
    """(offset, length) pairs of an old GNU sparse header or extension block."""
    pairs = []
    for index in range(count):
        start = index * 24
        offset, length = number(field[start : start + 12]), number(field[start + 12 : start + 24])
        if offset == 0 and length == 0:
            break  # the rest is unused
        pairs.append((offset, length))
    return pairs


def parse_pax(data: bytes) -> dict[bytes, bytes]:
    """The records of a PAX header the reader uses (``path``, ``size``, ``GNU.sparse.*``).

    A record is ``"<length> <key>=<value>\\n"``; the last of a repeated key wins, but
    format 0.0 sparse pairs repeat by design: they are joined into ``GNU.sparse.map``.
    A header holding none of those keys (most hold only timestamps) is not parsed at
    all, so its records are not checked either: nothing is taken from them.
    """
    if b"path=" not in data and b"size=" not in data and b"GNU.sparse." not in data:
        return {}  # mtime, atime, ctime, xattrs: nothing a snapshot reads
    records: dict[bytes, bytes] = {}
    pairs: list[bytes] = []
    position, end = 0, len(data)
    while position < end and data[position] != 0:
        space = data.find(b" ", position, position + 20)
        length = data[position:space] if space > position else b""
        if not DECIMAL.match(length) or int(length) < space - position + 3:
            raise TarFormatError("a damaged PAX header")
        stop = position + int(length)
        equals = data.find(b"=", space + 1, stop)
        if stop > end or equals < 0 or data[stop - 1] != 0x0A:
            raise TarFormatError("a damaged PAX header")
        key, value = data[space + 1 : equals], data[equals + 1 : stop - 1]
        if key in SPARSE_PAIR_KEYS:
            pairs.append(value)
        else:
            records[key] = value
        position = stop
    if pairs:
        records[b"GNU.sparse.map"] = b",".join(pairs)
    return records


def pax_text(value: bytes) -> str:
    if b"\0" in value:
        raise TarFormatError("a PAX name with a NUL byte")
    return value.decode(ENCODING, ERRORS)


def pax_number(value: bytes) -> int:
    if not DECIMAL.match(value):
        raise TarFormatError(f"a PAX header with an invalid number {value[:20]!r}")
    return int(value)


def sparse_map(numbers: list[int], real_size: int, stored: int) -> list[tuple[int, int]]:
    """Validated (offset, length) pairs: in order, inside the file, covering the data."""
    if len(numbers) % 2 or len(numbers) > 2 * MAX_SPARSE_ENTRIES:
        raise TarFormatError("a damaged sparse map")
    pairs = list(zip(numbers[::2], numbers[1::2], strict=True))
    return check_sparse(pairs, real_size, stored)


def check_sparse(
    pairs: list[tuple[int, int]], real_size: int, stored: int
) -> list[tuple[int, int]]:
    previous_end = 0
    for offset, length in pairs:
        if offset < previous_end or length < 0 or offset + length > real_size:
            raise TarFormatError("a damaged sparse map")
        previous_end = offset + length
    if sum(length for _, length in pairs) != stored:
        raise TarFormatError("a sparse map that does not match the data stored")
    return pairs
