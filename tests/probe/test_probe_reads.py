"""The probe opens only regular files and walks ld.so.conf within bounds: real FIFOs,
real devices and real include cycles in a tmp folder, read by the probe's own code."""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

import pytest

probe: Any = importlib.import_module("driftcheck.probe._probe")


def test_only_regular_files_are_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "METADATA"
    os.mkfifo(fifo)
    cases = {fifo: "a FIFO", tmp_path: "a folder", Path("/dev/null"): "a character device"}
    for path, what in cases.items():
        with pytest.raises(probe.NotRegularFileError) as caught:
            probe.read_bytes(str(path))  # a FIFO would block here if it were opened
        assert str(caught.value) == f"{path} is {what}, not a regular file: not read"
        with pytest.raises(probe.NotRegularFileError):
            probe.metadata_headers(str(path))
    link = tmp_path / "link"
    link.symlink_to(fifo)
    with pytest.raises(probe.NotRegularFileError):
        probe.read_optional(str(link))
    regular = tmp_path / "INSTALLER"
    regular.write_text("pip\n")
    assert probe.read_optional(str(regular)) == "pip\n"
    assert probe.read_optional(str(tmp_path / "absent")) is None


def test_a_fifo_pth_is_an_unknown_and_the_others_are_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "a_fifo.pth")
    (tmp_path / "b_good.pth").write_text("/opt/extra\n")
    col = probe.Collector()
    found = probe.pth_files(col, [str(tmp_path)])
    assert [p["path_lines"] for p in found] == [["/opt/extra"]]
    assert col.unknowns == [
        {
            "field": "pth_files",
            "reason": f"{tmp_path}/a_fifo.pth is a FIFO, not a regular file: not read",
        }
    ]


def walk(conf: Path) -> tuple[list[str], list[str]]:
    notes: list[str] = []
    dirs = probe.ld_so_conf_directories(probe.LocalConfFiles, notes.append, str(conf))
    return dirs, notes


def test_ld_so_conf_cycles_and_fifos_end_in_unknowns(tmp_path: Path) -> None:
    conf, d = tmp_path / "ld.so.conf", tmp_path / "ld.so.conf.d"
    d.mkdir()
    conf.write_text(f"/first\ninclude {d}/*.conf\n/last\n")
    (d / "a.conf").write_text(f"/a\ninclude {d}/*.conf\n")  # includes itself (and b, c)
    (d / "b.conf").write_text("include sub/*.conf # relative to this file's folder\n/b\n")
    (d / "sub").mkdir()
    (d / "sub" / "x.conf").write_text(f"/x\ninclude {d}/b.conf {conf}\n")  # a cycle of two
    os.mkfifo(d / "c.conf")
    (d / ".hidden.conf").write_text("/hidden\n")  # glob(3) skips it, as ldconfig does
    dirs, notes = walk(conf)
    # ldconfig's order: an include's folders where the include line stands.
    assert dirs == ["/first", "/a", "/x", "/b", "/last"]
    assert notes == [
        f"{d}/a.conf: includes itself (an include cycle); read once",
        f"{d}/b.conf: includes itself (an include cycle); read once",
        f"{conf}: includes itself (an include cycle); read once",
        f"{d}/c.conf: not a regular file (a FIFO, a device or a folder); not read",
    ]


def test_ld_so_conf_includes_are_bounded_in_depth_and_count(tmp_path: Path) -> None:
    chain = [tmp_path / f"level{i}.conf" for i in range(probe.MAX_LD_SO_CONF_DEPTH + 3)]
    for i, path in enumerate(chain[:-1]):
        path.write_text(f"/level{i}\ninclude {chain[i + 1]}\n")
    chain[-1].write_text("/deepest\n")
    dirs, notes = walk(chain[0])
    assert dirs == [f"/level{i}" for i in range(probe.MAX_LD_SO_CONF_DEPTH + 1)]
    deep = chain[probe.MAX_LD_SO_CONF_DEPTH + 1]
    assert notes == [f"{deep}: included more than {probe.MAX_LD_SO_CONF_DEPTH} deep; not read"]

    wide = tmp_path / "wide"
    wide.mkdir()
    for i in range(probe.MAX_LD_SO_CONF_FILES + 50):
        (wide / f"{i:04d}.conf").write_text(f"/lib{i}\n")
    (tmp_path / "wide.conf").write_text(f"include {wide}/*.conf\n")
    dirs, notes = walk(tmp_path / "wide.conf")
    assert len(dirs) == probe.MAX_LD_SO_CONF_FILES - 1  # wide.conf itself is one file
    limit = probe.MAX_LD_SO_CONF_FILES
    assert notes == [
        f"{tmp_path}/wide.conf: includes more than {limit} files; the rest is not read"
    ]
