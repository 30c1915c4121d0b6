"""Building one side of a pair for real: a venv on this machine, or an image.

Venvs are copies (``cp -a``) of one base venv per Python minor, with the copied
paths rewritten, then filled by pip from the wheel cache with ``--no-index``: pip, not
uv, because pip is what most environments are made with, and uv marks every
distribution it installs ``REQUESTED``, which would change the evidence of use.
"""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from locks import cache_lock
from recipe import ImageSide, Pair, VenvSide
from unavailable import Unavailable

import images
from support import CACHE

#: The developer's tools on the laptop side, and an unrelated package that moves a
#: minor step between the sides: the noise every real pair carries.
DEV_TOOLS = ("pytest==8.3.3", "iniconfig==2.0.0", "pluggy==1.5.0", "packaging==24.1")
DEV_EXTRAS = ("colorama==0.4.6",)
UNRELATED_STEP = {"a": "certifi==2024.7.4", "b": "certifi==2024.8.30"}
UNRELATED_STEP_ALT = {"a": "six==1.16.0", "b": "six==1.17.0"}

_BUILD_ENV = {**os.environ, "PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


def run(*args: str | Path, env: Mapping[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, env=dict(env or _BUILD_ENV)
    )
    assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-2000:])
    return done.stdout


def find_python(minor: str) -> Path:
    """A CPython of that minor on this machine (pyenv's versions first: its shims may
    answer for a version that is not selected)."""
    home = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    for found in sorted(
        glob.glob(str(home / "versions" / f"{minor}.*" / "bin" / f"python{minor}"))
    ):
        return Path(found)
    which = shutil.which(f"python{minor}")
    if which and subprocess.run([which, "-c", ""], capture_output=True).returncode == 0:
        return Path(which)
    raise Unavailable(f"this pair needs a CPython {minor} (python{minor} on PATH, or pyenv)")


def canonical(requirement: str) -> str:
    name = requirement.split("[")[0]
    for mark in ("==", ">=", "<=", "<", ">", "~=", "!="):
        name = name.split(mark)[0]
    return name.strip().lower().replace("_", "-").replace(".", "-")


def _base_venv(minor: str) -> Path:
    """One venv per Python minor, made once (with pip), copied for every side."""
    base = CACHE / "scenarios" / f"base-venv-{minor}"
    if (base / ".complete").is_file():
        return base
    partial = Path(tempfile.mkdtemp(prefix="base-venv-", dir=base.parent))
    run(find_python(minor), "-m", "venv", partial / "venv")
    shutil.rmtree(base, ignore_errors=True)
    os.replace(partial / "venv", base)
    shutil.rmtree(partial, ignore_errors=True)
    (base / ".complete").write_text(f"{base}\n")
    return base


def _copy_venv(minor: str, target: Path) -> None:
    with cache_lock(f"base-venv-{minor}"):
        base = _base_venv(minor)
    old = (base / ".complete").read_text().strip()
    target.parent.mkdir(parents=True, exist_ok=True)
    run("cp", "-a", base, target)
    (target / ".complete").unlink()
    for path in [target / "pyvenv.cfg", *(target / "bin").iterdir()]:
        if path.is_symlink() or not path.is_file():
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        if old in text:
            path.write_text(text.replace(old, str(target)))


def site_packages(venv: Path) -> Path:
    return next((venv / "lib").glob("python3.*/site-packages"))


@dataclass(frozen=True)
class Places:
    """Where one side lives: its folder, HOME, the venv (host) and the shared pair folder."""

    side: Path
    home: Path
    venv: Path
    pair: Path

    def fill(self, text: str, site: Path | None = None) -> str:
        return (
            text.replace("{site}", str(site or ""))
            .replace("{side}", str(self.side))
            .replace("{home}", str(self.home))
            .replace("{pair}", str(self.pair))
        )


def places(pair_folder: Path, letter: str, laptop: bool) -> Places:
    side = pair_folder / letter
    if laptop:
        home = side / "home" / "alice"
        return Places(side, home, home / "src" / "shop" / ".venv", pair_folder)
    return Places(side, side / "root", side / "builds" / "shop" / "app" / ".venv", pair_folder)


def noise_env(where: Places, laptop: bool) -> dict[str, str]:
    """A laptop's session or a CI job's: machine paths, HOME, HOSTNAME, TERM, CI variables."""
    venv_bin = str(where.venv / "bin")
    if laptop:
        return {
            "PATH": f"{venv_bin}:{where.home}/.local/bin:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(where.home),
            "USER": "alice",
            "HOSTNAME": "alice-thinkpad",
            "TERM": "xterm-256color",
            "EDITOR": "vim",
            "LANG": "C.UTF-8",
            "VIRTUAL_ENV": str(where.venv),
        }
    return {
        "PATH": f"{venv_bin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME": str(where.home),
        "HOSTNAME": "runner-7f3k2x-project-42-concurrent-0",
        "TERM": "dumb",
        "LANG": "C.UTF-8",
        "VIRTUAL_ENV": str(where.venv),
        **ci_variables(str(where.side / "builds" / "shop" / "app")),
    }


