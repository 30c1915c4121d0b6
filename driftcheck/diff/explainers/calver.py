"""Calendar versions: a first number that says when a release came out, not how compatible it is.

Under semantic versioning 23.2.0 → 24.3.0 announces incompatible changes; under
calendar versioning it announces a new year. A first number of 1990 or more is
taken as a year (certifi 2024.8.30, tzdata 2025.1, pytz 2024.2, also YYYYMM and
YYYYMMDD). A two-digit year cannot be told from a semantic major by its look, so
it counts only for the projects below, each of which says so itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from packaging.version import Version

FIRST_YEAR = 1990
LAST_YEAR = 2999
# Projects whose first version number is the two-digit release year, by their own
# documents, with the first version of that scheme:
#   pip 18.0: "The version number of pip is YY.N, where YY is the year of the release"
#     (pip documentation, development/release-process).
#   attrs 15.0: "We are following Calendar Versioning with generous backwards-compatibility
#     guarantees" (python-attrs/attrs, .github/SECURITY.md).
#   packaging 14.0: its versions are documented as calendar-based (pypa/packaging#717);
#     a release can carry the previous year's number (20.9 came out in January 2021).
#   black 18.3a0: the same code "will produce the same output for all releases in a given
#     calendar year" (psf/black, docs/the_black_code_style/index.md).
TWO_DIGIT_YEARS: Mapping[str, int] = {"pip": 18, "attrs": 15, "packaging": 14, "black": 18}
# What a new year means, where the project's own policy says more than "read the changelog".
NEW_YEAR_NOTES: Mapping[str, str] = {
    "black": (
        "its first release of a year may change the stable formatting style, so a formatting "
        "check can fail on code the other side accepts"
    ),
}


@dataclass(frozen=True)
class CalendarStep:
    """The years two calendar versions name (None where the number holds no readable year)."""

    left_year: int | None
    right_year: int | None
    note: str | None = None

    @property
    def same_year(self) -> bool:
        return self.left_year is not None and self.left_year == self.right_year

    @property
    def years(self) -> str:
        """'2023 → 2024', or '' when either year is unreadable."""
        if self.left_year is None or self.right_year is None:
            return ""
        return f"{self.left_year} → {self.right_year}"


def calendar_step(name: str, left: Version, right: Version) -> CalendarStep | None:
    """The calendar reading of a version change, or None when either side is not calendar."""
    if not (is_calendar(name, left) and is_calendar(name, right)):
        return None
    return CalendarStep(_year(name, left), _year(name, right), NEW_YEAR_NOTES.get(name))


def is_calendar(name: str, version: Version) -> bool:
    first = version.release[0]
    since = TWO_DIGIT_YEARS.get(name)
    return first >= FIRST_YEAR or (since is not None and since <= first < 100)


def _year(name: str, version: Version) -> int | None:
    """The year a calendar version names (YYYY, YYYYMM, YYYYMMDD or a listed project's YY)."""
    first = version.release[0]
    if first < 100:
        return 2000 + first
    digits = str(first)
    year = int(digits[:4]) if len(digits) in (4, 6, 8) else 0
    return year if FIRST_YEAR <= year <= LAST_YEAR else None
