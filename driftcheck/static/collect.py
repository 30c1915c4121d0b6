"""The probe's facts, read from an image's filesystem instead of a running interpreter.

The result has the shape ``driftcheck/probe/_probe.py``'s ``collect()`` returns,
so ``build_snapshot`` turns it into a Snapshot unchanged (target mode
"static"). What only a running target can tell (interpreter details, sys.path,
kernel, CPU, memory, the runtime's extra environment) is left empty and listed
in ``unknowns`` with the reason: a static snapshot says what it is missing.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from typing import Any

from driftcheck.numbers import small_int
from driftcheck.snapshot.model import NO_INTERPRETER_FOUND
from driftcheck.static import pyenvs
from driftcheck.static.interpreter import read_interpreter
from driftcheck.static.rootfs import NotKeptError, RootFS, safe_name
from driftcheck.static.shared import (
    NATIVE_LIBRARY_PATTERNS,
    PROBE_VERSION,
    WHEEL_LIBRARY_HINTS,
    NotRegularFileError,
    ld_so_conf_directories,
    soname_version,
)
from driftcheck.static.syspath import user_site_enabled

# Image config architecture (and variant) -> what platform.machine() says inside.
MACHINES = {
    "amd64": "x86_64",
    "arm64": "aarch64",
    "386": "i686",
    "arm/v7": "armv7l",
    "arm/v6": "armv6l",
    "arm": "armv7l",
    "ppc64le": "ppc64le",
    "s390x": "s390x",
    "riscv64": "riscv64",
    "mips64le": "mips64",
    "loong64": "loongarch64",
}
# Debian's multiarch folder per architecture (what sysconfig MULTIARCH says live).
MULTIARCH = {
    "amd64": "x86_64-linux-gnu",
    "arm64": "aarch64-linux-gnu",
    "arm": "arm-linux-gnueabihf",
    "386": "i386-linux-gnu",
    "ppc64le": "powerpc64le-linux-gnu",
    "s390x": "s390x-linux-gnu",
    "riscv64": "riscv64-linux-gnu",
}
LIBRARY_BASES = ("/lib", "/usr/lib", "/lib64", "/usr/lib64", "/usr/local/lib")
GLIBC_RELEASE = re.compile(rb"GNU C Library[^\n\x00]{0,200}?release version (\d+\.\d+(?:\.\d+)?)")
GLIBC_FILE = re.compile(r"^libc-(\d+\.\d+(?:\.\d+)?)\.so$")
OPENSSL_VERSION = re.compile(rb"OpenSSL (\d+\.\d+\.\d+[a-z]?)[ -]")  # as the probe reads it
RPM_DATABASES = ("/var/lib/rpm", "/usr/lib/sysimage/rpm")

STATIC_UNKNOWNS = (
    ("os.kernel", "an image has no kernel: the host's runs it"),
    ("os.cpu", "the CPU is the host's at run time; static reading runs nothing"),
    ("os.memory_bytes", "memory is the host's or the container's limit at run time"),
    (
        "environment",
        "only the image's configured variables are known; what the runtime adds "
        "(HOSTNAME, HOME, docker run -e, entrypoint scripts) is not",
    ),
    (
        "native_libraries",
        "found by file name in the image's library folders; what the dynamic loader "
        "picks at run time (LD_LIBRARY_PATH, rpath) is not known",
    ),
)


class _Unknowns:
    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def __call__(self, field: str, reason: str) -> None:
        self.items.append({"field": field, "reason": reason[:500]})


def _startup(modelled: pyenvs.ModelledPath | None, env: Mapping[str, str]) -> Any:
    """The site settings the modelled sys.path was built from; which file each import
    loads and the start-up hooks are left unread (None): nothing ran."""
    if modelled is None:
        return None
    layout, path = modelled.layout, modelled.sys_path
    return {
        "site": {
            "system_site_packages": layout.system_site if layout.in_venv else None,
            "user_site_enabled": user_site_enabled(layout, env),
            "user_site": path.user_site,
        },
        "hooks": None,
        "imports": None,
    }


def collect_static(fs: RootFS, metadata: Mapping[str, Any]) -> dict[str, Any]:
    """Probe-shaped facts for the image whose filesystem is ``fs``; metadata: its config."""
    unknown = _Unknowns()
    env = {str(k): str(v) for k, v in dict(metadata.get("configured_env") or {}).items()}
    system, arch, variant = _platform(str(metadata.get("platform") or ""))
    envs = pyenvs.find_environments(fs, env)
    packages = _package_databases(fs, unknown)
    chosen = pyenvs.image_interpreter(fs, metadata, env)  # one choice for both readings
    executable = chosen[0] if chosen else None
    modelled = pyenvs.model_sys_path(fs, metadata, env, executable)  # see python.sys_path
    static_python = read_interpreter(fs, packages.get("dpkg"), unknown, chosen)
    if static_python is None:
        unknown(
            "python",
            f"{NO_INTERPRETER_FOUND} where a live probe looks ($VIRTUAL_ENV, python3 or "
            "python on the image's PATH, the usual locations); seen in the files: "
            + pyenvs.python_hint(fs, envs),
        )
    else:
        unknown(
            "python",
            "static reading runs no interpreter: flags, encodings and build details are "
            "not known; the version and ABI of "
            f"{static_python['executable']} are read from its files (static_python)",
        )
    site_dirs, path_entries = envs.site_dirs, envs.site_dirs
    if modelled is not None:
        site_dirs, path_entries = modelled.sys_path.site_dirs, modelled.sys_path.entries
        pyenvs.modelled_unknowns(fs, modelled, envs, unknown)
    elif len(envs.site_dirs) > 1:
        unknown(
            "distributions",
            "every environment found in the image is listed: no interpreter the image would "
            "run was found to model its sys.path, so which one the application imports from "
            "is not known",
        )
    for field, reason in STATIC_UNKNOWNS:
        unknown(field, reason)
    conf_dirs = _ld_so_conf_dirs(fs, unknown) if system == "Linux" else []
    libc = (
        _libc(fs, arch, conf_dirs, unknown)
        if system == "Linux"
        else {"family": "none", "version": None}
    )
    facts: dict[str, Any] = {
        "probe_version": PROBE_VERSION,
        "python": None,
        "pth_files": pyenvs.pth_files(fs, site_dirs, unknown),
        "distributions": pyenvs.distributions(fs, path_entries, unknown),
        "environment": env,
        "redacted_count": 0,
        "os": {
            "system": system,
            "kernel": None,
            "machine": MACHINES.get(f"{arch}/{variant}", MACHINES.get(arch, arch)),
            "hostname": None,
            "os_release_text": _os_release(fs, unknown),
            "platform_version": None,
            "libc": libc,
            "cpu": {},
            "memory_bytes": None,
        },
        "identity": _identity(metadata.get("user"), env),
        "os_packages_raw": packages,
        "static_python": static_python,
        "startup": _startup(modelled, env),
        "native_libraries": _native_libraries(fs, env, arch, conf_dirs, libc, site_dirs, unknown)
        if system == "Linux"
        else [],
    }
    for issue in fs.issues:
        unknown("static.rootfs", issue)
    facts["unknowns"] = unknown.items
    return facts


def _platform(platform: str) -> tuple[str, str, str]:
    parts = [*platform.split("/"), "", "", ""][:3]
    system = {"linux": "Linux", "windows": "Windows"}.get(parts[0], parts[0] or "Linux")
    return system, parts[1], parts[2]


def _read_text(fs: RootFS, path: str, field: str, unknown: _Unknowns) -> str | None:
    try:
        data = fs.read_bytes(path)
    except (OSError, ValueError) as exc:
        unknown(field, f"{path}: {type(exc).__name__}: {exc}")
        return None
    return None if data is None else data.decode("utf-8", "replace")


def _os_release(fs: RootFS, unknown: _Unknowns) -> str | None:
    text = _read_text(fs, "/etc/os-release", "os.os_release", unknown)
    text = text or _read_text(fs, "/usr/lib/os-release", "os.os_release", unknown)
    if text is None:
        unknown("os.os_release", "neither /etc/os-release nor /usr/lib/os-release exists")
    return text


def _identity(user: Any, env: Mapping[str, str]) -> dict[str, Any]:
    """The configured USER: "", "name", "uid", "name:group" or "uid:gid"."""
    name, _, group = str(user or "").partition(":")
    facts: dict[str, Any] = {"uid": None, "gid": None, "user": None, "home": env.get("HOME")}
    if not name:
        facts["uid"], facts["gid"] = 0, 0  # no USER: root
    elif small_int(name) is not None:  # ASCII digits only: '²' is a name, not a number
        facts["uid"] = small_int(name)
    else:
        facts["user"] = name
    facts["gid"] = small_int(group)
    return facts


def _package_databases(fs: RootFS, unknown: _Unknowns) -> dict[str, str | None]:
    dpkg = _read_text(fs, "/var/lib/dpkg/status", "os_packages.dpkg", unknown)
    extra = _dpkg_status_d(fs, unknown)  # distroless: one file per package
    if extra:
        dpkg = (dpkg or "") + "\n\n" + extra
    apk = _read_text(fs, "/lib/apk/db/installed", "os_packages.apk", unknown)
    if any(fs.isdir(path) for path in RPM_DATABASES):
        unknown("os_packages.rpm", "an RPM database is present; it is read only by running rpm")
    return {"dpkg": dpkg, "apk": apk, "rpm": None}


def _dpkg_status_d(fs: RootFS, unknown: _Unknowns) -> str:
    """/var/lib/dpkg/status.d/NAME holds one package's control fields and no Status line."""
    paragraphs = []
    for name in fs.listdir("/var/lib/dpkg/status.d"):
        if name.endswith(".md5sums"):
            continue
        text = _read_text(fs, f"/var/lib/dpkg/status.d/{name}", "os_packages.dpkg", unknown)
        for paragraph in (text or "").replace("\r\n", "\n").split("\n\n"):
            if not paragraph.strip():
                continue
            if not re.search(r"(?im)^status:", paragraph):
                paragraph = "Status: install ok installed\n" + paragraph.strip("\n")
            paragraphs.append(paragraph.strip("\n"))
    return "\n\n".join(paragraphs)


