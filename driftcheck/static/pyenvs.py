"""Python environments in an image that nothing can run: its modelled sys.path, or its folders.

A live probe asks the interpreter for sys.path. Here nothing runs, so the
interpreter the image would run is found in its files and config and its
sys.path built as CPython would build it (``interpreter``, ``syspath``):
distributions are read along that path, in its order, as the probe reads them.
When no interpreter can be modelled, every environment the image holds is
listed instead: the system's site/dist-packages under /usr/lib, /usr/local/lib
and /usr/lib64, the image's $VIRTUAL_ENV, and virtual environments (a
pyvenv.cfg) and conda prefixes (a conda-meta folder) found under the usual
roots. Distribution records come from the probe's own reader, so they compare
field for field with a live snapshot.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from driftcheck.static.candidates import configured_program
from driftcheck.static.files import ImageFiles
from driftcheck.static.installation import find_executable, home_folder, read_layout
from driftcheck.static.rootfs import RootFS, safe_name
from driftcheck.static.shared import MAX_PYVENV_CFG, parse_pyvenv_cfg, start_up_blocker_reason
from driftcheck.static.syspath import Layout, SysPath, build_sys_path

SEARCH_ROOTS = ("/opt", "/app", "/venv", "/srv", "/home", "/root")
SEARCH_DEPTH = 4  # /home/user/project/.venv
SEARCH_MAX_DIRS = 20_000
SYSTEM_BASES = ("/usr/local/lib", "/usr/lib", "/usr/lib64")
PYTHON_DIR = re.compile(r"^python(3(\.\d+)?t?)$")


@dataclass(frozen=True)
class ModelledPath:
    """The interpreter the image would run, and the sys.path it would build."""

    layout: Layout
    sys_path: SysPath


def image_interpreter(
    fs: RootFS, metadata: Mapping[str, Any], env: Mapping[str, str]
) -> tuple[str, str] | None:
    """The interpreter a live probe of the image would run (the entrypoint's, else
    $VIRTUAL_ENV's, else PATH's), and why it is that one."""
    entrypoint, command = _texts(metadata.get("entrypoint")), _texts(metadata.get("command"))
    return find_executable(ImageFiles(fs), env, configured_program(entrypoint, command))


def model_sys_path(
    fs: RootFS, metadata: Mapping[str, Any], env: Mapping[str, str], executable: str | None
) -> ModelledPath | None:
    """None when the image holds no interpreter whose installation its files describe."""
    files = ImageFiles(fs)
    layout = read_layout(files, executable) if executable else None
    if layout is None:
        return None
    user = metadata.get("user")
    home = home_folder(files, user if isinstance(user, str) else None, env)
    cwd = metadata.get("working_dir")
    cwd = cwd if isinstance(cwd, str) and cwd.startswith("/") else "/"
    return ModelledPath(layout, build_sys_path(files, layout, env, home, cwd))


def modelled_unknowns(fs: RootFS, modelled: ModelledPath, envs: Environments, unknown: Any) -> None:
    """What a modelled sys.path cannot know, and the environments it leaves out."""
    layout, path = modelled.layout, modelled.sys_path
    unknown(
        "python.sys_path",
        f"modelled, not run: the sys.path {layout.executable} would build from the image's "
        f"files and config is {path.entries}; what runs at start-up (sitecustomize, "
        "usercustomize, `import` lines in .pth files) may change it",
    )
    for problem in path.problems:
        unknown("pth_files", problem)
    for pth, what in path.blockers.items():
        unknown("python.start_up", start_up_blocker_reason(pth, what))
    if path.code_lines:
        shown = ", ".join(safe_name(p) for p in path.code_lines[:8])
        unknown("pth_files", f"`import` lines run at start-up, not read statically: {shown}")
    on_path = {fs.realpath(entry) or entry for entry in path.entries}
    elsewhere = [
        d
        for d in envs.site_dirs
        if (fs.realpath(d) or d) not in on_path
        and any(n.endswith((".dist-info", ".egg-info")) for n in fs.listdir(d))
    ]
    if elsewhere:
        unknown(
            "distributions",
            f"read along the modelled sys.path of {layout.executable}; these site folders "
            "are in the image but not on it, and not listed: "
            + ", ".join(safe_name(d) for d in elsewhere[:8])
            + (f" and {len(elsewhere) - 8} more" if len(elsewhere) > 8 else ""),
        )


def _texts(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


@dataclass
class Environments:
    site_dirs: list[str] = field(default_factory=list)  # as found: the location of records
    prefixes: list[str] = field(default_factory=list)  # venvs and conda prefixes
    versions: dict[str, str] = field(default_factory=dict)  # where -> Python version hint


def find_environments(fs: RootFS, env: Mapping[str, str]) -> Environments:
    """Site folders, the image's own $VIRTUAL_ENV first, then other prefixes, then system."""
    found = Environments()
    prefixes: list[str] = []
    virtual_env = env.get("VIRTUAL_ENV", "").rstrip("/")
    if virtual_env.startswith("/"):
        prefixes.append(virtual_env)
    for entry in env.get("PATH", "").split(":"):
        if entry.startswith("/") and entry.rstrip("/").endswith("/bin"):
            prefixes.append(posixpath.dirname(entry.rstrip("/")))
    for root in SEARCH_ROOTS:
        for folder in fs.walk_dirs(root, SEARCH_DEPTH, SEARCH_MAX_DIRS):
            prefixes.append(folder)
    seen: set[str] = set()
    for prefix in prefixes:
        cfg = posixpath.join(prefix, "pyvenv.cfg")
        is_venv = fs.isfile(cfg)
        if not (is_venv or fs.isdir(posixpath.join(prefix, "conda-meta"))):
            continue
        real = fs.realpath(prefix)
        if real is None or real in seen:
            continue
        seen.add(real)
        found.prefixes.append(prefix)
        if is_venv:
            version = _pyvenv_version(fs, cfg)
            if version:
                found.versions[prefix] = version
        _add_site_dirs(fs, posixpath.join(prefix, "lib"), ("site-packages",), found)
    for base in SYSTEM_BASES:
        _add_site_dirs(fs, base, ("site-packages", "dist-packages"), found)
    _dedupe(fs, found)
    return found


