"""The in-memory union filesystem against hostile layers: no escape, no crash, no disk."""

from __future__ import annotations

import io
import uuid

import pytest
from static_builders import E, file, folder, hardlink, layer, no_writes, symlink

from driftcheck.errors import ExitCode
from driftcheck.static.errors import HostileArchiveError, InvalidArchiveError
from driftcheck.static.rootfs import Keep, Limits, RootFS, UnresolvableLinkError


def keep_all(path: str) -> Keep | None:
    return Keep(1024 * 1024)


def union(*layers: bytes, limits: Limits | None = None) -> RootFS:
    fs = RootFS(keep_all, limits)
    with no_writes():
        for number, blob in enumerate(layers, 1):
            fs.add_layer(io.BytesIO(blob), f"L{number}")
    return fs


# --- names -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["../../etc/passwd", "./a/../../b", "..", "/../x/../../y"])
def test_names_escaping_the_root_refuse_the_layer(tmp_path, name):
    marker = f"escaped-{uuid.uuid4().hex}"
    blob = layer(file("ok", "fine"), file(f"{name}/{marker}", "pwned"))
    with pytest.raises(HostileArchiveError) as caught:
        union(blob)
    assert caught.value.exit_code == ExitCode.INVALID_INPUT
    assert "layer L1" in str(caught.value) and "outside the image root" in str(caught.value)
    for where in (tmp_path, tmp_path.parent, tmp_path.parent.parent):
        assert not list(where.glob(f"*{marker}*"))


def test_absolute_and_dotted_names_are_relative_to_the_root():
    fs = union(layer(file("/etc/abs", "A"), file("./etc/dot", "D"), file("etc//x/../y", "Y")))
    assert fs.read_bytes("/etc/abs") == b"A"
    assert fs.read_bytes("etc/dot") == b"D"
    assert fs.read_bytes("/etc/y") == b"Y"
    assert fs.listdir("/etc") == ["abs", "dot", "y"]


def test_missing_parent_folders_are_implied():
    fs = union(layer(file("deep/down/file", "x")))
    assert fs.isdir("/deep") and fs.isdir("/deep/down")


# --- symbolic links ------------------------------------------------------------------


def test_symlinks_escaping_the_root_stay_inside_it():
    fs = union(
        layer(
            file("etc/inside-release", "ID=inside"),
            symlink("etc/os-release", "../../../../../../etc/inside-release"),
            symlink("usr/lib/python3/dist-packages", "/../../../host"),
            symlink("etc/hostname-link", "/../../../../etc/hostname"),
        )
    )
    assert fs.read_bytes("/etc/os-release") == b"ID=inside"
    assert fs.realpath("/etc/os-release") == "/etc/inside-release"
    # The host's /host and /etc/hostname exist or not: the image has neither.
    assert fs.read_bytes("/etc/hostname-link") is None
    assert not fs.exists("/usr/lib/python3/dist-packages")
    assert fs.listdir("/usr/lib/python3/dist-packages") == []


def test_symlinked_folders_resolve_like_merged_usr():
    fs = union(layer(symlink("lib", "usr/lib"), file("usr/lib/x86_64-linux-gnu/libc.so.6", "ELF")))
    assert fs.read_bytes("/lib/x86_64-linux-gnu/libc.so.6") == b"ELF"
    assert fs.realpath("/lib/x86_64-linux-gnu/libc.so.6") == "/usr/lib/x86_64-linux-gnu/libc.so.6"


def test_symlink_loops_are_recorded_and_the_walk_goes_on():
    chain = [symlink(f"chain/{i}", f"{i + 1}") for i in range(100)]
    fs = union(
        layer(
            symlink("loop/a", "b"),
            symlink("loop/b", "a"),
            symlink("loop/self", "self"),
            symlink("loop/empty", ""),
            file("loop/sibling", "still here"),
            *chain,
            file("chain/100", "end"),
        )
    )
    with pytest.raises(UnresolvableLinkError):
        fs.resolve("/loop/a")
    assert not fs.exists("/loop/a")
    assert not fs.exists("/loop/self")
    assert not fs.exists("/loop/empty")
    assert fs.read_bytes("/loop/sibling") == b"still here"
    assert fs.read_bytes("/chain/60") == b"end"  # 40 hops: within the limit
    assert not fs.exists("/chain/0")  # 100 hops: beyond it
    assert any("unresolvable" in issue for issue in fs.issues)
    assert fs.listdir("/loop") == ["a", "b", "empty", "self", "sibling"]


def test_a_file_under_a_symlink_of_an_earlier_layer_lands_inside_the_image():
    # GNU tar CVE-2025-45582, the multi-layer shape: link in one layer, file "through" it next.
    fs = union(
        layer(folder("etc"), symlink("sneaky", "../../../../etc")),
        layer(file("sneaky/passwd", "image-only")),
    )
    assert fs.read_bytes("/etc/passwd") == b"image-only"


# --- hard links ----------------------------------------------------------------------


def test_hard_links_resolve_against_entries_seen_before():
    fs = union(
        layer(
            file("data/original", "shared"),
            hardlink("data/relative", "data/original"),
            hardlink("data/absolute", "/data/original"),
            hardlink("data/missing", "data/nowhere"),
            hardlink("data/later", "data/comes-after"),
            file("data/comes-after", "late"),
        )
    )
    assert fs.read_bytes("/data/relative") == b"shared"
    assert fs.read_bytes("/data/absolute") == b"shared"
    assert not fs.exists("/data/missing")
    assert not fs.exists("/data/later")
    assert sum("hard link" in issue for issue in fs.issues) == 2


