#!/usr/bin/env python3
"""The probe alone, this work tree against a git revision: CPU and wall time, interleaved.

    python benchmarks/bench_probe_ab.py [--base main] [--python PATH] [--runs 60]

On a shared machine wall time swings by tens of milliseconds run to run; the CPU
time of the probed interpreter (user + system, from wait4 through
RUSAGE_CHILDREN) moves far less, so both are shown. Each round runs the base and
the work tree once, in alternating order, so load from other work spreads over
both. The base is ``git archive REV driftcheck`` unpacked in a temporary folder.
Also shown: the time to compile the probe's source, which every run pays.
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("redaction/ci_variables.py", "probe/_secrets.py", "probe/_probe.py")
ONE_RUN = (
    "import resource, sys, time\n"
    "sys.path.insert(0, sys.argv[1])\n"
    "from pathlib import Path\n"
    "from driftcheck.probe import build_request\n"
    "from driftcheck.targets.local_run import start_local_probe\n"
    "request = build_request()\n"
    "before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()\n"
    "start_local_probe(Path(sys.argv[2]), request).answer(60)\n"
    "wall, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)\n"
    "print(cpu, wall)\n"
)


def unpack(revision: str, into: Path) -> Path:
    data = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision, "driftcheck"], capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        archive.extractall(into, filter="data")
    return into


def compile_ms(tree: Path, rounds: int = 20) -> float:
    source = "\n\n".join((tree / "driftcheck" / part).read_text() for part in PARTS)
    times = []
    for _ in range(rounds):
        start = time.process_time()
        compile(source, "<probe>", "exec")
        times.append(time.process_time() - start)
    return min(times) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="main", help="git revision to compare with")
    parser.add_argument("--python", default=sys.executable, help="the interpreter probed")
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        trees = {args.base: unpack(args.base, Path(folder)), "work tree": ROOT}
        cpu: dict[str, list[float]] = {name: [] for name in trees}
        wall: dict[str, list[float]] = {name: [] for name in trees}
        for round_ in range(args.runs):
            order = list(trees) if round_ % 2 == 0 else list(reversed(trees))
            for name in order:
                done = subprocess.run(
                    [sys.executable, "-c", ONE_RUN, str(trees[name]), args.python],
                    capture_output=True, text=True, check=True,
                )  # fmt: skip
                used, took = (float(v) for v in done.stdout.split())
                cpu[name].append(used)
                wall[name].append(took)
        print(f"probe of {args.python}, {args.runs} interleaved rounds")
        print("| tree | probe CPU (median) | wall (median) | wall (min) | compile the probe |")
        print("|---|---|---|---|---|")
        for name, tree in trees.items():
            print(
                f"| {name} | {statistics.median(cpu[name]) * 1000:.1f} ms "
                f"| {statistics.median(wall[name]) * 1000:.1f} ms "
                f"| {min(wall[name]) * 1000:.1f} ms | {compile_ms(tree):.1f} ms |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
