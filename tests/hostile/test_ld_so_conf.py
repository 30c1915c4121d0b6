"""An image whose ld.so.conf includes itself, in a cycle, and a FIFO: read live and read as
files, it ends promptly, and both readings name the same skipped files the same way.

The image is real (built FROM the suite's bookworm image); the live probe runs in a
throwaway container, the static readings read the engine's copy and a ``docker save``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from hostile_support import Box

import images
from support import assert_valid_snapshot

pytestmark = pytest.mark.docker

LOOPING_LD_SO_CONF = """\
RUN printf '/opt/loop/lib\\ninclude /etc/ld.so.conf.d/*.conf\\n' > /etc/ld.so.conf.d/loop.conf \\
 && mkdir /etc/ld.so.conf.d/sub \\
 && printf 'include sub/*.conf\\n' > /etc/ld.so.conf.d/cycle.conf \\
 && printf '/opt/cycle/lib\\ninclude /etc/ld.so.conf.d/cycle.conf\\n' \\
      > /etc/ld.so.conf.d/sub/back.conf \\
 && mkfifo /etc/ld.so.conf.d/fifo.conf
"""
EXPECTED = [
    "/etc/ld.so.conf.d/cycle.conf: includes itself (an include cycle); read once",
    "/etc/ld.so.conf.d/fifo.conf: not a regular file (a FIFO, a device or a folder); not read",
    "/etc/ld.so.conf.d/loop.conf: includes itself (an include cycle); read once",
]


@pytest.fixture(scope="module")
def looping_image(docker_client: Any, bookworm_image: str) -> str:
    dockerfile = f"FROM {bookworm_image}\n{LOOPING_LD_SO_CONF}"
    tag = "driftcheck-test/ld-so-conf-loop:" + hashlib.sha256(dockerfile.encode()).hexdigest()[:12]
    if not images.image_exists(docker_client, tag):
        with images._build_lock():
            if not images.image_exists(docker_client, tag):
                images.build_dockerfile(docker_client, tag, dockerfile)
    return tag


def ld_so_conf_unknowns(box: Box, *target: str) -> list[str]:
    out = box.work / "snap.json"
    out.unlink(missing_ok=True)
    # The guard: a reading that loops or blocks is killed here, and the run fails.
    result = box.run("snapshot", *target, "-o", str(out), allowed=[out], timeout=300)
    assert result.returncode == 0, result.stderr
    doc = json.loads(out.read_text())
    assert_valid_snapshot(doc)
    return sorted(
        u["reason"]
        for u in doc["unknowns"]
        if u["field"] == "native_libraries" and "/etc/ld.so.conf" in u["reason"]
    )


def test_a_self_including_ld_so_conf_and_a_fifo_end_promptly_live_and_static(
    tmp_path: Path, box: Box, docker_client: Any, looping_image: str
) -> None:
    live = ld_so_conf_unknowns(box, "--image", looping_image)
    assert live == sorted(EXPECTED)
    assert ld_so_conf_unknowns(box, "--image", looping_image, "--static") == live
    saved = tmp_path / "saved.tar"
    with open(saved, "wb") as handle:
        for chunk in docker_client.images.get(looping_image).save(named=True):
            handle.write(chunk)
    assert ld_so_conf_unknowns(box, "--archive", str(saved)) == live
