"""docs/hostile-inputs.md names a test for every case and states the limits: both stay true."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def test_every_test_the_documentation_names_exists() -> None:
    text = (REPO / "docs" / "hostile-inputs.md").read_text("utf-8")
    references = REFERENCE.findall(text)
    assert len(references) > 60
    missing = [
        f"{path}::{name}"
        for path, name in sorted(set(references))
        if not (REPO / path).is_file()
        or not re.search(rf"^def {name}\(", (REPO / path).read_text("utf-8"), re.MULTILINE)
    ]
    assert not missing, f"docs/hostile-inputs.md names tests that do not exist: {missing}"


def test_every_item_of_the_issue_has_its_table() -> None:
    text = (REPO / "docs" / "hostile-inputs.md").read_text("utf-8")
    sections = re.split(r"^## ", text, flags=re.MULTILINE)
    titles = ("1. Secrets", "2. Injection", "3. Archives", "4. Probe output", "5. Snapshot files",
              "6. Writes", "7. Engine and targets", "8. Host interpreter")  # fmt: skip
    for title in titles:
        body = next((s for s in sections if s.startswith(title + "\n")), None)
        assert body is not None, f"docs/hostile-inputs.md has no section {title!r}"
        rows = [line for line in body.splitlines() if REFERENCE.search(line)]
        assert len(rows) >= 3, f"{title}: fewer than three cases name a test"


def test_every_hostile_test_is_named_in_the_documentation() -> None:
    text = (REPO / "docs" / "hostile-inputs.md").read_text("utf-8")
    named = {name for _, name in REFERENCE.findall(text)}
    unnamed = [
        f"{path.name}::{name}"
        for path in sorted(Path(__file__).parent.glob("test_*.py"))
        if path.name != Path(__file__).name
        for name in re.findall(r"^def (test_\w+)\(", path.read_text("utf-8"), re.MULTILINE)
        if name not in named
    ]
    assert not unnamed, f"tests/hostile tests missing from docs/hostile-inputs.md: {unnamed}"


def test_the_documented_limits_are_the_code_s() -> None:
    from driftcheck.lockfiles import read as lockfiles_read
    from driftcheck.probe import MAX_OUTPUT_BYTES
    from driftcheck.registry import deadline
    from driftcheck.snapshot.files import MAX_SNAPSHOT_BYTES
    from driftcheck.static import archive, blobs, sources
    from driftcheck.static.rootfs import MAX_NAME, MAX_TAR_HEADER, Limits
    from driftcheck.targets import container, image, local_run
    from driftcheck.untrusted_json import MAX_DEPTH, MAX_INT_DIGITS

    mib, gib, limits = 1024 * 1024, 1024**3, Limits()
    stated = {
        "| 128 MiB |": 128 * mib == MAX_OUTPUT_BYTES,
        "host 120 s, containers and images 60 s": local_run.PROBE_TIMEOUT_SECONDS == 120
        and container.DEFAULT_TIMEOUT_SECONDS == image.DEFAULT_TIMEOUT_SECONDS == 60,
        "| 64 KiB |": local_run.MAX_STDERR_BYTES == 64 * 1024,
        "| 64 levels |": MAX_DEPTH == 64,
        "| 40 digits |": MAX_INT_DIGITS == 40,
        "| 256 MiB, refused from its size": 256 * mib == MAX_SNAPSHOT_BYTES,
        "| 16 MiB, refused from its size": 16 * mib == lockfiles_read.MAX_LOCK_BYTES,
        "| 1,000,000 |": limits.max_entries == 1_000_000,
        "| 16 GiB, checked on the header |": limits.max_entry_bytes == 16 * gib,
        "| 64 GiB |": limits.max_total_bytes == 64 * gib,
        "kept in memory | 256 MiB |": limits.max_kept_bytes == 256 * mib,
        "| 40 (Linux's ELOOP) |": limits.max_link_hops == 40,
        "| 4,096 characters |": MAX_NAME == 4096,
        "long-name header | 1 MiB |": mib == MAX_TAR_HEADER,
        "outer tar | 100,000 |": sources.MAX_MEMBERS == 100_000,
        "| 8 MiB each |": 8 * mib == blobs.MAX_JSON,
        "| 1,000; 4,096; 2 |": (blobs.MAX_LAYERS, archive.MAX_DESCRIPTORS) == (1000, 4096),
        "1 GiB memory, 256 processes": (image.MEMORY_LIMIT, image.PIDS_LIMIT) == ("1g", 256),
        "| 300 s each, all told; a registry silent for 30 s sooner;": (
            deadline.DEFAULT_DEADLINE_SECONDS,
            deadline.SILENCE_SECONDS,
        )
        == (300, 30),
    }
    text = (REPO / "docs" / "hostile-inputs.md").read_text("utf-8")
    wrong = [claim for claim, true in stated.items() if claim not in text or not true]
    assert not wrong, f"docs/hostile-inputs.md states limits the code does not have: {wrong}"
