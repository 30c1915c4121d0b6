"""The lean tar reader: every format GNU tar writes, crafted and damaged headers, chunking.

Well-formed archives are read as Python's tarfile reads them (names, types, sizes,
link targets, content, sparse files with their holes); where the two differ (a
damaged header after the first, global PAX headers, PAX against GNU long names)
the reader follows the engine's tar reader, and the test says so.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from static_builders import docker_archive, no_writes
from tar_builders import (
    GNU,
    end,
    gnu_long,
    header,
    member,
    old_gnu_sparse,
    padded,
    pax,
    pax_sparse,
    sparse_content,
)

from driftcheck.errors import ExitCode
from driftcheck.static import tarheader
from driftcheck.static.archive import read_image_archive
from driftcheck.static.errors import InvalidArchiveError
from driftcheck.static.tarstream import ChunkReader, TarFormatError, TarHeaderTooLarge, TarReader

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hostile"))
import properties  # noqa: F401  (the CI / dev hypothesis profiles)

KINDS = {
    tarfile.REGTYPE: "file",
    tarfile.AREGTYPE: "file",
    tarfile.CONTTYPE: "file",
    tarfile.GNUTYPE_SPARSE: "file",
    tarfile.DIRTYPE: "dir",
    tarfile.SYMTYPE: "symlink",
    tarfile.LNKTYPE: "hardlink",
    tarfile.FIFOTYPE: "fifo",
    tarfile.CHRTYPE: "char",
    tarfile.BLKTYPE: "block",
}
OURS = {
    tarheader.REGULAR: "file",
    tarheader.CONTIGUOUS: "file",
    tarheader.GNU_SPARSE: "file",
    tarheader.DIRECTORY: "dir",
    tarheader.SYMLINK: "symlink",
    tarheader.HARD_LINK: "hardlink",
    tarheader.FIFO: "fifo",
    tarheader.CHAR_DEVICE: "char",
    tarheader.BLOCK_DEVICE: "block",
}


def entries(data: bytes, chunk: int = 1 << 20, limit: int = 1 << 30) -> list[tuple]:
    """(name, kind, size, link, content) of each entry, content only for files."""
    reader = TarReader(ChunkReader(data[i : i + chunk] for i in range(0, len(data), chunk)))
    out = []
    while (entry := reader.next()) is not None:
        kind = OURS.get(entry.kind, f"other {entry.kind}")
        content = reader.read(limit) if kind == "file" else None
        out.append((entry.name.rstrip("/"), kind, entry.size, entry.linkname, content))
    return out


def reference(data: bytes) -> list[tuple]:
    """The same, as Python's tarfile reads it."""
    out = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
        for info in tar:
            kind = KINDS.get(info.type, f"other {info.type[0]}")
            handle = tar.extractfile(info) if kind == "file" else None
            content = handle.read() if handle is not None else None
            out.append((info.name.rstrip("/"), kind, info.size, info.linkname, content))
    return out


# --- every format GNU tar writes ------------------------------------------------------


def make_tree(root: Path) -> None:
    deep = root / ("folder-with-a-long-name-" * 5) / ("and-deeper-" * 8)
    deep.mkdir(parents=True)
    (deep / ("file-" * 30)).write_bytes(b"long name\n")
    (root / "plain.txt").write_bytes(b"hello\n" * 1000)
    (root / "empty").write_bytes(b"")
    (root / "caf\u00e9-\u6771.txt").write_bytes(b"non-ascii name")
    (root / os.fsdecode(b"bytes-\xff-name")).write_bytes(b"not utf-8")
    (root / "link").symlink_to("plain.txt")
    (root / "long-link").symlink_to("../" * 60 + "target")
    os.link(root / "plain.txt", root / "hard")
    os.mkfifo(root / "fifo")
    (root / "empty-dir").mkdir()
    with (root / "sparse.bin").open("wb") as handle:  # holes where the filesystem keeps them
        handle.truncate(5 * 1024 * 1024)
        handle.seek(1024 * 1024)
        handle.write(b"in the middle" * 100)
        handle.seek(4 * 1024 * 1024)
        handle.write(b"near the end")


@pytest.mark.parametrize(
    "options",
    [
        ["--format=gnu"],
        ["--format=gnu", "--sparse"],
        ["--format=oldgnu", "--sparse"],
        ["--format=posix"],
        ["--format=posix", "--sparse", "--sparse-version=0.0"],
        ["--format=posix", "--sparse", "--sparse-version=0.1"],
        ["--format=posix", "--sparse", "--sparse-version=1.0"],
        ["--format=ustar", "--exclude=./folder-with-*", "--exclude=./long-link"],
        ["--format=v7", "--exclude=./folder-with-*", "--exclude=./long-link", "--exclude=./fifo"],
    ],
    ids=lambda options: " ".join(options),
)
def test_archives_of_every_gnu_tar_format_read_as_tarfile_reads_them(tmp_path, options):
    tar = shutil.which("tar")
    assert tar, "GNU tar is part of every Debian system"
    make_tree(tmp_path / "tree")
    archive = tmp_path / "out.tar"
    subprocess.run(
        [tar, "-cf", str(archive), *options, "-C", str(tmp_path / "tree"), "."],
        check=True,
        capture_output=True,
    )
    data = archive.read_bytes()
    ours = entries(data)
    assert ours == reference(data)
    assert len(ours) >= 8
    assert [e for e in ours if e[4] == b"hello\n" * 1000]  # plain.txt, or its hard link
    assert ("./link", "symlink", 0, "plain.txt", None) in ours
    for chunk in (1, 511, 4096):  # the same, however the stream is cut into chunks
        assert entries(data, chunk) == ours


