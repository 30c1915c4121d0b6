"""Evidence of use: what the program needs on each side, so that severity can follow it.

The roots are what the project imports and declares (`--project`), else the
distributions marked REQUESTED on that side (else, where no installer wrote
REQUESTED, those nothing there requires). An install from a lockfile (`pip install
-r`, `uv pip sync`) marks every distribution REQUESTED: what was asked for for its
own sake is a REQUESTED one that no other REQUESTED one requires (`first_asked`),
which is what a missing distribution's rating needs. From the roots,
Requires-Dist is followed on each side with that side's markers, and with the
extras a requirement selects (`requests[socks]` in the project or in a
Requires-Dist follows requests' `extra == "socks"` lines): what it reaches is
required there, and each requirer says whether it accepts the version that side
has. A distribution nothing reaches and the project does not import is used by
nothing the program runs.

Imports from tests and tooling files (tests/, conftest.py, noxfile.py, docs/)
and declarations in extras, dependency groups and dev requirement files count
as weaker evidence: the program can start without them.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from packaging.markers import InvalidMarker, UndefinedComparison, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion

from driftcheck.diff.explainers.common import (
    SIDES,
    Side,
    active,
    is_compiled,
    join_names,
    named,
    requirement_name,
)
from driftcheck.diff.explainers.dependencies import marker_environment
from driftcheck.diff.pep440 import marker_holds, parse_requirement, parse_version
from driftcheck.diff.relevance import imported_by_code
from driftcheck.project.model import ProjectFacts
from driftcheck.project.roles import is_development_file, is_extra_source, is_optional_source
from driftcheck.snapshot.model import Distribution, Snapshot

_EXTRA_ONLY = re.compile(r"\bextra\s*==")
_EXTRA_NAMED = re.compile(r"""\bextra\s*==\s*['"]([^'"]*)['"]""")
_MARKER_ERRORS = (InvalidMarker, UndefinedComparison, UndefinedEnvironmentName, InvalidVersion)


@dataclass(frozen=True)
class Requirer:
    """A distribution in use on one side that requires another, and whether it accepts
    the version there (None: not installed there, or not comparable)."""

    dist: Distribution
    text: str
    found: str | None  # the version installed on that side

    @property
    def accepts(self) -> bool | None:
        return None if self.found is None else _accepts(self.text, self.found)

    @property
    def shown(self) -> str:
        wanted = "".join(self.text.partition(";")[0].split())  # as written, spaces dropped
        return f"{named(self.dist)} ({wanted})"


@dataclass(frozen=True)
class ProjectRoots:
    """--project, split by how strong each piece of evidence is."""

    imported: Mapping[str, tuple[str, ...]]  # by the program's code: name → files
    test_imported: Mapping[str, tuple[str, ...]]  # only by tests and tooling files
    declared: Mapping[str, tuple[str, ...]]  # runtime dependencies: name → where
    extras: Mapping[str, tuple[str, ...]]  # only in extras: optional features
    dev: Mapping[str, tuple[str, ...]]  # only in dependency groups, dev requirement files
    own: str | None
    # Top-level modules the program's code imports (standard library and strays included),
    # for what no distribution owns: a stray calendar.py hiding the standard library's.
    modules: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    selected: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # name → extras
    # Every module (dotted) the program's code imports, with the files that import it.
    imported_modules: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def runtime(self) -> set[str]:
        names = set(self.imported) | set(self.declared)
        return names | ({self.own} if self.own else set())


@dataclass(frozen=True)
class SideUse:
    roots: frozenset[str]
    requirers: Mapping[str, tuple[Requirer, ...]]  # reached name → who requires it
    asked: bool = True  # the roots are what was asked for (REQUESTED, --project), not guessed
    first: frozenset[str] = frozenset()  # REQUESTED, and no other REQUESTED one requires it
    provides: frozenset[str] = frozenset()  # the top-level import names installed there


@dataclass(frozen=True)
class Use:
    """Everything known about how one distribution is used, on both sides."""

    name: str
    imported: tuple[str, ...] = ()
    test_imported: tuple[str, ...] = ()
    declared: tuple[str, ...] = ()
    extras: tuple[str, ...] = ()
    dev: tuple[str, ...] = ()
    own: bool = False
    root_on: frozenset[Side] = frozenset()  # sides where it is a REQUESTED (or top) root
    top_on: frozenset[Side] = frozenset()  # … of those, where no installer recorded REQUESTED
    first_on: frozenset[Side] = frozenset()  # … asked for, not pulled in by another REQUESTED
    requirers: Mapping[Side, tuple[Requirer, ...]] = field(default_factory=dict)
    project: bool = False  # the roots came from --project

    @property
    def direct(self) -> bool:
        """The project's own code imports it, or the project declares it to run."""
        return bool(self.imported or self.declared or self.own)

    def required_on(self, side: Side) -> tuple[Requirer, ...]:
        return self.requirers.get(side, ())

    def used_on(self, side: Side) -> bool:
        return self.direct or side in self.root_on or bool(self.required_on(side))

    @property
    def unused(self) -> bool:
        """Nothing the program runs reaches it, on either side, and nothing weaker says
        it is wanted (an extra, a test import)."""
        weak = self.extras or self.dev or self.test_imported
        return not weak and not any(self.used_on(s) for s in SIDES)


