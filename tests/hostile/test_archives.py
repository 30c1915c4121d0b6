"""Hostile image archives through the real CLI: refused or read safely, nothing written.

Every run happens in a box (working folder, TMPDIR and HOME of its own) and under
strace: no file may be opened for writing, created, renamed or removed anywhere on
the machine except the snapshot asked for. The in-memory reader's own unit tests
are in tests/static; these are the same hostile shapes as a user would meet them.
"""

from __future__ import annotations

import gzip
import json
import re
import tarfile
import uuid
from pathlib import Path

import pytest
from hostile_support import HEADER_BOUND, Box, long_headers
from static_builders import (
    E,
    add_bytes,
    config,
    docker_archive,
    file,
    folder,
    gzip_layer,
    hardlink,
    layer,
    oci_layout,
    sha256,
    symlink,
)

from support import assert_valid_snapshot

SITE = "usr/lib/python3/dist-packages"


def metadata(name: str, version: str) -> str:
    return f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"


def snapshot(box: Box, archive: Path) -> tuple[dict, str]:
    out = box.work / "snap.json"
    result = box.run(
        "snapshot", "--archive", str(archive), "-o", str(out), allowed=[out], trace=True
    )
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert_valid_snapshot(json.loads(text))
    return json.loads(text), text


def refused(box: Box, archive: Path) -> str:
    out = box.work / "snap.json"
    result = box.run("snapshot", "--archive", str(archive), "-o", str(out), trace=True)
    assert not out.exists()
    return result.error_line(3)


# --- escapes ------------------------------------------------------------------------

ESCAPES = {
    "../ names": lambda m: file(f"../../../../../../../../tmp/{m}", "pwned"),
    "absolute names through ..": lambda m: file(f"/../../../tmp/{m}", "pwned"),
    "a name that climbs out midway": lambda m: file(f"etc/../../{m}", "pwned"),
    "a hard link out of the root": lambda m: hardlink(f"etc/{m}", f"../../../../tmp/{m}"),
}


@pytest.mark.parametrize("case", list(ESCAPES))
def test_entries_escaping_the_root_refuse_the_archive_and_write_nothing(box, case):
    marker = f"driftcheck-escape-{uuid.uuid4().hex}"
    blob = layer(file("etc/os-release", "ID=x\n"), ESCAPES[case](marker))
    archive = docker_archive(box.root / "img.tar", [(["evil:1"], [blob])])
    line = refused(box, archive)
    assert "outside the image root" in line and "refused" in line
    assert not Path("/tmp", marker).exists() and not list(box.root.rglob(f"*{marker}*"))


def test_links_out_of_the_image_read_nothing_of_the_host(box):
    # This machine has an /etc/os-release, a dpkg database and an /etc/passwd; the
    # image links to all of them. Inside the image, each name stays in the image.
    blob = layer(
        folder("etc"),
        symlink("etc/os-release", "../../../../../../etc/os-release"),
        symlink("usr/lib/os-release", "/proc/self/root/etc/os-release"),
        symlink("var/lib/dpkg/status", "/var/lib/dpkg/status"),
        hardlink("etc/passwd-copy", "/etc/passwd"),
        symlink(f"{SITE}/host-1.0.dist-info", "/usr/lib/python3/dist-packages/pip-1.0.dist-info"),
        symlink("lib/libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6"),
    )
    doc, text = snapshot(box, docker_archive(box.root / "img.tar", [(["links:1"], [blob])]))
    assert doc["os"]["os_release"] == {} and doc["os_packages"] == []
    assert doc["distributions"] == [] and doc["os"]["libc"]["family"] == "unknown"
    assert "root:x:0:0" not in text and "bookworm" not in text.lower()


