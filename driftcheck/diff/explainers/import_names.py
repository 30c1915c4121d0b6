"""What happens to `import x` on the side that lacks the distribution providing x.

A distribution missing on one side does not always mean its imports fail there.
Another distribution may install the same top-level names (opencv-python and
opencv-python-headless both install `cv2`; setuptools installs `pkg_resources`),
or a name may be a package several distributions share (`google`), where only
the missing one's part is gone. The snapshots record each distribution's
top-level names, so this is read, not guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

from driftcheck.diff.explainers.common import import_owners, join_names
from driftcheck.snapshot.model import Distribution, Snapshot


@dataclass(frozen=True)
class ImportFate:
    """A missing distribution's top-level names, sorted by what becomes of them there."""

    failing: tuple[str, ...]  # nothing provides them there
    replaced: tuple[tuple[str, Distribution], ...]  # another distribution provides them there
    shared: tuple[tuple[str, Distribution], ...]  # a package name it shared on its own side


def import_fate(dist: Distribution, here: Snapshot, there: Snapshot) -> ImportFate:
    """`dist` is on `here` and missing on `there`."""
    failing: list[str] = []
    replaced: list[tuple[str, Distribution]] = []
    shared: list[tuple[str, Distribution]] = []
    for name in sorted(dist.top_level, key=lambda n: _order(dist, n)):
        beside = {d.canonical_name for d in import_owners(here, name) if d is not dist}
        providers = [
            d for d in import_owners(there, name) if d.canonical_name != dist.canonical_name
        ]
        newcomers = [d for d in providers if d.canonical_name not in beside]
        if newcomers:
            replaced.append((name, newcomers[0]))
        elif providers:
            shared.append((name, providers[0]))
        else:
            failing.append(name)
    return ImportFate(tuple(failing), tuple(replaced), tuple(shared))


def _order(dist: Distribution, name: str) -> tuple[bool, bool, str]:
    """The name spelled like the distribution first, then public names, then private ones."""
    return (name != dist.canonical_name.replace("-", "_"), name.startswith("_"), name)


def imports_text(names: tuple[str, ...]) -> str:
    """'`import cv2`', '`import a` and `import b`' (public names only, when there are any)."""
    public = tuple(n for n in names if not n.startswith("_")) or names
    return join_names((f"`import {n}`" for n in public), limit=2)


def plural(names: tuple[str, ...], one: str, many: str) -> str:
    public = [n for n in names if not n.startswith("_")] or names
    return one if len(public) == 1 else many
