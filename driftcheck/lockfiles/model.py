"""What a lockfile says, whatever its form: packages with their markers and sources."""

from __future__ import annotations

from dataclasses import dataclass, field


class LockfileError(ValueError):
    """A lockfile driftcheck cannot read; the message names the problem."""


@dataclass(frozen=True)
class LockedSource:
    """Where a locked package comes from: `registry` (an index, or find-links), `vcs`
    (a repository at a commit), `url` (an archive), `path` (a local file or folder)."""

    kind: str
    url: str | None = None
    vcs: str | None = None
    commit: str | None = None
    editable: bool = False


REGISTRY = LockedSource("registry")
# The project itself, which its tool installs from its folder though no lock lists it
# (poetry's package mode): compared where it is installed, never missing.
PROJECT = "project"


@dataclass(frozen=True)
class LockedPackage:
    name: str
    version: str | None  # None: the lock does not pin one (a path source, a bare name)
    source: LockedSource = REGISTRY
    marker: str | None = None  # PEP 508 marker: installed only where it holds
    hashes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lock:
    """`form` names the reader (uv.lock, pylock.toml, …); `install` is the command that
    makes an environment match it; `notes` are what the reader could not use."""

    path: str
    form: str
    packages: tuple[LockedPackage, ...]
    install: str
    requires_python: str | None = None
    notes: tuple[str, ...] = ()
    # PEP 751 `default-groups`: what `'dev' in dependency_groups` markers see installed.
    groups: tuple[str, ...] = ()
    # A lock that records a dependency graph (uv.lock): what applies is what can be
    # reached from `roots` along edges whose markers hold. Without roots, each
    # package's own marker decides.
    roots: tuple[Edge, ...] = ()
    edges: tuple[tuple[int, tuple[Edge, ...]], ...] = field(default=())  # package index → out


@dataclass(frozen=True)
class Edge:
    """A dependency in a lock's graph; `version` picks among packages of one name."""

    name: str
    version: str | None = None
    marker: str | None = None
    extras: tuple[str, ...] = ()  # the extras the edge asks of its target
    with_extra: str | None = None  # an optional dependency: only when reached with it
