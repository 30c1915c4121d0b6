"""Which of a lock's packages apply to one environment: markers evaluated for it."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from packaging.utils import canonicalize_name

from driftcheck.lockfiles.markers import MarkerEnvironment, holds
from driftcheck.lockfiles.model import Edge, Lock, LockedPackage

NOT_INSTALLED = ("virtual",)  # a workspace member that is no package


@dataclass(frozen=True)
class Selection:
    packages: tuple[LockedPackage, ...]
    skipped: int  # packages whose markers exclude this environment
    notes: tuple[str, ...]


def select(lock: Lock, environment: MarkerEnvironment | None) -> Selection:
    notes: list[str] = []
    if lock.roots:
        chosen = _reachable(lock, environment, notes)
    else:
        chosen = []
        for index, package in enumerate(lock.packages):
            verdict = holds(package.marker, environment)
            if verdict is None and package.marker is not None:
                notes.append(f"{package.name}: marker {package.marker[:80]!r} not evaluated")
            if verdict is not False:
                chosen.append(index)
    kept: dict[str, LockedPackage] = {}
    for index in chosen:
        package = lock.packages[index]
        if package.source.kind in NOT_INSTALLED:
            continue
        name = canonicalize_name(package.name)
        if name in kept:
            notes.append(
                f"{package.name}: locked twice for this environment; the first is compared"
            )
            continue
        kept[name] = package
    skipped = sum(1 for p in lock.packages if p.source.kind not in NOT_INSTALLED) - len(kept)
    return Selection(tuple(kept.values()), max(skipped, 0), tuple(notes[:20]))


def _reachable(lock: Lock, environment: MarkerEnvironment | None, notes: list[str]) -> list[int]:
    """Breadth first from the roots; a package reached again with new extras is walked again."""
    by_name: dict[str, list[int]] = {}
    for index, package in enumerate(lock.packages):
        by_name.setdefault(canonicalize_name(package.name), []).append(index)
    out_edges = dict(lock.edges)
    reached: dict[int, set[str]] = {}
    queue: deque[tuple[int, frozenset[str]]] = deque()

    def follow(edge: Edge) -> None:
        verdict = holds(edge.marker, environment)
        if verdict is False:
            return
        if verdict is None and edge.marker is not None and environment is not None:
            notes.append(f"{edge.name}: marker {edge.marker[:80]!r} not evaluated")
        candidates = by_name.get(canonicalize_name(edge.name), [])
        if edge.version is not None:
            candidates = [i for i in candidates if lock.packages[i].version == edge.version]
        if not candidates:
            notes.append(f"{edge.name}: required in the lock but not locked")
            return
        target, extras = candidates[0], frozenset(edge.extras)
        known = reached.get(target)
        if known is not None and extras <= known:
            return
        reached[target] = (known or set()) | extras
        queue.append((target, frozenset(reached[target])))

    for root in lock.roots:
        follow(root)
    while queue:
        index, extras = queue.popleft()
        for edge in out_edges.get(index, ()):
            if edge.with_extra is None or edge.with_extra in extras:
                follow(edge)
    return sorted(reached)
