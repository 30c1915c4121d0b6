"""sys.path as an interpreter would build it, from its files and environment, without running it.

The order is CPython's (getpath, then site.py): ``PYTHONPATH`` first, then the
standard library, then the user site (when enabled: not in an isolated venv,
``PYTHONNOUSERSITE`` unset), then each prefix's site folders (a venv's own,
plus the base installation's when ``include-system-site-packages = true``);
every site folder's ``.pth`` files are read in name order right after the
folder is added, and each path line (relative to that folder) that names
something existing is appended once. ``import`` lines are code that site.py
would run: a static reading cannot know what they do.

Everything is read through ``PathFiles``, a small file-access interface, so the
same model can serve any source of files (an image's layers here).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from driftcheck.static.shared import MAX_PTH, parse_pth


class PathFiles(Protocol):
    """What the model reads; symbolic links resolve inside the files' own root."""

    def isdir(self, path: str) -> bool: ...

    def exists(self, path: str) -> bool: ...

    def listdir(self, path: str) -> list[str]: ...

    def read_optional(self, path: str, limit: int) -> str | None: ...

    def not_regular(self, path: str) -> str | None:
        """What PATH is when it exists but is no regular file nor folder ("a FIFO")."""


@dataclass(frozen=True)
class Layout:
    """An interpreter's installation, as getpath would find it."""

    executable: str  # the path the runtime would execute (not resolved)
    version: str  # "3.11"
    prefix: str  # sys.prefix: the venv itself in a venv
    base_prefix: str
    platlibdir: str = "lib"
    abi_thread: str = ""  # "t" for a free-threaded build
    in_venv: bool = False
    system_site: bool = False  # a venv's include-system-site-packages
    debian_site: bool = False  # Debian's site.py: dist-packages folders

    @property
    def version_tuple(self) -> tuple[int, int]:
        major, _, minor = self.version.partition(".")
        return int(major), int(minor)


@dataclass
class SysPath:
    entries: list[str] = field(default_factory=list)  # in order, as sys.path would hold them
    site_dirs: list[str] = field(default_factory=list)  # site folders that exist, as the probe
    # lists them (getsitepackages(), then the user site): where .pth files are read
    user_site: str | None = None  # the user site, when enabled (whether it exists or not)
    code_lines: list[str] = field(default_factory=list)  # .pth files with `import` lines
    problems: list[str] = field(default_factory=list)  # .pth files that could not be read
    # .pth files that are no regular files, and what they are ("a FIFO"): site.py blocks
    # on them at start-up
    blockers: dict[str, str] = field(default_factory=dict)


def build_sys_path(
    files: PathFiles, layout: Layout, env: Mapping[str, str], home: str, cwd: str = "/"
) -> SysPath:
    """The sys.path ``layout``'s interpreter would have at start-up with environment ``env``."""
    result = SysPath()
    known: set[str] = set()

    def add(path: str) -> None:
        if path not in known:
            known.add(path)
            result.entries.append(path)

    for entry in env.get("PYTHONPATH", "").split(":") if env.get("PYTHONPATH") else ():
        add(posixpath.normpath(posixpath.join(cwd, entry)) if entry else cwd)
    lib = f"{layout.base_prefix}/{layout.platlibdir}".replace("//", "/")
    major, minor = layout.version_tuple
    stdlib = f"{lib}/python{layout.version}{layout.abi_thread}"
    for entry in (f"{lib}/python{major}{minor}{layout.abi_thread}.zip", stdlib):
        add(entry)
    add(f"{stdlib}/lib-dynload")
    if user_site_enabled(layout, env):
        result.user_site = user_site(layout, env, home)
        if files.isdir(result.user_site):
            _add_site_dir(files, layout, result.user_site, add, known, result)
    for site_dir in site_packages(layout):
        if files.isdir(site_dir):
            _add_site_dir(files, layout, site_dir, add, known, result)
    if result.user_site in result.site_dirs:  # the probe lists it last (site.py adds it first)
        result.site_dirs.remove(result.user_site)
        result.site_dirs.append(result.user_site)
    return result


def user_site_enabled(layout: Layout, env: Mapping[str, str]) -> bool:
    if layout.in_venv and not layout.system_site:
        return False  # site.venv() turns it off for an isolated venv
    return not env.get("PYTHONNOUSERSITE")


def user_site(layout: Layout, env: Mapping[str, str], home: str) -> str:
    base = env.get("PYTHONUSERBASE") or posixpath.join(home, ".local")
    return f"{base}/lib/python{layout.version}{layout.abi_thread}/site-packages".replace("//", "/")


def site_packages(layout: Layout) -> list[str]:
    """site.getsitepackages(): the candidate folders of every prefix, in order."""
    prefixes = [layout.prefix]
    if layout.in_venv and layout.system_site and layout.base_prefix not in prefixes:
        prefixes.append(layout.base_prefix)
    libdirs = [layout.platlibdir] + (["lib"] if layout.platlibdir != "lib" else [])
    version = f"python{layout.version}{layout.abi_thread}"
    found: list[str] = []
    for prefix in prefixes:
        root = prefix.rstrip("/")
        if layout.debian_site:  # Debian's patched getsitepackages()
            if layout.in_venv:
                found.append(f"{root}/lib/{version}/site-packages")
            found.append(f"{root}/local/lib/{version}/dist-packages")
            found.append(f"{root}/lib/python3/dist-packages")
            found.extend(f"{root}/{libdir}/{version}/dist-packages" for libdir in libdirs)
        else:
            found.extend(f"{root}/{libdir}/{version}/site-packages" for libdir in libdirs)
    return list(dict.fromkeys(found))


def _add_site_dir(
    files: PathFiles,
    layout: Layout,
    site_dir: str,
    add: Callable[[str], None],
    known: set[str],
    result: SysPath,
) -> None:
    """site.addsitedir(): the folder, then each .pth file's path lines, in name order."""
    add(site_dir)
    result.site_dirs.append(site_dir)
    # Hidden .pth files are skipped from 3.13 on (and by some later 3.8-3.12 patch
    # releases, which the files do not tell apart: read there, as most releases do).
    skip_hidden = layout.version_tuple >= (3, 13)
    for name in sorted(files.listdir(site_dir)):
        if not name.endswith(".pth") or (skip_hidden and name.startswith(".")):
            continue
        path = f"{site_dir}/{name}"
        what = files.not_regular(path)
        if what is not None:
            result.blockers.setdefault(path, what)  # site.py opens it, and waits
            continue
        try:
            text = files.read_optional(path, MAX_PTH)
        except (OSError, ValueError) as exc:
            result.problems.append(f"{path}: {exc}")
            continue
        path_lines, code_lines = parse_pth(text or "")  # the probe's reading of a .pth
        if code_lines and path not in result.code_lines:
            result.code_lines.append(path)
        for line in path_lines:
            folder = posixpath.normpath(posixpath.join(site_dir, line))
            if folder not in known and files.exists(folder):
                add(folder)
