"""The probe's facts, read from an image's filesystem instead of a running interpreter.

The result has the shape ``driftcheck/probe/_probe.py``'s ``collect()`` returns,
so ``build_snapshot`` turns it into a Snapshot unchanged (target mode
"static"). Every fact a live probe also reads is read by the probe's own
function, through the image's files (``static.files.ImageFiles``). What only a
running target can tell (interpreter details, sys.path, kernel, CPU, memory, the
runtime's extra environment) is left empty and listed in ``unknowns`` with the
reason: a static snapshot says what it is missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from driftcheck.numbers import small_int
from driftcheck.snapshot.model import NO_INTERPRETER_FOUND
from driftcheck.static import pyenvs
from driftcheck.static.files import ImageFiles
from driftcheck.static.interpreter import read_interpreter
from driftcheck.static.rootfs import RootFS
from driftcheck.static.shared import (
    PROBE_VERSION,
    Unknowns,
    distributions,
    ld_so_conf_directories,
    libc_facts,
    library_directories,
    native_libraries,
    os_package_databases,
    os_release_text,
    pth_files,
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
    unknown = Unknowns()
    env = {str(k): str(v) for k, v in dict(metadata.get("configured_env") or {}).items()}
    system, arch, variant = _platform(str(metadata.get("platform") or ""))
    envs = pyenvs.find_environments(fs, env)
    files = ImageFiles(fs, system)
    packages = os_package_databases(unknown, files)
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
        if static_python is not None:
            static_python["start_up_blockers"] = list(modelled.sys_path.blockers)
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
    linux = system == "Linux"
    # The probe's readers, through the image's files: what a live probe reads, read alike.
    conf_dirs = (
        ld_so_conf_directories(files, lambda reason: unknown("native_libraries", reason))
        if linux
        else []
    )
    multiarch = MULTIARCH.get(arch, "")
    library_dirs = library_directories(unknown, files, env, multiarch, conf_dirs) if linux else []
    # The C library: from its default folders first, as the loader's own libc.so.6 is.
    libc_dirs = library_directories(unknown, files, {}, multiarch, conf_dirs) if linux else []
    libc = libc_facts(unknown, files, libc_dirs)
    facts: dict[str, Any] = {
        "probe_version": PROBE_VERSION,
        "python": None,
        "pth_files": pth_files(unknown, site_dirs, files),
        "distributions": distributions(unknown, path_entries, files),
        "environment": env,
        "redacted_count": 0,
        "os": {
            "system": system,
            "kernel": None,
            "machine": MACHINES.get(f"{arch}/{variant}", MACHINES.get(arch, arch)),
            "hostname": None,
            "os_release_text": os_release_text(unknown, files),
            "platform_version": None,
            "libc": libc,
            "cpu": {},
            "memory_bytes": None,
        },
        "identity": _identity(metadata.get("user"), env),
        "os_packages_raw": packages,
        "static_python": static_python,
        "startup": _startup(modelled, env),
        "native_libraries": native_libraries(unknown, site_dirs, files, library_dirs, libc)
        if linux
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