def _add_site_dirs(fs: RootFS, lib: str, names: tuple[str, ...], found: Environments) -> None:
    for child in fs.listdir(lib):
        match = PYTHON_DIR.match(child)
        if not match:
            continue
        if match.group(2):
            found.versions.setdefault(posixpath.join(lib, child), match.group(1))
        for name in names:
            site = posixpath.join(lib, child, name)
            if fs.isdir(site):
                found.site_dirs.append(site)


def _dedupe(fs: RootFS, found: Environments) -> None:
    """/usr/lib64 -> /usr/lib and the like: a folder reached twice is read once."""
    kept, seen = [], set()
    for site in found.site_dirs:
        real = fs.realpath(site) or site
        if real not in seen:
            seen.add(real)
            kept.append(site)
    found.site_dirs = kept


def _pyvenv_version(fs: RootFS, cfg: str) -> str | None:
    try:
        values = parse_pyvenv_cfg(ImageFiles(fs).read_optional(cfg, MAX_PYVENV_CFG))
    except (OSError, ValueError):
        return None
    version = values.get("version") or values.get("version_info")
    return version[:40] if version else None


def python_hint(fs: RootFS, envs: Environments) -> str:
    """What can be said of the interpreters without running one, for the unknown's reason."""
    interpreters = [
        f"/{folder}/{name}"
        for folder in ("usr/bin", "usr/local/bin")
        for name in fs.listdir(folder)
        if re.match(r"^python3(\.\d+)?$", name)
    ]
    parts = []
    if interpreters:
        parts.append("interpreters " + ", ".join(interpreters[:6]))
    if envs.versions:
        shown = [f"{where} ({version})" for where, version in sorted(envs.versions.items())]
        parts.append("Python versions by folder: " + ", ".join(shown[:8]))
    if envs.prefixes:
        parts.append("environments " + ", ".join(envs.prefixes[:8]))
    return "; ".join(parts) if parts else "no Python found in the image"
