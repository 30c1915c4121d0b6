#!/usr/bin/env python3
"""Speed and memory of a host `driftcheck snapshot` and of driftcheck's start-up, side by
side with what people run today, on real virtual environments of several sizes (issue 8).

    python benchmarks/bench_snapshot.py [--runs N] [--out docs/benchmarks.md]

Run it with the interpreter of a venv where driftcheck's dependencies are installed
(the dev venv, or .venv-test). driftcheck itself runs as a user has it: from a venv
of its own (benchmarks/.work/driftcheck-venv, a regular, non-editable install of the
repository with its dependencies), through its console-script entry point, importing
a copy of the work tree's `driftcheck/` package taken when the run starts, so that
edits made during the run cannot mix two versions into one report. `--live` measures
the installed `driftcheck` script beside this interpreter instead, `--driftcheck PATH`
any other. The profile (profile_snapshot.py) imports the same copy.

Environments are built once under benchmarks/.work/ and reused while their recipe
(pinned requirements, base interpreter, generator version) hashes the same:

- small: a venv with requirements-small.txt (~20 real distributions from PyPI);
- medium: a venv with requirements-medium.txt (~150 real distributions);
- large-N: the medium venv's installs plus N GENERATED distributions (dist-info
  with METADATA, INSTALLER, RECORD, WHEEL, top_level.txt, LICENSE and the
  package files RECORD lists, with real hashes), deterministic for a given N.
  large-412 holds 564 distributions, the size issue 8 measures.

In every environment, beside `driftcheck snapshot`: pip freeze, pip list
--format=json, pip inspect, pipdeptree --json, a naive importlib.metadata scan
(every METADATA through the email parser), a scan of the METADATA headers only, and
`python -c pass` (benchmarks/anchors/). Each runs once as a warm-up, then N rounds
interleaved (the order rotates every round), so load from other work on the machine
spreads over all of them. Wall time is time.perf_counter() from spawn to reap; CPU
time is user + system of the command and everything it waited for (wait4); memory is
ru_maxrss through GNU time (the largest single process) and, for the commands that
run two processes at once, the summed RSS of the whole process tree (psutil, sampled
every few milliseconds, in separate runs).

With --out, only this benchmark's parts of the file are rewritten, between their
markers: the "Issue 8 targets" summary at the top (its host rows; the other rows are
kept as they are, or written as pointers to the sections other benchmarks own) and
the "Host snapshot and start-up" section. Everything else in the file is kept.

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

sys.path.insert(0, str(Path(__file__).resolve().parent))
import snapshot_report  # beside this script

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
WORK = BENCH_DIR / ".work"
ENVS_DIR = WORK / "envs"
TOOLS_ENV = WORK / "tools"
RUN_DIR = WORK / "run"
# Bump when the way environments are built or fake distributions are generated changes.
RECIPE_VERSION = 1
STAMP_NAME = ".bench-recipe"
LARGE_SIZES = (412, 2000, 5000)  # + the medium venv's 152: 564 (issue 8's size), 2,152, 5,152
TREE_SAMPLE_RUNS = 3
RETRIES = 3
RETRY_PAUSE = 5.0
TREE_SAMPLE_INTERVAL = 0.002
MB = 1024 * 1024
DRIFTCHECK_VENV = WORK / "driftcheck-venv"
ANCHORS = BENCH_DIR / "anchors"
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


# --- driftcheck as a user has it ---------------------------------------------------------


def ensure_driftcheck_venv(base_python: Path) -> Path:
    """A venv with a regular (non-editable) install of the repository and its dependencies.

    An editable install puts a finder on every start-up (~15 ms of CPU here) that no
    user's install has. Rebuilt when pyproject.toml changes.
    """
    recipe = sha256_text(
        str(RECIPE_VERSION), (REPO / "pyproject.toml").read_text("utf-8"), str(base_python)
    )
    stamp = DRIFTCHECK_VENV / STAMP_NAME
    if stamp.exists() and stamp.read_text("utf-8").strip() == recipe:
        return env_python(DRIFTCHECK_VENV)
    if DRIFTCHECK_VENV.exists():
        shutil.rmtree(DRIFTCHECK_VENV)
    log(f"building {DRIFTCHECK_VENV.relative_to(REPO)} (driftcheck, non-editable)")
    run_checked([base_python, "-m", "venv", DRIFTCHECK_VENV])
    with tempfile.TemporaryDirectory(prefix="driftcheck-src-") as tmp:
        # A copy without benchmarks/.work: pip copies the source tree it builds from.
        source = Path(tmp) / "src"
        shutil.copytree(
            REPO,
            source,
            ignore=shutil.ignore_patterns(".work", ".venv*", ".git", "__pycache__", "*.egg-info"),
        )
        run_checked([env_python(DRIFTCHECK_VENV), "-m", "pip", "install", "-q", source])
    stamp.write_text(recipe + "\n", "utf-8")
    return env_python(DRIFTCHECK_VENV)


FROZEN_DIR = WORK / "frozen-src"
FROZEN_LAUNCHER = (
    "#!{python}\n"
    "# driftcheck's console script, with a frozen copy of the package first on sys.path.\n"
    "import sys\n"
    "sys.path.insert(0, {source!r})\n"
    "from driftcheck.cli.entry import main\n"
    "sys.exit(main())\n"
)


def freeze_source(python: Path) -> tuple[list[str], Path]:
    """A copy of the work tree's driftcheck package, run by PYTHON (driftcheck's venv).

    Others may edit driftcheck while the benchmark runs (minutes): every figure of a
    run must come from one version of the code.
    """
    package = REPO / "driftcheck"
    launcher = FROZEN_DIR / "driftcheck-frozen"
    for attempt in range(RETRIES):
        if FROZEN_DIR.exists():
            shutil.rmtree(FROZEN_DIR)
        shutil.copytree(
            package, FROZEN_DIR / "driftcheck", ignore=shutil.ignore_patterns("__pycache__")
        )
        launcher.write_text(FROZEN_LAUNCHER.format(python=python, source=str(FROZEN_DIR)), "utf-8")
        launcher.chmod(0o755)
        compiled = subprocess.run(
            [str(python), "-m", "compileall", "-q", str(FROZEN_DIR / "driftcheck")],
            capture_output=True,
            text=True,
            check=False,
        )
        check = subprocess.run(
            [str(launcher), "--version"], capture_output=True, text=True, check=False
        )
        if check.returncode == 0 and compiled.returncode == 0:
            return [str(launcher)], FROZEN_DIR
        log(f"the copy of driftcheck does not run (attempt {attempt + 1}): {check.stderr.strip()}")
        time.sleep(RETRY_PAUSE)
    raise SystemExit("driftcheck's work tree does not run (being edited?); try again later")


def driftcheck_command(
    explicit: str | None, live: bool, base_python: Path
) -> tuple[list[str], Path | None, Path]:
    """The command to measure, the frozen source it imports (None: as installed), and
    the interpreter that runs it."""
    if explicit:
        return [explicit], None, Path(sys.executable)
    if live:
        beside = Path(sys.executable).parent / "driftcheck"
        if not beside.exists():
            raise SystemExit(f"no driftcheck script beside {sys.executable}; pass --driftcheck")
        return [str(beside)], None, Path(sys.executable)
    python = ensure_driftcheck_venv(base_python)
    command, frozen = freeze_source(python)
    return command, frozen, python


# --- measuring ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    wall: float
    cpu: float  # user + system of the command and every process it waited for
    maxrss: int  # bytes: the largest single process of the tree
    returncode: int


def measure(cmd: Sequence[str], stdout: Path, stderr: Path, env: Mapping[str, str]) -> Sample:
    """Wall time spawn-to-reap, CPU time and the peak RSS of the largest process.

    Linux keeps, across exec, the RSS that the forking process had: a child of this
    ~25 MB Python would never read below 25 MB. GNU time (~1 MB) forks the command
    instead and reports its ru_maxrss; without it, the figure has that floor. Its own
    CPU (about a millisecond) is counted in the CPU time.
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
    return Sample(wall, usage.ru_utime + usage.ru_stime, maxrss, proc.returncode)


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


