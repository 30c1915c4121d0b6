"""dpkg status parsing, on real paragraphs from a Debian 12 host.

The fixture is 30 paragraphs copied from this machine's /var/lib/dpkg/status
plus one real dpkg-written config-files paragraph (see fixtures/README.md).
Corrupt inputs are made by damaging that real text.
"""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest

from driftcheck.parsers import ParseResult, parse_dpkg_status
from driftcheck.parsers.result import MAX_UNKNOWNS
from driftcheck.snapshot.model import OsPackage, Unknown

FIXTURE = Path(__file__).parent / "fixtures" / "debian12-dpkg-status"
REAL = FIXTURE.read_text(encoding="utf-8")
HOST_STATUS = Path("/var/lib/dpkg/status")


def reasons(result: ParseResult) -> list[str]:
    return [u.reason for u in result.unknowns]


def by_name(result: ParseResult) -> dict[str, OsPackage]:
    return {p.name: p for p in result.packages}


def test_real_file_counts_installed_packages_only() -> None:
    result = parse_dpkg_status(REAL)
    assert result.unknowns == ()
    assert len(result.packages) == 30
    # Removed but with its conffiles left behind: not installed.
    assert "driftcheck-demo-conf" not in by_name(result)


@pytest.mark.parametrize(
    ("name", "version", "architecture", "source"),
    [
        ("adduser", "3.134", "all", None),
        # "Source: bash (5.2.15-2)": a binNMU, the source version differs.
        ("bash", "5.2.15-2+b8", "amd64", "bash"),
        ("bsdutils", "1:2.38.1-5+deb12u3", "amd64", "util-linux"),
        ("cpp", "4:12.2.0-3", "amd64", "gcc-defaults"),
        ("libatm1", "1:2.5.1-4+b2", "amd64", "linux-atm"),
        ("libc6", "2.36-9+deb12u14", "amd64", "glibc"),
        ("libyuv0", "0.0~git20230123.b2528b0-1", "amd64", "libyuv"),
        ("llvm", "1:14.0-55.7~deb12u1", "amd64", "llvm-defaults"),
        ("python3-pip", "23.0.1+dfsg-1", "all", "python-pip"),
        ("zlib1g", "1:1.2.13.dfsg-1", "amd64", "zlib"),
    ],
)
def test_real_records(name: str, version: str, architecture: str, source: str | None) -> None:
    package = by_name(parse_dpkg_status(REAL))[name]
    assert package == OsPackage("dpkg", name, version, architecture, source)


def test_records_are_sorted_by_key() -> None:
    packages = parse_dpkg_status(REAL).packages
    assert [p.key for p in packages] == sorted({p.key for p in packages})


def test_empty_file() -> None:
    assert parse_dpkg_status("") == ParseResult()
    assert parse_dpkg_status("\n\n  \n") == ParseResult()


def test_crlf_line_endings_read_the_same() -> None:
    assert parse_dpkg_status(REAL.replace("\n", "\r\n")) == parse_dpkg_status(REAL)


def test_blank_lines_made_of_spaces_separate_paragraphs() -> None:
    assert parse_dpkg_status(REAL.replace("\n\n", "\n \t\n")) == parse_dpkg_status(REAL)


def test_field_names_are_case_insensitive() -> None:
    text = "PACKAGE: x\nstatus: install ok installed\nVERSION: 1\narchitecture: amd64\n"
    assert parse_dpkg_status(text).packages == (OsPackage("dpkg", "x", "1", "amd64"),)


def test_missing_version() -> None:
    damaged = REAL.replace("Version: 2.36-9+deb12u14\n", "", 1)  # libc-bin: paragraph 14, line 320
    result = parse_dpkg_status(damaged)
    assert reasons(result) == ["dpkg status paragraph 14 (line 320): libc-bin: no Version field"]
    assert "libc-bin" not in by_name(result)
    assert len(result.packages) == 29


def test_truncated_last_paragraph() -> None:
    cut = REAL.index("Version: 1:1.2.13.dfsg-1")  # zlib1g, paragraph 31, line 735
    result = parse_dpkg_status(REAL[:cut] + "Vers")
    assert reasons(result) == ["dpkg status paragraph 31 (line 735): zlib1g: no Version field"]
    assert len(result.packages) == 29


def test_duplicate_package_later_one_wins() -> None:
    extra = "Package: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 9.9-1\n"
    result = parse_dpkg_status(REAL + extra)  # REAL is 753 lines, ending with a blank one
    assert by_name(result)["bash"].version == "9.9-1"
    assert reasons(result) == [
        "dpkg status paragraph 32 (line 754): bash:amd64 9.9-1 duplicates "
        "dpkg status paragraph 3 (line 68) (5.2.15-2+b8); keeping the later one"
    ]
    assert len(result.packages) == 30


