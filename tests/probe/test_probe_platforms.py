"""The probe never crashes where it cannot read everything: it records unknowns.

A laptop is often a Mac, sometimes Windows. These tests run the probe's
collector in this process with the platform facts the standard library would
give there, and with the Linux-only sources (/proc, confstr, sysconf) gone.
"""

from __future__ import annotations

import os
import platform

import pytest

from driftcheck.probe import _probe


@pytest.fixture()
def not_linux(monkeypatch):
    for name in ("confstr", "sysconf", "sched_getaffinity"):
        monkeypatch.delattr(os, name, raising=False)
    monkeypatch.setattr(_probe, "read_optional", lambda path, limit=0: None)


def test_macos_records_what_the_standard_library_offers(monkeypatch, not_linux):
    monkeypatch.setattr(platform, "system", lambda: "Darwin")
    monkeypatch.setattr(platform, "mac_ver", lambda: ("14.5", ("", "", ""), "arm64"))
    facts = _probe.collect({"begin": "b", "end": "e"})
    assert facts["os"]["platform_version"] == "macOS 14.5"
    assert facts["os"]["libc"] == {"family": "none", "version": None}
    fields = {u["field"] for u in facts["unknowns"]}
    assert {"os.memory_bytes", "native_libraries"} <= fields
    assert facts["python"]["version"] == platform.python_version()


def test_windows_records_what_the_standard_library_offers(monkeypatch, not_linux):
    monkeypatch.setattr(platform, "system", lambda: "Windows")
    monkeypatch.setattr(platform, "win32_ver", lambda: ("10", "10.0.19045", "", ""))
    monkeypatch.delattr(os, "getuid")
    facts = _probe.collect({"begin": "b", "end": "e"})
    assert facts["os"]["platform_version"] == "Windows 10 10.0.19045"
    assert facts["identity"]["uid"] is None
    assert facts["os_packages_raw"] == {"dpkg": None, "apk": None, "rpm": None}


def test_a_failing_section_becomes_an_unknown_not_a_crash(monkeypatch):
    def broken() -> dict[str, object]:
        raise PermissionError(13, "Permission denied", "/proc/cpuinfo")

    monkeypatch.setattr(_probe, "cpu_facts", broken)
    facts = _probe.collect({"begin": "b", "end": "e"})
    assert facts["os"]["cpu"] == {}
    assert any(
        u["field"] == "os.cpu" and "Permission denied" in u["reason"] for u in facts["unknowns"]
    )