def test_sparse_files_of_each_format_read_with_their_holes():
    pieces = [(0, b"head"), (3000, b"middle" * 100), (9000, b"tail")]
    size = 10_000
    expected = sparse_content(size, pieces)
    many = [(i * 4096, b"%d" % i) for i in range(40)]  # needs old GNU extension blocks
    many_size = 41 * 4096
    for archive in (
        old_gnu_sparse(b"old", size, pieces),
        old_gnu_sparse(b"old-many", many_size, many),
        pax_sparse(b"zero-zero", size, pieces, "0.0"),
        pax_sparse(b"zero-one", size, pieces, "0.1"),
        pax_sparse(b"one-zero", size, pieces, "1.0"),
    ):
        data = archive + member(b"after", b"next entry") + end()
        (name, kind, real, _, content), after = entries(data)
        assert kind == "file"
        assert content == (sparse_content(many_size, many) if name == "old-many" else expected)
        assert real == len(content)
        assert after == ("after", "file", 10, "", b"next entry")
        assert entries(data) == reference(data)  # the builders agree with tarfile
        assert entries(data, limit=3003)[0][4] == content[:3003]  # a prefix, holes and all


def test_a_sparse_map_that_does_not_fit_its_file_is_refused():
    bad = old_gnu_sparse(b"x", 100, [(50, b"a" * 80)])  # 50 + 80 > 100
    with pytest.raises(TarFormatError, match="sparse map"):
        entries(bad + end())
    records = [
        (b"GNU.sparse.major", b"1"),
        (b"GNU.sparse.minor", b"0"),
        (b"GNU.sparse.realsize", b"10"),
    ]
    no_newline = pax(records) + member(b"x", b"7" * 4096)  # a map that never ends a line
    with pytest.raises(TarFormatError, match="sparse map"):
        entries(no_newline + end())
    endless = pax(records) + member(b"x", b"99999999\n" + b"1\n" * (2 << 20))  # past the bound
    with pytest.raises(TarHeaderTooLarge):
        entries(endless + end())


# --- crafted headers --------------------------------------------------------------------


def test_ustar_prefix_signed_checksums_and_base_256_sizes():
    data = (
        member(b"name", b"x", prefix=b"some/prefix")
        + member(b"signed-\xe9", b"y", checksum="signed")
        + header(b"big", 0, b"5", fields={124: b"\x80" + (20 << 30).to_bytes(11, "big")})
        + member(b"gnu-keeps-its-fields", b"z", magic=GNU, fields={345: b"17777"})
        + end()
    )
    assert entries(data) == [
        ("some/prefix/name", "file", 1, "", b"x"),
        ("signed-\udce9", "file", 1, "", b"y"),
        ("big", "dir", 20 << 30, "", None),  # a folder's size is no data
        ("gnu-keeps-its-fields", "file", 1, "", b"z"),
    ]


def test_pax_records_name_size_and_link_and_win_over_gnu_long_names():
    data = (
        pax([(b"path", b"pax/name"), (b"mtime", b"1.5")])
        + gnu_long(b"L", b"gnu/name")
        + member(b"short", b"content")
        + gnu_long(b"L", b"gnu/only")
        + member(b"short2", b"2")
        + pax([(b"linkpath", b"pax-target"), (b"comment", b"size=1 path=x")])
        + header(b"l", 0, b"2", link=b"header-target")
        + pax([(b"size", b"5")])
        + header(b"sized", 99)  # the PAX size wins: 5 bytes of data follow
        + padded(b"12345")
        + end()
    )
    assert entries(data) == [
        ("pax/name", "file", 7, "", b"content"),
        ("gnu/only", "file", 1, "", b"2"),
        ("l", "symlink", 0, "pax-target", None),
        ("sized", "file", 5, "", b"12345"),
    ]


def test_global_pax_headers_apply_to_nothing():
    data = pax([(b"path", b"renamed")], kind=b"g") + member(b"kept", b"1") + end()
    assert entries(data) == [("kept", "file", 1, "", b"1")]