def _lines(path: Path) -> int:
    return sum(1 for line in path.read_text("utf-8").splitlines() if line.strip())


def _json_len(path: Path, key: str | None = None) -> int:
    data = json.loads(path.read_text("utf-8"))
    return len(data[key] if key else data)


@dataclass(frozen=True)
class Tool:
    key: str
    label: str
    command: Callable[[EnvSpec, Path], list[str]]  # (env, output file) -> argv
    count: Callable[[Path], int] | None = None  # entries in the output
    writes_output_file: bool = False  # True: the result is the file, not stdout
    process_tree: bool = False  # runs two processes at once: sample the tree's RSS


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
    def median_cpu(self) -> float:
        return statistics.median(s.cpu for s in self.samples)

    @property
    def median_maxrss(self) -> float:
        return statistics.median(s.maxrss for s in self.samples)

    @property
    def tree_peak(self) -> float | None:
        """A spike shorter than the sampling interval is still bounded by the exact figure."""
        if not self.tree_peaks:
            return None
        return max(statistics.median(self.tree_peaks), self.median_maxrss)

    @property
    def memory(self) -> float:
        """The figure to hold against a memory budget: the tree's when it was sampled."""
        return self.tree_peak if self.tree_peak is not None else self.median_maxrss


def make_tools(driftcheck: list[str], pipdeptree: Path | None) -> list[Tool]:
    def python(env: EnvSpec) -> str:
        return str(env_python(env.path))

    tools = [
        Tool(
            "driftcheck",
            "driftcheck snapshot",
            lambda env, out: [*driftcheck, "snapshot", "--python", python(env), "-o", str(out)],
            lambda out: _json_len(out, "distributions"),
            writes_output_file=True,
            process_tree=True,
        ),
        Tool("freeze", "pip freeze", lambda env, out: [python(env), "-m", "pip", "freeze"], _lines),
        Tool(
            "list",
            "pip list --format=json",
            lambda env, out: [python(env), "-m", "pip", "list", "--format=json"],
            _json_len,
        ),
        Tool(
            "inspect",
            "pip inspect",
            lambda env, out: [python(env), "-m", "pip", "inspect"],
            lambda out: _json_len(out, "installed"),
        ),
        Tool(
            "naive",
            "importlib.metadata scan (email parser)",
            lambda env, out: [python(env), str(ANCHORS / "metadata_scan_naive.py")],
            _lines,
        ),
        Tool(
            "headers",
            "METADATA header scan",
            lambda env, out: [python(env), str(ANCHORS / "metadata_scan_headers.py")],
            _lines,
        ),
        Tool("pass", "python -c pass", lambda env, out: [python(env), "-c", "pass"]),
    ]
    if pipdeptree is not None:
        tree_tool = str(pipdeptree)
        tools.insert(
            4,
            Tool(
                "pipdeptree",
                "pipdeptree --json",
                lambda env, out: [tree_tool, "--json", "--python", python(env)],
                _json_len,
                process_tree=True,
            ),
        )
    return tools


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
        result = results[tool.key]
        if sample.returncode != 0:
            result.failure = f"exit {sample.returncode}: {last_line(stderr)}"
            continue
        result.output_bytes = result_file.stat().st_size
        if tool.count is not None:
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                result.captured = tool.count(result_file)
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
        if not tool.process_tree:
            continue
        cmd, _, stdout, stderr = paths(tool)
        for _ in range(TREE_SAMPLE_RUNS):
            results[tool.key].tree_peaks.append(measure_tree(cmd, stdout, stderr, env))
    return [results[t.key] for t in tools]