def test_same_name_other_architecture_is_not_a_duplicate() -> None:
    extra = "Package: libc6\nStatus: install ok installed\nArchitecture: i386\nVersion: 2.36-9\n"
    result = parse_dpkg_status(REAL + "\n" + extra)
    assert result.unknowns == ()
    assert [p.architecture for p in result.packages if p.name == "libc6"] == ["amd64", "i386"]


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        # Only the "installed" state counts, whatever the selection.
        ("Package: p\nStatus: hold ok installed\nVersion: 1\n", "kept"),
        ("Package: p\nStatus: install reinstreq installed\nVersion: 1\n", "kept"),
        ("Package: p\nStatus: install ok half-installed\nVersion: 1\n", "skipped"),
        ("Package: p\nStatus: install ok unpacked\nVersion: 1\n", "skipped"),
        ("Package: p\nStatus: install ok triggers-pending\nVersion: 1\n", "skipped"),
        ("Package: p\nStatus: deinstall ok config-files\nVersion: 1\n", "skipped"),
        # Not-installed entries often carry no Version at all.
        ("Package: p\nStatus: purge ok not-installed\n", "skipped"),
        ("Package: p\nVersion: 1\n", "p: no Status field"),
        ("Package: p\nStatus: install ok\nVersion: 1\n", "p: unreadable Status 'install ok'"),
        ("Package: p\nStatus: install ok gone\nVersion: 1\n", "p: unreadable Status"),
        ("Status: install ok installed\nVersion: 1\n", "no Package field"),
        ("Package: p q\nStatus: install ok installed\n", "Package 'p q' is not a package name"),
        # A continuation line folded into Version.
        (
            "Package: p\nStatus: install ok installed\nVersion: 1\n 2\n",
            "p: Version '1\\n2' is not a single token",
        ),
        (
            "Package: p\nStatus: install ok installed\nVersion: 1\nSource: (1)\n",
            "p: unreadable Source '(1)'",
        ),
        (
            "Package: p\nStatus: install ok installed\nVersion: 1\nnot a field\n",
            "p: line 4 is not a field line; ignored",
        ),
        (
            " leading continuation\nPackage: p\nStatus: install ok installed\nVersion: 1\n",
            "p: line 1 continues no field; ignored",
        ),
    ],
)
def test_odd_paragraphs(paragraph: str, expected: str) -> None:
    result = parse_dpkg_status(paragraph)
    if expected == "kept":
        assert result == ParseResult((OsPackage("dpkg", "p", "1"),))
    elif expected == "skipped":
        assert result == ParseResult()
    else:
        assert len(result.unknowns) == 1
        assert result.unknowns[0].field == "os_packages"
        assert result.unknowns[0].reason.startswith(f"dpkg status paragraph 1 (line 1): {expected}")


def test_paragraphs_run_together_keep_the_first_package() -> None:
    # A lost blank line merges adduser (line 1) into base-files (line 41).
    merged = REAL.replace("\n\nPackage: base-files\n", "\nPackage: base-files\n", 1)
    result = parse_dpkg_status(merged)
    assert by_name(result)["adduser"].version == "3.134"
    assert "base-files" not in by_name(result)
    assert reasons(result) == [
        "dpkg status paragraph 1 (line 1): adduser: line 40 repeats the Package field; ignored"
    ]


def test_source_version_is_dropped() -> None:
    text = "Package: p\nStatus: install ok installed\nVersion: 1+b1\nSource: src (1)\n"
    assert parse_dpkg_status(text).packages[0].source == "src"


@pytest.mark.parametrize("seed", range(5))
def test_binary_garbage_in_the_middle(seed: int) -> None:
    garbage = random.Random(seed).randbytes(8192).decode("latin-1")
    middle = REAL.index("Package: libc6\n")
    result = parse_dpkg_status(REAL[:middle] + garbage + "\n\n" + REAL[middle:])
    names = by_name(result)
    assert {"adduser", "libc6", "zlib1g"} <= set(names)
    assert result.unknowns  # the garbage is reported, not silently dropped
    assert all(isinstance(u, Unknown) for u in result.unknowns)


def test_problems_are_capped() -> None:
    result = parse_dpkg_status("junk\n\n" * 500)
    assert len(result.unknowns) == MAX_UNKNOWNS
    assert result.unknowns[-1].reason == (
        f"dpkg status: {500 - MAX_UNKNOWNS + 1} further problems not listed"
    )


@pytest.mark.skipif(
    not HOST_STATUS.is_file() or shutil.which("dpkg-query") is None,
    reason="needs a Debian-family host with dpkg-query",
)
def test_host_database_agrees_with_dpkg_query() -> None:
    """The whole host file, checked against dpkg's own reading of it."""
    listing = subprocess.run(
        [
            "dpkg-query",
            "-W",
            "-f=${db:Status-Abbrev}\t${Package}\t${Architecture}\t${Version}\t${source:Package}\n",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # The abbreviation's second letter is the state; "i" is "installed"
    # (so "hi", a held package, counts as well as "ii").
    expected = {
        (name, arch, version, source)
        for abbrev, name, arch, version, source in (
            line.split("\t") for line in listing.splitlines()
        )
        if abbrev[1] == "i"
    }
    result = parse_dpkg_status(HOST_STATUS.read_text(encoding="utf-8", errors="replace"))
    assert result.unknowns == ()
    assert len(result.packages) == len(expected)
    assert {(p.name, p.architecture, p.version, p.source or p.name) for p in result.packages} == (
        expected
    )
