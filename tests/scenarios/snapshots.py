"""The corpus built and snapshotted in one go (two at a time: the machine is shared)."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from build import BuiltPair, build_pair, snapshot_side
from recipe import Pair
from unavailable import Unavailable
from wheels import scenario_wheels

WORKERS = 2


@dataclass(frozen=True)
class Snapshotted:
    """A built pair and this run's snapshots of its two sides."""

    built: BuiltPair
    a: Path
    b: Path

    @property
    def pair(self) -> Pair:
        return self.built.pair


Corpus = dict[str, "Snapshotted | Unavailable"]


def build_corpus(pairs: Sequence[Pair], out: Path, client: Any | None) -> Corpus:
    """Builds (or finds in the cache) every pair and snapshots both sides into *out*; a
    pair this machine cannot build is an Unavailable saying why."""
    wheels = scenario_wheels()

    def one(pair: Pair) -> Snapshotted | Unavailable:
        try:
            built = build_pair(pair, wheels, client)
        except Unavailable as missing:
            return missing
        folder = out / pair.name
        folder.mkdir(parents=True, exist_ok=True)
        return Snapshotted(
            built,
            snapshot_side(built, built.a, folder / "a.json"),
            snapshot_side(built, built.b, folder / "b.json"),
        )

    with ThreadPoolExecutor(WORKERS) as pool:
        return dict(zip([p.name for p in pairs], pool.map(one, pairs), strict=True))
