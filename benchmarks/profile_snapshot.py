#!/usr/bin/env python3
"""Where a host `driftcheck snapshot` spends its time, on one environment.

    python benchmarks/profile_snapshot.py --python ENV/bin/python [--reps 5] [--json]

Run it with an interpreter that has driftcheck's dependencies (`--source FOLDER` imports
driftcheck from FOLDER first). It reports, as medians over --reps repetitions, wall time
and CPU time (user + system) side by side:

- one real CLI run, event by event: the console script is run as a user runs it, with
  a few hooks that note the wall clock and the host's CPU time when the probe is
  spawned, when the host starts waiting for its answer, when the answer is in, when
  the snapshot is built and serialised, and at the end; the probe's own CPU comes from
  the children's rusage. On two free cores the host's imports and its reading of the
  OS packages run while the probe works: the critical path is the probe, then what
  the host does with its answer.
- the same steps in-process, each timed alone (read_os_packages, parse_output,
  build_snapshot, snapshot_files.dumps, the atomic write...);
- the probe's sections, timed in the target interpreter (CPU and wall);
- the heaviest imports of the CLI (`python -X importtime`, cumulative);
- cProfile of the host's work after the answer and of the probe's collect(), ranked by
  CPU time.

The benchmark (bench_snapshot.py) embeds this report in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# Runs in the target interpreter: compiles and loads the probe as its bootstrap does, then
# times each section of collect() on its own. A section whose function has been renamed
# is reported missing rather than failing the profile.
PROBE_DRIVER = r"""
import cProfile, json, os, pstats, sys, time
mode = sys.argv[1]
clocks = (time.perf_counter, time.process_time)
def now():
    return [clock() for clock in clocks]
start = now()
data = sys.stdin.buffer.read().decode("utf-8")
options_line, _, source = data.partition("\n")
sys.dont_write_bytecode = True
t0 = now()
code = compile(source, "<driftcheck-probe>", "exec")
t1 = now()
scope = {"__name__": "__driftcheck_probe__"}
exec(code, scope)
t2 = now()
options = json.loads(options_line)
out = {}
def span(a, b):
    return [b[0] - a[0], b[1] - a[1]]
if mode == "sections":
    sections = {"read stdin": span(start, t0), "compile the probe source": span(t0, t1),
                "execute its definitions (imports, regexes)": span(t1, t2)}
    col = scope["Collector"]()
    def timed(name, func):
        if func is None:
            sections[name] = None
            return None
        started = now()
        value = func()
        sections[name] = span(started, now())
        return value
    get = scope.get
    python = timed("interpreter facts (sysconfig, _ssl, _sqlite3...)",
                   get("interpreter_facts") and (lambda: scope["interpreter_facts"](col)))
    sites = timed("site directories", get("site_directories")) or []
    timed(".pth files", get("pth_files") and (lambda: scope["pth_files"](col, sites)))
    timed("distributions (every dist-info)",
          get("distributions") and (lambda: scope["distributions"](col, python["sys_path"])))
    timed("environment redaction", get("redact_environment")
          and (lambda: scope["redact_environment"](dict(os.environ), None)))
    timed("OS facts (os-release, libc, /proc/cpuinfo)",
          get("os_facts") and (lambda: scope["os_facts"](col)))
    timed("identity", get("identity_facts"))
    timed("native libraries (ld.so.conf, lib dirs, OpenSSL)",
          get("native_libraries") and (lambda: scope["native_libraries"](col, sites)))
    timed("native needs (DT_NEEDED of each .so, resolved, owning OS package)",
          get("native_needs") and (lambda: scope["native_needs"](col, sites)))
    result = scope["collect"](options)
    timed("json.dumps of the answer",
          lambda: json.dumps(result, ensure_ascii=True, sort_keys=True, default=str))
    out["sections"] = sections
else:
    profiler = cProfile.Profile(time.process_time)
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