def ci_variables(project_dir: str) -> dict[str, str]:
    return {
        "CI": "true",
        "GITLAB_CI": "true",
        "CI_JOB_ID": "8123456701",
        "CI_PIPELINE_ID": "1298374",
        "CI_COMMIT_SHA": "9f2c4e1b7a3d5c6e8f0a1b2c3d4e5f60718293a4",
        "CI_COMMIT_REF_NAME": "main",
        "CI_PROJECT_DIR": project_dir,
        "CI_SERVER_HOST": "gitlab.example.com",
    }


def side_env(pair: Pair, letter: str, where: Places, site: Path | None) -> dict[str, str]:
    side: Any = pair.a if letter == "a" else pair.b
    env = noise_env(where, pair.laptop == letter)
    for name, value in side.env.items() if isinstance(side, VenvSide) else ():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = where.fill(value, site)
    return env


def noise_requirements(pair: Pair, letter: str, side: VenvSide) -> list[str]:
    named = {canonical(r) for r in (*side.install, *side.no_deps, *side.uninstall)}
    named |= {canonical(r) for s in (pair.a, pair.b) if isinstance(s, VenvSide) for r in s.install}
    wanted: list[str] = []
    if pair.laptop == letter:
        wanted += [r for r in (*DEV_TOOLS, *DEV_EXTRAS) if canonical(r) not in named]
    for step in (UNRELATED_STEP, UNRELATED_STEP_ALT):
        if canonical(step["a"]) not in named and not {"requests", "python-dateutil"} & named:
            wanted.append(step[letter])
            break
    return wanted


def build_venv_side(pair: Pair, letter: str, where: Places, wheels: list[Path]) -> Path:
    """The venv of one side, with the pair's installs, the noise and the pair's files."""
    side = pair.a if letter == "a" else pair.b
    assert isinstance(side, VenvSide)
    where.home.mkdir(parents=True, exist_ok=True)
    _copy_venv(side.python, where.venv)
    python = where.venv / "bin" / "python"
    links = [arg for w in wheels for arg in ("--find-links", str(w))]
    pip = [python, "-m", "pip", "-q", "install", "--no-index", *links]
    install = [*side.install, *noise_requirements(pair, letter, side)]
    if install:
        run(*pip, *install)
    if side.no_deps:
        run(*pip, "--no-deps", *side.no_deps)
    if side.uninstall:
        run(python, "-m", "pip", "-q", "uninstall", "-y", *side.uninstall)
    site = site_packages(where.venv)
    for name, text in side.files.items():
        path = Path(where.fill(name, site))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(where.fill(text, site))
    return python


# --------------------------------------------------------------------------- images

_BASES = {"bookworm": images.BASE_RECIPE, "trixie": images.TRIXIE_RECIPE}


def image_tag(pair: Pair, letter: str) -> str:
    """The recipe's digest and the base image's tag (itself a recipe hash) make the tag."""
    side = pair.a if letter == "a" else pair.b
    assert isinstance(side, ImageSide)
    digest = hashlib.sha256(f"{pair.digest} {_BASES[side.base].tag}".encode()).hexdigest()
    return f"driftcheck-test/scenario-{pair.name}-{letter}:{digest[:12]}"


def image_noise(pair: Pair, letter: str) -> str:
    if pair.laptop == letter:
        return "ENV TERM=xterm-256color EDITOR=vim USER=alice\n"
    values = " ".join(f"{k}={v}" for k, v in ci_variables("/builds/shop/app").items())
    return f"ENV {values}\n"


def build_image_side(
    client: Any, pair: Pair, letter: str, wheels: list[Path], project: Path, native: Path | None
) -> str:
    side = pair.a if letter == "a" else pair.b
    assert isinstance(side, ImageSide)
    tag = image_tag(pair, letter)
    if images.image_exists(client, tag):
        return tag
    base = images.ensure_base_image(client, _BASES[side.base])
    wanted = {canonical(w) for w in side.wheels}
    with tempfile.TemporaryDirectory(prefix="scenario-image-") as folder:
        context = Path(folder)
        (context / "wheels").mkdir()
        for house in wheels:
            for wheel in house.glob("*.whl"):
                if canonical(wheel.name.split("-")[0]) in wanted:
                    shutil.copy2(wheel, context / "wheels" / wheel.name)
        shutil.copytree(project, context / "project")
        if native is not None:
            shutil.copytree(native / "old", context / "native" / "old")
            shutil.copytree(native / "new", context / "native" / "new")
        dockerfile = f"FROM {base}\n{side.body}\n{image_noise(pair, letter)}"
        (context / "Dockerfile").write_text(dockerfile)
        images.build_context(client, context, tag)
    return tag
