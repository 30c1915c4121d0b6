"""The worst archives: a gzip bomb, gigabyte files, a million entries; memory stays bounded.

Peak memory is the kernel's count for the process that read the archive (wait4),
never a wall-clock time. The CLI runs with its default limits except for the bomb,
whose default budget (64 GiB of decompressed bytes) takes minutes to walk: there a
real process runs the same reader with a 1 GiB budget.
"""

from __future__ import annotations

import json
import sys

from big_layers import Layer, million_entries, oci_image, zero_files
from hostile_support import MEMORY_BOUND_MB, READ_ARCHIVE_WITH_LIMITS, Box, GiB, run_measured

from driftcheck.static.rootfs import Limits

METADATA = b"Metadata-Version: 2.1\nName: small\nVersion: 1.0\n"
SITE = "usr/lib/python3/dist-packages"


def test_a_decompression_bomb_is_stopped_by_the_byte_budget(tmp_path):
    # 4 GiB of zeros in a 4 MiB layer (1:1000); the budget stops the walk at 1 GiB.
    bomb = zero_files([("zeros", 4 * GiB)], with_diff_id=False)
    assert len(bomb.blob) < 8 * 1024 * 1024
    image = oci_image(tmp_path / "oci", [bomb])
    budget = 1 * GiB
    read = [sys.executable, "-c", READ_ARCHIVE_WITH_LIMITS]
    outcome = run_measured([*read, str(image), str(budget)])
    assert outcome.returncode == 0, outcome.stderr
    assert outcome.stdout.startswith("3 layer 1/1") and "decompression bomb" in outcome.stdout
    assert outcome.peak_rss_mb < MEMORY_BOUND_MB


def test_an_entry_over_the_entry_limit_is_refused_before_it_is_read(box: Box):
    # The header declares 20 GiB; refused from the header, so the content need not exist.
    layer = zero_files([("huge", 20 * GiB)], with_diff_id=False)
    truncated = layer.blob[: 64 * 1024]  # the header and a little content, then nothing
    image = oci_image(box.root / "oci", [Layer(truncated, layer.diff_id, 0)])
    out = box.work / "snap.json"
    outcome = box.run("snapshot", "--archive", str(image), "-o", str(out))
    line = outcome.error_line(3)
    assert "'huge' declares 20 GiB (limit 16 GiB)" in line
    assert outcome.peak_rss_mb < MEMORY_BOUND_MB
    assert not out.exists()


def test_several_gigabyte_files_stream_through_in_bounded_memory(box: Box):
    # A 3 GiB dpkg status file: a collector wants it, so it is measured, and refused
    # unread (an unknown) rather than kept; the rest of the image is read as usual.
    layer = zero_files(
        [("var/lib/dpkg/status", 3 * GiB)],
        small=[(f"{SITE}/small-1.0.dist-info/METADATA", METADATA)],
    )
    image = oci_image(box.root / "oci", [layer])
    out = box.work / "snap.json"
    outcome = box.run("snapshot", "--archive", str(image), "-o", str(out), allowed=[out])
    assert outcome.returncode == 0, outcome.stderr
    assert outcome.peak_rss_mb < MEMORY_BOUND_MB
    doc = json.loads(out.read_text())
    assert [d["name"] for d in doc["distributions"]] == ["small"]
    reasons = [u["reason"] for u in doc["unknowns"] if u["field"].startswith("os_packages")]
    assert any("/var/lib/dpkg/status" in r and "larger than" in r for r in reasons), reasons


def test_a_million_entries_hit_the_entry_limit_in_bounded_memory(box: Box):
    limit = Limits().max_entries
    assert limit == 1_000_000
    image = oci_image(box.root / "oci", [million_entries(limit + 1)])
    outcome = box.run("snapshot", "--archive", str(image), "-o", str(box.work / "snap.json"))
    line = outcome.error_line(3)
    assert f"more than {limit} entries" in line
    assert outcome.peak_rss_mb < MEMORY_BOUND_MB
