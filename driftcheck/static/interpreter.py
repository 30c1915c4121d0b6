"""The interpreter an image read as files would start: its version and ABI, from files.

Nothing runs, so every fact comes from a file, and the snapshot names that file
beside the fact (``sources``). The interpreter is the one a live probe of the
image would pick (``static.candidates``: $VIRTUAL_ENV/bin/python, then
``python3`` and ``python`` along the configured PATH, then the usual places),
with its symbolic links followed inside the image. Its version comes from, most
exact first:

1. the version string compiled into the binary, else into its libpython
   (CPython's PY_VERSION, NUL-terminated; the layer reader searched the bytes a
   chunk at a time as they streamed by, templated on the file's name as syft's
   python-binary classifier does);
2. the OS package that owns the binary (dpkg's ``info/NAME.list``), the
   upstream part of its version;
3. the venv's ``pyvenv.cfg`` (the version it was made with);
4. the binary's name and the ``lib/pythonX.Y`` folder: major and minor only.

The ABI comes from the extension modules in ``lib-dynload``
(``_ssl.cpython-311-x86_64-linux-gnu.so``), the bytecode tag from the stdlib's
``__pycache__``. What no file says stays None; the diff compares only what both
sides know.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

from driftcheck.parsers.dpkg import parse_dpkg_status
from driftcheck.static.rootfs import RootFS
from driftcheck.static.shared import parse_pyvenv_cfg

Unknown = Callable[[str, str], None]

VERSIONED_NAME = re.compile(r"^python(3\.[0-9]{1,3})(t?)$")
# _ssl.cpython-311-x86_64-linux-gnu.so: the SOABI between the module name and ".so".
EXTENSION = re.compile(r"^[A-Za-z0-9_]+\.(cpython-[0-9]{2,4}t?d?-[A-Za-z0-9_]+-[\w-]+)\.so$")
CACHE_TAG = re.compile(r"^[A-Za-z0-9_]+\.([a-z]+-[0-9]{2,4}t?)(?:\.opt-[12])?\.pyc$")
UPSTREAM = re.compile(r"^(?:[0-9]+:)?([0-9]+\.[0-9]+(?:\.[0-9]+)?)")
PYVENV_VERSION = re.compile(r"^[0-9]+\.[0-9]+(?:\.[0-9]+)?(?:(?:a|b|rc)[0-9]+)?\+?$")
DPKG_INFO = "/var/lib/dpkg/info"


def read_interpreter(
    fs: RootFS,
    dpkg_status: str | None,
    unknown: Unknown,
    chosen: tuple[str, str] | None,
) -> dict[str, Any] | None:
    """``static_python`` facts for ``chosen``, the interpreter the image would run and
    why (pyenvs.image_interpreter), or None when the image holds none."""
    if chosen is None:
        return None
    path, why = chosen
    real = fs.realpath(path) or path
    sources = {"executable": why + (f", a link to {real}" if real != path else "")}
    facts: dict[str, Any] = {
        "executable": path,
        "implementation": None,
        "version": None,
        "soabi": None,
        "ext_suffix": None,
        "cache_tag": None,
        "free_threaded": None,
        "os_package": None,
        "sources": sources,
    }
    named = VERSIONED_NAME.match(posixpath.basename(real))
    minor = named.group(1) if named else None
    if named:
        facts["free_threaded"] = named.group(2) == "t"
    prefix = posixpath.dirname(posixpath.dirname(real))
    stdlib = _stdlib(fs, prefix, minor)
    if minor is None and stdlib is not None:
        minor = posixpath.basename(stdlib).removeprefix("python").rstrip("t")
    _version(fs, real, prefix, minor, facts)
    _owner(fs, real, dpkg_status, facts)
    _venv(fs, path, facts)
    if facts["version"] is None and minor is not None:  # the least exact source: last
        facts["version"] = minor
        sources["version"] = (
            f"the binary's name {real}" if named else f"the library folder {stdlib}"
        )
    if stdlib is not None:
        _abi(fs, stdlib, facts)
    if facts["version"] is None:
        unknown("static_python.version", f"no file in the image tells the version of {real}")
    return facts


def _stdlib(fs: RootFS, prefix: str, minor: str | None) -> str | None:
    """PREFIX/lib/pythonX.Y; without a minor from the name, the only such folder there."""
    lib = posixpath.join(prefix, "lib")
    if minor is not None:
        for name in (f"python{minor}", f"python{minor}t"):
            if fs.isdir(posixpath.join(lib, name)):
                return posixpath.join(lib, name)
        return None
    folders = [n for n in fs.listdir(lib) if re.fullmatch(r"python3\.[0-9]{1,3}t?", n)]
    return posixpath.join(lib, folders[0]) if len(folders) == 1 else None


def _scanned(fs: RootFS, path: str) -> str | None:
    """The version string the layer reader found in ``path`` (see static.wanted)."""
    try:
        data = fs.read_bytes(path)
    except (OSError, ValueError):
        return None
    return data.decode("ascii", "replace") if data else None


def _version(fs: RootFS, real: str, prefix: str, minor: str | None, facts: dict[str, Any]) -> None:
    sources = facts["sources"]
    found = _scanned(fs, real)
    if found:
        facts["version"], facts["implementation"] = found, "cpython"
        sources["version"] = f"the version string in {real}"
        return
    for library in _libpythons(fs, prefix, minor):
        found = _scanned(fs, library)
        if found:
            facts["version"], facts["implementation"] = found, "cpython"
            sources["version"] = f"the version string in {library}"
            return


def _libpythons(fs: RootFS, prefix: str, minor: str | None) -> list[str]:
    """libpythonX.Y.so* beside the interpreter's prefix: where a shared build keeps its
    version string (the binary itself is a small launcher then)."""
    folders = [posixpath.join(prefix, "lib")]
    folders += [
        posixpath.join(prefix, "lib", n)
        for n in fs.listdir(posixpath.join(prefix, "lib"))
        if n.endswith("-linux-gnu")
    ]
    wanted = f"libpython{minor}" if minor else "libpython3."
    return [
        posixpath.join(folder, name)
        for folder in folders
        for name in fs.listdir(folder)
        if name.startswith(wanted) and ".so" in name
    ]


def _owner(fs: RootFS, real: str, dpkg_status: str | None, facts: dict[str, Any]) -> None:
    """The dpkg package whose file list holds the binary, and its upstream version."""
    merged = real.removeprefix("/usr") if real.startswith("/usr/") else "/usr" + real
    for name in fs.listdir(DPKG_INFO):
        if not name.endswith(".list") or "python" not in name:
            continue
        path = posixpath.join(DPKG_INFO, name)
        try:
            listed = (fs.read_bytes(path) or b"").decode("utf-8", "replace").splitlines()
        except (OSError, ValueError):
            continue
        if real not in listed and merged not in listed:
            continue
        package = name.removesuffix(".list").split(":", 1)[0]
        version = _dpkg_version(dpkg_status, package)
        facts["os_package"] = f"{package} {version}" if version else package
        facts["sources"]["os_package"] = f"dpkg's file list {path}"
        upstream = UPSTREAM.match(version or "")
        if upstream and facts["version"] is None:
            facts["version"] = upstream.group(1)
            facts["implementation"] = facts["implementation"] or "cpython"
            facts["sources"]["version"] = f"the version of the OS package {package}"
        return


def _dpkg_version(status: str | None, package: str) -> str | None:
    if not status:
        return None
    for record in parse_dpkg_status(status).packages:
        if record.name == package:
            return record.version
    return None


def _venv(fs: RootFS, executable: str, facts: dict[str, Any]) -> None:
    """A venv's pyvenv.cfg says the version it was made with: used when nothing else does."""
    if facts["version"] is not None:
        return
    cfg = posixpath.join(posixpath.dirname(posixpath.dirname(executable)), "pyvenv.cfg")
    try:
        values = parse_pyvenv_cfg((fs.read_bytes(cfg) or b"").decode("utf-8", "replace"))
    except (OSError, ValueError):
        return
    value = values.get("version") or values.get("version_info") or ""
    if PYVENV_VERSION.match(value):
        facts["version"] = value
        facts["sources"]["version"] = f"{cfg} (the version the venv was made with)"


def _abi(fs: RootFS, stdlib: str, facts: dict[str, Any]) -> None:
    sources = facts["sources"]
    dynload = posixpath.join(stdlib, "lib-dynload")
    tags = Counter(m.group(1) for n in fs.listdir(dynload) if (m := EXTENSION.match(n)))
    if tags:
        soabi = tags.most_common(1)[0][0]
        facts["soabi"], facts["ext_suffix"] = soabi, f".{soabi}.so"
        facts["implementation"] = "cpython"
        facts["free_threaded"] = bool(re.match(r"cpython-[0-9]+t", soabi))
        sources["soabi"] = f"the extension modules in {dynload}"
    cache = posixpath.join(stdlib, "__pycache__")
    cache_tags = Counter(m.group(1) for n in fs.listdir(cache) if (m := CACHE_TAG.match(n)))
    if cache_tags:
        facts["cache_tag"] = cache_tags.most_common(1)[0][0]
        sources["cache_tag"] = f"the bytecode files in {cache}"
