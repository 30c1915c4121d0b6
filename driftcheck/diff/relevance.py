"""Which findings touch what the project uses: --project meets the two snapshots.

Imports are mapped to distributions through the top-level names the snapshots
recorded for each distribution (`yaml` → PyYAML), then by canonical name. A
top-level name several distributions share (a namespace such as `google`) is
narrowed by the dotted import (`google.cloud.storage` → google-cloud-storage).
Declared names are canonical names already. What those distributions require
(Requires-Dist outside extras, on either side) is used too, through them.
Imports only from tests and tooling, and declarations only for development,
are noted but rank as indirect use (project/roles.py).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from packaging.utils import canonicalize_name

from driftcheck.diff.explainers.common import count, join_names, requirement_name
from driftcheck.diff.model import Finding, ProjectUse
from driftcheck.project.imports import is_stdlib
from driftcheck.project.model import ProjectFacts
from driftcheck.project.roles import is_development_file, is_extra_source, is_optional_source
from driftcheck.snapshot.model import Distribution, Snapshot

MAX_NOTES = 3
_EXTRA_MARKER = "extra"


@dataclass(frozen=True)
class Uses:
    """Per distribution (canonical name): how the project uses it."""

    by_name: Mapping[str, ProjectUse]
    summary: str


def project_uses(project: ProjectFacts, snapshots: Sequence[Snapshot]) -> Uses:
    dists = _distributions(snapshots)
    imported = imported_by_code(project, dists)
    declared = dict(project.declared.names)
    own = project.declared.project_name
    direct: dict[str, list[str]] = {}
    # Tests, tooling and dev requirements: the program does not need them to run.
    development: dict[str, list[str]] = {}
    code: dict[str, list[str]] = {}
    for name, files in imported.items():
        shown = _shown(name, dists)
        ours = [f for f in files if not is_development_file(f)]
        if ours:
            code[name] = ours
            direct.setdefault(name, []).append(f"{shown} is imported by your code ({_files(ours)})")
        else:
            development.setdefault(name, []).append(
                f"{shown} is imported only by your tests or tooling ({_files(files)})"
            )
    for name, sources in declared.items():
        shown = _shown(name, dists)
        runtime = [s for s in sources if is_extra_source(s) or not is_optional_source(s)]
        if runtime:
            direct.setdefault(name, []).append(
                f"{shown} is declared in {join_names(runtime, limit=2)}"
            )
        else:
            development.setdefault(name, []).append(
                f"{shown} is declared for development in {join_names(sources, limit=2)}"
            )
    if own is not None:
        direct.setdefault(own, []).insert(0, f"{_shown(own, dists)} is your project")
    by_name = {k: ProjectUse(direct=True, notes=tuple(v)) for k, v in direct.items()}
    for name, (via, how) in _through(direct, dists, code, own).items():
        note = f"{_shown(name, dists)} is a dependency of {_shown(via, dists)}, which {how}"
        by_name[name] = ProjectUse(direct=False, notes=(note,))
    for name, notes in development.items():
        by_name.setdefault(name, ProjectUse(direct=False, notes=tuple(notes)))
    summary = (
        f"{project.root.name or project.root}: "
        f"{count(len(declared), 'declared distribution')}, "
        f"{count(len(imported), 'imported distribution')}, "
        f"{count(project.imports.files_scanned, '.py file')} read"
    )
    return Uses(by_name, summary)


def _distributions(snapshots: Sequence[Snapshot]) -> dict[str, list[Distribution]]:
    out: dict[str, list[Distribution]] = {}
    for snapshot in snapshots:
        for dist in snapshot.active_distributions:
            out.setdefault(dist.canonical_name, []).append(dist)
    return out


def _shown(name: str, dists: Mapping[str, list[Distribution]]) -> str:
    copies = dists.get(name)
    return copies[0].name if copies else name


def _files(files: Sequence[str]) -> str:
    return join_names(files, limit=1)


def imported_by_code(
    project: ProjectFacts, dists: Mapping[str, list[Distribution]]
) -> dict[str, list[str]]:
    """Canonical name → the files importing it."""
    owners: dict[str, set[str]] = {}
    for name, copies in dists.items():
        for dist in copies:
            for top in dist.top_level:
                owners.setdefault(top, set()).add(name)
    own = project.declared.project_name
    local = project.imports.local_modules
    out: dict[str, list[str]] = {}
    for module, files in project.imports.modules.items():
        if is_stdlib(module):
            continue
        for name in _owners_of(module, owners, dists):
            if module.partition(".")[0] in local and name != own:
                continue  # the project's own module, not an installed namesake
            known = out.setdefault(name, [])
            known.extend(f for f in files if f not in known)
    return out


def _owners_of(
    module: str, owners: Mapping[str, set[str]], dists: Mapping[str, list[Distribution]]
) -> Iterable[str]:
    parts = module.split(".")
    candidates = owners.get(parts[0], set())
    if len(candidates) > 1:
        for size in range(len(parts), 1, -1):
            for guess in ("-".join(parts[:size]), parts[size - 1]):
                if canonicalize_name(guess) in candidates:
                    return [canonicalize_name(guess)]
        if len(parts) > 1:
            return []  # a namespace import no single distribution owns: no guess
    if candidates:
        return sorted(candidates)
    guess = canonicalize_name(parts[0])
    return [guess] if guess in dists else []


def _through(
    direct: Mapping[str, list[str]],
    dists: Mapping[str, list[Distribution]],
    imported: Mapping[str, list[str]],
    own: str | None,
) -> dict[str, tuple[str, str]]:
    """Distributions reached through Requires-Dist from a direct one: name → (via, how)."""
    reached: dict[str, tuple[str, str]] = {}
    queue = deque((name, name) for name in sorted(direct))
    while queue:
        name, root = queue.popleft()
        for dist in dists.get(name, ()):
            for text in dist.requires_dist:
                required = requirement_name(text)
                if required is None or _EXTRA_MARKER in text.partition(";")[2]:
                    continue
                if required in direct or required in reached:
                    continue
                reached[required] = (root, _how(root, imported, own))
                queue.append((required, root))
    return reached


def _how(root: str, imported: Mapping[str, list[str]], own: str | None) -> str:
    if root == own:
        return "is your project"
    return "your code imports" if root in imported else "you declare"


# --------------------------------------------------------------------------- findings


def annotate(findings: Sequence[Finding], uses: Uses) -> list[Finding]:
    return [_annotated(f, uses) for f in findings]


def _annotated(finding: Finding, uses: Uses) -> Finding:
    members = tuple(_annotated(m, uses) for m in finding.members)
    own = [uses.by_name[n] for n in sorted(touched(finding)) if n in uses.by_name]
    found = own + [m.project for m in members if m.project is not None]
    if not found:
        return replace(finding, members=members) if members != finding.members else finding
    direct = [u for u in found if u.direct]
    chosen = direct or found
    notes: list[str] = []
    for use in chosen:
        notes.extend(n for n in use.notes if n not in notes)
    if len(notes) > MAX_NOTES:
        notes = [*notes[:MAX_NOTES], f"and {len(notes) - MAX_NOTES} more"]
    return replace(finding, members=members, project=ProjectUse(bool(direct), tuple(notes)))


def touched(finding: Finding) -> set[str]:
    """The distributions a finding is about: named by the rule, or by its changes."""
    names = set(finding.packages)
    for change in finding.changes:
        if change.section == "distributions":
            names.add(change.key)
        elif change.section == "shadowed":
            names.add(change.key.partition("@")[0])
    return names
