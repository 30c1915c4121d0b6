"""dpkg's database of installed packages, /var/lib/dpkg/status.

The file is RFC 822-like paragraphs, one per package dpkg knows about,
including packages long removed whose configuration files remain. Only the
five fields a snapshot needs are kept, and the file is walked line by line
once, because a real host's status file is hundreds of kilobytes and this
runs on every snapshot.
"""

from __future__ import annotations

from driftcheck.parsers.result import ParseResult, build_result, is_token, shown
from driftcheck.snapshot.model import OsPackage

_KEPT = frozenset({"package", "status", "version", "architecture", "source"})

# The third word of Status. Only "installed" means the package's files are
# on disk and configured; the rest are removed, or half-way through dpkg.
_STATES = frozenset(
    {
        "not-installed",
        "config-files",
        "half-installed",
        "unpacked",
        "half-configured",
        "triggers-awaited",
        "triggers-pending",
        "installed",
    }
)


def parse_dpkg_status(text: str) -> ParseResult:
    """Return the installed packages in a dpkg status file, sorted by key.

    A package counts when its Status state is "installed" (whatever the
    selection, so "hold ok installed" counts too); other paragraphs are
    skipped silently. Field names are case-insensitive, as in deb822.
    """
    records: list[tuple[str, OsPackage]] = []
    problems: list[str] = []
    fields: dict[str, str] = {}
    # The kept field that continuation lines extend; "" after any other
    # field; None before the paragraph's first field.
    current: str | None = None
    # The paragraph's first damaged line, reported once even if it is kept.
    odd = ""
    start = paragraph = 0
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), 1):
        if not line or line.isspace():
            if start:
                _finish(paragraph, start, fields, odd, records, problems)
                start = 0
            continue
        if not start:
            start, paragraph, odd, current, fields = number, paragraph + 1, "", None, {}
        if line[0] in " \t":
            if current:
                fields[current] += "\n" + line.strip()
            elif current is None:
                odd = odd or f"line {number} continues no field"
            continue
        name, colon, value = line.partition(":")
        if not colon or not name or name[0] in "#-" or not is_token(name):
            odd = odd or f"line {number} is not a field line"
            current = None
            continue
        current = name.lower()
        if current not in _KEPT:
            current = ""
        elif current in fields:
            # Two paragraphs run together (a lost blank line) look like this:
            # the first value is kept, so one package is not half another.
            odd = odd or f"line {number} repeats the {name} field"
            current = ""
        else:
            fields[current] = value.strip()
    if start:
        _finish(paragraph, start, fields, odd, records, problems)
    return build_result("dpkg status", records, problems)


def _finish(
    paragraph: int,
    start: int,
    fields: dict[str, str],
    odd: str,
    records: list[tuple[str, OsPackage]],
    problems: list[str],
) -> None:
    """Turn one paragraph into a record, a problem, or nothing (not installed)."""
    where = f"dpkg status paragraph {paragraph} (line {start})"
    problem = _check(fields)
    if problem == "":
        return
    if problem is not None:
        problems.append(f"{where}: {problem}")
        return
    name = fields["package"]
    if odd:
        problems.append(f"{where}: {name}: {odd}; ignored")
    source = fields.get("source")
    records.append(
        (
            where,
            OsPackage(
                manager="dpkg",
                name=name,
                version=fields["version"],
                architecture=fields.get("architecture"),
                source=source.partition("(")[0].strip() if source else None,
            ),
        )
    )


def _check(fields: dict[str, str]) -> str | None:
    """Why this paragraph is unusable; "" when it is simply not installed."""
    name = fields.get("package")
    if name is None:
        return "no Package field"
    if not is_token(name):
        return f"Package {shown(name)} is not a package name"
    status = fields.get("status")
    if status is None:
        return f"{name}: no Status field"
    words = status.split()
    if len(words) != 3 or words[2] not in _STATES:
        return f"{name}: unreadable Status {shown(status)}"
    if words[2] != "installed":
        return ""
    version = fields.get("version")
    if version is None:
        return f"{name}: no Version field"
    for label in ("version", "architecture"):
        value = fields.get(label)
        if value is not None and not is_token(value):
            return f"{name}: {label.capitalize()} {shown(value)} is not a single token"
    source = fields.get("source")
    if source is not None and not is_token(source.partition("(")[0].strip()):
        return f"{name}: unreadable Source {shown(source)}"
    return None
