"""Unbounded reads: zero padding that inflates to nothing, and registries that never finish.

Every byte read counts against an image's byte budget, compressed or not: zero
padding after a gzip stream (from a hostile registry on loopback, or a real sparse
file inside a ``docker save`` archive) is charged like the bytes it inflates to, and
a blob declared larger than the budget is refused before it is fetched. A registry
that trickles one byte a second ends at the deadline of each request (exit 4).

The budget's default (64 GiB) takes minutes to walk, so the padding tests run the
real reader in a real process with a small budget (``Limits``), as the bomb test
does; the registry tests run the CLI. No wall-clock assertion: a run that hung would
be killed by its subprocess timeout and fail on its exit code.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import sys
from pathlib import Path

import pytest
from big_layers import ustar
from hostile_registry import ENDLESS, HostileRegistry, PaddedLayer
from hostile_support import MEMORY_BOUND_MB, READ_ARCHIVE_WITH_LIMITS, Box, MiB, run_measured
from static_builders import file, gzip_layer, layer

from driftcheck.registry.deadline import DEADLINE_VARIABLE

TiB = 1024 * 1024 * MiB
READ_REGISTRY_WITH_LIMITS = """\
import sys
from driftcheck.errors import DriftcheckError
from driftcheck.registry.names import parse_image_name
from driftcheck.registry.reader import read_registry_image
from driftcheck.static.rootfs import Limits
try:
    read_registry_image(
        parse_image_name(sys.argv[1]), limits=Limits(max_total_bytes=int(sys.argv[2]))
    )
except DriftcheckError as exc:
    print(exc.exit_code, exc)
else:
    print("read without error")
"""


# --- padding ---------------------------------------------------------------------------


def test_a_layer_declaring_a_petabyte_is_refused_before_it_is_fetched(box: Box):
    # A small gzip stream, then zeros without end, under a descriptor of 2^50 bytes:
    # it would be read for as long as the budget lets it; it is refused unread.
    with HostileRegistry([PaddedLayer(ENDLESS, declared=2**50)]) as registry:
        out = box.work / "snap.json"
        outcome = box.run("snapshot", "--registry", registry.ref, "-o", str(out), timeout=120)
        blob_requests = [path for path in registry.sent if "/blobs/" in path]
    line = outcome.error_line(3)
    assert "layer 1/1" in line and f"registry {registry.address}" in line
    assert "its blob declares 1024 TiB, more than the 64 GiB budget" in line
    assert blob_requests == [f"/v2/hostile/app/blobs/{_config_digest(registry)}"]  # no layer
    assert outcome.peak_rss_mb < MEMORY_BOUND_MB
    assert not out.exists()


def _config_digest(registry: HostileRegistry) -> str:
    return "sha256:" + hashlib.sha256(registry.config).hexdigest()


def test_zero_padding_after_a_gzip_stream_counts_against_the_budget():
    # Two layers, each a valid gzip stream of a few hundred bytes padded with 40 MiB of
    # zeros (digests and sizes true: the gzip module reads such a blob). Inflated, they
    # are tiny; read, they are 80 MiB, over a budget of 64 MiB. The second is refused.
    padded = [PaddedLayer(40 * MiB), PaddedLayer(40 * MiB, name="etc/hostname")]
    with HostileRegistry(padded) as registry:
        refused = run_measured(
            [sys.executable, "-c", READ_REGISTRY_WITH_LIMITS, registry.ref, str(64 * MiB)],
            timeout=300,
        )
        read = run_measured(
            [sys.executable, "-c", READ_REGISTRY_WITH_LIMITS, registry.ref, str(96 * MiB)],
            timeout=300,
        )
    assert refused.returncode == 0, refused.stderr
    assert refused.stdout.startswith("3 layer 2/2"), refused.stdout
    assert "its blob declares 40 MiB, more than the 24 MiB left" in refused.stdout
    assert read.stdout.strip() == "read without error", read.stdout + read.stderr
    assert refused.peak_rss_mb < MEMORY_BOUND_MB


def sparse_docker_save(path: Path, stream: bytes, diff_id: str, hole: int) -> Path:
    """A ``docker save`` tar whose layer member is ``stream`` then ``hole`` zero bytes that
    take no disk (a hole made by seeking past them)."""
    config = json.dumps(
        {
            "architecture": "amd64",
            "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        }
    ).encode()
    config_name = hashlib.sha256(config).hexdigest() + ".json"
    layer_name = "0" * 64 + "/layer.tar"
    manifest = json.dumps(
        [{"Config": config_name, "RepoTags": ["hostile:1"], "Layers": [layer_name]}]
    ).encode()
    with open(path, "wb") as out:
        for name, data in (("manifest.json", manifest), (config_name, config)):
            out.write(ustar(name.encode(), len(data)) + data + bytes(-len(data) % 512))
        size = len(stream) + hole
        out.write(ustar(layer_name.encode(), size))
        out.write(stream)
        out.seek(hole + (-size % 512), os.SEEK_CUR)  # the hole
        out.write(bytes(1024))  # the archive's end
    return path


@pytest.mark.parametrize("compressed", [True, False], ids=["gzip layer", "plain tar layer"])
def test_sparse_padding_in_an_archive_counts_against_the_budget(tmp_path, compressed):
    # A real sparse file: the layer member of a docker save tar is a valid layer followed
    # by 1 TiB of zeros that take no disk. gzip: padding after the stream; plain tar:
    # zero blocks after the end of the archive. Both are read, so both are charged.
    plain = layer(file("etc/os-release", b"ID=sparse\n"))
    stream = gzip_layer(file("etc/os-release", b"ID=sparse\n")) if compressed else plain
    diff_id = (
        "sha256:" + hashlib.sha256(gzip.decompress(stream) if compressed else plain).hexdigest()
    )
    archive = sparse_docker_save(tmp_path / "sparse.tar", stream, diff_id, 1 * TiB)
    info = archive.stat()
    assert info.st_size > TiB and info.st_blocks * 512 < 1 * MiB  # really sparse
    budget = 256 * MiB
    outcome = run_measured(
        [sys.executable, "-c", READ_ARCHIVE_WITH_LIMITS, str(archive), str(budget)]
    )
    assert outcome.returncode == 0, outcome.stderr
    assert outcome.stdout.startswith("3 layer 1/1"), outcome.stdout
    assert "more than 256 MiB to read (decompression bomb or padding?)" in outcome.stdout
    assert outcome.peak_rss_mb < MEMORY_BOUND_MB


# --- deadlines ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "how"),
    [
        ("headers", "variable"),
        ("manifest", "variable"),
        ("blob", "variable"),
        ("blob", "--timeout"),
    ],
)
def test_a_registry_that_trickles_ends_at_the_request_deadline(box: Box, where, how):
    # One byte a second: never silent for the 30 s a read may wait, never finished.
    with HostileRegistry([PaddedLayer(0)], trickle=where) as registry:
        out = box.work / "snap.json"
        args = ["snapshot", "--registry", registry.ref, "-o", str(out)]
        if how == "--timeout":
            outcome = box.run(*args, "--timeout", "2", timeout=120)
        else:
            outcome = box.run(*args, env={DEADLINE_VARIABLE: "2"}, timeout=120)
        dripped = max(registry.sent.values())
    line = outcome.error_line(4)
    assert f"registry {registry.address} did not finish within 2 s" in line, line
    assert f"{DEADLINE_VARIABLE}=SECONDS" in line
    assert dripped >= 1  # the trickle had begun
    assert not out.exists()
