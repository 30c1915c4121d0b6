"""--emit-constraints: a pip/uv constraints file that puts A's package versions on B.

A constraints file (`pip install -c FILE`) pins versions without installing
anything by itself, so it is safe to apply with the project's own requirements.
Only what an index can serve is pinned: an editable, VCS or local-path install
on A is written as a comment that says why and what to run instead. Every
string from a snapshot is checked (names, versions) or made one inert line.
"""

from __future__ import annotations

import re
import shlex

from packaging.version import InvalidVersion

from driftcheck import __version__
from driftcheck.diff.explainers.common import facts, quote
from driftcheck.diff.explainers.tooling import is_placeholder
from driftcheck.diff.pep440 import parse_version
from driftcheck.snapshot.model import Distribution, Snapshot
from driftcheck.terminal import visible

_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$")


def constraints_text(
    left: Snapshot, right: Snapshot, left_label: str, right_label: str, file_name: str
) -> str:
    a, b = facts(left).active, facts(right).active
    tool = "uv pip" if facts(right).usual_installer == "uv" else "pip"
    pins: list[str] = []
    names: list[str] = []
    notes: list[str] = []
    for key in sorted(a):
        dist, theirs = a[key], b.get(key)
        if theirs is not None and theirs.version == dist.version:
            continue
        reason = _not_pinnable(dist, theirs)
        if reason is not None:
            notes.append(_comment(f"not pinned: {dist.name} {dist.version} {reason}"))
            continue
        pins.append(f"{dist.name}=={dist.version}")
        names.append(dist.name)
    extra = [b[k] for k in sorted(b) if k not in a]
    for dist in extra:
        notes.append(
            _comment(
                f"on {right_label} only, a constraints file cannot remove it: "
                f"{dist.name} {dist.version} ({_uninstall(tool, dist)})"
            )
        )
    return "\n".join(_header(left_label, right_label, file_name, tool, names) + pins + notes) + "\n"


def _header(a: str, b: str, file_name: str, tool: str, names: list[str]) -> list[str]:
    target = shlex.quote(file_name)
    lines = [
        _comment(f"Constraints that give {b} the package versions of {a}."),
        _comment(f"Written by driftcheck {__version__}; A: {a}; B: {b}."),
        _comment(f"Apply on {b}, with its own interpreter ({tool} installs its packages):"),
        _comment(f"  {tool} install -c {target} -r requirements.txt   (what your project needs)"),
    ]
    if names:
        lines.append(
            _comment(f"  {tool} install -c {target} {' '.join(names)}   (the packages that differ)")
        )
    else:
        lines.append(_comment(f"{b} already has {a}'s version of every package it can pin."))
    lines.append(_comment("A constraints file pins versions; it installs nothing by itself."))
    return lines


def _not_pinnable(dist: Distribution, theirs: Distribution | None) -> str | None:
    """Why `name==version` would not reproduce A's copy, or None when it would."""
    if not _NAME.match(dist.name):
        return "has a name pip cannot read"
    try:
        parse_version(dist.version)
    except InvalidVersion:
        return "is not a PEP 440 version"
    if is_placeholder(dist):
        return "is the Debian/Ubuntu venv placeholder for setuptools' module: no index has it"
    if dist.editable:
        where = dist.direct_url or "its project folder"
        return f"is an editable install on A ({where}): run pip install -e with that folder"
    if dist.vcs and dist.direct_url:
        commit = f"@{dist.vcs_commit}" if dist.vcs_commit else ""
        url = dist.direct_url
        url = url if url.startswith(f"{dist.vcs}+") else f"{dist.vcs}+{url}"
        return f"comes from {dist.vcs} on A: pip install {quote(f'{dist.name} @ {url}{commit}')}"
    if dist.direct_url:
        return f"was installed from {dist.direct_url} on A, not from an index"
    installer = (theirs.installer or "").strip().lower() if theirs is not None else ""
    if installer == "conda":
        return f"is conda's on B: conda install {quote(f'{dist.name}={dist.version}')}"
    return None


def _uninstall(tool: str, dist: Distribution) -> str:
    flag = "" if tool == "uv pip" else " -y"
    name = dist.name if _NAME.match(dist.name) else quote(dist.name)
    return f"{tool} uninstall{flag} {name}"


def _comment(text: str) -> str:
    """One comment line, whatever the text holds: no newline or control character survives."""
    return "# " + visible(text)
