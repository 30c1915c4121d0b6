"""`requirements*.txt` as pip-compile, `uv pip compile` and `uv export` write it: one
`name==version ; marker` per requirement, with `--hash` options and continuation lines.

Options that change where pip looks (`-i`, `--find-links`) are not sources of the
packages and are skipped; `-r` / `-c` files are not followed (a note says so).
"""

from __future__ import annotations

import re
import shlex

from packaging.requirements import InvalidRequirement, Requirement

from driftcheck.lockfiles.model import Lock, LockedPackage, LockedSource, LockfileError

MAX_LINES = 100_000
_PIN = re.compile(r"^===?(?P<version>[^*\s]+)$")
_EDITABLE = re.compile(r"^(-e|--editable)(\s+|=)(?P<target>.+)$")
_HASH = re.compile(r"\s--hash[=\s](?P<hash>\S+)")
_NOT_FOLLOWED = ("-r", "--requirement", "-c", "--constraint")


def read_requirements(text: str, path: str) -> Lock:
    packages: list[LockedPackage] = []
    notes: list[str] = []
    lines = _logical_lines(text)
    for number, line in lines:
        if line.startswith("-"):
            editable = _EDITABLE.match(line)
            if editable is not None:
                found = _editable(editable["target"].strip())
                if found is None:
                    notes.append(f"line {number}: an editable install without #egg=NAME")
                else:
                    packages.append(found)
            elif line.split()[0].split("=")[0] in _NOT_FOLLOWED:
                notes.append(f"line {number}: {line.split()[0]} files are not followed")
            continue
        hashes = tuple(m["hash"] for m in _HASH.finditer(f" {line}"))
        requirement_text = _HASH.sub("", f" {line}").strip()
        try:
            requirement = Requirement(requirement_text)
        except InvalidRequirement as exc:
            raise LockfileError(f"line {number}: not a requirement ({str(exc)[:120]})") from None
        packages.append(_package(requirement, hashes, number, notes))
    if not packages:
        raise LockfileError("no requirement in it: not a requirements lock")
    return Lock(
        path=path,
        form="requirements.txt",
        packages=tuple(packages),
        install=f"pip install -r {shlex.quote(path)}",
        notes=tuple(notes[:20]),
    )


def _logical_lines(text: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    pending, start = "", 0
    physical = text.splitlines()
    if len(physical) > MAX_LINES:
        raise LockfileError(f"more than {MAX_LINES:,} lines")
    for number, raw in enumerate(physical, 1):
        line = re.sub(r"(^|\s)#.*$", "", raw).rstrip()
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        whole = (pending + line).strip()
        pending = ""
        if whole:
            out.append((start, whole))
    if pending.strip():
        out.append((start, pending.strip()))
    return out


def _package(
    requirement: Requirement, hashes: tuple[str, ...], number: int, notes: list[str]
) -> LockedPackage:
    marker = str(requirement.marker) if requirement.marker is not None else None
    if requirement.url:
        return LockedPackage(requirement.name, None, _url_source(requirement.url), marker, hashes)
    specifiers = list(requirement.specifier)
    pin = _PIN.match(str(specifiers[0])) if len(specifiers) == 1 else None
    if pin is None:
        notes.append(
            f"line {number}: {requirement.name} is not pinned with ==: version not compared"
        )
    version = pin["version"] if pin else None
    return LockedPackage(requirement.name, version, marker=marker, hashes=hashes)


def _url_source(url: str) -> LockedSource:
    if url.startswith(("git+", "hg+", "svn+", "bzr+")):
        vcs, _, rest = url.partition("+")
        location = rest.partition("#")[0]
        base, at, commit = location.rpartition("@")
        if at and "/" not in commit:
            return LockedSource("vcs", url=base, vcs=vcs, commit=commit)
        return LockedSource("vcs", url=location, vcs=vcs)
    if url.startswith("file:"):
        return LockedSource("path", url=url)
    return LockedSource("url", url=url)


def _editable(target: str) -> LockedPackage | None:
    """`-e ./path#egg=name` or `-e git+URL#egg=name`; a bare `-e .` names no distribution."""
    name = target.partition("#egg=")[2].partition("&")[0]
    if not name:
        return None
    where = target.partition("#")[0]
    found = _url_source(where) if "://" in where else LockedSource("path", url=where)
    source = LockedSource(found.kind, found.url, found.vcs, found.commit, editable=True)
    return LockedPackage(name, None, source)
