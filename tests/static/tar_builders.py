"""Tar bytes made block by block, for the tar reader's tests: every field is the test's choice.

tarfile writes only well-formed archives; the reader must also be shown damaged,
crafted and rare ones (signed checksums, base-256 sizes, sparse maps of each
GNU format, headers cut short). These builders follow the formats' layouts
directly and share no code with the reader.
"""

from __future__ import annotations

BLOCK = 512
USTAR = b"ustar\x0000"
GNU = b"ustar  \x00"


def octal(value: int, width: int) -> bytes:
    return b"%0*o\x00" % (width - 1, value)


def header(
    name: bytes,
    size: int = 0,
    kind: bytes = b"0",
    *,
    link: bytes = b"",
    prefix: bytes = b"",
    magic: bytes = USTAR,
    fields: dict[int, bytes] | None = None,
    checksum: str = "unsigned",
) -> bytes:
    """One header block; ``fields`` overwrites bytes at offsets before the checksum."""
    block = bytearray(BLOCK)
    block[0 : len(name)] = name
    block[100:108] = octal(0o644, 8)
    block[108:116] = octal(0, 8)
    block[116:124] = octal(0, 8)
    block[124:136] = octal(size, 12)
    block[136:148] = octal(0, 12)
    block[156:157] = kind
    block[157 : 157 + len(link)] = link
    block[257:265] = magic
    block[345 : 345 + len(prefix)] = prefix
    for offset, value in (fields or {}).items():
        block[offset : offset + len(value)] = value
    block[148:156] = b" " * 8
    total = sum(block) - (256 * sum(b >= 128 for b in block) if checksum == "signed" else 0)
    block[148:156] = b"%06o\x00 " % total if checksum != "bad" else b"000001\x00 "
    return bytes(block)


def padded(data: bytes) -> bytes:
    return data + bytes(-len(data) % BLOCK)


def member(name: bytes, data: bytes = b"", kind: bytes = b"0", **options: object) -> bytes:
    return header(name, len(data), kind, **options) + padded(data)  # type: ignore[arg-type]


def pax_records(records: list[tuple[bytes, bytes]]) -> bytes:
    out = b""
    for key, value in records:
        body = b" " + key + b"=" + value + b"\n"
        length = len(body) + 1
        while len(b"%d" % length) + len(body) != length:
            length += 1
        out += b"%d" % length + body
    return out


def pax(records: list[tuple[bytes, bytes]], kind: bytes = b"x") -> bytes:
    data = pax_records(records)
    return header(b"./PaxHeaders/x", len(data), kind) + padded(data)


def gnu_long(kind: bytes, text: bytes) -> bytes:
    data = text + b"\x00"
    return header(b"././@LongLink", len(data), kind, magic=GNU) + padded(data)


def end() -> bytes:
    return bytes(2 * BLOCK)


# --- sparse files: (offset, data) pieces of a file of ``size`` bytes ---------------------


def sparse_content(size: int, pieces: list[tuple[int, bytes]]) -> bytes:
    content = bytearray(size)
    for offset, data in pieces:
        content[offset : offset + len(data)] = data
    return bytes(content)


def old_gnu_sparse(name: bytes, size: int, pieces: list[tuple[int, bytes]]) -> bytes:
    """GNU's original sparse member ('S'): 4 pairs in the header, 21 per extension block."""
    stored = b"".join(data for _, data in pieces)
    pairs = [octal(offset, 12) + octal(len(data), 12) for offset, data in pieces]
    fields = {386 + 24 * i: pair for i, pair in enumerate(pairs[:4])}
    fields[483] = octal(size, 12)
    rest = pairs[4:]
    if rest:
        fields[482] = b"\x01"
    blocks = b""
    while rest:
        block = bytearray(BLOCK)
        for i, pair in enumerate(rest[:21]):
            block[24 * i : 24 * i + 24] = pair
        rest = rest[21:]
        block[504] = 1 if rest else 0
        blocks += bytes(block)
    return header(name, len(stored), b"S", magic=GNU, fields=fields) + blocks + padded(stored)


def pax_sparse(name: bytes, size: int, pieces: list[tuple[int, bytes]], version: str) -> bytes:
    """GNU's PAX sparse formats 0.0, 0.1 and 1.0."""
    stored = b"".join(data for _, data in pieces)
    numbers = [(b"%d" % offset, b"%d" % len(data)) for offset, data in pieces]
    if version == "0.0":
        records = [
            (b"GNU.sparse.size", b"%d" % size),
            (b"GNU.sparse.numblocks", b"%d" % len(pieces)),
        ]
        for offset, length in numbers:
            records += [(b"GNU.sparse.offset", offset), (b"GNU.sparse.numbytes", length)]
        records.append((b"path", name))
        return pax(records) + member(b"GNUSparseFile.0/x", stored)
    if version == "0.1":
        flat = b",".join(n for pair in numbers for n in pair)
        records = [
            (b"GNU.sparse.size", b"%d" % size),
            (b"GNU.sparse.numblocks", b"%d" % len(pieces)),
            (b"GNU.sparse.name", name),
            (b"GNU.sparse.map", flat),
        ]
        return pax(records) + member(b"GNUSparseFile.0/x", stored)
    records = [
        (b"GNU.sparse.major", b"1"),
        (b"GNU.sparse.minor", b"0"),
        (b"GNU.sparse.name", name),
        (b"GNU.sparse.realsize", b"%d" % size),
    ]
    sparse_map = b"%d\n" % len(pieces) + b"".join(o + b"\n" + n + b"\n" for o, n in numbers)
    return pax(records) + member(b"GNUSparseFile.0/x", padded(sparse_map) + stored)
