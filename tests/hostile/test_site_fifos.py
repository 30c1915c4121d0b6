"""An image with FIFOs in its site folders, where a .pth file, a METADATA and a RECORD
belong: read live and read as files, it ends promptly, and both readings name each FIFO
the same way.

The image is real (built FROM the suite's bookworm image, the FIFOs made by mkfifo); the
live probe runs in a throwaway container, where CPython's site.py would block on the
FIFO .pth before any code of ours ran, had the probe not deferred site.py to its
bootstrap. The static readings read the engine's copy and a ``docker save``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from hostile_support import Box

import images
from support import assert_valid_snapshot, run_cli

pytestmark = pytest.mark.docker

DEBIAN_DIST = "/usr/lib/python3/dist-packages"
LOCAL_DIST = "/usr/local/lib/python3.11/dist-packages"
SITE_FIFOS = f"""\
RUN mkfifo {DEBIAN_DIST}/zz_fifo.pth \\
 && mkdir -p {LOCAL_DIST}/fifometa-1.0.dist-info {LOCAL_DIST}/fiforecord-2.0.dist-info \\
 && mkfifo {LOCAL_DIST}/fifometa-1.0.dist-info/METADATA \\
 && printf 'Metadata-Version: 2.1\\nName: fiforecord\\nVersion: 2.0\\n' \\
      > {LOCAL_DIST}/fiforecord-2.0.dist-info/METADATA \\
 && mkfifo {LOCAL_DIST}/fiforecord-2.0.dist-info/RECORD \\
 && mkdir {LOCAL_DIST}/numpy.libs \\
 && touch {LOCAL_DIST}/numpy.libs/libopenblas64_p-r0-0cf96a72.3.23.so
"""
BLOCKER = f"{DEBIAN_DIST}/zz_fifo.pth"
EXPECTED = {
    ("python.start_up", f"{BLOCKER} is a FIFO: Python's site.py blocks reading it at start-up, "
     "so a program this interpreter starts never runs (the probe skipped it); remove it"),
    ("pth_files", f"{BLOCKER} is a FIFO, not a regular file: not read"),
    ("distributions", f"{LOCAL_DIST}/fifometa-1.0.dist-info: {LOCAL_DIST}/fifometa-1.0.dist-info/"
     "METADATA is a FIFO, not a regular file: not read"),
    ("distributions", f"{LOCAL_DIST}/fiforecord-2.0.dist-info/RECORD is a FIFO, not a regular "
     "file: not read"),
}  # fmt: skip


@pytest.fixture(scope="module")
def fifo_image(docker_client: Any, bookworm_image: str) -> str:
    dockerfile = f"FROM {bookworm_image}\n{SITE_FIFOS}"
    tag = "driftcheck-test/site-fifos:" + hashlib.sha256(dockerfile.encode()).hexdigest()[:12]
    if not images.image_exists(docker_client, tag):
        with images._build_lock():
            if not images.image_exists(docker_client, tag):
                images.build_dockerfile(docker_client, tag, dockerfile)
    return tag


def read(box: Box, name: str, *target: str) -> tuple[Path, dict[str, Any]]:
    out = box.work / f"{name}.json"
    # The guard: a reading that blocks is killed here, and the run fails.
    result = box.run("snapshot", *target, "-o", str(out), allowed=[out], timeout=300)
    assert result.returncode == 0, result.stderr
    doc = json.loads(out.read_text())
    assert_valid_snapshot(doc)
    return out, doc


def fifo_unknowns(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {(u["field"], u["reason"]) for u in doc["unknowns"] if "FIFO" in u["reason"]}


def test_fifos_in_site_folders_end_in_the_same_unknowns_live_and_static(
    tmp_path: Path, box: Box, docker_client: Any, fifo_image: str
) -> None:
    live_path, live = read(box, "live", "--image", fifo_image)
    assert live["target"]["mode"] == "live"
    assert fifo_unknowns(live) == EXPECTED
    assert live["python"]["start_up_blockers"] == [BLOCKER]
    assert live["python"]["flags"]["no_site"] == 0
    assert {"name": "numpy:libopenblas64_p-r0-0cf96a72.3.23", "version": None} in [
        {"name": lib["name"], "version": lib["version"]} for lib in live["native_libraries"]
    ]  # a wheel-vendored library, found live and (below) as files alike
    versions = {d["canonical_name"]: d["version"] for d in live["distributions"]}
    assert versions["fiforecord"] == "2.0" and "fifometa" not in versions

    saved = tmp_path / "saved.tar"
    with open(saved, "wb") as handle:
        for chunk in docker_client.images.get(fifo_image).save(named=True):
            handle.write(chunk)
    for name, target in (("engine", ("--image", fifo_image, "--static")),
                         ("archive", ("--archive", str(saved)))):  # fmt: skip
        static_path, static = read(box, name, *target)
        assert static["target"]["mode"] == "static"
        assert fifo_unknowns(static) == EXPECTED, name
        assert static["static_python"]["start_up_blockers"] == [BLOCKER]
        for fact in ("native_libraries", "pth_files", "distributions", "os_packages"):
            assert static[fact] == live[fact], (name, fact)  # one reader, two sources
        assert static["os"]["libc"] == live["os"]["libc"]
        result = run_cli("diff", "--format", "json", str(live_path), str(static_path))
        assert result.returncode == 0, result.stderr
        findings = json.loads(result.stdout)["findings"]
        assert [f for f in findings if f["severity"] != "info"] == [], name
