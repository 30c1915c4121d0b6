"""A lock as one side of a diff: a Snapshot that knows distributions only.

`lock_side(lock)` stands for the lock until it meets the other side; `resolve_pair`
then evaluates its markers for that side's environment and keeps what applies
there. What a lock cannot know is listed in `unknowns`; the diff calls it not
comparable (changes.py).
"""

from __future__ import annotations

import datetime
from dataclasses import replace

from packaging.utils import canonicalize_name

from driftcheck import __version__
from driftcheck.lockfiles.markers import marker_environment
from driftcheck.lockfiles.model import PROJECT, Lock, LockedPackage, LockedSource
from driftcheck.lockfiles.select import select
from driftcheck.redaction.rules import RULES_VERSION, scrub_text
from driftcheck.snapshot.model import (
    CpuInfo,
    Distribution,
    Generator,
    LibcInfo,
    OsInfo,
    RedactionInfo,
    Snapshot,
    TargetInfo,
    Unknown,
)

KIND = "lockfile"
CONDA_ONLY = "conda"
# pip-compile leaves these out unless told (--allow-unsafe), uv export too: a venv's own
# pip is the installer, not drift from the lock.
INSTALLER_TOOLS = ("pip", "setuptools", "wheel")
CANNOT_KNOW = (
    ("python", "a lockfile names no interpreter beyond requires-python"),
    ("os", "a lockfile cannot know the operating system"),
    ("environment", "a lockfile cannot know environment variables"),
    ("os_packages", "a lockfile cannot know OS packages"),
    ("native_libraries", "a lockfile cannot know native libraries"),
)


class LockSide(Snapshot):
    """A Snapshot made from a lock. `lock` is no dataclass field: it is never written
    out, and a side read back from a report is already resolved."""

    lock: Lock


def is_lock(snapshot: Snapshot) -> bool:
    return snapshot.target.kind == KIND


def lock_side(lock: Lock, other: Snapshot | None = None) -> LockSide:
    """The lock's packages that apply to `other` (all of them without one)."""
    groups = frozenset(lock.groups)
    environment = marker_environment(other, groups) if other is not None else None
    selection = select(lock, environment)
    installed = {d.canonical_name: d for d in other.active_distributions} if other else {}
    distributions = []
    for package in selection.packages:
        found = installed.get(canonicalize_name(package.name))
        if package.source.kind in (CONDA_ONLY, PROJECT) and found is None:
            continue  # a conda package need not be a Python distribution: never missing
        distributions.append(_distribution(package, found, lock.path))
    unknowns = [Unknown(f, r) for f, r in CANNOT_KNOW]
    locked = {d.canonical_name for d in distributions}
    tools = sorted(n for n in INSTALLER_TOOLS if n in installed and n not in locked)
    distributions.extend(installed[n] for n in tools)  # the same on both sides: no finding
    if tools:
        unknowns.append(Unknown("distributions", f"{', '.join(tools)}: installers, not locked"))
    if other is not None and environment is None:
        unknowns.append(Unknown("markers", "the other side knows no Python: markers not evaluated"))
    elif other is None and (lock.roots or any(p.marker for p in lock.packages)):
        unknowns.append(Unknown("markers", "no other side: every package of the lock is listed"))
    notes = (*lock.notes, *selection.notes)  # they quote the lock: a URL may hold a token
    unknowns.extend(Unknown("lock", scrub_text(note)[0]) for note in notes)
    side = LockSide(
        generator=Generator("driftcheck", __version__),
        created_at=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        label=lock.path,
        target=TargetInfo(KIND, _description(lock, selection.skipped, other), mode="static"),
        redaction=RedactionInfo(RULES_VERSION, 0, False, False),  # its URLs were scrubbed
        os=OsInfo(
            "", None, "", {}, LibcInfo("unknown", None), CpuInfo(None, (), None, None), None, None
        ),
        distributions=tuple(sorted(distributions, key=lambda d: d.canonical_name)),
        # A lock cannot know .pth files (setuptools' distutils-precedence.pth in a
        # pipenv venv): the other side's, so that they are no finding (not comparable).
        pth_files=other.pth_files if other is not None else (),
        unknowns=tuple(unknowns),
    )
    object.__setattr__(side, "lock", lock)
    return side


def _description(lock: Lock, skipped: int, other: Snapshot | None) -> str:
    if other is None:
        return f"a {lock.form}: {len(lock.packages)} package(s) locked, markers not evaluated"
    where = f", {skipped} for other environments left out" if skipped else ""
    return f"a {lock.form} evaluated for {other.label}: {len(lock.packages)} locked{where}"


