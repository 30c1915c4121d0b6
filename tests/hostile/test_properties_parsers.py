"""Package-database parsers on arbitrary text: they never raise, and what they keep is sound.

The parsers' contract (driftcheck/parsers/__init__.py): a plain function from text
to records that never raises on bad input; what it cannot read becomes an unknown.
Text is drawn both at random and from lines shaped like each format's own, so that
the interesting near-misses (a field without a colon, a continuation with no field,
a duplicated key) come up often.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import properties  # loads the ci, dev or thorough profile
from hypothesis import example, given
from hypothesis import strategies as st

from driftcheck.parsers import (
    ParseResult,
    parse_apk_installed,
    parse_dpkg_status,
    parse_os_release,
    parse_rpm_query,
)
from driftcheck.parsers.result import MAX_UNKNOWNS, is_token

EXAMPLES = properties.examples(300)
TOKENS = st.sampled_from(["libc6", "1.0-1", "amd64", "glibc", "(none)", "0", "a b", "", "x\x00"])
NAMES = st.sampled_from(["Package", "Status", "Version", "Architecture", "Source", "package", "X"])
STATUS = st.sampled_from(
    ["install ok installed", "deinstall ok config-files", "hold ok installed", "install ok"]
)


def dpkg_lines() -> st.SearchStrategy[str]:
    field = st.builds(lambda n, v: f"{n}: {v}", NAMES, st.one_of(TOKENS, STATUS, st.text()))
    line = st.one_of(field, st.just(""), st.just(" continued"), st.just(" "), st.text())
    return st.lists(line, max_size=40).map("\n".join)


def apk_lines() -> st.SearchStrategy[str]:
    letters = st.sampled_from([*"PVAopLT", "", "1", "P:"])
    field = st.builds(lambda k, v: f"{k}:{v}", letters, st.one_of(TOKENS, st.text()))
    return st.lists(st.one_of(field, st.just(""), st.text()), max_size=40).map("\n".join)


def rpm_lines() -> st.SearchStrategy[str]:
    fields = st.lists(st.one_of(TOKENS, st.text(max_size=10)), min_size=3, max_size=7)
    line = st.one_of(fields.map("\t".join), st.text())
    return st.lists(line, max_size=30).map("\r\n".join)


def os_release_lines() -> st.SearchStrategy[str]:
    value = st.one_of(st.text(), st.text().map(lambda v: f'"{v}"'), st.text().map(repr))
    line = st.one_of(st.builds(lambda k, v: f"{k}={v}", st.from_regex(r"[A-Z_]{1,8}"), value))
    return st.lists(st.one_of(line, st.text()), max_size=20).map("\n".join)


def check_result(parse: Callable[[str], ParseResult], text: str) -> None:
    result = parse(text)
    assert isinstance(result, ParseResult)
    keys = [p.key for p in result.packages]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    for package in result.packages:
        assert is_token(package.name) and is_token(package.version)
    assert len(result.unknowns) <= MAX_UNKNOWNS
    assert all(u.field == "os_packages" and u.reason for u in result.unknowns)
    assert parse(text) == result  # deterministic


@EXAMPLES
@given(st.one_of(st.text(), dpkg_lines()))
@example("Package: a\nStatus: install ok installed\nVersion: 1\n\n" * 60 + "Package: \x00")
def test_dpkg_status_never_raises(text: str) -> None:
    check_result(parse_dpkg_status, text)


@EXAMPLES
@given(st.one_of(st.text(), apk_lines()))
def test_apk_installed_never_raises(text: str) -> None:
    check_result(parse_apk_installed, text)


@EXAMPLES
@given(st.one_of(st.text(), rpm_lines()))
def test_rpm_query_never_raises(text: str) -> None:
    check_result(parse_rpm_query, text)


IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@EXAMPLES
@given(st.one_of(st.text(), os_release_lines()))
def test_os_release_never_raises(text: str) -> None:
    values = parse_os_release(text)
    assert all(IDENTIFIER.fullmatch(k) and isinstance(v, str) for k, v in values.items())
    assert all("\n" not in v for v in values.values())
