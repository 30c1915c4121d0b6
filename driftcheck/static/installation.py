"""The installation of the Python an image would run, found as the runtime and getpath find it.

The candidates are the live probe's, in its order (``interpreter_candidates``:
the entrypoint's own interpreter when it names one by path, ``$VIRTUAL_ENV``,
then ``python3`` and ``python`` along the config's ``PATH``); the first that
exists is the one modelled. Its installation is read as CPython's getpath
reads it: a ``pyvenv.cfg`` beside or above the executable makes a venv (its
``home`` names the base installation), the executable's real name gives the
version, the standard library folder confirms the prefix, and the base
installation's ``site.py`` tells Debian's dist-packages layout from upstream's.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping, Sequence
from typing import Protocol

from driftcheck.static.candidates import interpreter_candidates
from driftcheck.static.shared import parse_pyvenv_cfg
from driftcheck.static.syspath import Layout, PathFiles

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"  # the runtime's
VERSIONED_NAME = re.compile(r"^python(\d)\.(\d+)(t?)$")
VERSION_VALUE = re.compile(r"^\s*(\d)\.(\d+)")
MAX_CONFIG = 1024 * 1024
MAX_SITE_PY = 512 * 1024


class InterpreterFiles(PathFiles, Protocol):
    def isfile(self, path: str) -> bool: ...

    def realpath(self, path: str) -> str | None: ...


def find_executable(
    files: InterpreterFiles, env: Mapping[str, str], program: Sequence[str]
) -> tuple[str, str] | None:
    """The first interpreter candidate that exists, as the runtime would run it, and why
    it is that one: the live probe's order (static.candidates), read from files."""
    search = [d for d in (env.get("PATH") or DEFAULT_PATH).split(":") if d.startswith("/")]
    venv = (env.get("VIRTUAL_ENV") or "").rstrip("/")
    named = program[0] if program else ""
    for candidate in interpreter_candidates(None, env, program):
        if candidate.startswith("/"):
            if not files.isfile(candidate):
                continue
            if candidate == named:
                return candidate, f"{candidate} (named by the image's entrypoint)"
            own = venv and candidate == venv + "/bin/python"
            return candidate, f"{candidate} ({'$VIRTUAL_ENV' if own else 'a usual location'})"
        if "/" in candidate:
            continue  # relative to the working folder: not something the probe runs either
        for folder in search:
            path = posixpath.join(folder, candidate)
            if files.isfile(path):
                return path, f"{path} ({candidate} along the image's PATH)"
    return None


def read_layout(files: InterpreterFiles, executable: str) -> Layout | None:
    """The installation ``executable`` belongs to; None when its files do not say enough."""
    real = files.realpath(executable) or executable
    exe_dir = posixpath.dirname(executable)
    venv_prefix, cfg = None, {}
    for folder in (posixpath.dirname(exe_dir), exe_dir):
        found = _read_cfg(files, posixpath.join(folder, "pyvenv.cfg"))
        if found is not None:
            venv_prefix, cfg = folder, found
            break
    name = VERSIONED_NAME.match(posixpath.basename(real))
    abi_thread = name.group(3) if name else ""
    home = cfg.get("home", "").rstrip("/")
    if venv_prefix is not None and home.startswith("/"):
        base_prefix = posixpath.dirname(home)
    else:
        base_prefix = posixpath.dirname(posixpath.dirname(real))
    version = f"{name.group(1)}.{name.group(2)}" if name else None
    if version is None:
        value = VERSION_VALUE.match(cfg.get("version_info") or cfg.get("version") or "")
        version = f"{value.group(1)}.{value.group(2)}" if value else None
    if version is None:
        version = _only_version(files, base_prefix)
    if version is None:
        return None
    platlibdir = _platlibdir(files, base_prefix, f"python{version}{abi_thread}")
    stdlib = f"{base_prefix}/{platlibdir}/python{version}{abi_thread}".replace("//", "/")
    if not files.isdir(stdlib):
        return None
    return Layout(
        executable=executable,
        version=version,
        prefix=venv_prefix or base_prefix,
        base_prefix=base_prefix,
        platlibdir=platlibdir,
        abi_thread=abi_thread,
        in_venv=venv_prefix is not None,
        system_site=cfg.get("include-system-site-packages", "").lower() == "true",
        debian_site=_debian_site(files, stdlib, base_prefix),
    )


def home_folder(files: PathFiles, user: str | None, env: Mapping[str, str]) -> str:
    """HOME as the runtime sets it: the config's, else the user's passwd entry, else "/"."""
    if env.get("HOME"):
        return env["HOME"]
    name = (user or "").partition(":")[0] or "0"
    try:
        text = files.read_optional("/etc/passwd", MAX_CONFIG) or ""
    except (OSError, ValueError):
        text = ""
    for line in text.splitlines():
        fields = line.split(":")
        if len(fields) >= 6 and name in (fields[0], fields[2]) and fields[5].startswith("/"):
            return fields[5]
    return "/"


def _read_cfg(files: PathFiles, path: str) -> dict[str, str] | None:
    try:
        text = files.read_optional(path, MAX_CONFIG)
    except (OSError, ValueError):
        return None
    return None if text is None else parse_pyvenv_cfg(text)


def _only_version(files: PathFiles, prefix: str) -> str | None:
    """A copied ``python`` binary: the prefix's one pythonX.Y library folder names it."""
    found = {
        f"{m.group(1)}.{m.group(2)}"
        for folder in ("lib", "lib64")
        for n in files.listdir(f"{prefix}/{folder}")
        if (m := VERSIONED_NAME.match(n)) and not m.group(3)
    }
    return found.pop() if len(found) == 1 else None


def _platlibdir(files: InterpreterFiles, prefix: str, name: str) -> str:
    """lib64 where the base installation keeps its library there (Fedora, RHEL, SUSE)."""
    lib64 = files.realpath(f"{prefix}/lib64/{name}")
    if lib64 is not None and files.isdir(lib64) and lib64 != files.realpath(f"{prefix}/lib/{name}"):
        return "lib64"
    return "lib"


def _debian_site(files: PathFiles, stdlib: str, base_prefix: str) -> bool:
    """Debian's and Ubuntu's site.py install into dist-packages; upstream's into site-packages."""
    try:
        text = files.read_optional(f"{stdlib}/site.py", MAX_SITE_PY)
    except (OSError, ValueError):
        text = None
    if text is not None:
        return "dist-packages" in text
    return base_prefix == "/usr" and files.isdir("/usr/lib/python3/dist-packages")