def test_link_loops_and_long_chains_are_unknowns_and_the_rest_is_read(box):
    chain = [symlink(f"chain/{i}", f"/chain/{i + 1}") for i in range(1000)]
    blob = layer(
        symlink("etc/os-release", "/etc/os-release-b"),
        symlink("etc/os-release-b", "/etc/os-release"),
        symlink("usr/lib/os-release", "/chain/0"),
        *chain,
        file("chain/1000", "ID=too-far\n"),
        symlink(f"{SITE}/a-1.0.dist-info/METADATA", "METADATA"),
        file(f"{SITE}/good-2.0.dist-info/METADATA", metadata("good", "2.0")),
    )
    doc, _ = snapshot(box, docker_archive(box.root / "img.tar", [(["loops:1"], [blob])]))
    assert [d["name"] for d in doc["distributions"]] == ["good"]
    assert doc["os"]["os_release"] == {}
    reasons = " ".join(u["reason"] for u in doc["unknowns"])
    assert "more than 40 symbolic links" in reasons and "a-1.0.dist-info" in reasons


# --- whiteouts, opaque folders, duplicates ------------------------------------------


def test_whiteouts_and_opaque_folders_decide_what_the_snapshot_sees(box):
    lower = layer(
        file("etc/os-release", "ID=lower\n"),
        file("etc/motd", "hello"),
        file(f"{SITE}/six-1.16.0.dist-info/METADATA", metadata("six", "1.16.0")),
        file(f"{SITE}/idna-3.7.dist-info/METADATA", metadata("idna", "3.7")),
        file(f"{SITE}/attrs-23.2.0.dist-info/METADATA", metadata("attrs", "23.2.0")),
    )
    upper = layer(
        file(f"{SITE}/.wh.six-1.16.0.dist-info"),  # removes six from below
        file(f"{SITE}/.wh."),  # a bare ".wh." is an ordinary name: deletes nothing
        file(f"{SITE}/.wh.."),  # nor does ".wh.."
        file("etc/.wh..wh..opq"),  # hides everything below in etc ...
        file("etc/os-release", "ID=upper\n"),  # ... and this layer puts one file back
        file(f"{SITE}/.wh.attrs-23.2.0.dist-info"),
        file(f"{SITE}/attrs-23.2.0.dist-info/METADATA", metadata("attrs", "24.1.0")),
    )
    top = gzip_layer(file(f"{SITE}/six-1.17.0.dist-info/METADATA", metadata("six", "1.17.0")))
    doc, _ = snapshot(box, docker_archive(box.root / "img.tar", [(["wh:1"], [lower, upper, top])]))
    versions = {d["name"]: d["version"] for d in doc["distributions"]}
    assert versions == {"six": "1.17.0", "idna": "3.7", "attrs": "24.1.0"}
    assert doc["os"]["os_release"] == {"ID": "upper"}


def test_duplicate_entries_the_last_one_wins(box):
    blob = layer(
        file("etc/os-release", "ID=first\n"),
        file(f"{SITE}/dup-1.0.dist-info/METADATA", metadata("dup", "1.0")),
        file("etc/os-release", "ID=second\n"),
        file(f"{SITE}/dup-1.0.dist-info/METADATA", metadata("dup", "1.1")),
    )
    doc, _ = snapshot(box, docker_archive(box.root / "img.tar", [(["dup:1"], [blob])]))
    assert doc["os"]["os_release"] == {"ID": "second"}
    assert [(d["name"], d["version"]) for d in doc["distributions"]] == [("dup", "1.1")]


def test_duplicate_archive_members_the_last_one_wins(box):
    good = docker_archive(
        box.root / "good.tar", [(["dup:1"], [layer(file("etc/os-release", "ID=real\n"))])]
    )
    decoy = json.dumps([{"Config": "missing.json", "RepoTags": ["dup:1"], "Layers": []}]).encode()
    archive = box.root / "dup.tar"
    with tarfile.open(good) as source, tarfile.open(archive, "w") as target:
        add_bytes(target, "manifest.json", decoy)  # shadowed by the real one, later
        for member in source.getmembers():
            handle = source.extractfile(member)
            assert handle is not None
            add_bytes(target, member.name, handle.read())
    doc, _ = snapshot(box, archive)
    assert doc["os"]["os_release"] == {"ID": "real"}


