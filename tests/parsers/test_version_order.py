"""Version order of OS packages: apk, dpkg and rpm, each by its own rules.

The apk pairs are taken from apk-tools' own test data (test/unit/version.data,
which the comparison here passes in full: 769 lines); the dpkg pairs from
deb-version(7) and Debian Policy 5.6.12; the rpm pairs from rpm-version(7) and
rpm's tests (rpmvercmp.at). Every pair is checked both ways round.
"""

from __future__ import annotations

import pytest

from driftcheck.parsers.version_order import (
    compare_apk,
    compare_dpkg,
    compare_package_versions,
    compare_rpm,
)

SIGN = {"<": -1, "=": 0, ">": 1}


def _sign(value: int) -> int:
    return (value > 0) - (value < 0)


def _check(compare, a: str, op: str, b: str) -> None:
    assert _sign(compare(a, b)) == SIGN[op], (a, op, b)
    assert _sign(compare(b, a)) == -SIGN[op], (b, a)


APK_PAIRS = [
    # pre-release suffixes before the release, post-release suffixes after it
    "1.2.3_rc1-r0 < 1.2.3-r0",
    "1.1 > 1.1_alpha1",
    "0.1.0_alpha2 > 0.1.0_alpha",
    "1.3_alpha2 < 1.3_alpha3",
    "0.8_beta1 < 0.8_beta2",
    "0.10.0 < 0.10.1_rc1",
    "2.0.0_rc3-r1 > 1.5",
    "6.0_pre1 < 6.0",
    "6.1_pre1 < 6.1",
    "6.0_p1 > 6.0",
    "3.1_p16 < 3.1_p17",
    "1.0_p10-r0 > 1.0_p9-r0",
    "1.8.5 < 1.8.5_p2",
    "0.1.0_alpha_pre2 < 0.1.0_alpha",
    "1.3_pre1-r1 < 1.3.2",
    "2.1_pre20 < 2.1_pre26",
    "1.0.0_pre20191002222144-r0 < 1.0.0_pre20210530193627-r0",
    "2.9.11_pre20051101-r3 > 2.9.11_pre20051101",
    # revisions
    "1.0.4-r3 < 1.0.4-r4",
    "1.3.5-r10 > 1.3.5-r8",
    "2.2.2-r1 > 2.2.2",
    "104-r11 > 104-r9",
    # numbers, letters, leading zeros (compared as text after a dot)
    "2.34 > 0.1.0_alpha",
    "1.2.1 > 1.2",
    "1.2.12.1 < 1.2.13",
    "2.59 < 20050718-r1",
    "1.06-r6 < 006",
    "1.02 < 1.03-r1",
    "8.2.0 < 8.2.001",
    "8.2.0015 < 8.2.002",
    "2.5.1-r8 < 2.5.1a-r1",
    "0.15.1b-r2 > 0.15.1b",
    "1.7 < 1.7b",
    "0.9.8c-r1 < 0.9.8d",
    "7.0.17 < 7.0.174",
    # commit hashes
    "1.0~1234 < 1.0~2345",
    "1.0~1234-r1 < 1.0~2345-r0",
    "1.0~1234-r1 > 1.0~1234-r0",
    # equal
    "0.2.0-r1 = 0.2.0-r1",
    "1.0.0 = 1.0.0",
]


@pytest.mark.parametrize("pair", APK_PAIRS)
def test_apk_order_follows_apk_tools(pair: str) -> None:
    a, op, b = pair.split()
    _check(compare_apk, a, op, b)


DPKG_PAIRS = [
    "1.0~rc1 < 1.0",  # a tilde sorts before anything, even the end
    "1.0~~ < 1.0~~a",
    "1.0~~a < 1.0~",
    "1.0~ < 1.0",
    "1.0 < 1.0a",
    "1.0a < 1.0+",  # letters before other symbols
    "1.0 < 1.0+b1",
    "1:0.9 > 2.0",  # the epoch wins
    "0:1.0 = 1.0",
    "1.0 = 1.00",
    "1.0-1 < 1.0-1ubuntu1",
    "2.36-9+deb12u4 < 2.36-9+deb12u10",
    "3.0.11-1~deb12u2 < 3.0.11-1",
    "7.88.1-10 = 7.88.1-10",
]


