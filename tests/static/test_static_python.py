"""The interpreter an image read as files would run: version and ABI from its files.

Hand-made images, so that each source of the version can be tested alone: the
version string in the binary (also across a chunk boundary, with only the match
kept in memory), the OS package that owns the binary, the folder name.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from static_builders import docker_archive, file, folder, layer, no_writes, symlink

from driftcheck.api import take_snapshot
from driftcheck.diff.engine import compare
from driftcheck.diff.model import Severity
from driftcheck.render.summary import python_line
from driftcheck.report.facts import interpreter_table
from driftcheck.snapshot.files import dumps, load
from driftcheck.snapshot.model import Snapshot
from driftcheck.static.chunks import CHUNK
from driftcheck.static.rootfs import Limits
from driftcheck.targets.archive import ArchiveTarget

from support import assert_valid_snapshot, small_snapshot

MULTIARCH = "x86_64-linux-gnu"
SOABI = f"cpython-312-{MULTIARCH}"
LIVE_BOOKWORM = Path(__file__).parent.parent / "diff/golden/releases-bookworm.snapshot.json"
OS_RELEASE = 'ID=debian\nVERSION_ID="13"\nPRETTY_NAME="Debian 13"\n'


def stdlib(minor: str = "3.12", soabi: str = SOABI, tag: str = "cpython-312") -> list[Any]:
    lib = f"usr/lib/python{minor}"
    return [
        file(f"{lib}/os.py", "# the stdlib\n"),
        file(f"{lib}/__pycache__/os.{tag}.pyc", b"\x00" * 16),
        file(f"{lib}/__pycache__/os.{tag}.opt-1.pyc", b"\x00" * 16),
        file(f"{lib}/lib-dynload/_ssl.{soabi}.so", b"\x7fELF"),
        file(f"{lib}/lib-dynload/_json.{soabi}.so", b"\x7fELF"),
    ]


def binary_with_version(version: bytes, at: int, size: int) -> bytes:
    """An interpreter-sized file with CPython's PY_VERSION ("\\0X.Y.Z\\0") at offset ``at``."""
    data = bytearray(b"\x7fELF" + b"\x01" * (size - 4))
    data[at : at + len(version) + 2] = b"\x00" + version + b"\x00"
    return bytes(data)


def archive(tmp_path: Path, *entries: Any, env: list[str] | None = None, **run: Any) -> Path:
    layers = [layer(folder("usr/bin"), file("etc/os-release", OS_RELEASE), *entries)]
    overrides = {"config": {"Env": env or ["PATH=/usr/local/bin:/usr/bin:/bin"], **run}}
    return docker_archive(tmp_path / "image.tar", [(["py:1"], layers)], config_overrides=overrides)


def read(path: Path, limits: Limits | None = None) -> dict[str, Any]:
    with no_writes():
        doc: dict[str, Any] = json.loads(dumps(take_snapshot(ArchiveTarget(path, limits=limits))))
    assert_valid_snapshot(doc)
    return doc


