"""Facts read from a hand-made image: the probe's shape, build_snapshot unchanged, schema-valid."""

from __future__ import annotations

import json

from static_builders import config, docker_archive, file, folder, layer, no_writes, symlink

from driftcheck.api import take_snapshot
from driftcheck.snapshot.files import dumps
from driftcheck.targets.archive import ArchiveTarget

from support import assert_valid_snapshot

CANARY = "ghp_" + "StaticReaderCanary" + "0123456789abcdefgh"
SITE = "app/.venv/lib/python3.12/site-packages"
DPKG_STATUS = """\
Package: libc6
Status: install ok installed
Architecture: arm64
Version: 2.36-9+deb12u4
Source: glibc

Package: removed-one
Status: deinstall ok config-files
Version: 1.0
"""
METADATA = """\
Metadata-Version: 2.1
Name: Demo_Pkg
Version: 1.2.3
Requires-Python: >=3.9
Requires-Dist: six>=1.0
Requires-Dist: idna; extra == "net"

Long description that is not a header: Name: wrong
"""
RECORD = """\
demo_pkg/__init__.py,sha256=x,10
demo_pkg/core.py,sha256=y,20
demo_helpers.py,sha256=z,5
Demo_Pkg-1.2.3.dist-info/METADATA,,
_native.cpython-312-aarch64-linux-gnu.so,,
"""


def base_layer() -> bytes:
    return layer(
        folder("etc"),
        symlink("etc/os-release", "../usr/lib/os-release"),
        file("usr/lib/os-release", 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian 12"\n'),
        file("var/lib/dpkg/status", DPKG_STATUS),
        file(
            "var/lib/dpkg/status.d/tzdata", "Package: tzdata\nVersion: 2024a-0\nArchitecture: all\n"
        ),
        file("var/lib/dpkg/status.d/tzdata.md5sums", "abc  usr/share/zoneinfo/UTC\n"),
        file("lib/ld-musl-aarch64.so.1", "\x7fELF musl"),
        file("usr/lib/python3/dist-packages/legacy.egg-info", "Name: legacy\nVersion: 0.9\n"),
    )


def app_layer() -> bytes:
    return layer(
        file("app/.venv/pyvenv.cfg", "home = /usr/local/bin\nversion = 3.12.4\n"),
        file(f"{SITE}/Demo_Pkg-1.2.3.dist-info/METADATA", METADATA),
        file(f"{SITE}/Demo_Pkg-1.2.3.dist-info/RECORD", RECORD),
        file(f"{SITE}/Demo_Pkg-1.2.3.dist-info/INSTALLER", "uv\n"),
        file(f"{SITE}/Demo_Pkg-1.2.3.dist-info/REQUESTED"),
        file(
            f"{SITE}/Demo_Pkg-1.2.3.dist-info/direct_url.json",
            json.dumps(
                {
                    "url": "https://user:secret@git.example.com/demo.git",
                    "vcs_info": {"vcs": "git", "commit_id": "abc"},
                }
            ),
        ),
        file(f"{SITE}/broken-0.1.dist-info/METADATA", "Name: broken\n"),  # no Version
        file(f"{SITE}/loop-1.0.dist-info/RECORD", "x"),
        symlink(f"{SITE}/loop-1.0.dist-info/METADATA", "METADATA"),
        file(f"{SITE}/hook.pth", "import os; os.environ\n/extra/path\n# comment\n"),
    )


def make_archive(tmp_path):
    layers = [base_layer(), app_layer()]
    env = [f"API_TOKEN={CANARY}", "VIRTUAL_ENV=/app/.venv", "PATH=/app/.venv/bin:/usr/bin"]
    overrides = {
        "architecture": "arm64",
        "variant": "v8",
        "config": {"Env": env, "User": "1000:1000", "Labels": {"l": "v", "bad": 3}},
    }
    assert config(layers, **overrides)["rootfs"]["diff_ids"]
    return docker_archive(tmp_path / "app.tar", [(["app:1"], layers)], config_overrides=overrides)


def test_hand_made_image_reads_like_a_probe(tmp_path):
    archive = make_archive(tmp_path)
    with no_writes():
        snapshot = take_snapshot(ArchiveTarget(archive))
    text = dumps(snapshot)
    doc = json.loads(text)
    assert_valid_snapshot(doc)
    assert CANARY not in text and "secret@" not in text
    assert doc["target"] == {
        "kind": "archive",
        "description": f"archive {archive}",
        "interpreter": None,
        "pid": None,
        "mode": "static",
    }
    assert doc["python"] is None
    os_info = doc["os"]
    assert os_info["os_release"]["ID"] == "debian"
    assert os_info["machine"] == "aarch64" and os_info["system"] == "Linux"
    assert os_info["libc"] == {"family": "musl", "version": None}
    packages = {(p["name"], p["version"]) for p in doc["os_packages"]}
    assert packages == {("libc6", "2.36-9+deb12u4"), ("tzdata", "2024a-0")}

    dists = {d["canonical_name"]: d for d in doc["distributions"]}
    assert set(dists) == {"demo-pkg", "legacy"}
    demo = dists["demo-pkg"]
    assert demo["location"] == "/" + SITE
    assert demo["version"] == "1.2.3" and demo["installer"] == "uv" and demo["requested"] is True
    assert demo["requires_dist"] == ["six>=1.0", 'idna; extra == "net"']
    assert demo["top_level"] == ["_native", "demo_helpers", "demo_pkg"]  # from RECORD
    assert demo["vcs"] == "git" and "secret" not in (demo["direct_url"] or "")
    assert dists["legacy"]["location"] == "/usr/lib/python3/dist-packages"

    assert doc["environment"]["API_TOKEN"]["redacted"] is True
    assert doc["environment"]["VIRTUAL_ENV"] == "/app/.venv"
    assert doc["container"]["platform"] == "linux/arm64/v8"
    assert doc["container"]["labels"] == {"l": "v"}
    assert doc["container"]["user"] == "1000:1000"
    assert doc["pth_files"] == [
        {
            "path": f"/{SITE}/hook.pth",
            "path_lines": ["/extra/path"],
            "code_lines": ["import os; os.environ"],
        }
    ]
    unknown = {u["field"]: u["reason"] for u in doc["unknowns"]}
    assert (
        "python" in unknown and "3.12.4" in unknown["python"] and "/app/.venv" in unknown["python"]
    )
    assert {"os.kernel", "os.cpu", "os.memory_bytes", "environment"} <= set(unknown)
    assert any(
        u["field"] == "distributions"
        and "loop-1.0.dist-info" in u["reason"]
        and "40" in u["reason"]
        for u in doc["unknowns"]
    )


def test_scratch_image_with_nothing_in_it(tmp_path):
    archive = docker_archive(tmp_path / "s.tar", [(["scratch:1"], [layer(file("hello", "bin"))])])
    doc = json.loads(dumps(take_snapshot(ArchiveTarget(archive))))
    assert_valid_snapshot(doc)
    assert doc["distributions"] == [] and doc["os_packages"] == [] and doc["python"] is None
    assert doc["os"]["libc"]["family"] == "unknown"
    fields = {u["field"] for u in doc["unknowns"]}
    assert {"os.os_release", "os.libc", "python"} <= fields
