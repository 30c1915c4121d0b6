"""Which findings explain the error, and the report's word on it.

A finding explains an error when one of the error's pointers names it (its
category, and its subject or a name it is about). Of an error's matches, those
of a mechanism or stronger count; weaker ones count only when nothing stronger
matched. A finding keeps its strongest link; the engine ranks linked findings
first, whatever their severity.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from driftcheck.diff.explainers.common import import_owners
from driftcheck.diff.model import Finding, Severity, SymptomLink, SymptomSummary
from driftcheck.diff.symptom.pointers import (
    CONTRIBUTES,
    MECHANISM,
    NAMES_EXACTLY,
    Pointer,
    canonical,
)
from driftcheck.diff.symptom.reading import ErrorText
from driftcheck.diff.symptom.signatures import ErrorLine, find_errors
from driftcheck.snapshot.model import Snapshot


def explain_symptom(
    findings: Sequence[Finding], texts: Sequence[ErrorText], sides: tuple[Snapshot, Snapshot]
) -> tuple[list[Finding], SymptomSummary]:
    errors = find_errors(texts)
    links: dict[int, SymptomLink] = {}
    explained_by: dict[int, list[str]] = {}
    names = [finding_names(f) for f in findings] if errors else []
    for number, error in enumerate(errors):
        for index, strength in _matches(error, findings, names, sides):
            if strength < MECHANISM:
                continue  # a part it may play is not an explanation: it is not linked
            link = SymptomLink(error.line, error.quote, strength)
            held = links.get(index)
            if held is None or strength > held.strength:
                links[index] = link
            finding = findings[index]
            explained_by.setdefault(number, []).append(f"{finding.category}:{finding.subject}")
    linked = [replace(f, symptom=links[i]) if i in links else f for i, f in enumerate(findings)]
    return linked, _summary(texts, errors, explained_by)


def _matches(
    error: ErrorLine,
    findings: Sequence[Finding],
    all_names: Sequence[frozenset[tuple[str, str]]],
    sides: tuple[Snapshot, Snapshot],
) -> list[tuple[int, int]]:
    pointers = [_resolved(pointer, sides) for pointer in error.pointers]
    found: list[tuple[int, int]] = []
    named: set[int] = set()  # findings whose own subject is what the error names
    for index, finding in enumerate(findings):
        names = all_names[index]
        hits = [(q, subjects) for q, subjects in pointers if _hits(q, subjects, finding, names)]
        best = max((q.strength for q, _ in hits), default=0)
        # What the error names (a module, a soname), not a mechanism's own name (sys.path).
        about = any(
            _about(finding, s)
            for q, s in hits
            if q.module is not None or q.strength == NAMES_EXACTLY
        )
        if finding.severity == Severity.INFO and not about:
            continue  # context (paths, session values) explains nothing by a mechanism
        if best:
            found.append((index, best))
        if any(q.strength == NAMES_EXACTLY and _about(finding, s) for q, s in hits):
            named.add(index)
    if named:  # `No module named 'idna'`: idna's finding, not requests' that requires it
        found = [(i, s if i in named or s < NAMES_EXACTLY else CONTRIBUTES) for i, s in found]
    strong = [m for m in found if m[1] >= MECHANISM]
    return strong or found


def _about(finding: Finding, subjects: frozenset[str]) -> bool:
    return canonical(finding.subject) in subjects or finding.subject.lower() in subjects


def _resolved(pointer: Pointer, sides: tuple[Snapshot, Snapshot]) -> tuple[Pointer, frozenset[str]]:
    """The subjects a pointer names; an import name becomes the distributions installing it."""
    if pointer.module is None:
        return pointer, frozenset(
            {_norm(pointer.category, pointer.subject)} if pointer.subject else ()
        )
    owners = {d.canonical_name for side in sides for d in import_owners(side, pointer.module)}
    return pointer, frozenset({*owners, canonical(pointer.module)})


def _hits(
    pointer: Pointer, subjects: frozenset[str], finding: Finding, names: frozenset[tuple[str, str]]
) -> bool:
    if pointer.contains is not None:
        return finding.category == pointer.category and pointer.contains in finding.subject.lower()
    if (
        pointer.category == "packages"
    ):  # any finding about the distribution: a version, a requirement
        return any(("packages", s) in names for s in subjects)
    if finding.category != pointer.category:
        return False
    return not subjects or any((pointer.category, s) in names for s in subjects)


def finding_names(finding: Finding) -> frozenset[tuple[str, str]]:
    """(category, name) for everything the finding is about: its subject, the keys of the
    changes it claims, the distributions it names, and the same for its members."""
    names: set[tuple[str, str]] = set()
    _collect(finding, finding.category, names)
    return frozenset(names)


def _collect(finding: Finding, category: str, names: set[tuple[str, str]]) -> None:
    names.add((category, _norm(category, finding.subject)))
    if category in ("packages", "platform"):
        names.add(("packages", canonical(finding.subject)))
    names.update(("packages", canonical(name)) for name in finding.packages)
    for change in finding.changes:
        if change.section == "distributions":
            names.add(("packages", canonical(change.key)))
        else:
            names.add((category, _norm(category, change.key)))
    for member in finding.members:
        _collect(member, category, names)


def _norm(category: str, subject: str) -> str:
    if category == "packages":
        return canonical(subject)
    if category == "os":  # "dpkg:libc6:amd64", "libc6:amd64" → "libc6"
        parts = subject.split(":")
        subject = parts[1] if len(parts) == 3 else parts[0]
    return subject.lower()


def _summary(
    texts: Sequence[ErrorText], errors: Sequence[ErrorLine], explained_by: dict[int, list[str]]
) -> SymptomSummary:
    read = "; ".join(_read_words(t) for t in texts)
    unexplained = tuple(
        f"nothing here explains {e.where}: {e.quote} (it points at {e.points_at}"
        f"{'' if e.pointers else ', which no snapshot records'})"
        for n, e in enumerate(errors)
        if n not in explained_by
    )
    recognised = tuple(
        f"{e.where}: {e.quote} (explained by {_names(explained_by[n])})"
        for n, e in enumerate(errors)
        if n in explained_by
    )
    return SymptomSummary(
        read=read, errors=len(errors), explained=recognised, unexplained=unexplained
    )


def _read_words(text: ErrorText) -> str:
    lines = len(text.lines)
    words = f"{text.source}: {lines} line{'s' if lines != 1 else ''}"
    return f"{words} ({text.note})" if text.note else words


def _names(names: Iterable[str]) -> str:
    unique = list(dict.fromkeys(names))
    shown = ", ".join(unique[:3])
    return shown + (f" and {len(unique) - 3} more" if len(unique) > 3 else "")
