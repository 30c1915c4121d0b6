#!/usr/bin/env python3
"""Speed and memory of `driftcheck snapshot`, side by side with pip freeze, pip inspect and
pipdeptree, on real virtual environments of several sizes.

    python benchmarks/bench_snapshot.py [--runs N] [--out docs/benchmarks.md]

Run it with the interpreter of a venv where driftcheck is installed (a dev venv
with `pip install -e .`). By default it measures a copy of the work tree's
`driftcheck/` package taken when the run starts, run by that interpreter with its
dependencies, so that edits made during the run cannot mix two versions into one
report; `--live` measures the installed `driftcheck` script as it is, and
`--driftcheck PATH` any other. The profile (profile_snapshot.py) imports the same copy.

Environments are built once under benchmarks/.work/ and reused while their recipe
(pinned requirements, base interpreter, generator version) hashes the same:

- small: a venv with requirements-small.txt (~20 real distributions from PyPI);
- medium: a venv with requirements-medium.txt (~150 real distributions);
- large-N: the medium venv's installs plus N GENERATED distributions (dist-info
  with METADATA, INSTALLER, RECORD, WHEEL, top_level.txt, LICENSE and the
  package files RECORD lists, with real hashes), deterministic for a given N.

Each tool runs once as a warm-up, then N rounds interleaved (the order rotates
every round), so load from other work on the machine spreads over all tools.
Wall time is time.perf_counter() from spawn to reap. Memory is measured twice:
ru_maxrss through GNU time (exact, but the largest single process of the tree,
not a sum), and in separate runs the summed RSS of the whole process tree
(psutil, sampled every few milliseconds).

Standard library plus psutil, which driftcheck already depends on.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped,unused-ignore]

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
WORK = BENCH_DIR / ".work"
ENVS_DIR = WORK / "envs"
TOOLS_ENV = WORK / "tools"
RUN_DIR = WORK / "run"
# Bump when the way environments are built or fake distributions are generated changes.
RECIPE_VERSION = 1
STAMP_NAME = ".bench-recipe"
LARGE_SIZES = (500, 2000, 5000)
TREE_SAMPLE_RUNS = 3
RETRIES = 3
RETRY_PAUSE = 5.0
TREE_SAMPLE_INTERVAL = 0.002
LARGE_TARGET_DISTS = 400
MEMORY_TARGET_MB = 100.0
MB = 1024 * 1024
TIME_BIN = shutil.which("time", path="/usr/bin:/bin") or ""  # GNU time, for ru_maxrss


# --- small helpers -------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def base_python_default() -> Path:
    """The real interpreter behind sys.executable: never a pyenv shim, never a venv link."""
    base = getattr(sys, "_base_executable", None) or sys.executable
    return Path(base).resolve()


def env_python(env: Path) -> Path:
    return env / "bin" / "python"


def run_checked(cmd: Sequence[str | Path], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(c) for c in cmd], text=True, capture_output=True, check=False, **kwargs
    )
    if result.returncode != 0:
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-15:])
        raise SystemExit(f"command failed ({result.returncode}): {' '.join(map(str, cmd))}\n{tail}")
    return result


def read_pins(path: Path) -> list[str]:
    pins = []
    for line in path.read_text("utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            pins.append(line)
    return pins


def sha256_text(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def python_version(python: Path) -> str:
    return run_checked(
        [python, "-c", "import platform; print(platform.python_version())"]
    ).stdout.strip()


# --- pinning ---------------------------------------------------------------------------


def relock(base_python: Path) -> None:
    """Resolves each requirements-*.in with the newest pip into a fully pinned closure."""
    scratch = WORK / "resolve"
    if not env_python(scratch).exists():
        run_checked([base_python, "-m", "venv", scratch])
    run_checked([env_python(scratch), "-m", "pip", "install", "-q", "-U", "pip"])
    version = python_version(base_python)
    for source in sorted(BENCH_DIR.glob("requirements-*.in")):
        report = scratch / f"{source.stem}.report.json"
        run_checked(
            [
                env_python(scratch),
                "-m",
                "pip",
                "install",
                "--dry-run",
                "--ignore-installed",
                "-q",
                "--report",
                report,
                "-r",
                source,
            ]
        )
        installs = json.loads(report.read_text("utf-8"))["install"]
        pins = sorted(
            (f"{i['metadata']['name']}=={i['metadata']['version']}" for i in installs),
            key=str.lower,
        )
        target = source.with_suffix(".txt")
        header = (
            f"# Generated from {source.name} by `python benchmarks/bench_snapshot.py --relock`\n"
            f"# (pip's resolver, CPython {version} on {platform.machine()}). The whole closure\n"
            "# is pinned and installed with --no-deps, so the environment is the same every time.\n"
        )
        target.write_text(header + "\n".join(pins) + "\n", "utf-8")
        log(f"{target.name}: {len(pins)} pins")


# --- environments ----------------------------------------------------------------------


@dataclass(frozen=True)
class EnvSpec:
    name: str
    requirements: Path
    fake: int = 0

    @property
    def path(self) -> Path:
        return ENVS_DIR / self.name

    def describe(self) -> str:
        real = f"{self.requirements.name} (real installs from PyPI)"
        return real if not self.fake else f"{real} + {self.fake:,} generated distributions"


def env_specs(sizes: Sequence[int]) -> list[EnvSpec]:
    small = BENCH_DIR / "requirements-small.txt"
    medium = BENCH_DIR / "requirements-medium.txt"
    specs = [EnvSpec("small", small), EnvSpec("medium", medium)]
    specs.extend(EnvSpec(f"large-{n}", medium, n) for n in sizes)
    return specs


def recipe_hash(spec: EnvSpec, base_python: Path) -> str:
    return sha256_text(
        str(RECIPE_VERSION),
        spec.requirements.read_text("utf-8"),
        str(base_python),
        python_version(base_python),
        str(spec.fake),
    )


def ensure_venv(path: Path, requirements: Path, base_python: Path, recipe: str) -> None:
    """Builds a venv with exactly the pinned closure, unless its stamp says it has it."""
    stamp = path / STAMP_NAME
    if stamp.exists() and stamp.read_text("utf-8").strip() == recipe:
        return
    if path.exists():
        shutil.rmtree(path)
    log(f"building {path.relative_to(REPO)} from {requirements.name}")
    started = time.perf_counter()
    run_checked([base_python, "-m", "venv", path])
    # The whole closure is pinned: --no-deps keeps the set exact, `pip check` proves it whole.
    pip: list[str | Path] = [env_python(path), "-m", "pip"]
    run_checked([*pip, "install", "-q", "--no-deps", "-r", requirements])
    run_checked([*pip, "check"])
    stamp.write_text(recipe + "\n", "utf-8")
    log(f"built {path.name} in {time.perf_counter() - started:.0f} s")


def site_packages(python: Path) -> Path:
    code = "import sysconfig; print(sysconfig.get_path('purelib'))"
    return Path(run_checked([python, "-c", code]).stdout.strip())


def ensure_env(spec: EnvSpec, base_python: Path) -> None:
    recipe = recipe_hash(spec, base_python)
    stamp = spec.path / STAMP_NAME
    if stamp.exists() and stamp.read_text("utf-8").strip() == recipe:
        log(f"reusing {spec.path.relative_to(REPO)}")
        return
    # A venv whose generated part was interrupted is reused; the generator overwrites it.
    ensure_venv(spec.path, spec.requirements, base_python, recipe + "-venv")
    if spec.fake:
        started = time.perf_counter()
        real = {p.split("==")[0].lower().replace("_", "-") for p in read_pins(spec.requirements)}
        generate_fake_distributions(site_packages(env_python(spec.path)), spec.fake, real)
        log(f"generated {spec.fake} distributions in {time.perf_counter() - started:.1f} s")
    stamp.write_text(recipe + "\n", "utf-8")


def ensure_tools(base_python: Path) -> Path | None:
    """pipdeptree in a venv of its own; None (and the reason logged) when it cannot be had."""
    requirements = BENCH_DIR / "requirements-tools.txt"
    recipe = sha256_text(str(RECIPE_VERSION), requirements.read_text("utf-8"), str(base_python))
    try:
        ensure_venv(TOOLS_ENV, requirements, base_python, recipe)
    except SystemExit as exc:
        log(f"pipdeptree left out: {exc}")
        return None
    tool = TOOLS_ENV / "bin" / "pipdeptree"
    return tool if tool.exists() else None


# --- generated distributions -------------------------------------------------------------

WORDS = (
    "async",
    "auth",
    "cache",
    "cloud",
    "config",
    "crypto",
    "data",
    "date",
    "db",
    "dns",
    "event",
    "feed",
    "geo",
    "graph",
    "grpc",
    "http",
    "image",
    "io",
    "json",
    "jwt",
    "kafka",
    "log",
    "mail",
    "math",
    "metrics",
    "ml",
    "net",
    "orm",
    "parse",
    "path",
    "plot",
    "proto",
    "queue",
    "rest",
    "retry",
    "rpc",
    "schema",
    "search",
    "sql",
    "stream",
    "task",
    "test",
    "text",
    "time",
    "toml",
    "trace",
    "util",
    "web",
    "xml",
    "yaml",
    "zip",
)
CLASSIFIERS = (
    "Development Status :: 5 - Production/Stable",
    "Intended Audience :: Developers",
    "License :: OSI Approved :: MIT License",
    "Operating System :: OS Independent",
    "Programming Language :: Python :: 3",
    "Programming Language :: Python :: 3 :: Only",
    "Programming Language :: Python :: 3.9",
    "Programming Language :: Python :: 3.10",
    "Programming Language :: Python :: 3.11",
    "Programming Language :: Python :: 3.12",
    "Topic :: Software Development :: Libraries :: Python Modules",
    "Typing :: Typed",
)
REAL_REQUIREMENTS = (
    "requests>=2.25",
    "packaging>=21.0",
    'typing-extensions>=4.0; python_version < "3.11"',
    "pyyaml>=5.4",
    "click>=8.0",
    "attrs>=21.3",
)
LICENSE_TEXT = (
    "MIT License\n\nCopyright (c) 2024 The Authors\n\n"
    "Permission is hereby granted, free of charge, to any person obtaining a copy of this "
    'software and associated documentation files (the "Software"), to deal in the Software '
    "without restriction, including without limitation the rights to use, copy, modify, merge, "
    "publish, distribute, sublicense, and/or sell copies of the Software.\n"
)


def record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode("ascii")


def prose(rng: random.Random, size: int) -> str:
    words: list[str] = []
    length = 0
    while length < size:
        word = rng.choice(WORDS)
        words.append(word)
        length += len(word) + 1
    lines = [" ".join(words[i : i + 12]) for i in range(0, len(words), 12)]
    return "\n".join(lines)


def python_module(rng: random.Random, size: int, name: str) -> str:
    body = [
        f'"""{name}: generated for driftcheck benchmarks."""',
        "",
        "from __future__ import annotations",
        "",
    ]
    index = 0
    while sum(len(line) + 1 for line in body) < size:
        body += [
            f"def {rng.choice(WORDS)}_{index}(value: int) -> int:",
            f'    """{prose(rng, 60)}"""',
            f"    return value * {rng.randint(2, 99)} + {index}",
            "",
        ]
        index += 1
    return "\n".join(body) + "\n"


def generate_fake_distributions(site: Path, count: int, real: set[str]) -> None:
    """`count` dist-info trees, deterministic for a given count, consistent for `pip check`."""
    rng = random.Random(f"driftcheck-bench-{count}")
    names: list[tuple[str, str]] = []
    usable_real = [r for r in REAL_REQUIREMENTS if r.split(">", 1)[0].split(";")[0] in real]
    for i in range(count):
        name = f"{rng.choice(WORDS)}-{rng.choice(WORDS)}-{i:04d}"
        module = name.replace("-", "_")
        major = rng.randint(0, 5)
        version = f"{major}.{rng.randint(0, 30)}.{rng.randint(0, 20)}"
        requires: list[str] = []
        for _ in range(rng.randint(0, 4) if names else 0):
            dep, dep_version = rng.choice(names)
            requires.append(f"{dep}>={dep_version.split('.')[0]}.0")
        if usable_real and rng.random() < 0.5:
            requires.append(rng.choice(usable_real))
        requires += [
            'pytest>=7.0; extra == "test"',
            f'{rng.choice(WORDS)}-docs-theme>=1.0; extra == "docs"',
        ]
        requires = list(dict.fromkeys(requires))
        summary = prose(rng, 50).replace("\n", " ")
        headers = [
            "Metadata-Version: 2.1",
            f"Name: {name}",
            f"Version: {version}",
            f"Summary: {summary}",
            f"Home-page: https://example.org/{name}",
            f"Author: Author {i}",
            f"Author-email: author{i}@example.org",
            "License: MIT",
            f"Project-URL: Source, https://example.org/{name}/src",
            f"Project-URL: Documentation, https://example.org/{name}/docs",
            *(f"Classifier: {c}" for c in CLASSIFIERS),
            "Requires-Python: >=3.9",
            *(f"Requires-Dist: {r}" for r in requires),
            "Provides-Extra: docs",
            "Provides-Extra: test",
            "Description-Content-Type: text/markdown",
        ]
        description = f"# {name}\n\n" + prose(rng, rng.randint(1, 12) * 700)
        files: dict[str, bytes] = {
            f"{module}/__init__.py": python_module(rng, rng.randint(300, 2500), name).encode(),
            f"{module}/core.py": python_module(rng, rng.randint(1500, 9000), name).encode(),
            f"{module}/utils.py": python_module(rng, rng.randint(500, 4000), name).encode(),
            f"{module}/py.typed": b"",
        }
        info = f"{module}-{version}.dist-info"
        files[f"{info}/METADATA"] = ("\n".join(headers) + "\n\n" + description + "\n").encode()
        files[f"{info}/WHEEL"] = (
            b"Wheel-Version: 1.0\nGenerator: bdist_wheel (0.42.0)\n"
            b"Root-Is-Purelib: true\nTag: py3-none-any\n"
        )
        files[f"{info}/INSTALLER"] = b"pip\n"
        files[f"{info}/top_level.txt"] = f"{module}\n".encode()
        files[f"{info}/LICENSE"] = LICENSE_TEXT.encode()
        if rng.random() < 0.2:
            files[f"{info}/entry_points.txt"] = (
                f"[console_scripts]\n{name} = {module}.core:main\n".encode()
            )
        if rng.random() < 0.3:
            files[f"{info}/REQUESTED"] = b""
        record = [f"{path},{record_hash(data)},{len(data)}" for path, data in files.items()]
        record += [f"{module}/__pycache__/__init__.cpython-311.pyc,,", f"{info}/RECORD,,"]
        files[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
        for path, data in files.items():
            target = site / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        names.append((name, version))


# --- measuring ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    wall: float
    maxrss: int  # bytes: ru_maxrss of the child and its waited-for descendants (largest one)
    returncode: int


def measure(cmd: Sequence[str], stdout: Path, stderr: Path, env: Mapping[str, str]) -> Sample:
    """Wall time spawn-to-reap, and the peak RSS of the largest process of the child's tree.

    Linux keeps, across exec, the RSS that the forking process had: a child of this
    ~25 MB Python would never read below 25 MB. GNU time (~1 MB) forks the command
    instead and reports its ru_maxrss; without it, the figure has that floor.
    """
    rss_file = stdout.with_suffix(".maxrss")
    launcher = [TIME_BIN, "-f", "%M", "-o", str(rss_file)] if TIME_BIN else []
    with stdout.open("wb") as out, stderr.open("wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [*launcher, *cmd], stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    maxrss = usage.ru_maxrss * 1024
    if TIME_BIN:
        lines = rss_file.read_text("utf-8", "replace").split()
        maxrss = int(lines[-1]) * 1024 if lines and lines[-1].isdigit() else 0
    return Sample(wall, maxrss, proc.returncode)


def measure_tree(cmd: Sequence[str], stdout: Path, stderr: Path, env: Mapping[str, str]) -> int:
    """Peak of the summed RSS of the child and all its descendants, sampled (bytes)."""
    peak = 0
    with stdout.open("wb") as out, stderr.open("wb") as err:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env)
        root = psutil.Process(proc.pid)
        while True:
            pid, status, _ = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                proc.returncode = os.waitstatus_to_exitcode(status)
                return peak
            total = 0
            try:
                members = [root, *root.children(recursive=True)]
            except psutil.Error:
                members = []
            for member in members:
                with contextlib.suppress(psutil.Error):
                    total += member.memory_info().rss
            peak = max(peak, total)
            time.sleep(TREE_SAMPLE_INTERVAL)


@dataclass(frozen=True)
class Tool:
    key: str
    label: str
    command: Callable[[EnvSpec, Path], list[str]]  # (env, output file) -> argv
    writes_output_file: bool = False  # True: the result is the file, not stdout


@dataclass
class ToolResult:
    tool: Tool
    samples: list[Sample] = field(default_factory=list)
    tree_peaks: list[int] = field(default_factory=list)
    output_bytes: int = 0
    captured: int | None = None
    failure: str | None = None

    @property
    def walls(self) -> list[float]:
        return [s.wall for s in self.samples]

    @property
    def median_wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def median_maxrss(self) -> float:
        return statistics.median(s.maxrss for s in self.samples)

    @property
    def tree_peak(self) -> float | None:
        """A spike shorter than the sampling interval is still bounded by the exact figure."""
        if not self.tree_peaks:
            return None
        return max(statistics.median(self.tree_peaks), self.median_maxrss)


def make_tools(driftcheck: list[str], pipdeptree: Path | None) -> list[Tool]:
    tools = [
        Tool(
            "driftcheck",
            "driftcheck snapshot",
            lambda env, out: [
                *driftcheck,
                "snapshot",
                "--python",
                str(env_python(env.path)),
                "-o",
                str(out),
            ],
            writes_output_file=True,
        ),
        Tool(
            "freeze",
            "pip freeze",
            lambda env, out: [str(env_python(env.path)), "-m", "pip", "freeze"],
        ),
        Tool(
            "inspect",
            "pip inspect",
            lambda env, out: [str(env_python(env.path)), "-m", "pip", "inspect"],
        ),
    ]
    if pipdeptree is not None:
        tree_tool = str(pipdeptree)
        tools.append(
            Tool(
                "pipdeptree",
                "pipdeptree --json",
                lambda env, out: [tree_tool, "--json", "--python", str(env_python(env.path))],
            )
        )
    return tools


def count_captured(tool: Tool, output: Path) -> int | None:
    try:
        if tool.key == "driftcheck":
            return len(json.loads(output.read_text("utf-8"))["distributions"])
        if tool.key == "freeze":
            lines = output.read_text("utf-8").splitlines()
            return sum(1 for line in lines if line.strip() and not line.startswith("#"))
        if tool.key == "inspect":
            return len(json.loads(output.read_text("utf-8"))["installed"])
        if tool.key == "pipdeptree":
            return len(json.loads(output.read_text("utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return None


def last_line(path: Path) -> str:
    lines = [
        line.strip() for line in path.read_text("utf-8", "replace").splitlines() if line.strip()
    ]
    return lines[-1][:200] if lines else "no output on stderr"


def bench_env(
    spec: EnvSpec, tools: list[Tool], runs: int, env: Mapping[str, str]
) -> list[ToolResult]:
    folder = RUN_DIR / spec.name
    folder.mkdir(parents=True, exist_ok=True)
    results = {t.key: ToolResult(t) for t in tools}

    def paths(tool: Tool) -> tuple[list[str], Path, Path, Path]:
        result_file = folder / f"{tool.key}.out"
        stdout = folder / f"{tool.key}.stdout" if tool.writes_output_file else result_file
        return tool.command(spec, result_file), result_file, stdout, folder / f"{tool.key}.stderr"

    def attempt(tool: Tool) -> Sample:
        """One run; a failure is retried (a tree being edited can fail for a moment)."""
        cmd, _, stdout, stderr = paths(tool)
        for _ in range(RETRIES):
            sample = measure(cmd, stdout, stderr, env)
            if sample.returncode == 0:
                return sample
            log(f"{spec.name}: {tool.label} exit {sample.returncode}: {last_line(stderr)}; retry")
            time.sleep(RETRY_PAUSE)
        return sample

    for tool in tools:  # warm-up: page cache, .pyc files, the same for everyone
        _, result_file, _, stderr = paths(tool)
        sample = attempt(tool)
        if sample.returncode != 0:
            results[tool.key].failure = f"exit {sample.returncode}: {last_line(stderr)}"
        else:
            results[tool.key].output_bytes = result_file.stat().st_size
            results[tool.key].captured = count_captured(tool, result_file)
    active = [t for t in tools if results[t.key].failure is None]
    for round_index in range(runs):
        shift = round_index % len(active)
        for tool in active[shift:] + active[:shift]:
            sample = attempt(tool)
            if sample.returncode == 0:
                results[tool.key].samples.append(sample)
        summary = ", ".join(
            f"{t.key} {results[t.key].samples[-1].wall:.2f}s"
            for t in active
            if results[t.key].samples
        )
        log(f"{spec.name} round {round_index + 1}/{runs}: {summary}")
    for tool in active:
        cmd, _, stdout, stderr = paths(tool)
        for _ in range(TREE_SAMPLE_RUNS):
            results[tool.key].tree_peaks.append(measure_tree(cmd, stdout, stderr, env))
    return [results[t.key] for t in tools]


def bench_startup(
    driftcheck: list[str], env_py: Path, runs: int, env: Mapping[str, str]
) -> dict[str, list[Sample]]:
    folder = RUN_DIR / "startup"
    folder.mkdir(parents=True, exist_ok=True)
    commands = {
        "driftcheck --version": [*driftcheck, "--version"],
        "driftcheck --help": [*driftcheck, "--help"],
        "python -c pass (driftcheck's interpreter)": [sys.executable, "-c", "pass"],
        "ENV/bin/python -c pass": [str(env_py), "-c", "pass"],
        "ENV/bin/python -m pip --version": [str(env_py), "-m", "pip", "--version"],
    }
    out: dict[str, list[Sample]] = {label: [] for label in commands}
    for cmd in commands.values():
        measure(cmd, folder / "stdout", folder / "stderr", env)  # warm-up
    for round_index in range(runs):
        items = list(commands.items())
        shift = round_index % len(items)
        for label, cmd in items[shift:] + items[:shift]:
            out[label].append(measure(cmd, folder / "stdout", folder / "stderr", env))
    return out


# --- machine facts -----------------------------------------------------------------------


def machine_facts(base_python: Path) -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text("utf-8").splitlines():
            if line.lower().startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text("utf-8").splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError):
        pass
    os_name = platform.system()
    try:
        release = platform.freedesktop_os_release()
        os_name = release.get("PRETTY_NAME", os_name)
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "CPU": cpu,
        "Cores": f"{os.cpu_count()} logical, {usable} usable",
        "RAM": ram,
        "OS": f"{os_name}, kernel {platform.release()}, {platform.machine()}",
        "Python (environments)": f"CPython {python_version(base_python)} ({base_python})",
        "Python (driftcheck)": f"CPython {platform.python_version()} ({sys.executable})",
    }


def load_average() -> str:
    try:
        return " / ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def source_digest(package: Path) -> str:
    """Digest of a copy of driftcheck's package (its .py and .json files)."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".json"):
            digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def source_line(frozen: Path | None, before: str, after: str, tree_moved: bool) -> str:
    where = (
        "a copy of the work tree's `driftcheck/` taken at the start (imported ahead of the "
        "editable install)"
        if frozen
        else "the installed package, as it is"
    )
    line = f"{where}; digest {before}"
    if after != before:
        line += f", then {after}: CHANGED during the run, figures mix two versions"
    elif tree_moved:
        line += " (the work tree changed during the run; the measured copy did not)"
    return line


