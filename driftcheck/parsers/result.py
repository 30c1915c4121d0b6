"""What a package-database parser returns, and the rules every parser shares.

Sorting and de-duplicating live here, once, so that dpkg, apk and rpm records
reach the snapshot in the same order (by `OsPackage.key`) and a snapshot of the
same machine always serialises identically.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from driftcheck.snapshot.model import OsPackage, Unknown

# The snapshot field these records and problems belong to.
FIELD = "os_packages"

# A corrupt database must not turn into thousands of near-identical problems:
# past this many, the rest are counted in one closing `Unknown`.
MAX_UNKNOWNS = 50


@dataclass(frozen=True)
class ParseResult:
    """Installed packages sorted by key, and what could not be read."""

    packages: tuple[OsPackage, ...] = ()
    unknowns: tuple[Unknown, ...] = ()


def is_token(value: str) -> bool:
    """True for a non-empty value with no whitespace or control characters.

    Package names, versions and architectures are all such tokens in every
    manager; anything else means the record was damaged.
    """
    # isprintable() is False for every whitespace character except " ".
    return bool(value) and value.isprintable() and " " not in value


def shown(value: str, limit: int = 60) -> str:
    """Quote untrusted text for a problem message: escaped, and cut short."""
    return repr(value if len(value) <= limit else value[:limit] + "...")


def build_result(
    source: str, records: Iterable[tuple[str, OsPackage]], problems: list[str]
) -> ParseResult:
    """Sort and de-duplicate `(where, package)` pairs; turn problems into `Unknown`s.

    A second record with the same key is itself a problem (the database holds
    two answers for one identity); the later one wins, as it would for a tool
    reading the file top to bottom. `source` names the database (e.g. "dpkg
    status") in the closing summary when problems are capped.
    """
    seen: dict[tuple[str, str, str], tuple[str, OsPackage]] = {}
    problems = list(problems)
    for where, package in records:
        earlier = seen.get(package.key)
        if earlier is not None:
            label = package.name + (f":{package.architecture}" if package.architecture else "")
            problems.append(
                f"{where}: {label} {package.version} duplicates {earlier[0]} "
                f"({earlier[1].version}); keeping the later one"
            )
        seen[package.key] = (where, package)
    packages = tuple(seen[key][1] for key in sorted(seen))
    if len(problems) > MAX_UNKNOWNS:
        extra = len(problems) - (MAX_UNKNOWNS - 1)
        problems = [*problems[: MAX_UNKNOWNS - 1], f"{source}: {extra} further problems not listed"]
    return ParseResult(packages, tuple(Unknown(field=FIELD, reason=p) for p in problems))