def resolve_pair(left: Snapshot, right: Snapshot) -> tuple[Snapshot, Snapshot]:
    """Each lock side evaluated for the environment on the other side."""
    if is_lock(left) and not is_lock(right):
        left = _resolved(left, right)
    elif is_lock(right) and not is_lock(left):
        right = _resolved(right, left)
    return left, right


def _resolved(side: Snapshot, other: Snapshot) -> Snapshot:
    """A lock read now is evaluated for `other`; one read back from a report (already
    evaluated, its lock no longer at hand) takes what a lock cannot know from `other`."""
    lock = getattr(side, "lock", None)
    if isinstance(lock, Lock):
        return lock_side(lock, other)
    installed = {d.canonical_name: d for d in other.active_distributions}
    filled = []
    for dist in side.distributions:
        found = installed.get(dist.canonical_name)
        if found is None:
            filled.append(dist)
            continue
        filled.append(
            replace(
                found,
                version=dist.version,
                direct_url=dist.direct_url,
                vcs=dist.vcs,
                vcs_commit=dist.vcs_commit,
                editable=dist.editable,
            )
        )
    return replace(side, distributions=tuple(filled))


def _distribution(
    package: LockedPackage, installed: Distribution | None, path: str
) -> Distribution:
    """What the environment holds if it matches the lock: the installed record, with the
    version and source the lock says (the rest, a lock cannot know)."""
    direct_url, vcs, commit, editable = _source_fields(package.source, installed)
    if installed is not None:
        return replace(
            installed,
            version=package.version or installed.version,
            direct_url=direct_url,
            vcs=vcs,
            vcs_commit=commit,
            editable=editable,
        )
    return Distribution(
        name=package.name,
        canonical_name=canonicalize_name(package.name),
        version=package.version or "(not pinned)",
        location=path,
        metadata_dir="",
        direct_url=direct_url,
        vcs=vcs,
        vcs_commit=commit,
        editable=editable,
    )


def _source_fields(
    source: LockedSource, installed: Distribution | None
) -> tuple[str | None, str | None, str | None, bool]:
    """(direct_url, vcs, vcs_commit, editable) as the lock's source would install them.
    URLs are compared only where they mean the same on both sides: a VCS install by its
    commit, a local path by being local (a lock's relative path is not the environment's).
    A lock's URL may carry a token (https://user:TOKEN@…): it is scrubbed like the probe's."""
    if source.url is not None:
        source = replace(source, url=scrub_text(source.url)[0])
    if source.kind in (CONDA_ONLY, PROJECT) and installed is not None:
        return installed.direct_url, installed.vcs, installed.vcs_commit, installed.editable
    if source.kind == "vcs":
        same_vcs = installed is not None and installed.vcs == source.vcs
        url = installed.direct_url if same_vcs and installed else source.url
        commit = source.commit or (installed.vcs_commit if installed else None)
        return url, source.vcs, commit, source.editable
    if source.kind == "url":
        same = installed is not None and _same_url(installed.direct_url, source.url)
        return (installed.direct_url if same and installed else source.url), None, None, False
    if source.kind == "path":
        local = installed is not None and (installed.direct_url or "").startswith("file:")
        url = installed.direct_url if local and installed else f"file:{source.url or ''}"
        return url, None, None, source.editable
    return None, None, None, False


def _same_url(installed: str | None, locked: str | None) -> bool:
    if installed is None or locked is None:
        return False
    return installed.partition("#")[0].rstrip("/") == locked.partition("#")[0].rstrip("/")


def side_for_file(path: str) -> LockSide | None:
    """The hook where references are resolved: a lockfile, or None for the snapshot reader."""
    from driftcheck.lockfiles.read import lockfile_at

    lock = lockfile_at(path)
    return None if lock is None else lock_side(lock)


def only_what_a_lock_knows(
    left: Snapshot, right: Snapshot, names: list[str]
) -> tuple[list[str], list[str]]:
    """The sections compared when a side is a lock (distributions), and the rest, not
    comparable, with the reason."""
    if not (is_lock(left) or is_lock(right)):
        return names, []
    reasons = dict(CANNOT_KNOW)
    kept = [n for n in names if n == "distributions"]
    skipped = [f"{n}: {reasons[n]}" for n in names if n not in kept and n in reasons]
    skipped.append("distributions: hashes: the environment keeps no hash of the files it installed")
    skipped.append("startup: .pth files: a lockfile cannot know them")
    return kept, skipped
