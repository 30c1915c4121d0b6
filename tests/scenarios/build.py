"""Builds a pair for real, runs its program on both sides, snapshots both sides.

The sides are cached under ``~/.cache/driftcheck-tests/scenarios/<name>-<digest>/`` (the
digest is the recipe's): a second run only snapshots them again, through the probe of the
driftcheck under test. A file lock per pair keeps parallel runs from building twice.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from locks import cache_lock
from native import build_native
from recipe import ImageSide, Pair, VenvSide
from sides import build_image_side, build_venv_side, find_python, places, side_env, site_packages
from tls import ensure_tls

from driftcheck.api import take_snapshot
from driftcheck.snapshot.files import save
from driftcheck.targets.host import HostInterpreter
from driftcheck.targets.image import ImageTarget

from support import CACHE

PROGRAM_TIMEOUT = 120


@dataclass(frozen=True)
class BuiltSide:
    letter: str
    python: Path | None  # a venv's interpreter
    tag: str | None  # an image
    env: Mapping[str, str]  # what the program and the probe see (venv sides)
    interpreter_in_image: str = "python"


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class BuiltPair:
    pair: Pair
    folder: Path
    project: Path
    a: BuiltSide
    b: BuiltSide
    wheels: tuple[Path, ...]

    @property
    def error_log(self) -> Path:
        """The error the program printed on B when the pair was built."""
        return self.folder / "b-error.log"


def _write_project(pair: Pair, project: Path) -> None:
    project.mkdir(parents=True, exist_ok=True)
    (project / "app.py").write_text(pair.program)
    if "tls/" in pair.program:
        with cache_lock("tls"):
            made = ensure_tls(CACHE / "scenarios" / "tls")
        (project / "tls").mkdir()
        for name in ("ca.pem", "server.pem", "server-key.pem"):
            shutil.copy2(made / name, project / "tls" / name)
    deps = ", ".join(f'"{d}"' for d in pair.declares)
    (project / "pyproject.toml").write_text(
        f'[project]\nname = "shop-{pair.name}"\nversion = "1.0.0"\ndependencies = [{deps}]\n'
    )


def build_pair(pair: Pair, wheels: Path, client: Any | None) -> BuiltPair:
    folder = CACHE / "scenarios" / f"{pair.name}-{pair.digest}"
    native = None
    if pair.native:
        with cache_lock("native"):
            native = build_native(CACHE / "scenarios" / "native", find_python("3.11"))
    with cache_lock(pair.name):
        houses = (wheels, *((native / "wheels",) if native else ()))
        stamp = folder / ".complete"
        if not stamp.is_file():
            shutil.rmtree(folder, ignore_errors=True)
            _write_project(pair, folder / "project")
        for letter in "ab":  # images are checked even when cached: an engine may be pruned
            if not stamp.is_file() or isinstance(pair.a if letter == "a" else pair.b, ImageSide):
                _build_side(pair, letter, folder, list(houses), client, native)
        built = BuiltPair(
            pair, folder, folder / "project", _side(pair, "a", folder), _side(pair, "b", folder),
            houses,
        )  # fmt: skip
        if not stamp.is_file():
            on_b = run_program(built, built.b)
            built.error_log.write_text(on_b.stderr or on_b.stdout)
            stamp.write_text(pair.digest + "\n")
    return built


def _build_side(
    pair: Pair, letter: str, folder: Path, houses: list[Path], client: Any, native: Path | None
) -> None:
    side = pair.a if letter == "a" else pair.b
    if isinstance(side, VenvSide):
        build_venv_side(pair, letter, places(folder, letter, pair.laptop == letter), houses)
    else:
        assert client is not None, f"{pair.name} needs a Docker engine"
        build_image_side(client, pair, letter, houses, folder / "project", native)


def _side(pair: Pair, letter: str, folder: Path) -> BuiltSide:
    side = pair.a if letter == "a" else pair.b
    if isinstance(side, ImageSide):
        from sides import image_tag

        return BuiltSide(letter, None, image_tag(pair, letter), {}, side.python)
    where = places(folder, letter, pair.laptop == letter)
    env = side_env(pair, letter, where, site_packages(where.venv))
    return BuiltSide(letter, where.venv / "bin" / "python", None, env)


def run_program(
    built: BuiltPair, side: BuiltSide, *, env: Mapping[str, str] | None = None,
    before: Sequence[str] = (),
) -> Ran:  # fmt: skip
    """The pair's program on one side, as the side runs it. `before` is a shell command
    run first in the same container (image sides), `env` replaces a venv side's variables."""
    target = ["-m", "app"] if built.pair.as_module else ["app.py"]
    if side.python is not None:
        done = subprocess.run(
            [str(side.python), *target], capture_output=True, text=True,
            env=dict(env if env is not None else side.env), cwd=built.project,
            timeout=PROGRAM_TIMEOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        return Ran(done.returncode, done.stdout, done.stderr)
    return _run_in_image(built, side, target, env, before)


def _run_in_image(
    built: BuiltPair, side: BuiltSide, target: list[str], env: Mapping[str, str] | None,
    before: Sequence[str],
) -> Ran:  # fmt: skip
    assert side.tag is not None
    command = [side.interpreter_in_image, *target]
    docker = ["docker", "run", "--rm", "--network", "none", "-w", "/app"]
    for name, value in (env or {}).items():
        docker += ["-e", f"{name}={value}"]
    if before:
        wheels = [arg for w in built.wheels for arg in ("-v", f"{w}:/fix/{w.name}:ro")]
        script = " && ".join([*before, " ".join(command)])
        docker += [*wheels, "--user", "0", side.tag, "sh", "-c", script]
    else:
        docker += [side.tag, *command]
    done = subprocess.run(docker, capture_output=True, text=True, timeout=PROGRAM_TIMEOUT)
    return Ran(done.returncode, done.stdout, done.stderr)


def snapshot_side(built: BuiltPair, side: BuiltSide, out: Path) -> Path:
    """A snapshot of the side through the real probe, written to *out*."""
    label = "A" if side.letter == "a" else "B"
    if side.python is not None:
        target: Any = HostInterpreter(side.python, "--python", environ=dict(side.env))
    else:
        target = ImageTarget(side.tag or "")
    save(take_snapshot(target, label=label), out)
    return out