@dataclass(frozen=True)
class Usage:
    project: ProjectRoots | None
    sides: Mapping[str, SideUse]
    labels: Mapping[str, str]

    def of(self, name: str) -> Use:
        project = self.project
        requirers = {s: self.sides[s].requirers.get(name, ()) for s in SIDES}
        roots = frozenset(s for s in SIDES if name in self.sides[s].roots)
        if project is None:
            top = frozenset(s for s in roots if not self.sides[s].asked)
            first = frozenset(s for s in SIDES if name in self.sides[s].first)
            return Use(name, root_on=roots, top_on=top, first_on=first, requirers=requirers)
        return Use(
            name,
            imported=project.imported.get(name, ()),
            test_imported=project.test_imported.get(name, ()),
            declared=project.declared.get(name, ()),
            extras=project.extras.get(name, ()),
            dev=project.dev.get(name, ()),
            own=name == project.own,
            requirers=requirers,
            project=True,
        )

    def label(self, side: Side) -> str:
        return self.labels[side]


def usage(
    left: Snapshot, right: Snapshot, labels: Sequence[str], project: ProjectFacts | None
) -> Usage:
    roots = None if project is None else project_roots(project, (left, right))
    sides: dict[str, SideUse] = {}
    for side, snapshot in zip(SIDES, (left, right), strict=True):
        installed = active(snapshot)
        asked = roots is not None or any(d.requested for d in installed.values())
        start = roots.runtime if roots is not None else requested_roots(installed)
        env = marker_environment(snapshot)
        extras = roots.selected if roots is not None else {}
        closure = _closure(start, installed, env, extras)
        first = frozenset(first_asked(installed, env)) if roots is None else frozenset()
        provides = frozenset(top for d in installed.values() for top in d.top_level)
        sides[side] = SideUse(frozenset(start), closure, asked, first, provides)
    return Usage(roots, sides, dict(zip(SIDES, labels, strict=True)))


def requested_roots(installed: Mapping[str, Distribution]) -> set[str]:
    """Distributions asked for by name; where no installer recorded that, the top ones."""
    requested = {n for n, d in installed.items() if d.requested}
    if requested:
        return requested
    return set(installed) - _required_by(installed)


def first_asked(
    installed: Mapping[str, Distribution], env: Mapping[str, str] | None = None
) -> set[str]:
    """Of the REQUESTED distributions, those no other REQUESTED one requires (with the
    extras it selects: PySocks comes with a `requests[socks]`).

    A lockfile install (`pip install -r`, `uv pip sync`) marks every distribution
    REQUESTED; what was wanted for its own sake is what nothing else in the list needs.
    pluggy missing beside pytest is pytest's absence, not a second cause. A requirement
    counts here whatever its marker: colorama, which pytest requires on Windows, installed
    beside pytest on Linux came for pytest's sake, not its own."""
    requested = {n for n, d in installed.items() if d.requested}
    pulled = set(_closure(requested, installed, env))
    named = _required_by({n: installed[n] for n in requested})
    return (requested - pulled - named) or requested


