"""Hostile shared objects: the probe's ELF reader (probe/_elf.py) never raises anything
but ElfError, never loops, and reads a bounded number of bytes whatever a file claims;
in a real venv, what it cannot read is an unknown and the rest is read.

Bytes read are counted at the one function every read goes through (`read_at`), on
real files: a real gcc-built extension cut at every length, hand-built headers that
claim huge tables, and a sparse file of 4 GiB whose header points past its middle.
"""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Callable
from pathlib import Path

import native_builders as nb
import pytest
from hostile_support import Box

from driftcheck.probe import _elf
from driftcheck.probe._probe import open_regular

from support import assert_valid_snapshot

# What one file may cost at most: its header, 256 program headers of 64 bytes, 4,096
# dynamic entries of 16 bytes, and 128 needed names plus three others of 4 KiB each.
READ_BOUND = 64 + 256 * 64 + 4096 * 16 + (128 + 3) * 4096


def _counted(data: bytes) -> tuple[Callable[[int, int], bytes], list[int]]:
    spent = [0]

    def read_at(offset: int, count: int) -> bytes:
        chunk = data[offset : offset + count]
        spent[0] += len(chunk)
        return chunk

    return read_at, spent


def test_every_truncation_of_a_real_extension_is_refused_or_read(tmp_path):
    library = nb.stub_library(tmp_path / "lib")
    whole = nb.extension(tmp_path / "build", library).read_bytes()
    outcomes = set()
    for length in range(len(whole)):
        data = whole[:length]
        read_at, spent = _counted(data)
        try:
            _elf.elf_dynamic(read_at, len(data))
            outcomes.add("read")
        except _elf.ElfError:
            outcomes.add("refused")
        assert spent[0] <= READ_BOUND
    assert outcomes == {"refused", "read"}  # once the dynamic section is in, it reads
    read_at, _ = _counted(whole)
    assert nb.STUB_SONAME in _elf.elf_dynamic(read_at, len(whole))["needed"]


def _patched(data: bytes, offset: int, fmt: str, *values: int) -> bytes:
    out = bytearray(data)
    struct.pack_into(fmt, out, offset, *values)
    return bytes(out)


GOOD = nb.elf_image(needed=("libfoo.so.1",), soname="libx.so.1")
# Offsets in elf_image's 64-bit little-endian layout.
E_PHNUM, E_PHENTSIZE, PH_DYNAMIC = 56, 54, 64 + 56
STRTAB = 64 + 2 * 56
DYNAMIC = len(GOOD) - 5 * 16  # NEEDED, SONAME, STRTAB, STRSZ, NULL


def _no_nul() -> bytes:
    """The string table runs to the end of the file with no NUL after the name."""
    data = bytearray(GOOD)
    data[STRTAB + 1 : DYNAMIC] = b"A" * (DYNAMIC - STRTAB - 1)
    return bytes(data) + b"A" * 20000


