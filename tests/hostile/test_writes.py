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
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile_support import Box, in_ci, strace_or_skip
from static_builders import docker_archive, file, layer

from driftcheck.errors import OutputError
from driftcheck.snapshot import files as snapshot_files

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
        assert snapshot_files.loads(
            leftover.read_bytes(), str(leftover)
        ).label  # complete, readable


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
        snapshot_files.save(small_snapshot(), path)
    monkeypatch.undo()
    assert path.read_text() == PREVIOUS and listing(tmp_path) == ["s.json"]


# --- outputs that are not files: devices, FIFOs, sockets, /dev/stdout -------------------
#
# An output that is a stream is written through, never renamed over: as root, a rename
# over /dev/null replaces the machine's /dev/null with a regular file. Every writer
# driftcheck has is tried (each goes through snapshot/snapshot_files.write_atomic).

_CHECK = ["check", "--baseline", "{base}", "--target", "{base}"]
WRITERS: dict[str, tuple[list[str], str]] = {
    # name: (arguments before the output path, text the output must hold)
    "snapshot -o": (["snapshot", "--archive", "{archive}", "-o"], '"driftcheck-snapshot"'),
    "report -o": (["report", "{base}", "-o"], "<!-- driftcheck-report v1 -->"),
    "check --junit": ([*_CHECK, "--junit"], "<testsuites"),
    "check --markdown": ([*_CHECK, "--markdown"], "driftcheck check passed"),
    "check --json": ([*_CHECK, "--json"], '"driftcheck-check-report"'),
    "check --codequality": ([*_CHECK, "--codequality"], "[]"),
    "diff --emit-constraints": (["diff", "{base}", "{base}", "--emit-constraints"], "# Constr"),
}


def _writer(name: str, archive: Path, base: Path, out: Path | str) -> list[str]:
    arguments, _ = WRITERS[name]
    return [a.format(archive=archive, base=base) for a in arguments] + [str(out)]


def _root_or_skip() -> None:
    if os.geteuid() != 0:
        reason = "needs root (device nodes, and /dev/null as root sees it)"
        if in_ci():
            pytest.fail(f"CI=true and the tests are not root: {reason}")
        pytest.skip(f"SKIPPED (would FAIL under CI=true) - {reason}")


@pytest.fixture()
def base(box: Box) -> Path:
    """A baseline snapshot file outside the work folder: comparing it with itself is quick."""
    path = box.root / "base.json"
    snapshot_files.save(small_snapshot(), path)
    return path


@pytest.fixture()
def null_device(box: Box) -> Path:
    """A real character device (the null device, 1:3) made with mknod in the box."""
    _root_or_skip()
    path = box.work / "null"
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    path.chmod(0o666)  # past the umask: the mode /dev/null has
    return path


@pytest.fixture()
def dev_null() -> Iterator[Path]:
    """The machine's /dev/null; put back as it was if a failing run replaced it."""
    _root_or_skip()
    path = Path("/dev/null")
    before = path.lstat()
    assert stat.S_ISCHR(before.st_mode)
    try:
        yield path
    finally:
        after = path.lstat()
        if not stat.S_ISCHR(after.st_mode) or after.st_rdev != before.st_rdev:
            path.unlink()
            os.mknod(path, before.st_mode, before.st_rdev)
            os.chmod(path, stat.S_IMODE(before.st_mode))


def _assert_null_device(path: Path, mode: int) -> None:
    info = path.lstat()
    assert stat.S_ISCHR(info.st_mode), f"{path} is no longer a character device"
    assert info.st_rdev == os.makedev(1, 3) and stat.S_IMODE(info.st_mode) == mode


@pytest.mark.parametrize("writer", list(WRITERS))
def test_an_output_onto_a_character_device_writes_through(box, archive, base, null_device, writer):
    link = box.work / "link-to-null"
    link.symlink_to(null_device)  # a link to a device is the device
    for out in (null_device, link):
        result = box.run(*_writer(writer, archive, base, out), allowed=[null_device])
        assert result.returncode == 0, result.stderr
        _assert_null_device(null_device, 0o666)
    assert link.is_symlink() and os.readlink(link) == str(null_device)
    assert listing(box.work) == ["link-to-null", "null"]  # no temporary file either


