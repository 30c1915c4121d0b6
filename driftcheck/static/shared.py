"""The probe's own readers, shared with the static path, with typed signatures.

The probe is untyped CPython 3.8 code that mypy does not check (it is sent to
targets as text); importing it by name keeps mypy from following it, and the
wrappers here give the static reader typed entry points. The point of sharing:
a distribution record read from an image is built by the very code that builds
it in a live target, so both kinds of snapshot compare field for field.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, Protocol

_probe: Any = importlib.import_module("driftcheck.probe._probe")

PROBE_VERSION: int = _probe.PROBE_VERSION
MAX_TEXT_FILE: int = _probe.MAX_TEXT_FILE
MAX_METADATA_HEADER: int = _probe.MAX_METADATA_HEADER
MAX_RECORD_FILE: int = _probe.MAX_RECORD_FILE
NATIVE_LIBRARY_PATTERNS: tuple[tuple[str, str], ...] = _probe.NATIVE_LIBRARY_PATTERNS
WHEEL_LIBRARY_HINTS: tuple[str, ...] = _probe.WHEEL_LIBRARY_HINTS
NotRegularFileError: type[OSError] = _probe.NotRegularFileError


class ConfFiles(Protocol):
    """What ``ld_so_conf_directories`` reads through (the probe's ``LocalConfFiles``)."""

    def read_conf(self, path: str) -> str | None:
        """The file's text; None if missing; NotRegularFileError for a FIFO or a device."""

    def listdir(self, folder: str) -> list[str]:
        """The names in FOLDER; none when it is missing."""


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


def soname_version(real_name: str) -> str | None:
    version: str | None = _probe.soname_version(real_name, "")
    return version


def ld_so_conf_directories(files: ConfFiles, note: Callable[[str], None]) -> list[str]:
    """The folders /etc/ld.so.conf names, walked exactly as the live probe walks them
    (same order, same bounds, same reasons given to ``note``)."""
    dirs: list[str] = _probe.ld_so_conf_directories(files, note)
    return dirs
