"""The rpm database, read through `rpm -qa` with a fixed query format.

The rpm database is a binary file (Berkeley DB, NDB or SQLite depending on the
distribution), so unlike dpkg and apk it cannot be read as text: the probe runs
`rpm -qa --qf RPM_QUERY_FORMAT` in the target and returns the output, one
tab-separated line per installed package, which is parsed here.
"""

from __future__ import annotations

from driftcheck.parsers.result import ParseResult, build_result, is_token, shown
from driftcheck.snapshot.model import OsPackage

# The probe sends exactly this text as the --qf argument. The probe is a
# stdlib-only script that cannot import driftcheck, so it holds a copy: change
# both together. The backslash escapes are expanded by rpm itself, so the text
# is the same whether it goes through argv or a shell.
RPM_QUERY_FORMAT = r"%{NAME}\t%{EPOCH}\t%{VERSION}\t%{RELEASE}\t%{ARCH}\n"

# What rpm prints for a tag the header lacks: no epoch is the common case,
# and gpg-pubkey pseudo-packages have no architecture.
_NONE = "(none)"


def parse_rpm_query(text: str) -> ParseResult:
    """Return the packages in `rpm -qa --qf RPM_QUERY_FORMAT` output, sorted by key.

    The version is rpm's EVR as rpm prints it, `[epoch:]version-release`.
    """
    records: list[tuple[str, OsPackage]] = []
    problems: list[str] = []
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), 1):
        if not line or line.isspace():
            continue
        where = f"rpm query line {number}"
        parts = line.split("\t")
        if len(parts) != 5:
            problems.append(f"{where}: {len(parts)} tab-separated fields, not 5: {shown(line)}")
            continue
        name, epoch, version, release, arch = (part.strip() for part in parts)
        problem = _check(name, epoch, version, release, arch)
        if problem:
            problems.append(f"{where}: {problem}")
            continue
        evr = f"{version}-{release}" if epoch == _NONE else f"{epoch}:{version}-{release}"
        package = OsPackage("rpm", name, evr, None if arch == _NONE else arch)
        records.append((where, package))
    return build_result("rpm query", records, problems)


def _check(name: str, epoch: str, version: str, release: str, arch: str) -> str | None:
    """Why this line is unusable, or None."""
    if not is_token(name):
        return f"NAME {shown(name)} is not a package name"
    if epoch != _NONE and not (epoch.isascii() and epoch.isdigit()):
        return f"{name}: EPOCH {shown(epoch)} is not a number"
    for label, value in (("VERSION", version), ("RELEASE", release), ("ARCH", arch)):
        if not is_token(value) or (label != "ARCH" and value == _NONE):
            return f"{name}: {label} {shown(value)} is missing or not a single token"
    return None
