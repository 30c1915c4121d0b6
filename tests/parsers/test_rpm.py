"""`rpm -qa --qf RPM_QUERY_FORMAT` output parsing.

No rpm offline, so the fixture was written in the shape rpm prints, with Rocky
Linux 9.4 package names and versions (see fixtures/README.md).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from driftcheck.parsers import RPM_QUERY_FORMAT, ParseResult, parse_rpm_query
from driftcheck.snapshot.model import OsPackage

FIXTURE = Path(__file__).parent / "fixtures" / "rocky94-rpm-qa.tsv"
REAL = FIXTURE.read_text(encoding="utf-8")


def reasons(result: ParseResult) -> list[str]:
    return [u.reason for u in result.unknowns]


def test_query_format_is_the_documented_text() -> None:
    # Backslash-t and backslash-n are literal: rpm expands them itself.
    assert RPM_QUERY_FORMAT == "%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\n"


def test_real_shaped_output() -> None:
    result = parse_rpm_query(REAL)
    assert len(result.packages) == 25
    assert [p.key for p in result.packages] == sorted(p.key for p in result.packages)
    # Two kernels installed side by side share one key: the later line wins
    # and the clash is reported.
    assert reasons(result) == [
        "rpm query line 26: kernel-core:x86_64 5.14.0-427.18.1.el9_4 duplicates "
        "rpm query line 24 (5.14.0-427.13.1.el9_4); keeping the later one"
    ]


@pytest.mark.parametrize(
    "expected",
    [
        OsPackage("rpm", "bash", "5.1.8-9.el9", "x86_64"),
        OsPackage("rpm", "openssl-libs", "1:3.0.7-27.el9", "x86_64"),
        OsPackage("rpm", "shadow-utils", "2:4.9-8.el9", "x86_64"),
        OsPackage("rpm", "tzdata", "2024a-1.el9", "noarch"),
        OsPackage("rpm", "glibc", "2.34-100.el9_4.2", "i686"),
        OsPackage("rpm", "glibc", "2.34-100.el9_4.2", "x86_64"),
        # The signing key pseudo-package has no architecture.
        OsPackage("rpm", "gpg-pubkey", "350d275d-6279464b", None),
        OsPackage("rpm", "kernel-core", "5.14.0-427.18.1.el9_4", "x86_64"),
    ],
)
def test_records(expected: OsPackage) -> None:
    assert expected in parse_rpm_query(REAL).packages


def test_empty_output() -> None:
    assert parse_rpm_query("") == ParseResult()


def test_crlf_line_endings_read_the_same() -> None:
    assert parse_rpm_query(REAL.replace("\n", "\r\n")) == parse_rpm_query(REAL)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "bash\t(none)\t5.1.8\t9.el9",
            "4 tab-separated fields, not 5: 'bash\\t(none)\\t5.1.8\\t9.el9'",
        ),
        ("bash (none) 5.1.8 9.el9 x86_64", "1 tab-separated fields, not 5"),
        ("bash\tone\t5.1.8\t9.el9\tx86_64", "bash: EPOCH 'one' is not a number"),
        ("bash\t(none)\t\t9.el9\tx86_64", "bash: VERSION '' is missing or not a single token"),
        ("bash\t(none)\t5.1.8\t(none)\tx86_64", "bash: RELEASE '(none)' is missing"),
        ("\t(none)\t5.1.8\t9.el9\tx86_64", "NAME '' is not a package name"),
    ],
)
def test_odd_lines(line: str, expected: str) -> None:
    result = parse_rpm_query(line + "\n")
    assert result.packages == ()
    assert len(result.unknowns) == 1
    assert result.unknowns[0].reason.startswith(f"rpm query line 1: {expected}")


def test_truncated_output_keeps_the_complete_lines() -> None:
    cut = REAL.index("\tnoarch\n", REAL.index("dnf\t"))  # dnf, line 22
    result = parse_rpm_query(REAL[:cut])
    assert len(result.packages) == 21  # lines 1-21, all distinct keys
    assert reasons(result) == [
        "rpm query line 22: 4 tab-separated fields, not 5: 'dnf\\t(none)\\t4.14.0\\t9.el9'"
    ]


@pytest.mark.parametrize("seed", range(5))
def test_binary_garbage_in_the_middle(seed: int) -> None:
    garbage = random.Random(seed).randbytes(8192).decode("latin-1")
    middle = REAL.index("bash\t")
    result = parse_rpm_query(REAL[:middle] + garbage + "\n" + REAL[middle:])
    names = {p.name for p in result.packages}
    assert {"libgcc", "bash", "rpm"} <= names
    assert result.unknowns