HOSTILE = {
    "not ELF": (b"MZ" + GOOD[2:], "not an ELF file"),
    "unknown class": (GOOD[:4] + b"\x07" + GOOD[5:], "unknown ELF class or byte order"),
    "65,535 program headers": (_patched(GOOD, E_PHNUM, "<H", 0xFFFF), "more than 256"),
    "program headers of 1 byte": (_patched(GOOD, E_PHENTSIZE, "<H", 1), "too small"),
    "program headers past the end": (
        _patched(GOOD, 32, "<Q", 2**62),
        "the program header table lies outside the file",
    ),
    "a dynamic section of 2**60 bytes": (
        _patched(GOOD, PH_DYNAMIC + 32, "<Q", 2**60),
        "a dynamic section of more than 4096 entries",
    ),
    "a dynamic section past the end": (
        _patched(GOOD, PH_DYNAMIC + 8, "<Q", 2**40),
        "the dynamic section lies outside the file",
    ),
    "a string index past the table": (
        _patched(GOOD, DYNAMIC + 8, "<Q", 2**40),
        "a string index past the string table",
    ),
    "a string table in no segment": (
        _patched(GOOD, DYNAMIC + 2 * 16 + 8, "<Q", 2**50),
        "the string table lies in no loaded segment",
    ),
    "a name with no end": (_no_nul(), "a string with no end within 4096 bytes"),
    "200 needed libraries": (
        nb.elf_image(needed=tuple(f"lib{i}.so" for i in range(200))),
        "more than 128 needed libraries",
    ),
    "an RPATH of 100 folders": (
        nb.elf_image(rpath=":".join(f"/d{i}" for i in range(100))),
        "a rpath of more than 64 folders",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_headers_are_refused_within_the_read_bound(case):
    data, reason = HOSTILE[case]
    read_at, spent = _counted(data)
    with pytest.raises(_elf.ElfError, match=reason):
        _elf.elf_dynamic(read_at, len(data))
    assert spent[0] <= READ_BOUND


def test_a_sparse_4_gib_file_pointing_past_its_middle_costs_the_bound(tmp_path):
    """A real 4 GiB sparse file whose dynamic section claims 64 KiB at 3 GiB, its string
    table 3.5 GiB in, with names of no end: read through the probe's own file access."""
    path = tmp_path / "_huge.so"
    far, table = 3 * 1024**3, 3 * 1024**3 + 512 * 1024**2
    dynamic = b"".join(
        struct.pack("<qQ", tag, value) for tag, value in [(1, 0)] * 100 + [(5, table), (0, 0)]
    )
    header = bytearray(nb.elf_image(needed=("libfoo.so.1",)))
    struct.pack_into("<IIQQQQQQ", header, 64, 1, 5, 0, 0, 0, 4 * 1024**3, 4 * 1024**3, 4096)
    struct.pack_into("<IIQQQQQQ", header, 120, 2, 6, far, far, far, 4096 * 16, 4096 * 16, 8)
    with open(path, "wb") as handle:
        handle.write(header)
        handle.seek(far)
        handle.write(dynamic + bytes(4096 * 16 - len(dynamic)))
        handle.seek(table)
        handle.write(b"A" * 8192)
        handle.truncate(4 * 1024**3)
    fd = open_regular(str(path))
    spent = [0]

    def read_at(offset: int, count: int) -> bytes:
        chunk = os.pread(fd, count, offset)
        spent[0] += len(chunk)
        return chunk

    try:
        with pytest.raises(_elf.ElfError, match="a string with no end"):
            _elf.elf_dynamic(read_at, os.fstat(fd).st_size)
    finally:
        os.close(fd)
    assert spent[0] <= READ_BOUND


def test_hostile_shared_objects_in_a_real_venv_are_unknowns_and_the_rest_is_read(
    tmp_path: Path, box: Box
) -> None:
    library = nb.stub_library(tmp_path / "lib")
    module = nb.extension(tmp_path / "build", library)
    python = nb.venv_with(tmp_path / "venv", nb.wheel(tmp_path / "dist", module))
    [site] = (tmp_path / "venv" / "lib").glob("python*/site-packages")
    os.mkfifo(site / "_fifo.cpython-311-x86_64-linux-gnu.so")  # skipped: not a regular file
    (site / "_cut.so").write_bytes(module.read_bytes()[:300])
    (site / "_text.so").write_text("INPUT(-lfoo)\n")  # a linker script, as libc.so is
    (site / "_loop.so").symlink_to("_loop.so")
    (site / "_folder.so").mkdir()
    deep = site / "deep"
    for level in range(20):
        deep = deep / str(level)
    deep.mkdir(parents=True)
    (deep / "_deep.so").write_bytes(module.read_bytes())
    out = box.work / "snap.json"
    # The guard: a probe that blocks or loops is killed here, and the run fails.
    result = box.run("snapshot", "--python", str(python), "-o", str(out), allowed=[out],
                     timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    doc = json.loads(out.read_text())
    assert_valid_snapshot(doc)
    reasons = sorted(u["reason"] for u in doc["unknowns"] if u["field"] == "native_needs")
    assert reasons == [
        f"{site}/_cut.so: the program header table lies outside the file",
        f"{site}/_text.so: not an ELF file",
    ]
    files = {m["file"]: m for m in doc["native_needs"]}
    [needs] = files[f"needsdemo/{module.name}"]["needed"][:1]
    assert (needs["soname"], needs["path"]) == (nb.STUB_SONAME, None)
    assert not [f for f in files if f.startswith("deep/")]  # past 16 folders deep
