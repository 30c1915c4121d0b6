#!/usr/bin/env python3
"""Where `driftcheck snapshot` spends its time on one environment.

    python benchmarks/profile_snapshot.py --python ENV/bin/python [--reps 5] [--json]

Run it with an interpreter that has driftcheck installed. It reports:

- the heaviest imports of the CLI (`python -X importtime -m driftcheck snapshot ...`);
- the phases of a snapshot, run in-process the way `driftcheck.api.take_snapshot`
  and the CLI run them: build_request, run_local_probe (the probe's subprocess,
  start to exit), parse_output, build_snapshot, io.dumps, the atomic write;
- the sections of the probe, timed one by one inside the target interpreter;
- cProfile of the host side (parse_output + build_snapshot + io.dumps) and of the
  probe's collect() in the target.

Medians over --reps repetitions. The benchmark (bench_snapshot.py) embeds this
report in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# Runs in the target interpreter: compiles and loads the probe exactly as its
# bootstrap does, then times each section of collect() on its own.
PROBE_DRIVER = r"""
import cProfile, json, os, pstats, sys, time
mode = sys.argv[1]
t_start = time.perf_counter()
data = sys.stdin.buffer.read().decode("utf-8")
options_line, _, source = data.partition("\n")
options = json.loads(options_line)
sys.dont_write_bytecode = True
t0 = time.perf_counter()
code = compile(source, "<driftcheck-probe>", "exec")
t1 = time.perf_counter()
scope = {"__name__": "__driftcheck_probe__"}
exec(code, scope)
t2 = time.perf_counter()
out = {}
if mode == "sections":
    sections = {"read stdin": t0 - t_start, "compile the probe source": t1 - t0,
                "execute its definitions": t2 - t1}
    col = scope["Collector"]()
    def timed(name, func):
        started = time.perf_counter()
        value = func()
        sections[name] = time.perf_counter() - started
        return value
    python = timed("interpreter facts (sysconfig, ssl, sqlite3...)",
                   lambda: scope["interpreter_facts"](col, ""))
    sites = timed("site directories", scope["site_directories"])
    timed(".pth files", lambda: scope["pth_files"](col, sites))
    timed("distributions (read every dist-info)",
          lambda: scope["distributions"](col, python["sys_path"]))
    timed("environment redaction", lambda: scope["redact_environment"](dict(os.environ), None))
    timed("OS facts (os-release, libc, /proc/cpuinfo)", lambda: scope["os_facts"](col))
    timed("identity", scope["identity_facts"])
    timed("OS package databases (read dpkg status)", lambda: scope["os_package_databases"](col))
    timed("native libraries (ld.so.conf, lib dirs, OpenSSL scan)",
          lambda: scope["native_libraries"](col, sites))
    result = scope["collect"](options)
    timed("json.dumps of the answer",
          lambda: json.dumps(result, ensure_ascii=True, sort_keys=True, default=str))
    out["sections"] = sections
else:
    profiler = cProfile.Profile()
    profiler.enable()
    result = scope["collect"](options)
    json.dumps(result, ensure_ascii=True, sort_keys=True, default=str)
    profiler.disable()
    rows = []
    for (path, line, func), (cc, nc, tt, ct, _) in pstats.Stats(profiler).stats.items():
        rows.append({"function": "%s:%d(%s)" % (os.path.basename(path), line, func),
                     "calls": nc, "own": tt, "cumulative": ct})
    rows.sort(key=lambda r: r["own"], reverse=True)
    out["cprofile"] = rows[:12]