def git_revision() -> str:
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        status = subprocess.run(
            ["git", "--no-optional-locks", "-C", str(REPO), "status", "--porcelain"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" with uncommitted changes in the work tree" if status.strip() else "")


def tool_version(cmd: Sequence[str]) -> str:
    result = subprocess.run(list(cmd), capture_output=True, text=True, check=False)
    return (
        (result.stdout or result.stderr).strip().splitlines()[0] if result.returncode == 0 else "?"
    )


# --- profile -------------------------------------------------------------------------------


def run_profile(env: EnvSpec, reps: int, frozen: Path | None) -> dict[str, Any] | None:
    script = BENCH_DIR / "profile_snapshot.py"
    cmd = [sys.executable, str(script), "--python", str(env_python(env.path))]
    cmd += ["--reps", str(reps), "--json"]
    if frozen is not None:
        cmd += ["--source", str(frozen)]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        log(f"profile failed: {result.stderr.strip().splitlines()[-1:]}")
        return None
    data: dict[str, Any] = json.loads(result.stdout)
    return data


# --- report ----------------------------------------------------------------------------------


def seconds(value: float) -> str:
    return f"{value:.3f} s" if value < 10 else f"{value:.2f} s"


def megabytes(value: float | None) -> str:
    return "-" if value is None else f"{value / MB:.1f} MB"


def size(value: int) -> str:
    if value >= MB:
        return f"{value / MB:.2f} MB ({value:,} B)"
    return f"{value / 1024:.1f} KB ({value:,} B)"


@dataclass
class EnvResult:
    spec: EnvSpec
    distributions: int
    results: list[ToolResult]

    def get(self, key: str) -> ToolResult | None:
        for result in self.results:
            if result.tool.key == key and result.failure is None and result.samples:
                return result
        return None


def env_table(env: EnvResult) -> list[str]:
    freeze = env.get("freeze")
    lines = [
        "| tool | median wall | min - max | x pip freeze | peak RSS, largest process | "
        "peak RSS, process tree | entries | output |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in env.results:
        label = f"`{result.tool.label}`"
        if result.failure is not None or not result.samples:
            lines.append(f"| {label} | failed: {result.failure} | | | | | | |")
            continue
        ratio = f"{result.median_wall / freeze.median_wall:.2f}x" if freeze else "-"
        lines.append(
            f"| {label} | **{seconds(result.median_wall)}** | "
            f"{seconds(min(result.walls))} - {seconds(max(result.walls))} | {ratio} | "
            f"{megabytes(result.median_maxrss)} | {megabytes(result.tree_peak)} | "
            f"{'?' if result.captured is None else f'{result.captured:,}'} | "
            f"{size(result.output_bytes)} |"
        )
    return lines


def verdicts(envs: list[EnvResult]) -> list[str]:
    lines = []
    large = [e for e in envs if e.distributions >= LARGE_TARGET_DISTS]
    for env in large:
        dc, freeze = env.get("driftcheck"), env.get("freeze")
        if dc is None or freeze is None:
            lines.append(f"- **{env.spec.name}**: cannot judge, a tool failed.")
            continue
        faster = dc.median_wall < freeze.median_wall
        tree = dc.tree_peak if dc.tree_peak is not None else dc.median_maxrss
        lean = tree < MEMORY_TARGET_MB * MB
        lines.append(
            f"- **{env.spec.name}** ({env.distributions:,} distributions): wall time "
            f"**{'met' if faster else 'NOT met'}**: driftcheck {seconds(dc.median_wall)} "
            "vs pip freeze "
            f"{seconds(freeze.median_wall)} ({dc.median_wall / freeze.median_wall:.2f}x). "
            f"Memory **{'met' if lean else 'NOT met'}**: {megabytes(tree)} for the whole tree "
            f"(largest process {megabytes(dc.median_maxrss)}) against {MEMORY_TARGET_MB:.0f} MB. "
            f"Captured: a {size(dc.output_bytes)} snapshot vs {size(freeze.output_bytes)} of "
            f"`pip freeze` ({dc.output_bytes / max(freeze.output_bytes, 1):.0f}x the bytes)."
        )
    if not large:
        lines.append(f"- No environment has {LARGE_TARGET_DISTS}+ distributions: nothing to judge.")
    return lines


def scaling(envs: list[EnvResult]) -> list[str]:
    """Fixed cost (smallest environment) and cost per 1,000 more distributions (slope)."""
    if len(envs) < 2:
        return ["(needs two environments or more)"]
    low, high = envs[0], envs[-1]
    span = (high.distributions - low.distributions) / 1000
    lines = [
        f"Fixed cost: the median in {low.spec.name} ({low.distributions:,} distributions). Per",
        f"1,000 more distributions: the slope from {low.spec.name} to {high.spec.name}",
        f"({high.distributions:,}).",
        "",
        "| tool | fixed wall | wall per 1,000 more | fixed tree RSS | tree RSS per 1,000 more |",
        "|---|---:|---:|---:|---:|",
    ]
    for first in low.results:
        a, b = low.get(first.tool.key), high.get(first.tool.key)
        if a is None or b is None or span <= 0:
            continue
        a_rss, b_rss = a.tree_peak or a.median_maxrss, b.tree_peak or b.median_maxrss
        lines.append(
            f"| `{first.tool.label}` | {seconds(a.median_wall)} | "
            f"{seconds((b.median_wall - a.median_wall) / span)} | {megabytes(a_rss)} | "
            f"{megabytes((b_rss - a_rss) / span)} |"
        )
    dc_low, dc_high = low.get("driftcheck"), high.get("driftcheck")
    if dc_low and dc_high and span > 0:
        a_rss = dc_low.tree_peak or dc_low.median_maxrss
        per = ((dc_high.tree_peak or dc_high.median_maxrss) - a_rss) / span
        if per > 0:
            reach = low.distributions + (MEMORY_TARGET_MB * MB - a_rss) / per * 1000
            lines += [
                "",
                f"At that slope driftcheck's process tree reaches {MEMORY_TARGET_MB:.0f} MB "
                f"near {reach:,.0f} distributions.",
            ]
    return lines


def _pick(figures: dict[str, float], prefix: str) -> float | None:
    for name, value in figures.items():
        if name.startswith(prefix):
            return value
    return None


def explanation(envs: list[EnvResult], profile: dict[str, Any] | None, env_name: str) -> list[str]:
    """Where the gap to pip freeze comes from, in figures of the profile below."""
    env = next((e for e in envs if e.spec.name == env_name), None)
    if profile is None or env is None:
        return []
    dc, freeze = env.get("driftcheck"), env.get("freeze")
    if dc is None or freeze is None:
        return []
    phases, host, probe = profile["phases"], profile["host_breakdown"], profile["probe_sections"]
    imports = dict(profile["imports"])
    figures = {
        "probe": _pick(phases, "run_local_probe"),
        "reading": _pick(probe, "distributions"),
        "build": _pick(phases, "build_snapshot"),
        "sweep": _pick(host, "redaction.sweep"),
        "dumps": _pick(phases, "io.dumps"),
        "imports": _pick(imports, "all imports"),
    }
    if any(v is None for v in figures.values()):
        return []
    f = {k: float(v or 0) * 1000 for k, v in figures.items()}
    gap = (dc.median_wall - freeze.median_wall) * 1000
    return [
        f"Where the time goes in {env_name} (profile below): the probe subprocess takes "
        f"{f['probe']:.0f} ms, {f['reading']:.0f} ms of it reading the dist-info folders; "
        f"`build_snapshot` takes {f['build']:.0f} ms, {f['sweep']:.0f} ms of which is the "
        f"secret sweep over every string of the answer; `io.dumps` {f['dumps']:.0f} ms; the "
        f"CLI's imports {f['imports']:.0f} ms. driftcheck's median is {gap:.0f} ms "
        f"{'above' if gap > 0 else 'below'} pip freeze's.",
        "",
    ]


def profile_section(profile: dict[str, Any] | None, env_name: str) -> list[str]:
    if profile is None:
        return []
    lines = [
        f"## Where driftcheck's time goes ({env_name})",
        "",
        "From `benchmarks/profile_snapshot.py` (medians of "
        f"{profile['reps']} repetitions; phases run in-process the way "
        "`driftcheck.api.take_snapshot` "
        "and `driftcheck.cli.commands.run_snapshot` run them):",
        "",
        "| phase | median |",
        "|---|---:|",
    ]
    lines += [f"| {name} | {value * 1000:.0f} ms |" for name, value in profile["phases"].items()]
    lines += [
        "",
        "The host side piece by piece (the same answer, each piece alone):",
        "",
        "| piece | median |",
        "|---|---:|",
    ]
    lines += [
        f"| {name} | {value * 1000:.0f} ms |" for name, value in profile["host_breakdown"].items()
    ]
    lines += [
        "",
        "Inside the probe (the target interpreter, sections of `collect` timed one by one):",
        "",
        "| probe section | median |",
        "|---|---:|",
    ]
    lines += [
        f"| {name} | {value * 1000:.1f} ms |" for name, value in profile["probe_sections"].items()
    ]
    lines += [
        "",
        "Heaviest imports of the CLI (`python -X importtime`, cumulative, top-level modules):",
        "",
        "| module | cumulative |",
        "|---|---:|",
    ]
    lines += [f"| `{name}` | {value * 1000:.0f} ms |" for name, value in profile["imports"]]
    lines += [
        "",
        "Host side (`parse_output` + `build_snapshot` + `io.dumps`) under cProfile, by own time:",
        "",
        "| function | calls | own | cumulative |",
        "|---|---:|---:|---:|",
    ]
    lines += [
        f"| `{row['function']}` | {row['calls']:,} | {row['own'] * 1000:.0f} ms | "
        f"{row['cumulative'] * 1000:.0f} ms |"
        for row in profile["host_cprofile"]
    ]
    lines += [
        "",
        "The probe's `collect()` and its `json.dumps` under cProfile, in the target, by own time:",
        "",
        "| function | calls | own | cumulative |",
        "|---|---:|---:|---:|",
    ]
    lines += [
        f"| `{row['function']}` | {row['calls']:,} | {row['own'] * 1000:.0f} ms | "
        f"{row['cumulative'] * 1000:.0f} ms |"
        for row in profile["probe_cprofile"]
    ]
    lines += [
        "",
        "cProfile adds its own overhead to every call, so its times are larger than the",
        "phases above: read it for the ranking, the phase tables for the figures.",
        "",
    ]
    return lines


def rss_method() -> list[str]:
    common = [
        "  over the timed rounds. It is exact, but for a tree of processes it is the largest",
        "  single process (driftcheck's host process or its probe), not their sum.",
    ]
    if TIME_BIN:
        return [
            "- Peak RSS, largest process: `ru_maxrss` of the command, read by GNU time",
            "  (`time -f %M`, which adds about a millisecond to the wall time), the median",
            *common,
        ]
    return [
        "- Peak RSS, largest process: `ru_maxrss` from `os.wait4` on the child, the median",
        *common,
        "  GNU time was not found: Linux keeps across exec the RSS of the process that forked,",
        "  so these figures never read below the benchmark's own RSS (about 25 MB).",
    ]


def render(
    *,
    envs: list[EnvResult],
    startup: dict[str, list[Sample]],
    machine: dict[str, str],
    meta: dict[str, str],
    runs: int,
    profile: dict[str, Any] | None,
    profile_env: str,
) -> str:
    lines = [
        "# Benchmarks: `driftcheck snapshot` against pip freeze, pip inspect and pipdeptree",
        "",
        f"Generated by `benchmarks/bench_snapshot.py` on {meta['date']}; "
        "do not edit by hand, re-run it.",
        "",
        "## Reproduce",
        "",
        "```sh",
        "python3 -m venv /tmp/devenv && /tmp/devenv/bin/pip install -e .",
        "/tmp/devenv/bin/python benchmarks/bench_snapshot.py "
        f"--runs {runs} --out docs/benchmarks.md",
        "```",
        "",
        "The first run builds the environments under `benchmarks/.work/` (pip's cache makes later",
        "builds fast); later runs reuse them while the pinned requirements hash the same.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
    ]
    lines += [f"| {k} | {v} |" for k, v in machine.items()]
    lines += [f"| {k} | {v} |" for k, v in meta.items() if k != "date"]
    lines += [
        "",
        "## Method",
        "",
        f"- Every tool runs once as a warm-up, then **{runs} interleaved rounds** (the order",
        "  rotates each round), so other load on the machine falls on all tools alike; the",
        "  median of the rounds is robust to a few disturbed runs, and min - max shows the",
        "  spread.",
        "- Wall time: `time.perf_counter()` from spawn to reap of the command, start-up",
        "  included.",
        "- The commands: `driftcheck snapshot --python ENV/bin/python -o FILE`,",
        "  `ENV/bin/python -m pip freeze`, `ENV/bin/python -m pip inspect` (pip is installed in",
        "  every environment) and `pipdeptree --json --python ENV/bin/python` (from its own",
        "  venv, `benchmarks/.work/tools`).",
        "- driftcheck runs from a copy of the work tree's `driftcheck/` package taken when the",
        "  run starts, with the dev venv's interpreter and dependencies, so that edits made",
        "  meanwhile cannot mix two versions into one run (`--live` runs the installed one).",
        *rss_method(),
        f"- Peak RSS, process tree: {TREE_SAMPLE_RUNS} extra runs where psutil sums the RSS of",
        f"  the child and all its descendants every {TREE_SAMPLE_INTERVAL * 1000:.0f} ms; the",
        "  median of their peaks (never below the per-process figure). driftcheck's host",
        "  process and its probe are alive at the same time, so this is the figure to hold",
        "  against a memory budget.",
        "- Entries: distributions in the snapshot, lines of `pip freeze` (which leaves out pip",
        "  and setuptools), `installed` entries of `pip inspect`, packages of `pipdeptree`.",
        "  Output: the snapshot file, or the command's standard output.",
        "",
        "## Environments",
        "",
        "| environment | built from | distributions (driftcheck) |",
        "|---|---|---:|",
    ]
    lines += [f"| {e.spec.name} | {e.spec.describe()} | {e.distributions:,} |" for e in envs]
    lines.append("")
    for env in envs:
        lines += [
            f"### {env.spec.name} ({env.distributions:,} distributions)",
            "",
            *env_table(env),
            "",
        ]
    lines += [
        "## Start-up",
        "",
        "| command | median wall | min - max | peak RSS |",
        "|---|---:|---:|---:|",
    ]
    for label, samples in startup.items():
        walls = [s.wall for s in samples]
        lines.append(
            f"| `{label}` | **{seconds(statistics.median(walls))}** | {seconds(min(walls))} - "
            f"{seconds(max(walls))} | {megabytes(statistics.median(s.maxrss for s in samples))} |"
        )
    lines += [
        "",
        "## How it scales",
        "",
        *scaling(envs),
        "",
        "## What it means",
        "",
        f"The target: *in the large ({LARGE_TARGET_DISTS}+) environment, `driftcheck snapshot`",
        "takes less wall time than `pip freeze` while capturing far more; peak memory under",
        f"{MEMORY_TARGET_MB:.0f} MB.*",
        "",
        *verdicts(envs),
        "",
        "A snapshot holds, for every distribution, its location, installer, `REQUESTED`,",
        "direct URL, `Requires-Dist`, `Requires-Python`, wheel tags and top-level names, and",
        "besides the distributions the interpreter and ABI, `sys.path`, `.pth` files, the",
        "environment (redacted), the OS release, the OS packages (dpkg) and native libraries;",
        "`pip freeze` prints `name==version` lines. Both start an interpreter and read every",
        "`*.dist-info` folder; driftcheck starts two (its own CLI, then the probe in the",
        "target), and its host side redacts and models what the probe sent.",
        "",
        *explanation(envs, profile, profile_env),
        *profile_section(profile, profile_env),
    ]
    return "\n".join(lines).rstrip() + "\n"


# --- main ------------------------------------------------------------------------------------


FROZEN_DIR = WORK / "frozen-src"
FROZEN_LAUNCHER = (
    "#!{python}\n"
    "# driftcheck's console script, with a frozen copy of the package first on sys.path.\n"
    "import sys\n"
    "sys.path.insert(0, {source!r})\n"
    "from driftcheck.cli.app import main\n"
    "sys.exit(main())\n"
)


def freeze_source() -> tuple[list[str], Path]:
    """A copy of the work tree's driftcheck package, run by this interpreter.

    Others may edit driftcheck while the benchmark runs (minutes): every figure of a
    run must come from one version of the code. The copy is imported ahead of the
    (editable) install, with the same interpreter and dependencies.
    """
    package = REPO / "driftcheck"
    launcher = FROZEN_DIR / "driftcheck-frozen"
    for attempt in range(RETRIES):
        if FROZEN_DIR.exists():
            shutil.rmtree(FROZEN_DIR)
        shutil.copytree(
            package, FROZEN_DIR / "driftcheck", ignore=shutil.ignore_patterns("__pycache__")
        )
        launcher.write_text(
            FROZEN_LAUNCHER.format(python=sys.executable, source=str(FROZEN_DIR)), "utf-8"
        )
        launcher.chmod(0o755)
        check = subprocess.run(
            [str(launcher), "--version"], capture_output=True, text=True, check=False
        )
        compiled = subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(FROZEN_DIR / "driftcheck")],
            capture_output=True,
            text=True,
            check=False,
        )
        if check.returncode == 0 and compiled.returncode == 0:
            return [str(launcher)], FROZEN_DIR
        log(f"the copy of driftcheck does not run (attempt {attempt + 1}): {check.stderr.strip()}")
        time.sleep(RETRY_PAUSE)
    raise SystemExit("driftcheck's work tree does not run (being edited?); try again later")