def test_old_style_file_types():
    data = (
        header(b"folder/", 0, b"\x00")
        + member(b"file", b"abc", kind=b"\x00")
        + member(b"contiguous", b"c", kind=b"7")
        + member(b"vendor", b"v" * 600, kind=b"V")  # unknown: its data is passed over
        + header(b"symlink-with-size", 512, b"2", link=b"t")  # no data follows a link
        + member(b"last", b"!")
        + end()
    )
    assert entries(data) == [
        ("folder", "dir", 0, "", None),
        ("file", "file", 3, "", b"abc"),
        ("contiguous", "file", 1, "", b"c"),
        ("vendor", f"other {ord('V')}", 600, "", None),
        ("symlink-with-size", "symlink", 512, "t", None),
        ("last", "file", 1, "", b"!"),
    ]


def test_the_archive_ends_at_a_zero_block_or_at_the_end_of_the_stream():
    body = member(b"a", b"1") + member(b"b", b"2")
    for data in (body + end(), body + bytes(512) + b"ignored after the end", body):
        assert [e[0] for e in entries(data)] == ["a", "b"]
    assert entries(b"") == []


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (member(b"a", b"1") + header(b"b", 1, checksum="bad") + end(), "checksum"),
        (member(b"a", b"1") + b"garbage" * 100, "checksum|invalid number"),
        (header(b"a", 0, fields={124: b"00000000009\x00"}), "invalid number"),
        (header(b"a", 0, fields={124: b"\xff" * 12}), "negative size"),
        (member(b"a", b"1")[:700], "unexpected end"),  # in the header after
        (member(b"a", b"1" * 600)[:900], "unexpected end"),  # in the data
        (member(b"a", b"1" * 600)[:1100], "unexpected end"),  # in the padding
        (pax([(b"path", b"x")]), "unexpected end"),  # an extension with no entry
        (pax([(b"path", b"x")]) + end(), "unexpected end"),
        (pax([(b"path", b"x")])[:600], "unexpected end"),  # in the extension's data
        (header(b"x", 20, b"x") + padded(b"not a path= record\n"), "damaged PAX"),
        (header(b"x", 12, b"x") + padded(b"99 path=x\n") + member(b"y"), "damaged PAX"),
        (pax([(b"path", b"nul\x00inside")]) + member(b"y") + end(), "NUL"),
        (pax([(b"size", b"-1")]) + member(b"y") + end(), "invalid number"),
    ],
)
def test_damaged_archives_are_errors_wherever_the_damage_is(data, match):
    with pytest.raises(TarFormatError, match=match):
        entries(data)


def test_extension_headers_are_bounded_before_they_are_read():
    class Huge:
        """Claims more than any bound and fails if the reader tries to read it."""

        def __init__(self, head: bytes) -> None:
            self.head = head

        def read(self, size: int) -> bytes:
            data, self.head = self.head[:size], self.head[size:]
            assert len(data) == size, "read past the header"
            return data

        def skip(self, size: int) -> int:
            raise AssertionError("skipped into the extension")

    for kind in (b"x", b"g", b"L", b"K"):
        with pytest.raises(TarHeaderTooLarge) as caught:
            TarReader(Huge(header(b"ext", 64 << 20, kind)), max_header=1 << 20).next()
        assert caught.value.args[0] == 64 << 20


def test_content_reads_are_bounded_and_the_rest_is_skipped():
    data = member(b"big", b"x" * 5000) + member(b"next", b"n") + end()
    reader = TarReader(ChunkReader([data]))
    assert reader.next().name == "big"
    assert reader.read(10) == b"x" * 10
    assert reader.next().name == "next"
    assert reader.read(100) == b"n"
    assert reader.next() is None


@given(
    st.lists(
        st.tuples(
            st.text(
                st.characters(exclude_categories=["Cs"], exclude_characters="\0"),
                min_size=1,
                max_size=300,
            ),
            st.binary(max_size=1500),
            st.sampled_from(["file", "dir", "symlink"]),
        ),
        max_size=8,
    ),
    st.sampled_from([tarfile.PAX_FORMAT, tarfile.GNU_FORMAT]),
    st.integers(1, 2000),
)
def test_any_archive_tarfile_writes_is_read_as_tarfile_reads_it(members, fmt, chunk):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=fmt) as tar:
        for name, content, kind in members:
            info = tarfile.TarInfo(name)
            if kind == "file":
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
            else:
                info.type = tarfile.DIRTYPE if kind == "dir" else tarfile.SYMTYPE
                info.linkname = name[::-1] if kind == "symlink" else ""
                tar.addfile(info)
    data = out.getvalue()
    assert entries(data, chunk) == reference(data)


def test_a_layer_damaged_after_its_first_entry_refuses_the_image(tmp_path):
    # tarfile took a damaged header after the first member for the end of the archive:
    # the layer would have been read short, silently. Now it is invalid input (exit 3).
    damaged = member(b"etc/os-release", b"ID=x\n") + header(b"etc/passwd", 1, checksum="bad")
    archive = docker_archive(tmp_path / "img.tar", [(["a:1"], [damaged + end()])])
    with no_writes(), pytest.raises(InvalidArchiveError) as caught:
        read_image_archive(archive)
    assert caught.value.exit_code == ExitCode.INVALID_INPUT
    assert re.search(r"layer 1/1 .* is not a readable tar .*bad checksum", str(caught.value))
