#!/usr/bin/env python3
"""Time and peak memory of driftcheck on the worst hostile inputs of tests/hostile.

    python benchmarks/bench_hostile.py [--runs N] [--out docs/benchmarks.md] [--full-bomb]

Run it with the interpreter of a venv where driftcheck is installed (`.venv-test`):
every case is the installed `driftcheck` command in its own process, as a user runs
it, on inputs made by the same builders as the tests (tests/hostile/big_layers.py):
a gzip bomb, a file of several GiB, a million entries, probe output and snapshot
files nested 100,000 deep, probe output over the size limit and never ending, a
snapshot file over the size limit; and from a hostile registry on 127.0.0.1 (served
by this script, tests/hostile/hostile_registry.py): a layer padded with 4 GiB of
zeros, a layer declaring 2^50 bytes of endless padding, a layer that trickles one
byte a second. Wall time is spawn to reap; peak RSS is the
kernel's ru_maxrss for that process (wait4). Inputs are built once per run under a
temporary folder and removed afterwards (the big ones are small on disk).

The results go between the `<!-- hostile:start -->` / `<!-- hostile:end -->`
markers of --out (appended when the markers are missing); nothing else in the file
is touched. --full-bomb also walks a bomb past the default 64 GiB budget (minutes).
"""

from __future__ import annotations

import argparse
import atexit
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [
    str(REPO / "tests" / "hostile"),
    str(REPO / "tests" / "static"),
    str(REPO / "tests"),
]

from big_layers import Layer, million_entries, oci_image, zero_files  # noqa: E402
from crafted_reports import many_headers_report  # noqa: E402
from hostile_registry import ENDLESS, HostileRegistry, PaddedLayer  # noqa: E402
from hostile_support import GiB, Outcome, driftcheck_command, run_measured  # noqa: E402

from driftcheck.report.embed import embed_block  # noqa: E402
from driftcheck.snapshot import files as snapshot_files  # noqa: E402
from driftcheck.static.rootfs import Limits  # noqa: E402

from support import small_snapshot  # noqa: E402

START, END = "<!-- hostile:start -->", "<!-- hostile:end -->"
FAKE_PYTHON = """#!{python}
import json, sys
data = sys.stdin.buffer.read()
options = json.loads(data.split(b"\\n", 1)[0])
out = sys.stdout.buffer
out.write(options["begin"].encode() + b"\\n")
{body}
out.write(b"\\n" + options["end"].encode() + b"\\n")
"""


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Path], list[str]]  # makes the input in a folder, returns the arguments


@dataclass(frozen=True)
class Result:
    case: Case
    outcomes: list[Outcome]
    walls: list[float]


def fake_python(folder: Path, body: str) -> Path:
    script = folder / "python"
    script.write_text(FAKE_PYTHON.format(python=sys.executable, body=body))
    script.chmod(0o755)
    return script


def archive_args(folder: Path, layer: Layer) -> list[str]:
    image = oci_image(folder / "oci", [layer])
    return ["snapshot", "--archive", str(image), "-o", str(folder / "snap.json")]


def bomb(size: int, *, valid: bool = True) -> Callable[[Path], list[str]]:
    """Zeros in one entry; a valid diff_id makes a bomb an image that reads in full."""
    return lambda folder: archive_args(folder, zero_files([("zeros", size)], with_diff_id=valid))


def several_gib_file(folder: Path) -> list[str]:
    return archive_args(folder, zero_files([("var/lib/dpkg/status", 3 * GiB)]))


def entries(count: int) -> Callable[[Path], list[str]]:
    return lambda folder: archive_args(folder, million_entries(count))


def probe_output(body: str, *extra: str) -> Callable[[Path], list[str]]:
    def build(folder: Path) -> list[str]:
        return ["snapshot", "--python", str(fake_python(folder, body)), "-o", "-", *extra]

    return build


def snapshot_file(content: Callable[[], bytes]) -> Callable[[Path], list[str]]:
    def build(folder: Path) -> list[str]:
        (folder / "snap.json").write_bytes(content())
        return ["show", str(folder / "snap.json")]

    return build


def oversized_file(folder: Path) -> list[str]:
    with open(folder / "huge.json", "wb") as handle:
        handle.truncate(snapshot_files.MAX_SNAPSHOT_BYTES + 1)  # sparse
    return ["show", str(folder / "huge.json")]


