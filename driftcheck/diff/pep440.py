"""PEP 440 versions, specifiers, requirements and markers from a target, read safely.

`packaging` turns every number of a version into an ``int``; a number of more
than 4,300 digits (CPython's conversion limit) makes it raise a bare ValueError,
not InvalidVersion, and a specifier or a marker holding one raises only when it
is used. A snapshot may hold any text, so every version, specifier and marker
that comes from one is read here: a number longer than ``MAX_DIGITS`` makes it
invalid, with packaging's own exception, and the callers' handling of invalid
versions (text treated as opaque, a check skipped with a note) applies.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from driftcheck.numbers import MAX_DIGITS, has_long_number

TOO_LONG = f"a number of more than {MAX_DIGITS} digits"


@lru_cache(maxsize=65536)
def parse_version(text: str) -> Version:
    """Version(text); InvalidVersion also for a number longer than MAX_DIGITS."""
    if has_long_number(text):
        raise InvalidVersion(f"{TOO_LONG} in a version")
    return Version(text)


@lru_cache(maxsize=65536)
def parse_requirement(text: str) -> Requirement:
    """Requirement(text); InvalidRequirement also for a number longer than MAX_DIGITS, in
    its specifier or its marker."""
    if has_long_number(text):
        raise InvalidRequirement(TOO_LONG)
    return Requirement(text)


def parse_specifiers(text: str) -> SpecifierSet:
    """SpecifierSet(text); InvalidSpecifier also for a number longer than MAX_DIGITS."""
    if has_long_number(text):
        raise InvalidSpecifier(TOO_LONG)
    return SpecifierSet(text)


def marker_holds(marker: Marker, environment: Mapping[str, str]) -> bool:
    """marker.evaluate(environment); InvalidMarker when a value of the environment (a
    Python or kernel version from a snapshot) holds a number longer than MAX_DIGITS,
    which packaging would fail to compare. The marker itself was checked with its
    requirement."""
    if any(has_long_number(value) for value in environment.values()):
        raise InvalidMarker(f"{TOO_LONG} in this side's environment")
    return marker.evaluate(dict(environment))