def test_hard_link_escaping_the_root_refuses_the_layer():
    with pytest.raises(HostileArchiveError, match="outside the image root"):
        union(layer(file("a", "x"), hardlink("victim", "../../victim")))


# --- whiteouts -----------------------------------------------------------------------


def test_whiteouts_and_opaque_folders():
    lower = layer(
        file("etc/a", "a"),
        file("etc/b", "b"),
        file("opt/d/x", "x"),
        file("opt/d/sub/y", "y"),
        file("gone/deep/file", "z"),
        file("app/lib/old", "old"),
    )
    upper = layer(
        file("etc/.wh.a"),
        file("opt/d/new", "new"),  # before the opaque marker in tar order: still kept
        file("opt/d/.wh..wh..opq"),
        file("gone/.wh.deep"),
        file("etc/.wh."),  # a bare ".wh." is an ordinary name
        file("etc/.wh..", "dots"),
        symlink("app/lib", "/usr/lib"),  # rm -rf app/lib && ln -s: no whiteout in the layer
    )
    fs = union(lower, upper)
    assert fs.listdir("/etc") == [".wh.", ".wh..", "b"]
    assert fs.listdir("/opt/d") == ["new"]
    assert fs.isdir("/gone") and fs.listdir("/gone") == []
    assert not fs.exists("/app/lib/old")
    assert fs.node("/app/lib", follow=False).kind == "symlink"
    assert fs.isdir("/")  # the root survives everything


def test_whiteouts_are_ordinary_files_in_a_flattened_export():
    fs = RootFS(keep_all)
    fs.add_layer(io.BytesIO(layer(file("etc/.wh.a", "kept"))), "export", whiteouts=False)
    assert fs.read_bytes("/etc/.wh.a") == b"kept"


def test_duplicate_entries_last_one_wins():
    fs = union(
        layer(
            file("etc/os-release", "ID=first"),
            folder("thing"),
            file("thing/inside", "x"),
            file("etc/os-release", "ID=second"),
            file("thing", "now a file"),
            file("after", "processing went on"),
        )
    )
    assert fs.read_bytes("/etc/os-release") == b"ID=second"
    assert fs.read_bytes("/thing") == b"now a file"
    assert not fs.exists("/thing/inside")
    assert fs.read_bytes("/after") == b"processing went on"


def test_special_files_are_indexed_never_read():
    fs = union(layer(E("dev/fifo", kind="fifo"), file("etc/x", "x")))
    assert fs.node("/dev/fifo").kind == "other"
    with pytest.raises(OSError, match="/dev/fifo is a FIFO, not a regular file: not read"):
        fs.read_bytes("/dev/fifo")


# --- bounds -------------------------------------------------------------------------


def test_total_bytes_bound_names_the_layer():
    blob = layer(E("big", size=3 * 1024 * 1024))
    with pytest.raises(HostileArchiveError, match="layer L2") as caught:
        union(layer(file("a", "x")), blob, limits=Limits(max_total_bytes=2 * 1024 * 1024))
    assert caught.value.exit_code == ExitCode.INVALID_INPUT


def test_entry_size_bound():
    with pytest.raises(HostileArchiveError, match="declares"):
        union(layer(E("big", size=70_000)), limits=Limits(max_entry_bytes=65_536))


def test_entry_count_bound():
    many = [file(f"f{i}", "") for i in range(50)]
    with pytest.raises(HostileArchiveError, match="more than 40 entries"):
        union(layer(*many), limits=Limits(max_entries=40))


def test_kept_bytes_bound():
    with pytest.raises(HostileArchiveError, match="to keep"):
        union(
            layer(file("a", "x" * 5000), file("b", "y" * 5000)), limits=Limits(max_kept_bytes=8000)
        )


def test_oversized_tar_header_is_refused_before_it_is_read():
    blob = layer(file("a", "x"), pax={"comment": "z" * (2 * 1024 * 1024)})
    with pytest.raises(HostileArchiveError, match="tar header"):
        union(blob)


def test_wanted_file_over_its_limit_is_an_unknown_not_an_error():
    fs = RootFS(lambda path: Keep(10))
    fs.add_layer(io.BytesIO(layer(file("big", "0123456789ABC"), file("small", "ok"))), "L1")
    with pytest.raises(ValueError, match="larger"):
        fs.read_bytes("/big")
    assert fs.read_bytes("/small") == b"ok"


def test_truncated_layer_is_invalid_input():
    blob = layer(file("a", "x" * 10_000), file("b", "y"))
    with pytest.raises(InvalidArchiveError, match="layer L1") as caught:
        union(blob[:6000])
    assert caught.value.exit_code == ExitCode.INVALID_INPUT


def test_the_no_writes_guard_sees_writes(tmp_path):
    with pytest.raises(AssertionError, match="wrote to disk"), no_writes():
        (tmp_path / "written").write_text("x")
    with pytest.raises(AssertionError, match="wrote to disk"), no_writes():
        (tmp_path / "folder").mkdir()


def test_very_deep_names_and_links_do_not_exhaust_the_stack():
    deep = "/".join(["d"] * 2000)
    fs = union(layer(file(f"{deep}/leaf", "deep"), symlink("up", "/".join([".."] * 1300) + "/x")))
    assert fs.read_bytes(f"/{deep}/leaf") == b"deep"
    assert fs.read_bytes("/up") is None
