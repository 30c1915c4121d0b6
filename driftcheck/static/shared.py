"""The probe's own readers, shared with the static path, with typed signatures.

The probe is untyped CPython 3.8 code that mypy does not check (it is sent to
targets as text); importing it by name keeps mypy from following it, and the
wrappers here give the static reader typed entry points. The point of sharing:
every fact both readings know (a distribution record, .pth files, pyvenv.cfg,
os-release, libc, ld.so.conf, the library folders, native libraries) is read
from an image by the very code that reads it in a live target, through the
file-access interface ``ProbeFiles`` (the probe's ``LocalFiles``; the image's
``static.files.ImageFiles``), so both kinds of snapshot compare field for field.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from typing import Any

from driftcheck.probe._protocols import ProbeConfFiles, ProbeFiles

_probe: Any = importlib.import_module("driftcheck.probe._probe")

PROBE_VERSION: int = _probe.PROBE_VERSION
MAX_TEXT_FILE: int = _probe.MAX_TEXT_FILE
MAX_METADATA_HEADER: int = _probe.MAX_METADATA_HEADER
MAX_RECORD_FILE: int = _probe.MAX_RECORD_FILE
NATIVE_LIBRARY_PATTERNS: tuple[tuple[str, str], ...] = _probe.NATIVE_LIBRARY_PATTERNS
WHEEL_LIBRARY_HINTS: tuple[str, ...] = _probe.WHEEL_LIBRARY_HINTS
NotRegularFileError: type[OSError] = _probe.NotRegularFileError
MAX_LD_SO_CONF_BYTES: int = _probe.MAX_LD_SO_CONF_BYTES
MAX_PTH: int = _probe.MAX_PTH
MAX_PYVENV_CFG: int = _probe.MAX_PYVENV_CFG


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
    parsed: tuple[dict[str, list[str]], bool] = _probe.parse_metadata_headers(
        data.splitlines(keepends=True)
    )
    return parsed


def read_distribution(
    location: str, entry: str, files: object, note: Callable[[str], None]
) -> dict[str, Any]:
    """The probe's distribution record, reading through ``files`` (see ``LocalFiles``);
    ``note`` hears what was left out (headers past the bound), as an unknown's reason."""
    record: dict[str, Any] = _probe.read_distribution(location, entry, files, note)
    return record


def ld_so_conf_directories(files: ProbeConfFiles, note: Callable[[str], None]) -> list[str]:
    """The folders /etc/ld.so.conf names, walked exactly as the live probe walks them
    (same order, same bounds, same reasons given to ``note``)."""
    dirs: list[str] = _probe.ld_so_conf_directories(files, note)
    return dirs


def search_version(data: bytes, literal: bytes, pattern: re.Pattern[bytes]) -> str | None:
    version: str | None = _probe.search_version(data, literal, pattern)
    return version


def parse_pyvenv_cfg(text: str | None) -> dict[str, str]:
    """pyvenv.cfg's values, read as site.py's venv() reads them (keys lowered)."""
    values: dict[str, str] = _probe.parse_pyvenv_cfg(text)
    return values


def start_up_blocker_reason(path: str, what: str) -> str:
    """The probe's unknown for a .pth file that CPython's site.py would block on."""
    reason: str = _probe.start_up_blocker_reason(path, what)
    return reason


def parse_pth(text: str) -> tuple[list[str], list[str]]:
    """A .pth file's path lines and ``import`` lines, by site.py's addpackage() rules."""
    lines: tuple[list[str], list[str]] = _probe.parse_pth(text)
    return lines


def pth_files(unknowns: Unknowns, site_dirs: list[str], files: ProbeFiles) -> list[dict[str, Any]]:
    """The probe's .pth records of SITE_DIRS; a FIFO or an unreadable one is an unknown."""
    found: list[dict[str, Any]] = _probe.pth_files(unknowns, site_dirs, files)
    return found


def distributions(
    unknowns: Unknowns, path_entries: list[str], files: ProbeFiles
) -> list[dict[str, Any]]:
    """The probe's distribution records along PATH_ENTRIES, in order."""
    found: list[dict[str, Any]] = _probe.distributions(unknowns, path_entries, files)
    return found


def os_release_text(unknowns: Unknowns, files: ProbeFiles) -> str | None:
    text: str | None = _probe.os_release_text(unknowns, files)
    return text


def library_directories(
    unknowns: Unknowns,
    files: ProbeFiles,
    environ: Mapping[str, str],
    multiarch: str,
    conf_dirs: list[str],
) -> list[str]:
    """The loader's folders in the probe's order (LD_LIBRARY_PATH from ENVIRON, CONF_DIRS,
    the defaults with MULTIARCH's sub-folder), those that exist."""
    dirs: list[str] = _probe.library_directories(
        lambda reason: unknowns.unknown("native_libraries", reason),
        files,
        environ,
        multiarch,
        conf_dirs,
    )
    return dirs


def libc_facts(unknowns: Unknowns, files: ProbeFiles, library_dirs: list[str]) -> dict[str, Any]:
    facts: dict[str, Any] = _probe.libc_facts(files, unknowns, lambda: library_dirs)
    return facts


def native_libraries(
    unknowns: Unknowns,
    site_dirs: list[str],
    files: ProbeFiles,
    library_dirs: list[str],
    libc: Mapping[str, Any],
) -> list[dict[str, Any]]:
    """The probe's native-library records: the first library folder holding each wins."""
    found: list[dict[str, Any]] = _probe.native_libraries(
        unknowns, site_dirs, files, library_dirs, dict(libc)
    )
    return found


def os_package_databases(unknowns: Unknowns, files: ProbeFiles) -> dict[str, str | None]:
    """dpkg's status (and status.d), apk's installed: the probe's reading, as text."""
    raw: dict[str, str | None] = _probe.os_package_databases(unknowns, files)
    return raw
