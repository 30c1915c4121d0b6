"""apk installed-database parsing.

Alpine is not available offline, so the fixture was written from the apk v2
installed-database format (one block per package, `LETTER:value` lines, a
blank line between blocks), with the real package names, versions and origins
of the alpine:3.19.0 x86_64 base image; checksums, commits and file lists are
illustrative (see fixtures/README.md).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from driftcheck.parsers import ParseResult, parse_apk_installed
from driftcheck.snapshot.model import OsPackage

FIXTURE = Path(__file__).parent / "fixtures" / "alpine319-apk-installed"
REAL = FIXTURE.read_text(encoding="utf-8")


def reasons(result: ParseResult) -> list[str]:
    return [u.reason for u in result.unknowns]


def by_name(result: ParseResult) -> dict[str, OsPackage]:
    return {p.name: p for p in result.packages}


def test_base_image_database() -> None:
    result = parse_apk_installed(REAL)
    assert result.unknowns == ()
    assert [p.name for p in result.packages] == [
        "alpine-baselayout",
        "alpine-baselayout-data",
        "alpine-keys",
        "apk-tools",
        "busybox",
        "busybox-binsh",
        "ca-certificates-bundle",
        "libc-utils",
        "libcrypto3",
        "libssl3",
        "musl",
        "musl-utils",
        "scanelf",
        "ssl_client",
        "zlib",
    ]


@pytest.mark.parametrize(
    ("name", "version", "source"),
    [
        ("apk-tools", "2.14.0-r5", "apk-tools"),
        ("busybox-binsh", "1.36.1-r15", "busybox"),
        ("libc-utils", "0.7.2-r5", "libc-dev"),
        ("libssl3", "3.1.4-r2", "openssl"),
        ("musl", "1.2.4_git20230717-r4", "musl"),
        ("scanelf", "1.3.7-r2", "pax-utils"),
    ],
)
def test_records(name: str, version: str, source: str) -> None:
    package = by_name(parse_apk_installed(REAL))[name]
    assert package == OsPackage("apk", name, version, "x86_64", source)


def test_empty_file() -> None:
    assert parse_apk_installed("") == ParseResult()


def test_crlf_line_endings_read_the_same() -> None:
    assert parse_apk_installed(REAL.replace("\n", "\r\n")) == parse_apk_installed(REAL)


def test_provides_is_not_the_name() -> None:
    # `p:` (provides) must not be mistaken for `P:` (name), nor `a:` for `A:`.
    text = "P:busybox-binsh\nV:1.36.1-r15\np:/bin/sh cmd:sh=1.36.1-r15\na:0:0:777\n"
    assert parse_apk_installed(text).packages == (OsPackage("apk", "busybox-binsh", "1.36.1-r15"),)


def test_missing_version() -> None:
    damaged = REAL.replace("V:1.36.1-r15\n", "", 1)  # busybox: block 5, line 96
    result = parse_apk_installed(damaged)
    assert reasons(result) == ["apk installed block 5 (line 96): busybox: no V: (version) field"]
    assert len(result.packages) == 14


def test_truncated_last_block() -> None:
    cut = REAL.index("V:1.3-r2")  # zlib: block 15, line 310
    result = parse_apk_installed(REAL[:cut] + "V")
    assert reasons(result) == [
        "apk installed block 15 (line 310): zlib: no V: (version) field",
    ]


def test_duplicate_package_later_one_wins() -> None:
    extra = "P:zlib\nV:1.3.1-r0\nA:x86_64\no:zlib\n"
    result = parse_apk_installed(REAL + extra)  # REAL is 332 lines, ending with a blank one
    assert by_name(result)["zlib"].version == "1.3.1-r0"
    assert reasons(result) == [
        "apk installed block 16 (line 333): zlib:x86_64 1.3.1-r0 duplicates "
        "apk installed block 15 (line 310) (1.3-r2); keeping the later one"
    ]


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ("V:1\n", "no P: (name) field"),
        ("P:a b\nV:1\n", "P: 'a b' is not a package name"),
        ("P:p\nV:1\nA:x86 64\n", "p: A: 'x86 64' is not a single token"),
        ("P:p\nV:1\nno colon here\n", "p: line 3 is not a field line; ignored"),
        # Two blocks run together (a lost blank line): the first is kept.
        ("P:p\nV:1\nP:q\nV:2\n", "p: line 3 repeats P:; ignored"),
    ],
)
def test_odd_blocks(block: str, expected: str) -> None:
    result = parse_apk_installed(block)
    assert reasons(result) == [f"apk installed block 1 (line 1): {expected}"]


def test_blocks_run_together_keep_the_first_package() -> None:
    assert parse_apk_installed("P:p\nV:1\nP:q\nV:2\n").packages == (OsPackage("apk", "p", "1"),)


def test_missing_architecture_is_none() -> None:
    assert parse_apk_installed("P:p\nV:1\n").packages == (OsPackage("apk", "p", "1"),)


@pytest.mark.parametrize("seed", range(5))
def test_binary_garbage_in_the_middle(seed: int) -> None:
    garbage = random.Random(seed).randbytes(8192).decode("latin-1")
    middle = REAL.index("P:musl\n")
    result = parse_apk_installed(REAL[:middle] + garbage + "\n\n" + REAL[middle:])
    assert {"alpine-baselayout", "musl", "zlib"} <= set(by_name(result))
    assert result.unknowns