def bench_startup(
    driftcheck: list[str],
    driftcheck_python: Path,
    env_py: Path,
    runs: int,
    env: Mapping[str, str],
) -> dict[str, list[Sample]]:
    folder = RUN_DIR / "startup"
    folder.mkdir(parents=True, exist_ok=True)
    commands = {
        "driftcheck --version": [*driftcheck, "--version"],
        "driftcheck --help": [*driftcheck, "--help"],
        "python -c pass (driftcheck's interpreter)": [str(driftcheck_python), "-c", "pass"],
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


def machine_facts(base_python: Path, driftcheck_python: Path) -> dict[str, str]:
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
        "Python (driftcheck)": f"CPython {python_version(driftcheck_python)} ({driftcheck_python})",
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
        "a copy of the work tree's `driftcheck/` taken at the start, imported ahead of "
        "driftcheck's own non-editable install in `benchmarks/.work/driftcheck-venv`"
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


def run_profile(
    env: EnvSpec, reps: int, frozen: Path | None, driftcheck_python: Path
) -> dict[str, Any] | None:
    script = BENCH_DIR / "profile_snapshot.py"
    cmd = [str(driftcheck_python), str(script), "--python", str(env_python(env.path))]
    cmd += ["--reps", str(reps), "--json"]
    if frozen is not None:
        cmd += ["--source", str(frozen)]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        log(f"profile failed: {result.stderr.strip().splitlines()[-3:]}")
        return None
    data: dict[str, Any] = json.loads(result.stdout)
    return data


# --- main ------------------------------------------------------------------------------------


def child_environment() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("VIRTUAL_ENV", "CONDA_PREFIX", "PYTHONPATH", "PYTHONHOME"):
        env.pop(name, None)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PYTHONWARNINGS"] = "ignore"
    # Every interpreter finds its .pyc files written, as on a user's machine.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=7, help="timed rounds per tool (default 7)")
    parser.add_argument("--out", type=Path, help="write this benchmark's sections into this file")
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
        help="run the driftcheck installed beside this interpreter, not a frozen copy",
    )
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, LARGE_SIZES)),
        help="generated distributions of the large environments (comma-separated)",
    )
    parser.add_argument("--only", help="comma-separated environment names to run")
    parser.add_argument("--profile-reps", type=int, default=5, help="0 skips the profile")
    parser.add_argument(
        "--profile-env", default="large-412", help="environment the profile runs on"
    )
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
    driftcheck, frozen, driftcheck_python = driftcheck_command(
        args.driftcheck, args.live, base_python
    )
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
    envs: list[snapshot_report.EnvResult] = []
    for spec in specs:
        results = bench_env(spec, tools, args.runs, child_env)
        counts = [r.captured for r in results if r.tool.key in ("driftcheck", "inspect")]
        envs.append(snapshot_report.EnvResult(spec, next((c for c in counts if c), 0), results))
    startup = bench_startup(
        driftcheck, driftcheck_python, env_python(specs[0].path), args.runs, child_env
    )
    load_after = load_average()
    profile_env = next((s for s in specs if s.name == args.profile_env), specs[-1])
    profile = (
        run_profile(profile_env, args.profile_reps, frozen, driftcheck_python)
        if args.profile_reps > 0
        else None
    )
    digest_after = source_digest(measured)
    if digest_after != digest_before:
        log("driftcheck's source changed during the run: re-run for consistent figures")
    tree_moved = frozen is not None and source_digest(REPO / "driftcheck") != digest_before
    any_env = env_python(specs[0].path)
    meta = {
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
    report = snapshot_report.DiffResult(
        date=date,
        envs=envs,
        startup=startup,
        machine=machine_facts(base_python, driftcheck_python),
        meta=meta,
        runs=args.runs,
        profile=profile,
        profile_env=profile_env.name,
        tree_sample_runs=TREE_SAMPLE_RUNS,
        tree_sample_interval=TREE_SAMPLE_INTERVAL,
        gnu_time=bool(TIME_BIN),
    )
    if args.out:
        snapshot_report.write(args.out, report)
        log(f"wrote {args.out}")
    else:
        print(snapshot_report.section(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
