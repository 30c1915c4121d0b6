#!/usr/bin/env python3
"""Speed and memory of `driftcheck snapshot` on containers and image archives, side by side
with `docker exec … pip freeze` and with reading the archive once with `cat`.

    python benchmarks/bench_targets.py [--runs N] [--out docs/benchmarks.md]

Run it with the interpreter of a venv where driftcheck is installed with its test
extras (`.venv-test`, or `pip install -e '.[test]'`): the images come from the test
suite's recipes (tests/images.py; built once, cached by recipe hash, nothing pulled),
so a Docker engine and, for the first build, debootstrap are needed.

- Container: the bookworm venv image, started once (no network) and kept running;
  `driftcheck snapshot --container C` against `docker exec C python3 -m pip freeze`,
  with `docker exec C python3 -c pass` as the floor every exec pays, and the parts of
  driftcheck's time measured on their own (its start-up, importing the Docker SDK, the
  probe run through `docker exec -i`).
- Archives: `docker save` of the same image, and of a larger image (the same plus a
  layer of incompressible files), each read by `driftcheck snapshot --archive` and by
  `cat FILE > /dev/null`. Both read from the page cache after the warm-up.

Each command runs once as a warm-up, then N interleaved rounds (the order rotates);
the report gives medians and min - max. Peak RSS is ru_maxrss read by GNU time.
The report replaces the section between the markers below in --out (or is printed).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bench_snapshot import (
    MB,
    TIME_BIN,
    Sample,
    git_revision,
    load_average,
    log,
    measure,
    megabytes,
    seconds,
    tool_version,
)

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
WORK = BENCH_DIR / ".work" / "targets"
BEGIN = "<!-- bench_targets.py: begin -->"
END = "<!-- bench_targets.py: end -->"
# The larger archive: the venv image plus this many MB of random bytes, in 4 MB files.
PADDING_MB = 768
PADDING_FILE_MB = 4
# The digest check's floor: the same SHA-256 (OpenSSL's, through hashlib) over the whole file.
HASH_FILE = (
    "import hashlib, sys\n"
    "digest = hashlib.sha256()\n"
    "with open(sys.argv[1], 'rb') as handle:\n"
    "    for block in iter(lambda: handle.read(1 << 20), b''):\n"
    "        digest.update(block)\n"
)

sys.path.insert(0, str(REPO / "tests"))
import images  # type: ignore[import-not-found]  # noqa: E402


@dataclass(frozen=True)
class Command:
    key: str
    label: str
    argv: list[str]


@dataclass
class Timings:
    command: Command
    samples: list[Sample]

    @property
    def walls(self) -> list[float]:
        return [s.wall for s in self.samples]

    @property
    def median(self) -> float:
        return statistics.median(self.walls)

    @property
    def rss(self) -> float:
        return statistics.median(s.maxrss for s in self.samples)


def run_rounds(commands: Sequence[Command], runs: int) -> dict[str, Timings]:
    """One warm-up each, then `runs` rounds in rotating order; a failing command stops all."""
    out = WORK / "out"
    out.mkdir(parents=True, exist_ok=True)
    results = {c.key: Timings(c, []) for c in commands}
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONWARNINGS="ignore")
    for round_number in range(runs + 1):
        shift = round_number % len(commands)
        for command in [*commands[shift:], *commands[:shift]]:
            sample = measure(
                command.argv, out / f"{command.key}.out", out / f"{command.key}.err", env
            )
            if sample.returncode != 0:
                error = (out / f"{command.key}.err").read_text("utf-8", "replace")[-800:]
                raise SystemExit(f"{command.label} failed ({sample.returncode}):\n{error}")
            if round_number:  # round 0 is the warm-up
                results[command.key].samples.append(sample)
        log(f"round {round_number}/{runs} done")
    return results


# --- fixtures ---------------------------------------------------------------------------


def padded_image(client: Any, base: str) -> str:
    """The venv image plus PADDING_MB of random files: a larger archive, same contents else."""
    files = PADDING_MB // PADDING_FILE_MB
    script = (
        "import os; os.makedirs('/padding')\n"
        f"for i in range({files}):\n"
        f"    open('/padding/%04d.bin' % i, 'wb').write(os.urandom({PADDING_FILE_MB} << 20))\n"
    )
    run = json.dumps(["/usr/bin/python3", "-c", script])
    dockerfile = f"FROM {base}\nUSER 0\nRUN {run}\nUSER {images.VENV_UID}\n"
    digest = hashlib.sha256(dockerfile.encode()).hexdigest()[:12]
    tag = f"driftcheck-bench/bookworm-venv-padded:{digest}"
    if not images.image_exists(client, tag):
        log(f"building {tag} (+{PADDING_MB} MB)")
        images.build_dockerfile(client, tag, dockerfile)
    return tag


def saved_archive(client: Any, tag: str) -> Path:
    """`docker save` of *tag*, kept under benchmarks/.work/ while the tag is the same."""
    path = WORK / f"{tag.replace('/', '_').replace(':', '_')}.tar"
    if not path.is_file():
        log(f"docker save {tag} -> {path}")
        partial = path.with_suffix(".partial")
        with partial.open("wb") as handle:
            for chunk in client.images.get(tag).save(named=True):
                handle.write(chunk)
        os.replace(partial, path)
    return path


# --- report -----------------------------------------------------------------------------


def spread(t: Timings) -> str:
    return f"{seconds(min(t.walls))} - {seconds(max(t.walls))}"


def table(rows: Sequence[Timings], reference: Timings, memory: bool) -> list[str]:
    head = "| command | median | min - max | vs " + reference.command.label + " |"
    rule = "|---|---:|---:|---:|"
    if memory:
        head, rule = head + " peak RSS |", rule + "---:|"
    lines = [head, rule]
    for t in rows:
        ratio = f"{t.median / reference.median:.2f}x"
        line = f"| {t.command.label} | {seconds(t.median)} | {spread(t)} | {ratio} |"
        lines.append(line + (f" {megabytes(t.rss)} |" if memory else ""))
    return lines


def render(
    container: dict[str, Timings],
    archives: list[tuple[str, int, dict[str, Timings]]],
    profile: dict[str, float],
    meta: dict[str, str],
    runs: int,
) -> str:
    lines = [
        BEGIN,
        "## Containers and archives",
        "",
        f"Generated by `benchmarks/bench_targets.py` on {meta['date']}; re-run it rather than "
        "editing this section.",
        "",
        "```sh",
        ".venv-test/bin/python benchmarks/bench_targets.py --runs 9 --out docs/benchmarks.md",
        "```",
        "",
        "It needs a Docker engine; the images are the test suite's (tests/images.py: "
        "built once from debootstrap, cached by recipe hash, nothing pulled).",
        "",
        "| | |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in meta.items() if k != "date"),
        "",
        f"Each command: one warm-up, then {runs} interleaved rounds; medians, min - max, and "
        "peak RSS (ru_maxrss of the largest process, through GNU time).",
        "",
        *container_section(container),
        *archive_section(archives, profile),
        END,
    ]
    return "\n".join(lines) + "\n"


def container_section(container: dict[str, Timings]) -> list[str]:
    dc, freeze = container["driftcheck"], container["freeze"]
    verdict = "no slower than" if dc.median <= freeze.median else "slower than"
    return [
        "### A running container",
        "",
        "The bookworm venv image (Debian 12, CPython 3.11, 7 distributions in /opt/venv, "
        "118 dpkg packages), one container kept running with no network.",
        "",
        *table([container[k] for k in ("driftcheck", "freeze", "pass")], freeze, memory=True),
        "",
        f"The container snapshot is **{verdict}** `docker exec … pip freeze`: "
        f"{dc.median / freeze.median:.2f}x its median, and {seconds(min(dc.walls))} against "
        f"{seconds(min(freeze.walls))} for the fastest run of each (the runs least disturbed "
        "by other load). It captures the interpreter, the OS, its packages, native libraries "
        "and the environment besides the distributions.",
        "",
        "Where driftcheck's time goes, each part measured on its own:",
        "",
        *table([container[k] for k in ("startup", "sdk", "probe", "pass")], dc, memory=False),
        "",
        "Start-up (the interpreter, the CLI) and the probe's own run (`docker exec -i C "
        "python3 -c BOOTSTRAP` fed the same stdin; "
        f"{container['pass'].median / container['probe'].median:.0%} of it is the bare exec "
        "every command pays) make up most of it; the script goes in once on stdin, and the "
        "engine round trips (inspect the container, create, start and inspect the exec, "
        "inspect the image) take the rest. On a local socket driftcheck speaks the engine's "
        "HTTP API itself: importing the Docker SDK (mostly `requests`), shown for scale, would "
        "cost more than the probe's whole run.",
        "",
    ]


def archive_section(
    archives: list[tuple[str, int, dict[str, Timings]]], profile: dict[str, float]
) -> list[str]:
    lines = ["### Image archives", ""]
    for name, size, results in archives:
        read, scan = results["cat"], results["driftcheck"]
        lines += [
            f"`{name}`: {size / MB:,.0f} MB",
            "",
            *table([scan, results["sha256"], read], read, memory=True),
            "",
        ]
    (_, small, small_r), (_, big, big_r) = archives[0], archives[-1]
    ratios = ", ".join(
        f"{r['driftcheck'].median / r['cat'].median:.1f}x at {size / MB:,.0f} MB"
        for _, size, r in archives
    )
    total = profile["total"] or 1.0
    lines += [
        f"**Time: the scan is not within 2x of one raw read** ({ratios}). A profile of one "
        f"scan of the {small / MB:,.0f} MB archive (cProfile, own time): "
        f"{profile['tarfile'] / total:.0%} in the standard library's tar header parsing "
        f"({profile['headers']:,.0f} headers, {profile['pax']:,.0f} of them PAX), "
        f"{profile['sha256'] / total:.0%} in SHA-256 (every layer's digest is verified), "
        f"{profile['read'] / total:.0%} in reading the file, the rest in driftcheck's own "
        "member handling and start-up. Hashing the whole file costs about what reading it "
        "does (the SHA-256 row), so the digest itself is not what is slow; Python's tarfile "
        f"is: per header on the small archive, and on the large one, whose added {PADDING_MB} "
        f"MB sit in only {PADDING_MB // PADDING_FILE_MB} files, through the many small reads "
        "by which its stream mode passes every byte on to the digest check. Reaching 2x needs "
        "a lighter tar reader in driftcheck/static: headers parsed without tarfile, and layer "
        "bytes hashed in large blocks; the digest check stays.",
        "",
        f"**Memory does not grow with the archive**: {small / MB:,.0f} MB → "
        f"{big / MB:,.0f} MB ({big / small:.1f}x) moves driftcheck's peak RSS from "
        f"{megabytes(small_r['driftcheck'].rss)} to {megabytes(big_r['driftcheck'].rss)}. "
        "Layers are streamed, never held or extracted; only the files driftcheck parses "
        "(os-release, package databases, dist-info metadata) are read into memory, each "
        "within its size limit.",
        "",
    ]
    return lines


def write_section(out: Path, section: str) -> None:
    """Replaces the marked section of *out* (appends it the first time), atomically."""
    text = out.read_text("utf-8") if out.exists() else ""
    if BEGIN in text and END in text:
        head, _, rest = text.partition(BEGIN)
        _, _, tail = rest.partition(END)
        text = head + section.rstrip("\n") + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section
    partial = out.with_suffix(".partial")
    partial.write_text(text, "utf-8")
    os.replace(partial, out)


# --- main -------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=9, help="timed rounds (default 9)")
    parser.add_argument("--out", type=Path, help="write the section into this Markdown file")
    parser.add_argument(
        "--driftcheck",
        default=str(Path(sys.executable).with_name("driftcheck")),
        help="the driftcheck script to measure (default: the one beside this interpreter)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.runs < 1:
        raise SystemExit("--runs must be 1 or more")
    docker_cli = shutil.which("docker")
    if docker_cli is None or not TIME_BIN:
        raise SystemExit("needs the docker command and GNU time (/usr/bin/time)")
    WORK.mkdir(parents=True, exist_ok=True)
    client = images.build_client()
    venv_image = images.ensure_venv_image(client)
    name = f"driftcheck-bench-{uuid.uuid4().hex[:8]}"
    container = client.containers.run(
        venv_image, ["sleep", "infinity"], name=name, detach=True, network_disabled=True
    )
    load_before = load_average()
    busy = os.getloadavg()[0]
    try:
        container_results = bench_container(args.driftcheck, docker_cli, name, args.runs)
    finally:
        container.remove(force=True)
    archives = []
    tags = (venv_image, padded_image(client, venv_image))
    for tag in tags:
        path = saved_archive(client, tag)
        archives.append(
            (path.name, path.stat().st_size, bench_archive(args.driftcheck, path, args.runs))
        )
    meta = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "Machine": machine_line(),
        "Docker engine": str(client.version().get("Version", "?")),
        "driftcheck": f"{tool_version([args.driftcheck, '--version'])}, commit {git_revision()}",
        "Load average (1/5/15 min) before / after": f"{load_before} / {load_average()}",
    }
    if busy > (os.cpu_count() or 1):
        meta["Noise"] = (
            f"the machine was busy (load {busy:.1f} on {os.cpu_count()} cores, other test "
            "suites running): single runs vary up to 3x, so read the medians of interleaved "
            "rounds and their ratios, not the absolute times"
        )
    profile = profile_archive(args.driftcheck, saved_archive(client, venv_image))
    section = render(container_results, archives, profile, meta, args.runs)
    if args.out:
        write_section(args.out, section)
        log(f"wrote the section into {args.out}")
    else:
        print(section)
    return 0


def machine_line() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text("utf-8").splitlines()
            if line.lower().startswith("model name")
        ),
        "unknown CPU",
    )
    return f"{cpu}, {os.cpu_count()} logical cores, {platform.system()} {platform.release()}"


def bench_container(driftcheck: str, docker_cli: str, name: str, runs: int) -> dict[str, Timings]:
    from driftcheck.probe import BOOTSTRAP, build_request

    stdin = WORK / "probe-stdin"
    stdin.write_bytes(build_request(main_process_environ=True).stdin)
    exec_ = [docker_cli, "exec", name]
    probe = f'exec "$0" exec -i {name} python3 -c "$1" < {stdin}'
    commands = [
        Command(
            "driftcheck",
            "driftcheck snapshot --container",
            [driftcheck, "snapshot", "--container", name, "-o", str(WORK / "container.json")],
        ),
        Command("freeze", "docker exec pip freeze", [*exec_, "python3", "-m", "pip", "freeze"]),
        Command("pass", "docker exec python3 -c pass", [*exec_, "python3", "-c", "pass"]),
        Command("startup", "driftcheck --version (start-up)", [driftcheck, "--version"]),
        Command(
            "sdk",
            "import docker (not paid on a local socket)",
            [sys.executable, "-c", "import docker"],
        ),
        Command(
            "probe", "the probe alone (docker exec -i)", ["sh", "-c", probe, docker_cli, BOOTSTRAP]
        ),
    ]
    return run_rounds(commands, runs)


def bench_archive(driftcheck: str, path: Path, runs: int) -> dict[str, Timings]:
    out = WORK / f"{path.stem}.json"
    commands = [
        Command(
            "driftcheck",
            "driftcheck snapshot --archive",
            [driftcheck, "snapshot", "--archive", str(path), "-o", str(out)],
        ),
        Command(
            "cat", "cat FILE > /dev/null", ["sh", "-c", 'exec cat "$0" > /dev/null', str(path)]
        ),
        Command(
            "sha256", "SHA-256 of FILE (hashlib)", [sys.executable, "-c", HASH_FILE, str(path)]
        ),
    ]
    return run_rounds(commands, runs)


def profile_archive(driftcheck: str, path: Path) -> dict[str, float]:
    """Shares of one archive scan's time: tar headers (tarfile), SHA-256, the rest."""
    stats_file = WORK / "archive.prof"
    script = Path(driftcheck)
    argv = ["snapshot", "--archive", str(path), "-o", str(WORK / "profiled.json")]
    subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(stats_file), str(script), *argv],
        check=True,
        capture_output=True,
    )
    stats: Any = pstats.Stats(str(stats_file)).stats
    total = sum(entry[2] for entry in stats.values())  # tottime of every function

    def in_tarfile(key: tuple[str, int, str], entry: Any) -> bool:
        """tarfile's own code, and the builtins only it calls (checksums, unpacking)."""
        if key[0].endswith("tarfile.py"):
            return True
        callers = entry[4]
        builtin = key[0] == "~" and "read' of" not in key[2] and "HASH' objects" not in key[2]
        return builtin and bool(callers) and all(c[0].endswith("tarfile.py") for c in callers)

    tar = sum(e[2] for key, e in stats.items() if in_tarfile(key, e))
    sha = sum(e[2] for (_, _, name), e in stats.items() if "HASH' objects" in name)
    read = sum(e[2] for (_, _, name), e in stats.items() if "'read' of '_io" in name)

    def calls(function: str) -> float:
        found = (
            e[0] for (f, _, n), e in stats.items() if f.endswith("tarfile.py") and n == function
        )
        return float(sum(found))

    return {
        "total": total,
        "tarfile": tar,
        "sha256": sha,
        "read": read,
        "headers": calls("fromtarfile"),  # one per header block read, PAX ones included
        "pax": calls("_proc_pax"),
    }


if __name__ == "__main__":
    sys.exit(main())
