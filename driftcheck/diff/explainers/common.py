"""Small facts several explainers share: side names, fix commands, compiled wheels, dependants.

Kept in one place so that every rule words a side, a package and a command the
same way: "B has numpy 2.1.0", "pip install 'numpy==1.26.4'".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal
from urllib.parse import unquote, urlsplit

from packaging.utils import canonicalize_name

from driftcheck.diff.explainers.interface import Context
from driftcheck.diff.model import Change, Fix
from driftcheck.numbers import small_int
from driftcheck.redaction.rules import scrub_text
from driftcheck.snapshot.model import Distribution, Snapshot

Side = Literal["left", "right"]
SIDES: tuple[Side, Side] = ("left", "right")
IMPLEMENTATION_NAMES = {
    "cpython": "CPython",
    "pypy": "PyPy",
    "graalpy": "GraalPy",
    "ironpython": "IronPython",
    "jython": "Jython",
}
# The name at the start of a Requires-Dist string, without parsing the whole thing.
_REQUIREMENT_NAME = re.compile(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")
_EXTRA_ONLY = re.compile(r"""extra\s*==""")
_SNAPSHOT_FILE = re.compile(r"\.json(\.gz)?$", re.IGNORECASE)
_SCM_LOCAL = re.compile(r"(^|\.)(g[0-9a-f]{7,40}|dirty|d\d{8})($|\.)")
# Installers whose command line install_command speaks; others get advice beside it.
STANDARD_INSTALLERS = ("pip", "uv", "conda", "")


def label(context: Context, side: Side) -> str:
    return context.left_label if side == "left" else context.right_label


def fix_label(context: Context, side: Side) -> str:
    """The side a fix runs on, by the snapshot's own label ("ci") when the report names it
    by the file it was read from ("b.json"); the file name when the two labels are the same."""
    shown = label(context, side)
    if not _SNAPSHOT_FILE.search(shown):
        return shown
    own = scrub_text(snapshot_of(context, side).label)[0].strip()
    theirs = scrub_text(snapshot_of(context, other(side)).label)[0].strip()
    return own if own and own != theirs else shown


def snapshot_of(context: Context, side: Side) -> Snapshot:
    return context.left if side == "left" else context.right


def other(side: Side) -> Side:
    return "right" if side == "left" else "left"


def quote(text: str) -> str:
    """Single-quotes for a POSIX shell, whatever the text holds (it came from a target)."""
    return "'" + text.replace("'", "'\"'\"'") + "'"


@dataclass(frozen=True)
class SnapshotFacts:
    """Indexes over one snapshot that several rules need, built once per snapshot."""

    active: Mapping[str, Distribution]
    dependants: Mapping[str, tuple[Distribution, ...]]
    usual_installer: str
    # Top-level import name → the active distributions that install it.
    import_owners: Mapping[str, tuple[Distribution, ...]]


_FACTS: dict[int, tuple[Snapshot, SnapshotFacts]] = {}
_FACTS_KEPT = 4


def facts(snapshot: Snapshot) -> SnapshotFacts:
    """The snapshot's indexes; cached by identity, so 5,000 distributions are walked once."""
    hit = _FACTS.get(id(snapshot))
    if hit is not None and hit[0] is snapshot:
        return hit[1]
    dists = {d.canonical_name: d for d in snapshot.active_distributions}
    users: dict[str, list[Distribution]] = {}
    owners: dict[str, list[Distribution]] = {}
    for dist in dists.values():
        for top in dist.top_level:
            owners.setdefault(top, []).append(dist)
        named_here = {requirement_name(t) for t in dist.requires_dist if not _EXTRA_ONLY.search(t)}
        for name in named_here - {None, dist.canonical_name}:
            users.setdefault(str(name), []).append(dist)
    counts = Counter(d.installer.strip().lower() for d in dists.values() if d.installer)
    usual = counts.most_common(1)[0][0] if counts else ""
    if not usual:
        usual = "uv" if snapshot.python is not None and snapshot.python.uv else "pip"
    built = SnapshotFacts(
        active=dists,
        dependants={k: tuple(sorted(v, key=lambda d: d.canonical_name)) for k, v in users.items()},
        usual_installer=usual,
        import_owners={k: tuple(v) for k, v in owners.items()},
    )
    while len(_FACTS) >= _FACTS_KEPT:
        _FACTS.pop(next(iter(_FACTS)))
    _FACTS[id(snapshot)] = (snapshot, built)
    return built


def active(snapshot: Snapshot) -> Mapping[str, Distribution]:
    return facts(snapshot).active


