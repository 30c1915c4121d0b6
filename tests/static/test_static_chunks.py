"""Blob bytes in chunks: hashed once as they pass, gzip inflated member by member, in bounds."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
import zlib

import pytest
from static_builders import docker_archive, file, layer, no_writes

from driftcheck.static.archive import read_image_archive
from driftcheck.static.chunks import CHUNK, HashedChunks, gunzip
from driftcheck.static.rootfs import Keep, RootFS


def inflate(data: bytes, piece: int = 1 << 20) -> bytes:
    return b"".join(gunzip(data[i : i + piece] for i in range(0, len(data), piece)))


def test_members_and_the_zeros_between_them_read_as_the_gzip_module_reads_them():
    text = b"".join(b"line %d\n" % i for i in range(20_000))
    members = [gzip.compress(text[i : i + 7000], mtime=0) for i in range(0, len(text), 7000)]
    data = members[0] + bytes(1000) + b"".join(members[1:]) + bytes(3)
    assert gzip.decompress(data) == text
    for piece in (1, 100, 4096, 1 << 20):
        assert inflate(data, piece) == text


@pytest.mark.parametrize("padding", [1, 4095, 4096, 4097, 65535, 65536, 65537, 300_000])
def test_padding_of_any_length_is_skipped_up_to_the_next_member(padding):
    # Zeros are compared a block at a time (64 KiB, then 4 KiB where they end): where
    # they end, and a member that starts right at a block boundary, must be exact.
    first, second = gzip.compress(b"first", mtime=0), gzip.compress(b"second", mtime=0)
    data = first + bytes(padding) + second + bytes(padding)
    assert gzip.decompress(data) == b"firstsecond"
    for piece in (7, 4096, 65536, 1 << 20):
        assert inflate(data, piece) == b"firstsecond"


def test_a_cut_short_or_damaged_stream_is_an_error():
    data = gzip.compress(b"x" * 100_000)
    with pytest.raises(EOFError, match="ends before its end-of-stream marker"):
        inflate(data[:-20])
    with pytest.raises(zlib.error):
        inflate(data + b"not a gzip member")
    damaged = bytearray(data)
    damaged[-6] ^= 0xFF  # the CRC of the uncompressed data
    with pytest.raises(zlib.error):
        inflate(bytes(damaged))


def test_output_comes_in_bounded_pieces_whatever_the_ratio():
    bomb = gzip.compress(bytes(64 << 20), compresslevel=9)
    assert len(bomb) < 100_000
    sizes = [len(piece) for piece in gunzip([bomb])]
    assert sum(sizes) == 64 << 20
    assert max(sizes) <= CHUNK


def test_many_tiny_members_read_in_full():
    # Each member is ~20 bytes of input: the input goes in pieces sized to the members,
    # never a large remainder copied at every member's end.
    members = [gzip.compress(b"%d," % i, mtime=0) for i in range(50_000)]
    assert inflate(b"".join(members)) == b"".join(b"%d," % i for i in range(50_000))


def test_hashed_chunks_stop_one_byte_past_the_limit():
    data = bytes(range(256)) * 10_000
    chunks = HashedChunks(io.BytesIO(data), limit=1000)
    assert b"".join(chunks) == data[:1001]
    assert chunks.size == 1001
    whole = HashedChunks(io.BytesIO(data))
    assert b"".join(whole) == data and whole.digest == "sha256:" + hashlib.sha256(data).hexdigest()


def test_a_first_layers_whiteouts_delete_nothing_of_its_own_entries():
    # Whiteouts act on the layers below; a first layer's have nothing below them, even
    # when they come after the entry they name in the same layer.
    fs = RootFS(lambda path: Keep(100))
    fs.add_layer(
        io.BytesIO(layer(file("etc/a", "A"), file("etc/.wh.a"), file("etc/.wh..wh..opq"))), "1"
    )
    assert fs.read_bytes("/etc/a") == b"A"
    fs.add_layer(io.BytesIO(layer(file("etc/b", "B"), file("etc/.wh.a"))), "2")
    assert not fs.exists("/etc/a") and fs.read_bytes("/etc/b") == b"B"


def test_archive_members_are_read_where_they_lie(tmp_path):
    # Outer members named through PAX headers and GNU long names; each blob is read at its
    # own offsets in the archive file.
    base = layer(file("etc/os-release", "ID=long\n"))
    path = docker_archive(tmp_path / "img.tar", [(["long:1"], [base])])
    renamed = tmp_path / "renamed.tar"
    long_dir = "x" * 150
    with tarfile.open(path) as src, tarfile.open(renamed, "w", format=tarfile.PAX_FORMAT) as out:
        for info in src.getmembers():
            data = src.extractfile(info).read()
            if info.name.endswith("layer.tar"):
                info.name = f"{long_dir}/{info.name}"
            if info.name == "manifest.json":
                manifest = json.loads(data)
                manifest[0]["Layers"] = [f"{long_dir}/{n}" for n in manifest[0]["Layers"]]
                data = json.dumps(manifest).encode()
                info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    with no_writes():
        image = read_image_archive(renamed)
    assert image.rootfs.read_bytes("/etc/os-release") == b"ID=long\n"