class _ImageConfFiles:
    """The probe's ``LocalConfFiles``, answered from an image's files."""

    def __init__(self, fs: RootFS) -> None:
        self.fs = fs

    def read_conf(self, path: str) -> str | None:
        node = self.fs.node(path)
        if node is None:
            return None
        if node.kind != "file":
            raise NotRegularFileError(f"{path} is not a regular file: not read")
        data = self.fs.read_bytes(path)
        return None if data is None else data.decode("utf-8", "replace")

    def listdir(self, folder: str) -> list[str]:
        return self.fs.listdir(folder)


def _ld_so_conf_dirs(fs: RootFS, unknown: _Unknowns) -> list[str]:
    """ld.so.conf and its includes, read once, by the probe's own walk."""
    return ld_so_conf_directories(
        _ImageConfFiles(fs), lambda reason: unknown("native_libraries", reason)
    )


def _library_dirs(fs: RootFS, env: Mapping[str, str], arch: str, conf_dirs: list[str]) -> list[str]:
    """The probe's order: LD_LIBRARY_PATH, ld.so.conf (and includes), then the defaults."""
    dirs = [d for d in env.get("LD_LIBRARY_PATH", "").split(":") if d.startswith("/")]
    dirs.extend(conf_dirs)
    multiarch = MULTIARCH.get(arch)
    for base in LIBRARY_BASES:
        if multiarch:
            dirs.append(posixpath.join(base, multiarch))
        dirs.append(base)
    return [d for d in dict.fromkeys(dirs) if fs.isdir(d)]


