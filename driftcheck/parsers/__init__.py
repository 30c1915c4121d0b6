"""Host-side parsers for the raw text the probe (or the static reader) returns.

The probe only copies package databases as text, because it must stay
stdlib-only and run on every CPython from 3.8; interpreting that text happens
here, on the host, once. Each parser is a plain function from text to records
that never raises on bad input: what it cannot read becomes an `Unknown`
naming where it was, so a damaged database gives a partial snapshot, not a
traceback.
"""

from driftcheck.parsers.apk import parse_apk_installed
from driftcheck.parsers.dpkg import parse_dpkg_status
from driftcheck.parsers.os_release import parse_os_release
from driftcheck.parsers.result import ParseResult
from driftcheck.parsers.rpm import RPM_QUERY_FORMAT, parse_rpm_query

__all__ = [
    "RPM_QUERY_FORMAT",
    "ParseResult",
    "parse_apk_installed",
    "parse_dpkg_status",
    "parse_os_release",
    "parse_rpm_query",
]