def driftcheck_command(explicit: str | None, live: bool) -> tuple[list[str], Path | None]:
    """The command to measure, and the frozen source folder it imports (None: live)."""
    if explicit:
        return [explicit], None
    try:
        import driftcheck  # noqa: F401
    except ImportError as exc:
        raise SystemExit(
            f"driftcheck is not importable by {sys.executable}: run this with the interpreter of "
            "a venv where driftcheck is installed (pip install -e .), or pass --driftcheck PATH"
        ) from exc
    if not live:
        return freeze_source()
    beside = Path(sys.executable).parent / "driftcheck"
    if beside.exists():
        return [str(beside)], None
    raise SystemExit(f"no driftcheck script beside {sys.executable}; pass --driftcheck PATH")


def child_environment() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("VIRTUAL_ENV", "CONDA_PREFIX", "PYTHONPATH", "PYTHONHOME"):
        env.pop(name, None)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PYTHONWARNINGS"] = "ignore"
    return env


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=7, help="timed rounds per tool (default 7)")
    parser.add_argument("--out", type=Path, help="write the Markdown report here")
    parser.add_argument(
        "--base-python",
        type=Path,
        default=None,
        help="interpreter the venvs are made from (default: the real one behind this one)",
    )
    parser.add_argument("--driftcheck", help="the driftcheck script to measure, as it is")
    parser.add_argument(
        "--live",
        action="store_true",
        help="run the installed driftcheck rather than a copy of the work tree frozen at start",
    )
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, LARGE_SIZES)),
        help="generated distributions of the large environments (comma-separated)",
    )
    parser.add_argument("--only", help="comma-separated environment names to run")
    parser.add_argument("--profile-reps", type=int, default=5, help="0 skips the profile")
    parser.add_argument("--relock", action="store_true", help="re-pin requirements-*.txt and stop")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    base_python = (args.base_python or base_python_default()).resolve()
    WORK.mkdir(parents=True, exist_ok=True)
    if args.relock:
        relock(base_python)
        return 0
    if args.runs < 1:
        raise SystemExit("--runs must be 1 or more")
    driftcheck, frozen = driftcheck_command(args.driftcheck, args.live)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    specs = env_specs(sizes)
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")}
        specs = [s for s in specs if s.name in wanted]
    for spec in specs:
        ensure_env(spec, base_python)
    pipdeptree = ensure_tools(base_python)
    tools = make_tools(driftcheck, pipdeptree)
    child_env = child_environment()
    date = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    measured = frozen / "driftcheck" if frozen else REPO / "driftcheck"
    digest_before = source_digest(measured)
    load_before = load_average()
    log(f"load average before: {load_before}")
    envs: list[EnvResult] = []
    for spec in specs:
        results = bench_env(spec, tools, args.runs, child_env)
        counts = [r.captured for r in results if r.tool.key in ("driftcheck", "inspect")]
        envs.append(EnvResult(spec, next((c for c in counts if c), 0), results))
    startup = bench_startup(driftcheck, env_python(specs[0].path), args.runs, child_env)
    load_after = load_average()
    profile_env = specs[-1]
    profile = run_profile(profile_env, args.profile_reps, frozen) if args.profile_reps > 0 else None
    digest_after = source_digest(measured)
    if digest_after != digest_before:
        log("driftcheck's source changed during the run: re-run for consistent figures")
    tree_moved = frozen is not None and source_digest(REPO / "driftcheck") != digest_before
    any_env = env_python(specs[0].path)
    meta = {
        "date": date,
        "driftcheck": f"{tool_version([*driftcheck, '--version'])}, commit {git_revision()}",
        "pip (in every environment)": tool_version([str(any_env), "-m", "pip", "--version"]).split(
            " from "
        )[0],
        "pipdeptree": tool_version([str(pipdeptree), "--version"])
        if pipdeptree
        else "not available",
        "driftcheck source": source_line(frozen, digest_before, digest_after, tree_moved),
        "Load average (1/5/15 min) before / after": f"{load_before} / {load_after}",
    }
    report = render(
        envs=envs,
        startup=startup,
        machine=machine_facts(base_python),
        meta=meta,
        runs=args.runs,
        profile=profile,
        profile_env=profile_env.name,
    )
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=args.out.parent, delete=False, suffix=".tmp"
        ) as handle:
            handle.write(report)
        os.replace(handle.name, args.out)
        log(f"wrote {args.out}")
    else:
        print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