# One run of the console script with hooks noting (wall, host CPU) at each event; printed
# on stderr as one JSON line. The hooks wrap functions, they do not change what runs.
CLI_TIMELINE = r"""
import json, os, resource, sys, time
SOURCE, PYTHON, OUT = sys.argv[1:4]
start_wall = time.perf_counter() - time.process_time()  # about when the process began
events = []
def mark(name):
    events.append([name, time.perf_counter() - start_wall, time.process_time()])
if SOURCE:
    sys.path.insert(0, SOURCE)
import subprocess
popen_init = subprocess.Popen.__init__
def spawned(self, *args, **kwargs):
    popen_init(self, *args, **kwargs)
    if not any(e[0] == "probe spawned" for e in events):
        mark("probe spawned")
subprocess.Popen.__init__ = spawned
def hook_after_imports():
    import driftcheck.snapshot.files as io
    import driftcheck.targets.local_run as local_run
    answer = local_run.LocalProbe.answer
    def waited(self, *args, **kwargs):
        mark("host waits for the answer")
        value = answer(self, *args, **kwargs)
        mark("answer in")
        return value
    local_run.LocalProbe.answer = waited
    write = snapshot_files.write_atomic
    def written(*args, **kwargs):
        mark("snapshot built and serialised")
        value = write(*args, **kwargs)
        mark("file written (fsync)")
        return value
    snapshot_files.write_atomic = written
from driftcheck.cli import entry
start_probe = entry.start_host_probe
def started(args):
    start_probe(args)
    hook_after_imports()
entry.start_host_probe = started
def report():  # at exit: the console script ends with os._exit once exit handlers ran
    mark("end")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    sys.stderr.write("\nTIMELINE " + json.dumps(
        {"events": events, "probe_cpu": usage.ru_utime + usage.ru_stime}) + "\n")
    sys.stderr.flush()
import atexit
atexit.register(report)
sys.argv = ["driftcheck", "snapshot", "--python", PYTHON, "-o", OUT]
entry.main()
"""


def clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def median_pairs(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """{name: [wall, cpu]} medians over runs (None stays None)."""
    out: dict[str, Any] = {}
    for key in runs[0]:
        values = [run[key] for run in runs if run.get(key) is not None]
        out[key] = (
            [statistics.median(v[0] for v in values), statistics.median(v[1] for v in values)]
            if values
            else None
        )
    return out


def cli_timeline(
    python: str, reps: int, workdir: Path, source: str | None
) -> tuple[dict[str, Any], float]:
    runs: list[dict[str, Any]] = []
    probe_cpu: list[float] = []
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "CONDA_PREFIX")}
    for rep in range(reps + 1):
        result = subprocess.run(
            [sys.executable, "-c", CLI_TIMELINE, source or "", python, str(workdir / "t.json")],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        line = [x for x in result.stderr.splitlines() if x.startswith("TIMELINE ")][-1]
        data = json.loads(line.split(" ", 1)[1])
        if rep:  # the first run warms up
            runs.append({name: [wall, cpu] for name, wall, cpu in data["events"]})
            probe_cpu.append(data["probe_cpu"])
    return median_pairs(runs), statistics.median(probe_cpu)


def import_costs(
    python: str, reps: int, workdir: Path, source: str | None
) -> list[tuple[str, float]]:
    """Top-level imports of `driftcheck snapshot`, by cumulative time (medians)."""
    code = "import sys; from driftcheck.cli.entry import main; sys.exit(main())"
    if source is not None:
        code = f"import sys; sys.path.insert(0, {source!r}); " + code.split("; ", 1)[1]
    args = ["snapshot", "--python", python, "-o", str(workdir / "importtime.json")]
    runs: list[dict[str, float]] = []
    for _ in range(reps):
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", code, *args],
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


def host_steps(
    python: str, reps: int, workdir: Path
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The host's steps of a snapshot, in-process, each timed alone (wall, CPU)."""
    from driftcheck import api
    from driftcheck.probe import build_request, parse_output
    from driftcheck.redaction import sweep as sweep_module
    from driftcheck.render.summary import snapshot_summary
    from driftcheck.snapshot import files as snapshot_files
    from driftcheck.snapshot.model import TargetInfo
    from driftcheck.targets.build import build_snapshot
    from driftcheck.targets.host import HostInterpreter, read_os_packages
    from driftcheck.targets.local_run import start_local_probe

    target = api.host_target(python=python)
    assert isinstance(target, HostInterpreter)
    info = TargetInfo(kind="host", description=target.describe(), interpreter=python)
    runs: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    for rep in range(reps + 2):  # rep 0 warms up; the last one runs under cProfile
        steps: dict[str, Any] = {}
        mark = clock()

        def lap(name: str, steps: dict[str, Any] = steps) -> None:
            nonlocal mark
            now = clock()
            steps[name] = [now[0] - mark[0], now[1] - mark[1]]
            mark = now

        sweep_module._scrubbed.clear()  # each CLI run starts with an empty cache
        request = build_request(None, os_packages=False)
        lap("build_request (read the probe's source, frame it)")
        probe = start_local_probe(target.interpreter, request, env=target.environ)
        lap("start the probe (spawn)")
        packages = read_os_packages()
        lap("read_os_packages: read, parse, scrub (while the probe runs)")
        stdout = probe.answer()
        lap("wait for the probe's answer")
        profiler = cProfile.Profile(time.process_time) if rep == reps + 1 else None
        if profiler is not None:
            profiler.enable()
        facts = parse_output(stdout, request, python)
        lap("parse_output (json.loads of the answer)")
        snap = build_snapshot(facts, target=info, label="host", os_packages=packages)
        lap("build_snapshot (redact, sweep, model)")
        text = snapshot_files.dumps(snap)
        lap("snapshot_files.dumps (one entry per line, C encoder)")
        if profiler is not None:
            profiler.disable()
            rows = cprofile_rows(profiler)
        snapshot_files.write_atomic(workdir / "steps.json", text)
        lap("snapshot_files.write_atomic (fsync, rename)")
        snapshot_summary(snap)
        lap("snapshot_summary")
        if rep and profiler is None:
            runs.append(steps)
    return median_pairs(runs), rows


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


def probe_runs(python: str, reps: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    from driftcheck.probe import build_request

    def run(mode: str) -> dict[str, Any]:
        request = build_request(None, os_packages=False)
        result = subprocess.run(
            [python, "-c", PROBE_DRIVER, mode],
            input=request.stdin,
            capture_output=True,
            check=True,
        )
        data: dict[str, Any] = json.loads(result.stdout)
        return data

    run("sections")  # warm-up
    sections = median_pairs([run("sections")["sections"] for _ in range(reps)])
    start = interpreter_start(python, reps)
    return {"target interpreter start-up (python -c pass)": start} | sections, run("cprofile")[
        "cprofile"
    ]


def interpreter_start(python: str, reps: int) -> list[float]:
    """Wall and CPU of `python -c pass` (CPU from the child's rusage)."""
    walls, cpus = [], []
    for rep in range(reps + 1):
        started = time.perf_counter()
        proc = subprocess.Popen([python, "-c", "pass"])
        _, _, usage = os.wait4(proc.pid, 0)
        if rep:
            walls.append(time.perf_counter() - started)
            cpus.append(usage.ru_utime + usage.ru_stime)
    return [statistics.median(walls), statistics.median(cpus)]


def driftcheck_file() -> str:
    import driftcheck

    return str(driftcheck.__file__)


def profile(python: str, reps: int, source: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="driftcheck-profile-") as tmp:
        workdir = Path(tmp)
        timeline, probe_cpu = cli_timeline(python, reps, workdir, source)
        steps, host_rows = host_steps(python, reps, workdir)
        sections, probe_rows = probe_runs(python, reps)
        imports = import_costs(python, reps, workdir, source)
    return {
        "python": python,
        "driftcheck_package": str(Path(driftcheck_file()).parent),
        "reps": reps,
        "timeline": timeline,
        "probe_cpu": probe_cpu,
        "steps": steps,
        "probe_sections": sections,
        "imports": imports,
        "host_cprofile": host_rows,
        "probe_cprofile": probe_rows,
    }


def print_text(report: dict[str, Any]) -> None:
    def table(title: str, rows: dict[str, Any]) -> None:
        print(f"\n{title}\n  {'wall':>9}  {'CPU':>9}")
        for name, value in rows.items():
            if value is None:
                print(f"  {'-':>9}  {'-':>9}  {name} (not found)")
            else:
                print(f"  {value[0] * 1000:7.1f}ms  {value[1] * 1000:7.1f}ms  {name}")

    def functions(title: str, rows: list[dict[str, Any]]) -> None:
        print(f"\n{title}\n  {'own':>9}  {'cumul.':>9}  {'calls':>8}  function")
        for row in rows:
            print(
                f"  {row['own'] * 1000:7.1f}ms  {row['cumulative'] * 1000:7.1f}ms  "
                f"{row['calls']:>8}  {row['function']}"
            )

    print(f"driftcheck snapshot --python {report['python']} (medians of {report['reps']})")
    print(f"driftcheck imported from {report['driftcheck_package']}")
    table("One CLI run (since the process began; CPU of the host process):", report["timeline"])
    print(f"  probe CPU: {report['probe_cpu'] * 1000:.1f} ms")
    table("The host's steps, in-process:", report["steps"])
    table("Probe sections (in the target):", report["probe_sections"])
    print("\nImports of the CLI (cumulative):")
    for name, value in report["imports"]:
        print(f"  {value * 1000:9.1f}ms  {name}")
    functions("Host after the answer, cProfile (CPU, by own time):", report["host_cprofile"])
    functions("Probe collect(), cProfile (CPU, by own time):", report["probe_cprofile"])


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
