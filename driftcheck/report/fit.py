"""Fitting a report into an issue body: drop the least important detail first, and say so.

A report is a list of parts, each with variants from most to least detailed (the last
may be empty: the part is gone). Steps, in order, move one part to its next variant;
the first arrangement that fits wins, and each step taken adds a phrase to the notice
the report shows after its headline.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

ISSUE_BODY_LIMIT = 65_536  # characters: GitHub's limit on an issue or comment body


@dataclass
class Part:
    name: str
    variants: Sequence[Callable[[], str]]  # most detailed first
    _cache: dict[int, str] = field(default_factory=dict, repr=False)

    def render(self, level: int) -> str:
        level = min(level, len(self.variants) - 1)
        if level not in self._cache:
            self._cache[level] = self.variants[level]()
        return self._cache[level]


@dataclass(frozen=True)
class Step:
    part: str
    left_out: str  # as the notice says it: "the list of OS packages"


@dataclass(frozen=True)
class Fitted:
    text: str
    left_out: tuple[str, ...]
    levels: dict[str, int]


Notice = Callable[[Sequence[str]], str]


def fit(parts: Sequence[Part], steps: Sequence[Step], notice: Notice, limit: int) -> Fitted:
    by_name = {part.name: part for part in parts}
    levels = {part.name: 0 for part in parts}
    taken: list[tuple[Step, int]] = []  # each step, with the level it set

    def render() -> str:
        return _assemble(parts, levels, notice([step.left_out for step, _ in taken]))

    text = render()
    for step in steps:
        if len(text) <= limit:
            break
        part = by_name[step.part]
        before = part.render(levels[step.part])
        levels[step.part] += 1
        if part.render(levels[step.part]) == before:
            continue  # nothing of that kind here: nothing to say
        taken.append((step, levels[step.part]))
        text = render()
    # Walking back: a late step (the embedded snapshot, say) may have freed enough room
    # for detail an earlier step dropped.
    for entry in reversed(list(taken)):
        step, level = entry
        if len(text) > limit or levels[step.part] != level:
            continue
        levels[step.part] -= 1
        taken.remove(entry)
        candidate = render()
        if len(candidate) <= limit:
            text = candidate
        else:
            levels[step.part] += 1
            taken.append(entry)
            taken.sort(key=lambda item: steps.index(item[0]))
    left_out = [step.left_out for step, _ in taken]
    if len(text) > limit:  # the steps ran out: whole parts from the end, then lines
        left_out.append("the end of the report")
        text = _cut(parts, levels, notice(left_out), limit)
    return Fitted(text, tuple(left_out), dict(levels))


def _assemble(parts: Sequence[Part], levels: dict[str, int], notice: str) -> str:
    """The first part (the headline), the notice, then the others."""
    pieces = [part.render(levels[part.name]) for part in parts]
    return "".join([pieces[0], notice, *pieces[1:]])


def _cut(parts: Sequence[Part], levels: dict[str, int], notice: str, limit: int) -> str:
    pieces = [parts[0].render(levels[parts[0].name]), notice]
    for part in parts[1:]:
        piece = part.render(levels[part.name])
        if sum(map(len, pieces)) + len(piece) > limit:
            break
        pieces.append(piece)
    text = "".join(pieces)
    if len(text) > limit:
        text = text[: text.rfind("\n", 0, limit - 1) + 1]
    return text