# --- malformed archives -------------------------------------------------------------

BASE = layer(file("etc/os-release", "ID=base\n"))


def _docker(box: Box, **options: object) -> Path:
    return docker_archive(box.root / "img.tar", [(["a:1"], [BASE])], **options)


def _member_named(archive: Path, suffix: str) -> str:
    with tarfile.open(archive) as tar:
        return next(n for n in tar.getnames() if n.endswith(suffix) and n != "manifest.json")


def _truncated(box: Box) -> Path:
    data = _docker(box).read_bytes()
    (box.root / "cut.tar").write_bytes(data[: len(data) // 2])
    return box.root / "cut.tar"


def _tampered_layer(box: Box) -> Path:
    name = _member_named(_docker(box), "layer.tar")
    evil = layer(file("etc/os-release", "ID=evil\n"))
    return docker_archive(box.root / "t.tar", [(["a:1"], [BASE])], tamper={name: evil})


def _missing_layer(box: Box) -> Path:
    manifest = json.loads(_read_member(_docker(box), "manifest.json"))
    manifest[0]["Layers"] = ["0" * 64 + "/layer.tar"]
    return _docker(box, manifest=manifest)


def _read_member(archive: Path, name: str) -> bytes:
    with tarfile.open(archive) as tar:
        handle = tar.extractfile(name)
        assert handle is not None
        return handle.read()


def _oci(box: Box, **options: object) -> Path:
    return oci_layout(box.root / "oci", [gzip_layer(file("etc/os-release", "ID=oci\n"))], **options)


def _oci_missing_blob(box: Box) -> Path:
    layout = _oci(box)
    manifest = json.loads((layout / "index.json").read_text())["manifests"][0]["digest"]
    layers = json.loads((layout / "blobs/sha256" / manifest.split(":")[1]).read_text())["layers"]
    (layout / "blobs/sha256" / layers[0]["digest"].split(":")[1]).unlink()
    return layout


def _oci_size_mismatch(box: Box) -> Path:
    blob = gzip_layer(file("etc/os-release", "ID=oci\n"))
    return oci_layout(box.root / "oci", [blob], sizes={0: len(blob) + 1})


def _truncated_gzip_layer(box: Box) -> Path:
    blob = gzip_layer(file("etc/os-release", "ID=x\n" * 5000))[:300]
    return oci_layout(
        box.root / "oci",
        [blob],
        config_doc=config([BASE], rootfs={"type": "layers", "diff_ids": [sha256(b"x")]}),
    )


MALFORMED = {
    "manifest.json null": (lambda b: _docker(b, manifest=b"null"), "lists no image"),
    "manifest.json malformed": (lambda b: _docker(b, manifest=b'[{"Config": '), "not valid JSON"),
    "manifest.json nested 100,000 deep": (
        lambda b: _docker(b, manifest=b"[" * 100_000 + b"]" * 100_000),
        "not valid JSON",
    ),
    "manifest.json of the wrong shape": (
        lambda b: _docker(b, manifest={"Config": "x", "Layers": []}),
        "lists no image",
    ),
    "index.json null": (lambda b: _bad_index(b, b"null"), "no manifests list"),
    "index.json malformed": (lambda b: _bad_index(b, b'{"manifests": ['), "not valid JSON"),
    "a missing layer blob (OCI)": (_oci_missing_blob, "cannot open"),
    "a missing layer file (docker save)": (_missing_layer, "has no file"),
    "a layer digest mismatch": (_tampered_layer, "digest mismatch for layer 1/1"),
    "a layer size mismatch": (_oci_size_mismatch, "size mismatch for layer 1/1"),
    "a truncated archive": (_truncated, "truncated or corrupt|has no file|neither"),
    "a truncated gzip layer": (_truncated_gzip_layer, "layer 1/1"),
    "a compressed archive": (
        lambda b: _write(b, "img.tar.gz", gzip.compress(_docker(b).read_bytes())),
        "decompress it first",
    ),
    "not an archive": (lambda b: _write(b, "img.tar", b"not a tar " * 100), "not a readable tar"),
}


def _write(box: Box, name: str, data: bytes) -> Path:
    (box.root / name).write_bytes(data)
    return box.root / name


def _bad_index(box: Box, content: bytes) -> Path:
    layout = _oci(box)
    (layout / "index.json").write_bytes(content)
    return layout


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_archives_are_invalid_input(box, case):
    make, pattern = MALFORMED[case]
    archive = make(box)
    line = refused(box, archive)
    assert re.search(pattern, line), line
    assert str(archive) in line or archive.name in line


def test_the_write_guard_sees_writes(box, tmp_path):
    # The guards proving "nothing written" must fail when something is: the file tree
    # inside the box, and strace for a file written anywhere else.
    archive = _docker(box)
    with pytest.raises(AssertionError, match=r"changed outside the output"):
        box.run("snapshot", "--archive", str(archive), "-o", str(box.work / "s.json"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with pytest.raises(AssertionError, match=r"opened for writing"):
        box.run("snapshot", "--archive", str(archive), "-o", str(elsewhere / "s.json"), trace=True)


def test_metadata_headers_past_the_bound_are_an_unknown_in_an_image_too(box):
    blob = layer(
        file(
            f"{SITE}/longheaders-1.0.dist-info/METADATA",
            long_headers("longheaders", HEADER_BOUND + 100 * 1024),
        ),
        file(
            f"{SITE}/justfits-1.0.dist-info/METADATA", long_headers("justfits", HEADER_BOUND - 8192)
        ),
    )
    doc, _ = snapshot(box, docker_archive(box.root / "img.tar", [(["long:1"], [blob])]))
    by_name = {d["canonical_name"]: d for d in doc["distributions"]}
    assert by_name["longheaders"]["requires_dist"] == ["early-dep"]
    assert by_name["justfits"]["requires_dist"] == ["early-dep", "late-dep"]
    cut = [u for u in doc["unknowns"] if "longer than the 512 KiB" in u["reason"]]
    assert len(cut) == 1 and cut[0]["field"] == "distributions", doc["unknowns"]
    assert "longheaders-1.0.dist-info" in cut[0]["reason"] and "longheaders 1.0" in cut[0]["reason"]


def test_a_fifo_in_site_packages_is_an_unknown_worded_as_the_live_probe_words_it(box):
    """A FIFO where METADATA, RECORD or INSTALLER should be costs that file (or, for
    METADATA, that distribution) and is named, as a live probe of the same files names it."""
    blob = layer(
        E(f"{SITE}/fifometa-1.0.dist-info/METADATA", kind="fifo"),
        file(f"{SITE}/fiforecord-2.0.dist-info/METADATA", "Name: fiforecord\nVersion: 2.0\n"),
        E(f"{SITE}/fiforecord-2.0.dist-info/RECORD", kind="fifo"),
        E(f"{SITE}/fiforecord-2.0.dist-info/INSTALLER", kind="fifo"),
        file(f"{SITE}/good-1.0.dist-info/METADATA", "Name: good\nVersion: 1.0\n"),
    )
    doc, _ = snapshot(box, docker_archive(box.root / "img.tar", [(["fifo:1"], [blob])]))
    names = {d["canonical_name"]: d for d in doc["distributions"]}
    assert "fifometa" not in names and names["good"]["version"] == "1.0"
    assert names["fiforecord"]["version"] == "2.0"  # a FIFO costs that file, not the record
    reasons = [u["reason"] for u in doc["unknowns"] if u["field"] == "distributions"]
    kept = f"/{SITE}/fiforecord-2.0.dist-info"
    assert any(f"/{SITE}/fifometa-1.0.dist-info/METADATA is a FIFO" in r for r in reasons), reasons
    assert f"{kept}/RECORD is a FIFO, not a regular file: not read" in reasons, reasons
    assert f"{kept}/INSTALLER is a FIFO, not a regular file: not read" in reasons, reasons
    assert not any("was not kept" in r for r in reasons), reasons