def _required_by(dists: Mapping[str, Distribution]) -> set[str]:
    """The names these distributions require (outside extras), each other than itself."""
    return {
        name
        for dist in dists.values()
        for text in dist.requires_dist
        if (name := _name(text)) is not None and name != dist.canonical_name
    }


def _closure(
    roots: set[str],
    installed: Mapping[str, Distribution],
    env: Mapping[str, str] | None,
    extras: Mapping[str, tuple[str, ...]] | None = None,
) -> dict[str, tuple[Requirer, ...]]:
    """Who requires what, from the roots; a distribution reached with extras is walked
    again for the lines those extras select (once per extra)."""
    environment = None if env is None else tuple(sorted(env.items()))
    reached: dict[str, list[Requirer]] = {}
    walked: dict[str, set[str]] = {}  # name → the extras ("" for none) already followed
    queue = deque((r, frozenset((extras or {}).get(r, ()))) for r in sorted(roots))
    while queue:
        name, selected = queue.popleft()
        done = walked.setdefault(name, set())
        todo = sorted({"", *selected} - done)
        done.update(todo)
        dist = installed.get(name)
        if dist is None:
            continue
        for extra in todo:
            for text in dist.requires_dist:
                target = _applies(text, environment, extra)
                if target is None or target == dist.canonical_name:
                    continue
                found = installed.get(target)
                version = found.version if found is not None else None
                reached.setdefault(target, []).append(Requirer(dist, text, version))
                wanted = _extras(text)
                if target not in walked or not wanted <= walked[target]:
                    queue.append((target, wanted))
    return {k: tuple(v) for k, v in reached.items()}


def _extras(text: str) -> frozenset[str]:
    """The extras a requirement selects: `requests[socks]>=2` → {"socks"}."""
    if "[" not in text.partition(";")[0]:
        return frozenset()
    requirement = _requirement(text)
    if requirement is None:
        return frozenset()
    return frozenset(canonicalize_name(e) for e in requirement.extras)


def _requirement(text: str) -> Requirement | None:
    """A requirement from a snapshot, or None when packaging cannot read it (or it holds
    a number too long to compare: pep440 turns those into InvalidRequirement)."""
    try:
        return parse_requirement(text)
    except InvalidRequirement:
        return None


def _name(text: str) -> str | None:
    if _EXTRA_ONLY.search(text.partition(";")[2]):
        return None
    return requirement_name(text)


@lru_cache(maxsize=65536)
def _applies(text: str, env: tuple[tuple[str, str], ...] | None, extra: str = "") -> str | None:
    """The canonical name a requirement is about, if it applies on that side with `extra`
    selected ("" for none; with an extra, only the lines that name an extra count, the
    others were followed without). A marker that cannot be evaluated (no interpreter, a
    bad marker) counts as applying. Only lines with a marker are parsed in full."""
    if ";" not in text:
        return None if extra else requirement_name(text)
    requirement = _requirement(text)
    if requirement is None or requirement.marker is None:
        if extra or requirement is None:
            return None
        return canonicalize_name(requirement.name)
    name = canonicalize_name(requirement.name)
    marker = str(requirement.marker)
    names_extra = bool(_EXTRA_ONLY.search(marker))
    if extra and not names_extra:
        return None
    if env is None:
        if not names_extra:
            return name
        wanted = {canonicalize_name(e) for e in _EXTRA_NAMED.findall(marker)}
        return name if extra in wanted else None
    try:
        return name if marker_holds(requirement.marker, {**dict(env), "extra": extra}) else None
    except _MARKER_ERRORS:
        return name


@lru_cache(maxsize=65536)
def _accepts(text: str, version: str) -> bool | None:
    requirement = _requirement(text)
    if requirement is None:
        return None
    try:
        return requirement.specifier.contains(parse_version(version), prereleases=True)
    except InvalidVersion:
        return None