def _libc(fs: RootFS, arch: str, conf_dirs: list[str], unknown: _Unknowns) -> dict[str, Any]:
    for folder in _library_dirs(fs, {}, arch, conf_dirs):
        path = posixpath.join(folder, "libc.so.6")
        if not fs.exists(path):
            continue
        link = fs.node(path, follow=False)
        target = posixpath.basename(link.link or "") if link and link.kind == "symlink" else ""
        named = GLIBC_FILE.match(target)
        if named:
            return {"family": "glibc", "version": named.group(1)}
        version = _search(fs, path, GLIBC_RELEASE)
        if version is None:
            unknown("os.libc", f"{path}: no glibc release string in what was read")
        return {"family": "glibc", "version": version}
    for folder in ("/lib", "/usr/lib"):
        if any(n.startswith("ld-musl-") for n in fs.listdir(folder)):
            unknown("os.libc", "musl prints its version only when its loader runs")
            return {"family": "musl", "version": None}
    unknown("os.libc", "no glibc (libc.so.6) or musl loader found in the image")
    return {"family": "unknown", "version": None}


def _search(fs: RootFS, path: str, pattern: re.Pattern[bytes]) -> str | None:
    try:
        data = fs.read_bytes(path)
    except (OSError, ValueError):
        return None
    match = pattern.search(data or b"")
    return match.group(1).decode("ascii") if match else None