def hostile_registry(
    layer: PaddedLayer, trickle: str | None = None, *extra: str
) -> Callable[[Path], list[str]]:
    """A registry serving one image of ``layer``, on loopback until the benchmark ends."""

    def build(folder: Path) -> list[str]:
        registry = HostileRegistry([layer], trickle=trickle)
        atexit.register(registry.stop)
        return ["snapshot", "--registry", registry.ref, "-o", str(folder / "snap.json"), *extra]

    return build


def report_with_headers(headers: int, *, lines: int = 3) -> Callable[[Path], list[str]]:
    """HEADERS crafted block headers of LINES base64 lines each; under the header limit,
    the real block #2 follows them and is read (`show ticket.md#2`)."""

    def build(folder: Path) -> list[str]:
        real = embed_block(small_snapshot(), 2, 2) if headers < 999 else ""
        (folder / "ticket.md").write_text(many_headers_report(headers, real, lines))
        return ["show", f"{folder / 'ticket.md'}#2" if real else str(folder / "ticket.md")]

    return build


def error_log(mib: int) -> Callable[[Path], list[str]]:
    """`diff --log`: a CI log of `mib` MiB whose error is on its last line."""

    def build(folder: Path) -> list[str]:
        snapshot_files.save(small_snapshot(), folder / "a.json")
        noise = b"collecting tests: " + b"x" * 60 + b"\n"
        with open(folder / "job.log", "wb") as handle:
            for _ in range(mib):
                handle.write(noise * (1024 * 1024 // len(noise)))
            handle.write(b"ModuleNotFoundError: No module named 'six'\n")
        snap = str(folder / "a.json")
        return ["diff", snap, snap, "--log", str(folder / "job.log")]

    return build


def deep_snapshot() -> bytes:
    return b'{"format": "driftcheck-snapshot", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"


CASES = [
    Case(
        "gzip bomb: 4 GiB of zeros in a 4 MiB layer, default limits (read to the end)",
        bomb(4 * GiB),
    ),
    Case("a 3 GiB file (dpkg status) in a gzip layer, default limits", several_gib_file),
    Case("1,000,000 empty files in one layer (at the entry limit)", entries(1_000_000)),
    Case("1,000,001 empty files in one layer (entry limit 1,000,000)", entries(1_000_001)),
    Case(
        "probe output nested 100,000 deep", probe_output('out.write(b"[" * 100000 + b"]" * 100000)')
    ),
    Case("probe output of 129 MiB (limit 128 MiB)", probe_output('out.write(b" " * (129 << 20))')),
    Case(
        "probe output that never ends",
        probe_output('while True:\n    out.write(b"y" * 65536)'),
    ),
    Case("snapshot file nested 100,000 deep", snapshot_file(deep_snapshot)),
    Case("snapshot file of 256 MiB + 1 byte (sparse; limit 256 MiB)", oversized_file),
    Case(
        "registry layer: a gzip stream, then 4 GiB of zero padding (digests true), default limits",
        hostile_registry(PaddedLayer(4 * GiB)),
    ),
    Case(
        "registry layer declaring 2^50 bytes: a gzip stream, then zeros without end",
        hostile_registry(PaddedLayer(ENDLESS, declared=2**50)),
    ),
    Case(
        "registry layer trickling one byte a second (--timeout 5: the deadline of each request)",
        hostile_registry(PaddedLayer(0), "blob", "--timeout", "5"),
    ),
    Case("report with 16,000 block headers (limit 999)", report_with_headers(16_000)),
    Case("report with 998 crafted block headers, then the real block", report_with_headers(998)),
    Case(
        "report of 63 MB: 998 crafted block headers of 800 base64 lines, then the real block",
        report_with_headers(998, lines=800),
    ),
    Case("diff --log: a 20 MiB CI log, the error on its last line", error_log(20)),
    Case("diff --log: a 1,000 MiB CI log (limit 1 GiB; its last 8 MiB kept)", error_log(1000)),
]
FULL_BOMB = Case(
    "gzip bomb: 72 GiB of zeros, past the default 64 GiB budget", bomb(72 * GiB, valid=False)
)


def measure(case: Case, runs: int) -> Result:
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as name:
        folder = Path(name)
        args = case.build(folder)
        outcomes, walls = [], []
        for _ in range(runs):
            if "--archive" in args or "--registry" in args:
                (folder / "snap.json").unlink(missing_ok=True)
            started = time.perf_counter()
            outcomes.append(run_measured([*driftcheck_command(), *args], cwd=folder, timeout=3600))
            walls.append(time.perf_counter() - started)
        return Result(case, outcomes, walls)


def verdict(outcome: Outcome) -> str:
    if outcome.returncode == 0:
        return "read"
    line = outcome.stderr.strip().splitlines()[-1] if outcome.stderr.strip() else ""
    line = line.removeprefix("driftcheck: error: ")
    for noise in ("; something in the target", "; the image is refused", "; is it a snapshot"):
        line = line.split(noise)[0]
    return line.split(": ", 1)[-1][:90] if "/" in line.split(": ", 1)[0] else line[:90]


def report(results: list[Result], load: tuple[str, str]) -> str:
    rows = []
    for result in results:
        walls = result.walls
        rss = max(o.peak_rss_mb for o in result.outcomes)
        codes = sorted({o.returncode for o in result.outcomes})
        rows.append(
            f"| {result.case.name} | {verdict(result.outcomes[0])} | {', '.join(map(str, codes))} "
            f"| **{statistics.median(walls):.2f} s** | {min(walls):.2f} - {max(walls):.2f} s "
            f"| {rss:.0f} MB |"
        )
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    runs = len(results[0].walls)
    return "\n".join(
        [
            START,
            "## Hostile inputs",
            "",
            f"Generated by `benchmarks/bench_hostile.py` on "
            f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; re-run it rather than edit "
            "this section.",
            "",
            "```sh",
            ".venv-test/bin/python benchmarks/bench_hostile.py --runs 3 --out docs/benchmarks.md",
            "```",
            "",
            f"The worst inputs of `tests/hostile`, each given to the installed `driftcheck` "
            f"command {runs} times. Wall time: spawn to reap, median and range. Peak RSS: "
            "the kernel's `ru_maxrss` of the driftcheck process (wait4), the largest of the "
            "runs (it is read through a launcher of about 5 MB, so that the benchmark's "
            "own memory is not counted). The machine is shared: "
            f"{cpu}, {os.cpu_count()} cores, load average {load[0]} before and {load[1]} after.",
            "",
            "| input | what driftcheck does | exit | median wall | min - max | peak RSS |",
            "|---|---|---:|---:|---:|---:|",
            *rows,
            "",
            *projection(results),
            "The limits themselves are listed in [hostile-inputs.md](hostile-inputs.md).",
            END,
        ]
    )


def projection(results: list[Result]) -> list[str]:
    first = results[0]
    if not first.case.name.startswith("gzip bomb: 4 GiB"):
        return []
    rate = 4 * GiB / statistics.median(first.walls)
    budget = Limits().max_total_bytes
    return [
        f"The 4 GiB bomb is read at {rate / GiB:.2f} GiB/s (decompressed): the default "
        f"budget of {budget // GiB} GiB of bytes read per image therefore bounds "
        f"any archive to about {budget / rate:.0f} s at that rate, in the memory above.",
        "",
        *padding_projection(results, budget),
    ]


def padding_projection(results: list[Result], budget: int) -> list[str]:
    padded = next((r for r in results if "4 GiB of zero padding" in r.case.name), None)
    if padded is None:
        return []
    rate = 4 * GiB / statistics.median(padded.walls)
    return [
        f"Zero padding from a registry is read at {rate / GiB:.2f} GiB/s, and counts "
        f"against the same budget: a padded layer, whatever it declares, ends within about "
        f"{budget / rate:.0f} s (one declared larger than the budget is refused before it "
        "is fetched, the 2^50 row). A trickling registry ends at the deadline of the "
        "request (300 s by default).",
        "",
    ]


def write(out: Path, section: str) -> None:
    text = out.read_text("utf-8") if out.exists() else ""
    if START in text and END in text:
        before, rest = text.split(START, 1)
        text = before + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    out.write_text(text, "utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--full-bomb", action="store_true")
    options = parser.parse_args()
    load_before = " / ".join(f"{v:.2f}" for v in os.getloadavg())
    results = []
    for case in [*CASES, *([FULL_BOMB] if options.full_bomb else [])]:
        print(f"measuring: {case.name}", file=sys.stderr, flush=True)
        results.append(measure(case, options.runs))
    load_after = " / ".join(f"{v:.2f}" for v in os.getloadavg())
    section = report(results, (load_before, load_after))
    print(section)
    if options.out:
        write(options.out, section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
