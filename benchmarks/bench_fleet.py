#!/usr/bin/env python3
"""Time of an N-way `driftcheck diff container:… --jobs J` of 5, 10 and 20 running
containers, against snapshotting them one by one (`driftcheck snapshot --container`
in a loop, as a script would without N-way).

    .venv-test/bin/python benchmarks/bench_fleet.py [--rounds N] [--jobs J] [--out FILE]

The containers run `sleep` from the suite's cached bookworm image (tests/images.py;
nothing pulled), no network. Each measurement is the median wall time of N rounds after
a warm-up; the section between the markers in --out is replaced (or printed).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
BEGIN, END = "<!-- bench_fleet:begin -->", "<!-- bench_fleet:end -->"
SIZES = (5, 10, 20)


def driftcheck() -> list[str]:
    script = Path(sys.executable).with_name("driftcheck")
    return [str(script)] if script.exists() else [sys.executable, "-m", "driftcheck"]


def timed(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=False, capture_output=True, stdin=subprocess.DEVNULL)
    return time.perf_counter() - started


def one_by_one(names: list[str], folder: Path) -> float:
    started = time.perf_counter()
    for name in names:
        out = folder / f"{name}.json"
        argv = [*driftcheck(), "snapshot", "--container", name, "-o", str(out)]
        subprocess.run(argv, check=True, capture_output=True, stdin=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    import images  # tests/images.py: the suite's cached recipes

    image = images.ensure_base_image()
    names = [f"driftcheck-bench-{uuid.uuid4().hex[:8]}" for _ in range(max(SIZES))]
    for i, name in enumerate(names):
        flag = "new-checkout" if i in (3, 12) else "classic"
        subprocess.run(
            ["docker", "run", "-d", "--rm", "--network", "none", "--name", name,
             "-e", f"FEATURE_FLAG={flag}", image, "sleep", "3600"],
            check=True, capture_output=True,
        )  # fmt: skip
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            one_by_one(names[:2], folder)  # warm-up: page cache, the engine's exec path
            for size in SIZES:
                sides = [f"container:{n}" for n in names[:size]]
                nway = [*driftcheck(), "diff", *sides, "--jobs", str(args.jobs), "--format", "json"]
                fleet = [timed(nway) for _ in range(args.rounds)]
                serial = [one_by_one(names[:size], folder) for _ in range(args.rounds)]
                rows.append((size, statistics.median(fleet), statistics.median(serial)))
                print(rows[-1], file=sys.stderr)
    finally:
        subprocess.run(["docker", "rm", "-f", *names], check=False, capture_output=True)
    report = render(rows, args)
    if args.out is None:
        print(report)
        return 0
    text = args.out.read_text()
    if BEGIN in text:
        head, _, rest = text.partition(BEGIN)
        text = head + report + rest.partition(END)[2]
    else:
        text = text.rstrip("\n") + "\n\n" + report + "\n"
    args.out.write_text(text)
    return 0


def render(rows: list[tuple[int, float, float]], args: argparse.Namespace) -> str:
    lines = [
        BEGIN,
        "## Fleets: N-way diff of running containers (issue 18)",
        "",
        "`benchmarks/bench_fleet.py`: containers running `sleep` from the suite's bookworm",
        f"image; median of {args.rounds} rounds after a warm-up, wall time, on "
        f"{platform.machine()} with {_cpus()} CPU(s) shared with other work.",
        "",
        f"| containers | `diff` N-way, `--jobs {args.jobs}` (snapshots + comparison) "
        "| `snapshot --container` one by one (snapshots only) | ratio |",
        "|---:|---:|---:|---:|",
    ]
    for size, fleet, serial in rows:
        lines.append(f"| {size} | {fleet:.1f} s | {serial:.1f} s | {serial / fleet:.1f}x |")
    lines += [
        "",
        "How it grows: both are linear in the number of containers; N-way pays one "
        "driftcheck start-up instead of N and overlaps the engine's exec round trips "
        f"{args.jobs} at a time, then compares every side with the modal one (N-1 two-way "
        "comparisons, twice when the first side is an outlier).",
        END,
    ]
    return "\n".join(lines)


def _cpus() -> int:
    import os

    return os.cpu_count() or 1


if __name__ == "__main__":
    raise SystemExit(main())