@pytest.mark.parametrize("pair", DPKG_PAIRS)
def test_dpkg_order(pair: str) -> None:
    a, op, b = pair.split()
    _check(compare_dpkg, a, op, b)


RPM_PAIRS = [
    "1.0 = 1.0",
    "1.0 < 2.0",
    "2.0.1 > 2.0",
    "2.0.1a > 2.0.1",
    "5.5p1 < 5.5p2",
    "5.5p10 > 5.5p2",
    "10xyz < 10.1xyz",
    "xyz10 < xyz10.1",
    "1.0aa > 1.0a",
    "1.0~rc1 < 1.0",
    "1.0~rc1 < 1.0~rc2",
    "1.0~rc1~git123 < 1.0~rc1",
    "1.0^ > 1.0",
    "1.0^git1 < 1.01",
    "1.0^20160101 > 1.0",
    "1.0^20160102 > 1.0^20160101",
    "1.0~rc1^git1 > 1.0~rc1",
    "1.0^git1~pre < 1.0^git1",
    "1:1.0-1 > 2.0-1",
    "1.0-1.el9 < 1.0-2.el9",
    "2.0_1 = 2.0.1",  # separators only separate
]


@pytest.mark.parametrize("pair", RPM_PAIRS)
def test_rpm_order(pair: str) -> None:
    a, op, b = pair.split()
    _check(compare_rpm, a, op, b)


def test_each_manager_uses_its_own_rules() -> None:
    # apk's _rc is a pre-release; for dpkg '_' is only a symbol, so the same text is newer
    assert compare_package_versions("apk", "1.2.3_rc1-r0", "1.2.3-r0") < 0
    assert compare_package_versions("dpkg", "1.2.3_rc1-r0", "1.2.3-r0") > 0
    assert compare_package_versions("rpm", "1.0^git1", "1.0") > 0
    assert compare_package_versions("pacman", "1.0~rc1", "1.0") < 0  # unknown: dpkg's order


HUGE = "9" * 5000


@pytest.mark.parametrize("compare", [compare_apk, compare_dpkg, compare_rpm])
def test_numbers_of_any_length_compare_as_numbers(compare) -> None:
    """More than CPython's 4,300-digit int() limit: compared digit by digit, never int()."""
    _check(compare, f"1.{HUGE}", ">", f"1.{HUGE[:-1]}")
    _check(compare, f"1.{HUGE}-r1", ">", "1.2-r1")
    _check(compare, f"1.2-r{HUGE}", ">", "1.2-r1")
    _check(compare, HUGE, ">", "1")


@pytest.mark.parametrize("compare", [compare_dpkg, compare_rpm])
def test_leading_zeros_of_any_length_are_ignored(compare) -> None:
    _check(compare, "1." + "0" * 5000 + "1", "=", "1.1")


@pytest.mark.parametrize("compare", [compare_apk, compare_dpkg, compare_rpm])
@pytest.mark.parametrize(
    "version",
    ["1.²", "²", "1.2-r²", "²:1.0-1", "1.0_rc²", "1.٣", "1.①", f"{HUGE}:1.0-1", "1.2\u00a0", ""],
)
def test_non_ascii_digits_and_odd_text_never_raise(compare, version: str) -> None:
    """'²'.isdigit() is true and int('²') fails; '٣' is a digit to int() but not to any
    package manager. Neither is a number here, and the order stays antisymmetric."""
    for other in ("1.2", "1.2-r0", "1:1.2-1", version):
        assert _sign(compare(version, other)) == -_sign(compare(other, version))
    assert compare(version, version) == 0
