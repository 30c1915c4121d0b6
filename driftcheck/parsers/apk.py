"""Alpine's database of installed packages, /lib/apk/db/installed.

One block per package, blocks separated by blank lines, each line a single
letter, a colon and a value (`P:` name, `V:` version, `A:` architecture,
`o:` origin, i.e. the source package). The letters are case-sensitive (`p:`
is "provides", not the name), and every other letter, including the long
file lists, is skipped.
"""

from __future__ import annotations

from driftcheck.parsers.result import ParseResult, build_result, is_token, shown
from driftcheck.snapshot.model import OsPackage

_KEPT = frozenset("PVAo")


def parse_apk_installed(text: str) -> ParseResult:
    """Return the packages in an apk installed database, sorted by key."""
    records: list[tuple[str, OsPackage]] = []
    problems: list[str] = []
    fields: dict[str, str] = {}
    # The block's first damaged line, reported once even if it is kept.
    odd = ""
    start = block = 0
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), 1):
        if not line or line.isspace():
            if start:
                _finish(block, start, fields, odd, records, problems)
                start = 0
            continue
        if not start:
            start, block, odd, fields = number, block + 1, "", {}
        letter = line[0]
        if len(line) < 2 or line[1] != ":" or not letter.isascii() or not letter.isalpha():
            odd = odd or f"line {number} is not a field line"
        elif letter in _KEPT:
            if letter in fields:
                # Two blocks run together (a lost blank line): keep the first.
                odd = odd or f"line {number} repeats {letter}:"
            else:
                fields[letter] = line[2:].strip()
    if start:
        _finish(block, start, fields, odd, records, problems)
    return build_result("apk installed", records, problems)


def _finish(
    block: int,
    start: int,
    fields: dict[str, str],
    odd: str,
    records: list[tuple[str, OsPackage]],
    problems: list[str],
) -> None:
    """Turn one block into a record or a problem."""
    where = f"apk installed block {block} (line {start})"
    name, version = fields.get("P"), fields.get("V")
    if name is None:
        problems.append(f"{where}: no P: (name) field")
        return
    if not is_token(name):
        problems.append(f"{where}: P: {shown(name)} is not a package name")
        return
    if version is None:
        problems.append(f"{where}: {name}: no V: (version) field")
        return
    for letter in "VAo":
        value = fields.get(letter)
        if value is not None and not is_token(value):
            problems.append(f"{where}: {name}: {letter}: {shown(value)} is not a single token")
            return
    if odd:
        problems.append(f"{where}: {name}: {odd}; ignored")
    records.append(
        (
            where,
            OsPackage(
                manager="apk",
                name=name,
                version=version,
                architecture=fields.get("A"),
                source=fields.get("o"),
            ),
        )
    )