def test_the_version_string_across_a_chunk_boundary_is_found_and_only_it_is_kept(tmp_path):
    size = 3 * CHUNK
    binary = binary_with_version(b"3.12.7", CHUNK - 4, size)  # straddles the first boundary
    path = archive(
        tmp_path,
        file("usr/bin/python3.12", binary),
        symlink("usr/bin/python3", "python3.12"),
        *stdlib(),
    )
    # Far less memory for kept content than the binary's size: only the match is kept.
    doc = read(path, Limits(max_kept_bytes=CHUNK // 4))
    assert doc["python"] is None
    assert doc["static_python"] == {
        "executable": "/usr/bin/python3",
        "implementation": "cpython",
        "version": "3.12.7",
        "soabi": SOABI,
        "ext_suffix": f".{SOABI}.so",
        "cache_tag": "cpython-312",
        "free_threaded": False,
        "os_package": None,
        "sources": {
            "executable": "/usr/bin/python3 (python3 along the image's PATH), "
            "a link to /usr/bin/python3.12",
            "version": "the version string in /usr/bin/python3.12",
            "soabi": "the extension modules in /usr/lib/python3.12/lib-dynload",
            "cache_tag": "the bytecode files in /usr/lib/python3.12/__pycache__",
        },
        "start_up_blockers": [],  # no .pth file on its modelled sys.path blocks start-up
    }
    reasons = {u["field"]: u["reason"] for u in doc["unknowns"]}
    assert "read from its files" in reasons["python"]
    with no_writes():
        snapshot = take_snapshot(ArchiveTarget(path))
    rows = dict(interpreter_table(snapshot).rows)  # what reports show, each fact sourced
    assert rows["version"] == "3.12.7 (from the version string in /usr/bin/python3.12)"
    assert rows["read from"] == "the image's files: nothing was run"
    assert python_line(snapshot) == (
        f"CPython 3.12.7, ABI {SOABI}, read from the image's files (/usr/bin/python3)"
    )


def test_a_shared_build_keeps_its_version_in_libpython(tmp_path):
    launcher = b"\x7fELF" + b"\x01" * 4096  # python.org builds: a small launcher
    library = binary_with_version(b"3.12.4", 70_000, 200_000)
    path = archive(
        tmp_path,
        file("usr/local/bin/python3.12", launcher),
        symlink("usr/local/bin/python3", "python3.12"),
        file("usr/local/lib/libpython3.12.so.1.0", library),
        file("usr/local/lib/python3.12/lib-dynload/_ssl." + SOABI + ".so", b"\x7fELF"),
    )
    files = read(path)["static_python"]
    assert files["executable"] == "/usr/local/bin/python3"
    assert files["version"] == "3.12.4"
    assert (
        files["sources"]["version"] == "the version string in /usr/local/lib/libpython3.12.so.1.0"
    )


def test_the_os_package_that_owns_the_binary_gives_the_version(tmp_path):
    status = (
        "Package: python3.12-minimal\nStatus: install ok installed\nArchitecture: amd64\n"
        "Version: 3.12.3-1+deb13u1\n\n"
        "Package: python3.12\nStatus: install ok installed\nArchitecture: amd64\n"
        "Version: 3.12.3-1+deb13u1\n"
    )
    path = archive(
        tmp_path,
        file("usr/bin/python3.12", b"\x7fELF no version string here"),
        symlink("usr/bin/python3", "python3.12"),
        file("var/lib/dpkg/status", status),
        file("var/lib/dpkg/info/python3.12-minimal.list", "/.\n/usr\n/usr/bin/python3.12\n"),
        file("var/lib/dpkg/info/python3.12.list", "/.\n/usr/share/doc/python3.12\n"),
        *stdlib(),
    )
    files = read(path)["static_python"]
    assert files["version"] == "3.12.3"
    assert files["os_package"] == "python3.12-minimal 3.12.3-1+deb13u1"
    assert files["sources"]["version"] == "the version of the OS package python3.12-minimal"
    assert files["sources"]["os_package"] == (
        "dpkg's file list /var/lib/dpkg/info/python3.12-minimal.list"
    )


def only_the_name(folder_path: Path, minor: str) -> Snapshot:
    """An image whose interpreter says its version nowhere but in its name."""
    digits = minor.replace(".", "")
    folder_path.mkdir()
    path = archive(
        folder_path,
        file(f"usr/bin/python{minor}", b"\x7fELF"),
        symlink("usr/bin/python3", f"python{minor}"),
        *stdlib(minor, f"cpython-{digits}-{MULTIARCH}", f"cpython-{digits}"),
    )
    with no_writes():
        return take_snapshot(ArchiveTarget(path))


def test_a_name_alone_gives_major_minor_and_the_diff_compares_only_that(tmp_path):
    live = load(LIVE_BOOKWORM)  # a real probe of Debian 12: CPython 3.11.2
    assert live.python is not None and live.python.version == "3.11.2"
    same = only_the_name(tmp_path / "same", "3.11")
    assert same.static_python is not None and same.static_python.version == "3.11"
    assert same.static_python.sources["version"] == "the binary's name /usr/bin/python3.11"
    assert not [f for f in compare(live, same).findings if f.category == "python"]

    newer = only_the_name(tmp_path / "newer", "3.12")
    report = compare(live, newer)
    version = [f for f in report.findings if f.category == "python" and f.subject == "version"]
    assert len(version) == 1 and version[0].severity >= Severity.MEDIUM
    assert (version[0].left, version[0].right) == ("3.11.2", "3.12")
    assert "from the binary's name /usr/bin/python3.12" in " ".join(version[0].evidence)
    assert any(item.startswith("python: sys.path") for item in report.not_comparable)


def test_no_interpreter_reads_plainly(tmp_path):
    path = archive(tmp_path, file("var/lib/dpkg/status", ""))
    with no_writes():
        snapshot = take_snapshot(ArchiveTarget(path))
    reason = next(u.reason for u in snapshot.unknowns if u.field == "python")
    assert "found no Python found" not in reason
    assert "none was found where a live probe looks" in reason
    assert reason.endswith("no Python found in the image")
    line = python_line(snapshot)
    assert line == "none found in the image's files"
    assert python_line(small_snapshot()) == "no interpreter found (not a Python target)"

    live = load(LIVE_BOOKWORM)
    [presence] = [f for f in compare(live, snapshot).findings if f.category == "python"]
    assert presence.severity == Severity.HIGH and presence.right is None
    assert "no Python interpreter where a live probe would look" in presence.explanation
    # A static snapshot of schema 1.0 recorded nothing of its interpreter: unknown, not absent.
    older = replace(snapshot, unknowns=tuple(u for u in snapshot.unknowns if u.field != "python"))
    report = compare(live, older)
    assert not [f for f in report.findings if f.category == "python"]
    assert any("did not record the interpreter" in item for item in report.not_comparable)


def test_the_working_directory_and_diff_ids_are_recorded(tmp_path):
    path = archive(tmp_path, file("srv/app/app.py", "print()\n"), WorkingDir="/srv/app")
    container = read(path)["container"]
    assert container["working_dir"] == "/srv/app"
    assert len(container["diff_ids"]) == 1 and container["diff_ids"][0].startswith("sha256:")