def _native_libraries(
    fs: RootFS,
    env: Mapping[str, str],
    arch: str,
    conf_dirs: list[str],
    libc: Mapping[str, Any],
    site_dirs: list[str],
    unknown: _Unknowns,
) -> list[dict[str, Any]]:
    """The probe's walk (first folder holding each library wins), on the image's files."""
    listings = {folder: fs.listdir(folder) for folder in _library_dirs(fs, env, arch, conf_dirs)}
    found: list[dict[str, Any]] = []
    for name, prefix in NATIVE_LIBRARY_PATTERNS:
        for folder, names in listings.items():
            matches = [n for n in names if n.startswith(prefix) and ".so" in n]
            if not matches:
                continue
            soname = sorted(matches, key=len)[0]
            path = fs.realpath(posixpath.join(folder, soname)) or posixpath.join(folder, soname)
            version = soname_version(posixpath.basename(path))
            if name == "libc":
                version = libc.get("version") or version
            elif name in ("libssl", "libcrypto"):
                version = _openssl_version(fs, path, name, unknown)
            found.append({"name": name, "soname": soname, "path": path, "version": version})
            break
    by_name = {lib["name"]: lib for lib in found}
    ssl, crypto = by_name.get("libssl"), by_name.get("libcrypto")
    if ssl and crypto and not ssl["version"]:
        ssl["version"] = crypto["version"]
    for site_dir in site_dirs:
        found.extend(_wheel_libraries(fs, site_dir))
    return found


def _openssl_version(fs: RootFS, path: str, name: str, unknown: _Unknowns) -> str | None:
    try:
        data = fs.read_bytes(path) or b""
    except NotKeptError:
        unknown(f"native_libraries.{name}", f"{safe_name(path)}: not read statically")
        return None
    except (OSError, ValueError) as exc:
        unknown(f"native_libraries.{name}", f"{safe_name(path)}: {exc}")
        return None
    match = OPENSSL_VERSION.search(data)
    return match.group(1).decode("ascii") if match else None


def _wheel_libraries(fs: RootFS, site_dir: str) -> list[dict[str, Any]]:
    """Native libraries vendored by wheels (auditwheel's <pkg>.libs folders)."""
    found = []
    for entry in fs.listdir(site_dir):
        if not entry.endswith((".libs", ".dylibs")):
            continue
        folder = posixpath.join(site_dir, entry)
        for lib in fs.listdir(folder):
            if any(hint in lib.lower() for hint in WHEEL_LIBRARY_HINTS):
                found.append(
                    {
                        "name": entry[: -len(".libs")] + ":" + lib.split(".so", 1)[0],
                        "soname": lib,
                        "path": posixpath.join(folder, lib),
                        "version": None,
                    }
                )
    return found
