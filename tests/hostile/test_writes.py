"""Writes: a full disk, a read-only folder, a process killed between write and rename.

Each fault is real: a 64 KiB tmpfs filled up, a tmpfs mounted read-only, and a
SIGKILL delivered by the kernel (strace's syscall fault injection) at the exact
system call, to the unmodified driftcheck. The previous snapshot survives every
time, and no temporary file is left where the kill comes before the file is named.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile_support import Box, in_ci, strace_or_skip
from static_builders import docker_archive, file, layer

from driftcheck.errors import OutputError
from driftcheck.snapshot import io

from support import small_snapshot

PREVIOUS = json.dumps({"previous": "snapshot, kept byte for byte"}) + "\n"


@pytest.fixture()
def archive(box: Box) -> Path:
    """A real image archive whose snapshot is a few KiB: the write is what is tested."""
    os_release = "ID=hostile\nVERSION_ID=1\n" + "# padding\n" * 2000  # a snapshot of ~4 KiB
    return docker_archive(
        box.root / "img.tar", [(["w:1"], [layer(file("etc/os-release", os_release))])]
    )


def _mount(target: Path, options: str) -> None:
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        reason = f"cannot mount a tmpfs ({result.stderr.strip()}); needs root"
        if in_ci():
            pytest.fail(f"CI=true and {reason}")
        pytest.skip(f"SKIPPED (would FAIL under CI=true) - {reason}")


@pytest.fixture()
def small_disk(box: Box) -> Iterator[Path]:
    """A 64 KiB filesystem of its own, unmounted afterwards."""
    mountpoint = box.work / "disk"
    mountpoint.mkdir()
    _mount(mountpoint, "size=64k,mode=0755")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=False)


def _fill(folder: Path, leave: int) -> None:
    """Fills the filesystem until fewer than ``leave`` bytes are free."""
    stats = os.statvfs(folder)
    free = stats.f_bavail * stats.f_frsize
    if free > leave:
        (folder / "filler").write_bytes(b"\0" * (free - leave))


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_disk_full_keeps_the_previous_snapshot(box, archive, small_disk):
    out = small_disk / "snap.json"
    out.write_text(PREVIOUS)
    _fill(small_disk, leave=1024)  # the new snapshot needs ~4 KiB
    before = listing(small_disk)
    result = box.run("snapshot", "--archive", str(archive), "-o", str(out), allowed=[out])
    line = result.error_line(2)
    assert "No space left on device" in line and "previous file is intact" in line
    assert out.read_text() == PREVIOUS
    assert listing(small_disk) == before


def test_read_only_folder_keeps_the_previous_snapshot(box, archive, small_disk):
    out = small_disk / "snap.json"
    out.write_text(PREVIOUS)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    result = box.run("snapshot", "--archive", str(archive), "-o", str(out), allowed=[out])
    line = result.error_line(2)
    assert "Read-only file system" in line and str(out) in line
    assert out.read_text() == PREVIOUS
    assert listing(small_disk) == ["snap.json"]


def _killed_at(box: Box, archive: Path, out: Path, syscalls: str, sig: str = "KILL") -> int:
    """Runs the snapshot under strace, which sends ``sig`` on the first of ``syscalls``."""
    strace = strace_or_skip()
    command = [
        strace, "-f", "-qq", "-o", "/dev/null",
        "-e", f"trace={syscalls}", "-e", f"inject={syscalls}:signal={sig}:when=1",
        *box.command("snapshot", "--archive", str(archive), "-o", str(out)),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, cwd=box.work, env=box.env())
    return result.returncode


def _killed_by(sig: int) -> tuple[int, int]:
    return (-sig, 128 + sig)  # strace re-raises the signal, or exits with 128 + it


@pytest.mark.parametrize("sig", ["KILL", "TERM"])
def test_killed_after_writing_before_the_rename(box, archive, sig):
    out = box.work / "snap.json"
    out.write_text(PREVIOUS)
    status = _killed_at(box, archive, out, "fsync", sig)
    assert status in _killed_by(getattr(signal, f"SIG{sig}")), status  # the kill did land
    assert out.read_text() == PREVIOUS
    assert listing(box.work) == ["snap.json"]  # no temporary file either


def test_killed_between_naming_and_renaming_keeps_the_previous_snapshot(box, archive):
    # The only window the writer cannot close: the new content has a temporary name
    # (link) and is one rename away from replacing the old file. It is complete there.
    out = box.work / "snap.json"
    out.write_text(PREVIOUS)
    status = _killed_at(box, archive, out, "rename,renameat,renameat2")
    assert status in _killed_by(signal.SIGKILL), status
    assert out.read_text() == PREVIOUS
    leftovers = [p for p in box.work.iterdir() if p.name != "snap.json"]
    assert len(leftovers) <= 1
    for leftover in leftovers:
        assert leftover.name.startswith(".snap.json.") and leftover.name.endswith(".tmp")
        assert io.loads(leftover.read_bytes(), str(leftover)).label  # complete, readable


def test_an_ordinary_write_leaves_only_the_snapshot(box, archive):
    out = box.work / "snap.json"
    out.write_text(PREVIOUS)
    out.chmod(0o640)
    result = box.run(
        "snapshot", "--archive", str(archive), "-o", str(out), allowed=[out], trace=True
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text())["os"]["os_release"]["ID"] == "hostile"
    assert out.stat().st_mode & 0o777 == 0o640
    assert listing(box.work) == ["snap.json"]


def test_library_writer_without_unnamed_files_still_cleans_up(tmp_path, monkeypatch):
    # Filesystems without O_TMPFILE get a named temporary file, removed on any failure.
    monkeypatch.delattr(os, "O_TMPFILE", raising=False)
    path = tmp_path / "s.json"
    path.write_text(PREVIOUS)

    def full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OutputError, match="previous file is intact"):
        io.save(small_snapshot(), path)
    monkeypatch.undo()
    assert path.read_text() == PREVIOUS and listing(tmp_path) == ["s.json"]