def import_owners(snapshot: Snapshot, name: str) -> tuple[Distribution, ...]:
    """The active distributions whose top-level names include `name` (`cv2`, `google`)."""
    return facts(snapshot).import_owners.get(name, ())


def installer_of(snapshot: Snapshot, name: str | None = None) -> str:
    """The tool that installs packages on that side: the package's own, else the usual one."""
    own = active(snapshot).get(name) if name else None
    if own is not None and own.installer:
        return own.installer.strip().lower()
    return facts(snapshot).usual_installer


def install_command(
    snapshot: Snapshot, requirement: str, name: str | None = None, option: str = ""
) -> str:
    """The command, in that side's installer's syntax, that installs `requirement`.

    `option` is a pip option (`--force-reinstall`, `-e`) that uv's pip interface shares.
    """
    tool = installer_of(snapshot, name)
    flag = f"{option} " if option else ""
    if tool == "uv":
        return f"uv pip install {flag}{quote(requirement)}"
    if tool == "conda" and not option:
        return f"conda install {quote(requirement.replace('==', '='))}"
    return f"pip install {flag}{quote(requirement)}"


def install_fix(
    context: Context, side: Side, requirement: str, name: str | None = None, option: str = ""
) -> Fix:
    """The install command for that side, with a word of advice when a tool other than
    pip, uv or conda manages its packages (the command works, the next lock undoes it).
    A side that runs in CI gets the image or its requirements instead (diff/engine.py)."""
    snapshot = snapshot_of(context, side)
    command = install_command(snapshot, requirement, name, option)
    return Fix.run(command, on=label(context, side), advice=_managed_advice(snapshot, name))


def uninstall_fix(context: Context, side: Side, name: str) -> Fix:
    snapshot = snapshot_of(context, side)
    command = uninstall_command(snapshot, name)
    return Fix.run(command, on=label(context, side), advice=_managed_advice(snapshot, name))


def reinstall_fix(context: Context, side: Side, dist: Distribution, option: str = "") -> Fix:
    """Puts `dist` (as the other side has it) on `side`. By version only where an index can
    have that version: a checkout installed from a folder, a VCS commit and a development
    build (`1.2.dev0+g1a2b3c4`) are installed from where they came from."""
    path = local_folder(dist)
    where = label(context, other(side))
    if path is not None:
        option = "-e" if dist.editable else option
        fix = install_fix(context, side, path, dist.canonical_name, option)
        why = (
            f"{named(dist)} on {where} comes from the checkout at {path}, which no index has: "
            f"install that checkout on {fix_label(context, side)} (its folder there may differ)"
        )
        return replace(fix, advice=f"{why}; {fix.advice}" if fix.advice else why)
    if dist.vcs and dist.vcs_commit and dist.direct_url:
        url = dist.direct_url
        url = url if url.startswith(f"{dist.vcs}+") else f"{dist.vcs}+{url}"
        requirement = f"{dist.name} @ {url}@{dist.vcs_commit}"
        return install_fix(context, side, requirement, dist.canonical_name, option)
    if is_development_build(dist.version):
        return Fix.advise(
            f"{named(dist)} on {where} is a development build that no index has: install "
            f"{dist.name} on {fix_label(context, side)} from the checkout it was built from "
            f"(pip install PATH), or pin a released version in both"
        )
    requirement = f"{dist.name}=={dist.version}"
    return install_fix(context, side, requirement, dist.canonical_name, option)


def local_folder(dist: Distribution) -> str | None:
    """The folder a `file://` direct URL names, when it is not an archive (a wheel or an
    sdist file can sit in a folder an index serves; a project folder cannot)."""
    url = dist.direct_url
    if not url or not url.startswith("file:"):
        return None
    path = unquote(urlsplit(url).path)
    if path.endswith((".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz")):
        return None
    return path or None


def is_development_build(version: str) -> bool:
    """A version made from a checkout (setuptools-scm, versioneer): a local label naming a
    commit or a dirty tree (`1.2.dev3+g1a2b3c4`, `0.4+dirty`). `2.1.0+cpu` is a release."""
    local = version.partition("+")[2].lower()
    return bool(local) and bool(_SCM_LOCAL.search(local))


def in_ci_job(snapshot: Snapshot) -> bool:
    """The snapshot was taken inside a CI job (GitHub Actions, GitLab and most set CI)."""
    value = snapshot.environment.get("CI")
    return isinstance(value, str) and value.strip().lower() in {"true", "1", "yes"}


def _managed_advice(snapshot: Snapshot, name: str | None) -> str | None:
    tool = installer_of(snapshot, name)
    if tool in STANDARD_INSTALLERS:
        return None
    return (
        f"{tool[:40]} installed it there: change the version in what {tool[:40]} installs "
        "from too, or its next run undoes the fix"
    )


