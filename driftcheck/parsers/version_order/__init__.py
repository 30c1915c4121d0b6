"""Which of two versions of an OS package is newer, by the rules of its package manager.

dpkg, rpm and apk each order versions their own way: '~' sorts before the end in
dpkg and rpm, '^' after it in rpm, and apk knows suffixes (``_rc1`` comes before
the release, ``_p1`` after it). Reading an upgrade as a downgrade sends an
engineer the wrong way, so each manager gets its own comparison, written from
its documented rules and its own test data (tests/parsers/test_version_order.py).

Every comparison takes any text without raising: a number of any length is
compared digit by digit (never through ``int``), only ASCII digits are digits,
and a version the manager could not read is compared as plain text.
"""

from __future__ import annotations

from collections.abc import Callable

from driftcheck.parsers.version_order.apk import compare_apk
from driftcheck.parsers.version_order.dpkg import compare_dpkg
from driftcheck.parsers.version_order.rpm import compare_rpm

_BY_MANAGER: dict[str, Callable[[str, str], int]] = {
    "apk": compare_apk,
    "dpkg": compare_dpkg,
    "rpm": compare_rpm,
}


def compare_package_versions(manager: str, a: str, b: str) -> int:
    """Negative when ``a`` is older than ``b``, 0 when equal, positive when newer.

    An unknown manager gets dpkg's order, the most forgiving of the three.
    """
    return _BY_MANAGER.get(manager, compare_dpkg)(a, b)


def compare_text(a: str, b: str) -> int:
    """The last resort for versions no rule reads: plain text order."""
    return (a > b) - (a < b)


__all__ = ["compare_apk", "compare_dpkg", "compare_package_versions", "compare_rpm", "compare_text"]
