"""The probe's own readers, shared with the static path.

The point of sharing: every fact both readings know (a distribution record, .pth
files, pyvenv.cfg, os-release, libc, ld.so.conf, the library folders, native
libraries) is read from an image by the very code that reads it in a live target,
through the file-access interface ``ProbeFiles`` (the probe's ``LocalFiles``; the
image's ``static.files.ImageFiles``), so both kinds of snapshot compare field for
field. The probe is typed (mypy strict, 3.8 spellings): most readers are its own
functions, re-exported; the few below adapt a call to the static reader's shape.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from driftcheck.probe import _probe
from driftcheck.probe._probe import (
    MAX_LD_SO_CONF_BYTES,
    MAX_METADATA_HEADER,
    MAX_PTH,
    MAX_PYVENV_CFG,
    MAX_RECORD_FILE,
    MAX_TEXT_FILE,
    NATIVE_LIBRARY_PATTERNS,
    PROBE_VERSION,
    WHEEL_LIBRARY_HINTS,
    NotRegularFileError,
    distributions,
    ld_so_conf_directories,
    os_package_databases,
    os_release_text,
    parse_pth,
    parse_pyvenv_cfg,
    pth_files,
    read_distribution,
    search_version,
    start_up_blocker_reason,
)
from driftcheck.probe._protocols import ProbeFiles

# Re-exported for the static reader: the probe's own readers and bounds.
__all__ = [
    "MAX_LD_SO_CONF_BYTES",
    "MAX_METADATA_HEADER",
    "MAX_PTH",
    "MAX_PYVENV_CFG",
    "MAX_RECORD_FILE",
    "MAX_TEXT_FILE",
    "NATIVE_LIBRARY_PATTERNS",
    "PROBE_VERSION",
    "WHEEL_LIBRARY_HINTS",
    "NotRegularFileError",
    "Unknowns",
    "distributions",
    "ld_so_conf_directories",
    "libc_facts",
    "library_directories",
    "native_libraries",
    "os_package_databases",
    "os_release_text",
    "parse_metadata_headers",
    "parse_pth",
    "parse_pyvenv_cfg",
    "pth_files",
    "read_distribution",
    "search_version",
    "start_up_blocker_reason",
]


class Unknowns:
    """The probe's ``Collector`` for the static reader: what could not be read, and why.

    Called as ``unknowns(field, reason)``; the probe's readers call ``unknown`` and
    ``safely`` on it as on their own collector."""

    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def __call__(self, field: str, reason: str) -> None:
        self.unknown(field, reason)

    def unknown(self, field: str, reason: str) -> None:
        self.items.append({"field": field, "reason": str(reason)[:500]})

    def safely(self, field: str, func: Callable[[], Any], default: Any = None) -> Any:
        try:
            return func()
        except Exception as exc:  # as the probe's Collector: a partial snapshot
            self.unknown(field, f"{type(exc).__name__}: {exc}")
            return default


def parse_metadata_headers(data: bytes) -> tuple[dict[str, list[str]], bool]:
    """METADATA / PKG-INFO headers, parsed exactly as the probe parses them, and whether
    they ran past MAX_METADATA_HEADER (``data`` holds one byte more to tell)."""
    return _probe.parse_metadata_headers(data.splitlines(keepends=True))


def library_directories(
    unknowns: Unknowns,
    files: ProbeFiles,
    environ: Mapping[str, str],
    multiarch: str,
    conf_dirs: list[str],
) -> list[str]:
    """The loader's folders in the probe's order (LD_LIBRARY_PATH from ENVIRON, CONF_DIRS,
    the defaults with MULTIARCH's sub-folder), those that exist."""
    return _probe.library_directories(
        lambda reason: unknowns.unknown("native_libraries", reason),
        files,
        environ,
        multiarch,
        conf_dirs,
    )


def libc_facts(
    unknowns: Unknowns, files: ProbeFiles, library_dirs: list[str]
) -> dict[str, str | None]:
    return _probe.libc_facts(files, unknowns, lambda: library_dirs)


def native_libraries(
    unknowns: Unknowns,
    site_dirs: list[str],
    files: ProbeFiles,
    library_dirs: list[str],
    libc: Mapping[str, Any],
) -> list[dict[str, Any]]:
    """The probe's native-library records: the first library folder holding each wins."""
    return _probe.native_libraries(unknowns, site_dirs, files, library_dirs, dict(libc))