@pytest.mark.parametrize("writer", list(WRITERS))
def test_dev_null_stays_the_null_device(box, archive, base, dev_null, writer):
    before = dev_null.lstat()
    result = box.run(*_writer(writer, archive, base, dev_null))
    assert result.returncode == 0, result.stderr
    after = dev_null.lstat()
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    assert after.st_ino == before.st_ino and stat.S_IMODE(after.st_mode) == 0o666


def _drain(fifo: Path, received: list[bytes]) -> None:
    with open(fifo, "rb") as handle:
        received.append(handle.read())


@pytest.mark.parametrize("writer", list(WRITERS))
def test_an_output_onto_a_fifo_reaches_its_reader(box, archive, base, writer):
    fifo = box.work / "reports.fifo"
    os.mkfifo(fifo, 0o600)
    received: list[bytes] = []
    reader = threading.Thread(target=_drain, args=(fifo, received), daemon=True)
    reader.start()
    try:
        result = box.run(*_writer(writer, archive, base, fifo), allowed=[fifo], timeout=120)
    finally:
        if reader.is_alive():  # driftcheck never opened it: release the reader
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(timeout=30)
    assert result.returncode == 0, result.stderr
    assert received and WRITERS[writer][1] in received[0].decode(), received
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and listing(box.work) == ["reports.fifo"]


@pytest.fixture()
def dev_stdout() -> Iterator[Path]:
    """/dev/stdout, the link to /proc/self/fd/1; put back if a failing run replaced it."""
    path = Path("/dev/stdout")
    link = os.readlink(path)
    try:
        yield path
    finally:
        if not path.is_symlink() or os.readlink(path) != link:
            path.unlink()
            path.symlink_to(link)


def test_dev_stdout_is_the_standard_output_as_a_pipe_or_a_file(box, base, dev_stdout):
    stdout = dev_stdout
    link = os.readlink(stdout)
    piped = subprocess.run(
        box.command("report", str(base), "-o", str(stdout)),
        capture_output=True, text=True, cwd=box.work, env=box.env(), timeout=120,
    )  # fmt: skip
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout.startswith("<!-- driftcheck-report v1 -->"), piped.stdout[:200]
    snapshot = subprocess.run(
        box.command("snapshot", "--python", sys.executable, "-o", "/dev/stdout"),
        capture_output=True, text=True, cwd=box.work, env=box.env(), timeout=120,
    )  # fmt: skip
    assert snapshot.returncode == 0, snapshot.stderr
    assert json.loads(snapshot.stdout)["format"] == "driftcheck-snapshot"  # the summary: stderr
    to_file = box.run("report", str(base), "-o", "/dev/stdout")  # run_measured: stdout a file
    assert to_file.returncode == 0, to_file.stderr
    assert to_file.stdout.startswith("<!-- driftcheck-report v1 -->")
    assert stdout.is_symlink() and os.readlink(stdout) == link


def _unix_socket(path: Path) -> socket.socket:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    return server


@pytest.mark.parametrize("kind", ["a socket", "a block device", "a folder"])
@pytest.mark.parametrize("writer", ["snapshot -o", "report -o", "check --junit"])
def test_an_output_that_cannot_take_a_stream_is_refused(box, archive, base, kind, writer):
    out = box.work / "out"
    server = None
    if kind == "a socket":
        server = _unix_socket(out)
    elif kind == "a block device":
        _root_or_skip()
        os.mknod(out, stat.S_IFBLK | 0o600, os.makedev(7, 250))  # never opened: refused first
    else:
        out.mkdir()
    kind_before = stat.S_IFMT(out.lstat().st_mode)
    try:
        result = box.run(*_writer(writer, archive, base, out))
    finally:
        if server is not None:
            server.close()
    line = result.error_line(2)
    assert f"cannot write {out}: it is {kind}; choose a file for" in line
    assert stat.S_IFMT(out.lstat().st_mode) == kind_before and listing(box.work) == ["out"]


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600)])
def test_a_new_file_gets_the_mode_the_umask_gives(box, base, umask, mode):
    out = box.work / "new.md"
    previous = os.umask(umask)  # inherited by the driftcheck process
    try:
        result = box.run("report", str(base), "-o", str(out), allowed=[out])
    finally:
        os.umask(previous)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISREG(out.lstat().st_mode) and stat.S_IMODE(out.lstat().st_mode) == mode