sys.stdout.write(json.dumps(out))
"""


def median_dict(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def import_costs(
    python: str, reps: int, workdir: Path, source: str | None
) -> list[tuple[str, float]]:
    """Top-level imports of `driftcheck snapshot`, by cumulative time (medians)."""
    launch = ["-m", "driftcheck"]
    if source is not None:
        code = f"import sys; sys.path.insert(0, {source!r}); from driftcheck.cli.app import main"
        launch = ["-c", code + "; sys.exit(main())"]
    args = ["snapshot", "--python", python, "-o", str(workdir / "importtime.json")]
    runs: list[dict[str, float]] = []
    for _ in range(reps):
        result = subprocess.run(
            [sys.executable, "-X", "importtime", *launch, *args],
            capture_output=True,
            text=True,
            check=True,
        )
        costs: dict[str, float] = {}
        for line in result.stderr.splitlines():
            if not line.startswith("import time:") or "|" not in line:
                continue
            _, cumulative, name = line.split("|", 2)
            if not cumulative.strip().isdigit():
                continue  # the header line
            level = (len(name) - len(name.lstrip(" ")) - 1) // 2
            if level == 0:
                costs[name.strip()] = costs.get(name.strip(), 0.0) + int(cumulative) / 1e6
        runs.append(costs)
    names = set(runs[0]).intersection(*runs[1:])
    medians = {n: statistics.median(r[n] for r in runs) for n in names}
    ordered = sorted(medians.items(), key=lambda item: item[1], reverse=True)
    return [("all imports (sum of top-level modules)", sum(medians.values())), *ordered[:10]]


def host_phases(
    python: str, reps: int, workdir: Path
) -> tuple[dict[str, float], list[dict[str, Any]]]:
    started = time.perf_counter()
    from driftcheck import api
    from driftcheck.probe import build_request, parse_output
    from driftcheck.render.summary import snapshot_summary
    from driftcheck.snapshot import io
    from driftcheck.snapshot.build import build_snapshot
    from driftcheck.snapshot.model import TargetInfo
    from driftcheck.targets.host import HostInterpreter
    from driftcheck.targets.local_run import run_local_probe

    import_time = time.perf_counter() - started
    target = api.host_target(python=python)
    assert isinstance(target, HostInterpreter)
    interpreter, environ = target.interpreter, target.environ
    info = TargetInfo(kind="host", description=target.describe(), interpreter=str(interpreter))
    runs: list[dict[str, float]] = []
    rows: list[dict[str, Any]] = []
    # Rep 0 warms up, reps 1..reps are timed, the last one runs under cProfile.
    for rep in range(reps + 2):
        phases: dict[str, float] = {}
        clock = time.perf_counter()

        def lap(name: str, phases: dict[str, float] = phases) -> None:
            nonlocal clock
            now = time.perf_counter()
            phases[name] = now - clock
            clock = now

        request = build_request(None)
        lap("build_request (read probe source, frame it)")
        stdout = run_local_probe(interpreter, request, env=environ)
        lap("run_local_probe (probe subprocess, spawn to exit)")
        profiler = cProfile.Profile() if rep == reps + 1 else None
        if profiler is not None:
            profiler.enable()
        facts = parse_output(stdout, request, str(interpreter))
        lap("parse_output (json.loads of the answer)")
        snap = build_snapshot(facts, target=info, label="host")
        lap("build_snapshot (redact, sweep, parse dpkg, model)")
        text = io.dumps(snap)
        lap("io.dumps (to_jsonable + json.dumps)")
        if profiler is not None:
            profiler.disable()
            rows = cprofile_rows(profiler)
        io.write_atomic(workdir / "phases.json", text)
        lap("io.write_atomic (fsync, rename)")
        snapshot_summary(snap)
        lap("snapshot_summary")
        if rep and profiler is None:
            runs.append(phases)
    phases_median = {"import driftcheck.api & co. (in-process, once)": import_time}
    phases_median.update(median_dict(runs))
    phases_median["sum of the phases above"] = sum(phases_median.values())
    return phases_median, rows


def host_breakdown(python: str, reps: int) -> dict[str, float]:
    """The parts of build_snapshot and io.dumps that dominate a large environment.

    Repeats what build_snapshot does in pieces; a piece whose function has moved is
    left out rather than failing the profile.
    """
    import os

    from driftcheck.probe import build_request, parse_output
    from driftcheck.snapshot.build import build_snapshot
    from driftcheck.snapshot.codec import to_jsonable
    from driftcheck.snapshot.model import TargetInfo
    from driftcheck.targets.local_run import run_local_probe

    request = build_request(None)
    answer = parse_output(run_local_probe(Path(python), request, env=dict(os.environ)), request, "")
    info = TargetInfo(kind="host", description=python, interpreter=python)
    snap = build_snapshot(answer, target=info, label="host")
    jsonable = to_jsonable(snap)
    rest = {k: v for k, v in answer.items() if k not in ("environment", "os_packages_raw")}
    pieces: dict[str, Callable[[], object]] = {
        "build_snapshot, whole": lambda: build_snapshot(answer, target=info, label="host"),
        "to_jsonable(snapshot)": lambda: to_jsonable(snap),
        "json.dumps(indent=2, sort_keys=True): pure-Python encoder": lambda: json.dumps(
            jsonable, indent=2, sort_keys=True, ensure_ascii=True
        ),
        "json.dumps(sort_keys=True), no indent: C encoder, for comparison": lambda: json.dumps(
            jsonable, sort_keys=True, ensure_ascii=True
        ),
    }
    try:
        from driftcheck.redaction.sweep import sweep

        pieces["redaction.sweep.sweep(answer less env and package databases)"] = lambda: sweep(rest)
    except ImportError:
        pass
    try:
        from driftcheck.parsers.dpkg import parse_dpkg_status

        databases = answer.get("os_packages_raw")
        dpkg = databases.get("dpkg") if isinstance(databases, dict) else None
        if isinstance(dpkg, str):
            pieces["parse_dpkg_status"] = lambda: parse_dpkg_status(dpkg)
    except ImportError:
        pass
    out: dict[str, float] = {}
    for name, func in pieces.items():
        walls = []
        for _ in range(reps + 1):
            started = time.perf_counter()
            func()
            walls.append(time.perf_counter() - started)
        out[name] = statistics.median(walls[1:])
    return out


def cprofile_rows(profiler: cProfile.Profile, top: int = 12) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    stats: dict[Any, Any] = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    for (path, line, func), (_, calls, own, cumulative, _) in stats.items():
        short = "/".join(Path(path).parts[-2:]) if path not in ("~", "") else "built-in"
        rows.append(
            {
                "function": f"{short}:{line}({func})",
                "calls": calls,
                "own": own,
                "cumulative": cumulative,
            }
        )
    rows.sort(key=lambda r: float(r["own"]), reverse=True)
    return rows[:top]


def probe_runs(python: str, reps: int) -> tuple[dict[str, float], list[dict[str, Any]]]:
    from driftcheck.probe import build_request

    def run(mode: str) -> dict[str, Any]:
        request = build_request(None)
        result = subprocess.run(
            [python, "-c", PROBE_DRIVER, mode],
            input=request.stdin,
            capture_output=True,
            check=True,
        )
        data: dict[str, Any] = json.loads(result.stdout)
        return data

    run("sections")  # warm-up
    sections = median_dict([run("sections")["sections"] for _ in range(reps)])
    sections["sum of the sections"] = sum(sections.values())
    return sections, run("cprofile")["cprofile"]


def interpreter_start(python: str, reps: int) -> float:
    walls = []
    for _ in range(reps + 1):
        started = time.perf_counter()
        subprocess.run([python, "-c", "pass"], check=True)
        walls.append(time.perf_counter() - started)
    return statistics.median(walls[1:])


def driftcheck_file() -> str:
    import driftcheck

    return str(driftcheck.__file__)


def profile(python: str, reps: int, source: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="driftcheck-profile-") as tmp:
        workdir = Path(tmp)
        phases, host_rows = host_phases(python, reps, workdir)
        breakdown = host_breakdown(python, reps)
        sections, probe_rows = probe_runs(python, reps)
        sections = {
            "target interpreter start-up (python -c pass)": interpreter_start(python, reps)
        } | sections
        imports = import_costs(python, reps, workdir, source)
    return {
        "python": python,
        "driftcheck_package": str(Path(driftcheck_file()).parent),
        "reps": reps,
        "phases": phases,
        "host_breakdown": breakdown,
        "probe_sections": sections,
        "imports": imports,
        "host_cprofile": host_rows,
        "probe_cprofile": probe_rows,
    }


def print_text(report: dict[str, Any]) -> None:
    def table(title: str, rows: dict[str, float] | list[tuple[str, float]]) -> None:
        print(f"\n{title}")
        items = rows.items() if isinstance(rows, dict) else rows
        for name, value in items:
            print(f"  {value * 1000:9.1f} ms  {name}")

    def functions(title: str, rows: list[dict[str, Any]]) -> None:
        print(f"\n{title}\n  {'own':>9}  {'cumul.':>9}  {'calls':>8}  function")
        for row in rows:
            print(
                f"  {row['own'] * 1000:7.1f}ms  {row['cumulative'] * 1000:7.1f}ms  "
                f"{row['calls']:>8}  {row['function']}"
            )

    print(f"driftcheck snapshot --python {report['python']} (medians of {report['reps']})")
    print(f"driftcheck imported from {report['driftcheck_package']}")
    table("Phases (host, in-process):", report["phases"])
    table("Host side, piece by piece:", report["host_breakdown"])
    table("Probe sections (in the target):", report["probe_sections"])
    table("Imports of the CLI (cumulative):", report["imports"])
    functions("Host side under cProfile (by own time):", report["host_cprofile"])
    functions("Probe collect() under cProfile (by own time):", report["probe_cprofile"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Where driftcheck snapshot spends its time.")
    parser.add_argument("--python", required=True, help="the target environment's interpreter")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print JSON (for bench_snapshot.py)")
    parser.add_argument("--source", help="import driftcheck from this folder first (a frozen copy)")
    args = parser.parse_args(argv)
    if args.source:
        sys.path.insert(0, args.source)
    report = profile(args.python, max(1, args.reps), args.source)
    if args.json:
        print(json.dumps(report))
    else:
        print_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