# --------------------------------------------------------------------------- --project


def project_roots(project: ProjectFacts, snapshots: Sequence[Snapshot]) -> ProjectRoots:
    dists: dict[str, list[Distribution]] = {}
    for snapshot in snapshots:
        for dist in snapshot.active_distributions:
            dists.setdefault(dist.canonical_name, []).append(dist)
    imported: dict[str, tuple[str, ...]] = {}
    tests: dict[str, tuple[str, ...]] = {}
    for name, files in imported_by_code(project, dists).items():
        code = tuple(f for f in files if not is_development_file(f))
        if code:
            imported[name] = code
        else:
            tests[name] = tuple(files)
    declared: dict[str, tuple[str, ...]] = {}
    extras: dict[str, tuple[str, ...]] = {}
    dev: dict[str, tuple[str, ...]] = {}
    for name, sources in project.declared.names.items():
        runtime = tuple(s for s in sources if not is_optional_source(s))
        if runtime:
            declared[name] = runtime
        elif any(is_extra_source(s) for s in sources):
            extras[name] = tuple(s for s in sources if is_extra_source(s))
        else:
            dev[name] = sources
    modules: dict[str, list[str]] = {}
    for dotted, module_files in project.imports.modules.items():
        ours = [f for f in module_files if not is_development_file(f)]
        if ours:
            modules.setdefault(dotted.partition(".")[0], []).extend(ours)
    return ProjectRoots(
        imported,
        tests,
        declared,
        extras,
        dev,
        project.declared.project_name,
        {k: tuple(sorted(set(v))) for k, v in modules.items()},
        project.declared.extras,
        {
            module: code
            for module, files in project.imports.modules.items()
            if (code := tuple(f for f in files if not is_development_file(f)))
        },
    )


# --------------------------------------------------------------------------- words


def compiled_requirers(use: Use, side: Side) -> list[Distribution]:
    return [r.dist for r in use.required_on(side) if is_compiled(r.dist)]


def project_words(use: Use) -> str | None:
    """What --project says about it, strongest first; None without --project."""
    if not use.project:
        return None
    if use.own:
        return "it is your project"
    if use.imported:
        return f"your code imports it ({join_names(use.imported, limit=1)})"
    if use.declared:
        return f"your project declares it ({join_names(use.declared, limit=1)})"
    if use.extras:
        return f"your project declares it as optional ({join_names(use.extras, limit=1)})"
    weak = []
    if use.test_imported:
        weak.append(f"only your tests or tooling import it ({join_names(use.test_imported, 1)})")
    if use.dev:
        weak.append(f"only your development setup declares it ({join_names(use.dev, 1)})")
    return f"{' and '.join(weak)}, not the program" if weak else None


def requirer_words(use: Use, side: Side, usage: Usage) -> str | None:
    found = use.required_on(side)
    if not found:
        return None
    verb = "requires" if len(found) == 1 else "require"
    return f"{join_names([r.shown for r in found], limit=2)} on {usage.label(side)} {verb} it"


def nothing_words(use: Use, name: str, sides: Sequence[Side], usage: Usage) -> str:
    """'nothing on B requires pytest and your code does not import it'."""
    where = " or ".join(usage.label(s) for s in sides)
    text = f"nothing on {where} requires {name}"
    if use.project:
        return f"{text} and your code does not import it"
    if use.root_on:
        return f"{text}, though it was {root_words(use, usage)}"
    return f"{text} and nothing asked for it by name"


def root_words(use: Use, usage: Usage) -> str:
    """'asked for by name on A', or 'a top-level distribution on A' where no installer
    recorded what was asked for."""
    parts = []
    asked = [usage.label(s) for s in SIDES if s in use.root_on and s not in use.top_on]
    top = [usage.label(s) for s in SIDES if s in use.top_on]
    if asked:
        parts.append(f"asked for by name on {' and '.join(asked)}")
    if top:
        parts.append(f"a top-level distribution on {' and '.join(top)} (nothing there requires it)")
    return " and ".join(parts)