def uninstall_command(snapshot: Snapshot, name: str) -> str:
    tool = installer_of(snapshot, name)
    if tool == "uv":
        return f"uv pip uninstall {quote(name)}"
    if tool == "conda":
        return f"conda remove {quote(name)}"
    return f"pip uninstall -y {quote(name)}"


def is_compiled(dist: Distribution) -> bool:
    """True when the wheel carries an ABI tag: it holds extension modules built for one ABI."""
    for tag in dist.wheel_tags:
        parts = tag.split("-")
        if len(parts) == 3 and parts[1] != "none":
            return True
    return False


@lru_cache(maxsize=65536)
def requirement_name(text: str) -> str | None:
    """The canonical name a Requires-Dist string is about (cheap: no full parse)."""
    match = _REQUIREMENT_NAME.match(text)
    return canonicalize_name(match.group(1)) if match else None


def dependants(snapshot: Snapshot, name: str) -> list[Distribution]:
    """Active distributions that require `name` outside an extra (they import it)."""
    return list(facts(snapshot).dependants.get(name, ()))


def named(dist: Distribution) -> str:
    return f"{dist.name} {dist.version}"


def portable_path(snapshot: Snapshot, path: str) -> str:
    """A path with the interpreter's prefixes replaced, so two machines' layouts compare."""
    py = snapshot.python
    if py is None:
        return path
    roots = [("<base_prefix>", py.base_prefix), ("<prefix>", py.prefix)]
    for marker, prefix in sorted(roots, key=lambda r: -len(r[1])):
        root = prefix.rstrip("/\\")
        if root and (path == root or path.startswith((root + "/", root + "\\"))):
            return marker + path[len(root) :]
    return path


def portable_sys_path(snapshot: Snapshot, drop: Iterable[str] = ()) -> list[str]:
    """sys.path in portable form, without the entries in `drop` (e.g. PYTHONPATH's)."""
    dropped = set(drop)
    py = snapshot.python
    entries = py.sys_path if py is not None else ()
    return [portable_path(snapshot, e) for e in entries if e not in dropped]


def openssl_series(text: str | None) -> str | None:
    """The compatibility series of an OpenSSL version: "1.0", "1.1", then "3", "4"…

    Before 3.0 the second number broke the ABI (1.0 → 1.1); from 3.0 the first does.
    """
    match = re.search(r"([0-9]+)\.([0-9]+)", text or "")
    if not match:
        return None
    major, minor = small_int(match.group(1)), small_int(match.group(2))
    if major is None or minor is None:  # a number no OpenSSL has: the text is its own series
        return f"{match.group(1)}.{match.group(2)}"
    return f"{major}.{minor}" if major < 3 else str(major)


def openssl_same_series(left: str | None, right: str | None) -> str:
    """What a step within one OpenSSL series brings, in words.

    From 3.0 a minor release (3.0 → 3.5) adds features and changes defaults, with the
    same ABI; a patch (3.0.2 → 3.0.13) is fixes. Before, 1.1.0 → 1.1.1 added TLS 1.3,
    and only the letters (1.1.1k → 1.1.1w) were fixes."""
    old, new = _openssl_numbers(left), _openssl_numbers(right)
    if old is None or new is None:
        return "within the same series"
    feature = 1 if old[0] >= 3 else 2  # the number whose step adds features
    if old[feature] != new[feature]:
        return (
            "within the same series, a feature release: new features and changed defaults, "
            "the same ABI"
        )
    return "within the same series: fixes only"


def _openssl_numbers(text: str | None) -> tuple[int, int, int] | None:
    match = re.search(r"([0-9]+)\.([0-9]+)(?:\.([0-9]+))?", text or "")
    if not match:
        return None
    numbers = [small_int(g) if g is not None else 0 for g in match.groups()]
    if any(n is None for n in numbers):
        return None
    major, minor, patch = (int(n or 0) for n in numbers)
    return major, minor, patch


def count(number: int, singular: str, plural: str | None = None) -> str:
    """'1 entry', '2 entries'."""
    return f"{number} {singular if number == 1 else (plural or singular + 's')}"


def join_names(names: Iterable[str], limit: int = 3) -> str:
    """'a', 'a and b', 'a, b and c', 'a, b, c and 4 more'."""
    items = list(names)
    if len(items) > limit:
        return f"{', '.join(items[:limit])} and {len(items) - limit} more"
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def by_key(changes: Sequence[Change]) -> dict[str, list[Change]]:
    out: dict[str, list[Change]] = {}
    for change in changes:
        out.setdefault(change.key, []).append(change)
    return out
