"""The small pure functions the explainers stand on: version steps, tags, dpkg order."""

from __future__ import annotations

import pytest
from diff_scenarios import NumpyScenarios
from packaging.markers import Marker
from packaging.version import Version

from driftcheck.diff.explainers.calver import calendar_step
from driftcheck.diff.explainers.common import install_command, openssl_series, quote
from driftcheck.diff.explainers.dependencies import marker_environment
from driftcheck.diff.explainers.packages import classify
from driftcheck.diff.explainers.python_runtime import removed_between
from driftcheck.diff.explainers.wheel_tags import platform_need
from driftcheck.parsers.version_order import compare_dpkg


@pytest.mark.parametrize(
    ("left", "right", "kind", "downgrade", "prerelease"),
    [
        ("1.26.4", "2.1.0", "major", False, False),
        ("2.1.0", "1.26.4", "major", True, False),
        ("1.2.0", "1.3.0", "minor", False, False),
        ("1.2.0", "1.2.1", "patch", False, False),
        ("1.2", "1.2.0.1", "patch", False, False),
        ("2.1.0+cu121", "2.1.0+cpu", "build", True, False),
        ("2.1.0", "2.1.0+cpu", "build", False, False),
        ("1.0.0", "1.0.0.post1", "other", False, False),
        ("1.0.0", "1.1.0rc1", "minor", False, True),
    ],
)
def test_classify(left: str, right: str, kind: str, downgrade: bool, prerelease: bool) -> None:
    step = classify(left, right)
    assert step is not None
    assert (step.kind, step.downgrade, step.prerelease) == (kind, downgrade, prerelease)


def test_classify_refuses_non_pep440() -> None:
    assert classify("1.0", "weird!") is None


@pytest.mark.parametrize(
    ("name", "left", "right", "years"),
    [
        ("certifi", "2023.7.22", "2024.8.30", (2023, 2024)),
        ("tzdata", "2024.1", "2024.2", (2024, 2024)),
        ("anything", "20231201", "202401", (2023, 2024)),
        ("pip", "20.3.4", "23.0.1", (2020, 2023)),
        ("attrs", "23.2.0", "24.3.0", (2023, 2024)),
        ("packaging", "21.3", "24.2", (2021, 2024)),
        ("black", "23.12.1", "24.1.0", (2023, 2024)),
        ("anything", "1990.1", "12345.0", (1990, None)),  # a calendar number without a year
    ],
)
def test_calendar_versions(name: str, left: str, right: str, years: tuple[int, int]) -> None:
    step = calendar_step(name, Version(left), Version(right))
    assert step is not None
    assert (step.left_year, step.right_year) == years


@pytest.mark.parametrize(
    ("name", "left", "right"),
    [
        ("numpy", "1.26.4", "2.1.0"),
        ("cryptography", "42.0.8", "43.0.1"),  # large majors, but semantic
        ("setuptools", "44.1.1", "66.1.1"),
        ("pip", "10.0.1", "20.3.4"),  # pip numbers by year from 18.0 on
        ("six", "1989.0", "2024.1"),  # one side below the first plausible year
    ],
)
def test_not_calendar_versions(name: str, left: str, right: str) -> None:
    assert calendar_step(name, Version(left), Version(right)) is None


@pytest.mark.parametrize(
    ("tag", "family", "version", "arch"),
    [
        ("manylinux_2_28_x86_64", "glibc", (2, 28), "x86_64"),
        ("manylinux2014_aarch64", "glibc", (2, 17), "aarch64"),
        ("manylinux2010_x86_64", "glibc", (2, 12), "x86_64"),
        ("manylinux1_i686", "glibc", (2, 5), "i686"),
        ("musllinux_1_2_x86_64", "musl", (1, 2), "x86_64"),
    ],
)
def test_platform_need(tag: str, family: str, version: tuple[int, int], arch: str) -> None:
    need = platform_need(tag)
    assert need is not None
    assert (need.family, need.version, need.architecture) == (family, version, arch)


@pytest.mark.parametrize("tag", ["any", "linux_x86_64", "win_amd64", "macosx_11_0_arm64"])
def test_tags_without_a_libc_promise(tag: str) -> None:
    assert platform_need(tag) is None


@pytest.mark.parametrize(
    ("a", "b", "sign"),
    [
        ("2.36-9+deb12u4", "2.36-9+deb12u7", -1),
        ("1:1.0-1", "2.0-1", 1),  # the epoch wins
        ("1.0~rc1-1", "1.0-1", -1),  # a tilde sorts before anything
        ("3.0.11-1~deb12u2", "3.0.11-1", -1),
        ("1.2.3-r4", "1.2.3-r10", -1),  # apk-style revisions
        ("7.88.1-10", "7.88.1-10", 0),
    ],
)
def test_debian_version_order(a: str, b: str, sign: int) -> None:
    result = compare_dpkg(a, b)
    assert (result > 0) - (result < 0) == sign


def test_openssl_series() -> None:
    assert openssl_series("OpenSSL 3.0.19 27 Jan 2026") == "3"
    assert openssl_series("1.1.1w") == "1.1"
    assert openssl_series("1.0.2u") == "1.0"
    assert openssl_series(None) is None


def test_removed_modules_between_versions() -> None:
    assert removed_between((3, 11), (3, 12)) == [
        "distutils, imp, asynchat, asyncore and smtpd (removed in 3.12)"
    ]
    assert len(removed_between((3, 11), (3, 13))) == 2
    assert removed_between((3, 12), (3, 12)) == []


def test_quote_survives_hostile_text() -> None:
    assert quote("numpy==1.26.4") == "'numpy==1.26.4'"
    assert quote("x'; rm -rf ~; '") == "'x'\"'\"'; rm -rf ~; '\"'\"''"


def test_marker_environment_is_the_sides_not_the_hosts(numpy_scenarios: NumpyScenarios) -> None:
    from dataclasses import replace

    snapshot = numpy_scenarios.numpy1
    assert snapshot.python is not None
    arm = replace(
        snapshot,
        os=replace(snapshot.os, machine="aarch64", system="Darwin"),
        python=replace(snapshot.python, version="3.9.18"),
    )
    env = marker_environment(arm)
    assert env is not None
    assert env["python_version"] == "3.9" and env["sys_platform"] == "darwin"
    assert Marker("platform_machine == 'aarch64' and python_version < '3.10'").evaluate(env)
    assert not Marker("extra == 'test'").evaluate(env)
    assert install_command(snapshot, "numpy<2") == "pip install 'numpy<2'"
