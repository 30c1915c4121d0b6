"""Severity from evidence of use (DESIGN point 8), in one place.

An explainer rates a change by what it can do and names that in `Finding.impact`
("missing": imports fail on the right; "version"; "install"; "unmet"; "python").
Here that rating meets the evidence (usage.py): who imports the distribution,
who requires it on each side, whether they accept the version there. Nothing
uses it: low at most, whatever the change. The program cannot start (a
distribution its code imports, or that it or what it runs requires, missing on
the right): high or critical. A major step that every requirer accepts, of a
package no compiled extension is built against, is not high unless the project's
own code imports it. Each rated finding says why in its evidence, and in its
explanation when the evidence moved the severity.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from driftcheck.diff.explainers.calver import calendar_step
from driftcheck.diff.explainers.common import Side, join_names, named
from driftcheck.diff.explainers.import_origins import rate_import_origin
from driftcheck.diff.explainers.startup_site import rate_site_group
from driftcheck.diff.explainers.tooling import dev_tool_kind
from driftcheck.diff.explainers.versions import VersionStep, classify
from driftcheck.diff.model import EVIDENCE_PREFIX, Finding, Severity
from driftcheck.diff.usage import (
    Usage,
    Use,
    compiled_requirers,
    nothing_words,
    project_words,
    requirer_words,
    root_words,
)


def rate_by_use(findings: Sequence[Finding], usage: Usage) -> list[Finding]:
    return [_rated(f, usage) for f in findings]


def _rated(finding: Finding, usage: Usage) -> Finding:
    rule = _RULES.get(finding.impact)
    if rule is None:
        return finding
    name = finding.packages[0] if finding.packages else finding.subject
    use = usage.of(name)
    rated = rule(finding, use, usage)
    line = EVIDENCE_PREFIX + use_line(use, name, usage)
    return replace(rated, evidence=(*rated.evidence, line))


def use_line(use: Use, name: str, usage: Usage) -> str:
    """Every piece of evidence there is about `name`, or that there is none."""
    parts = [p for p in (project_words(use),) if p]
    for side in ("right", "left"):
        words = requirer_words(use, side, usage)
        same = side == "left" and _names(use, "left") == _names(use, "right")
        if words and not same:
            parts.append(words)
    if use.root_on:
        parts.append(root_words(use, usage))
    return "; ".join(parts) if parts else nothing_words(use, name, ("left", "right"), usage)


def _names(use: Use, side: Side) -> list[str]:
    return [r.shown for r in use.required_on(side)]


def _moved(finding: Finding, severity: Severity, why: str, *, say: bool = False) -> Finding:
    """The finding at `severity`, its explanation saying why when that moves it (or `say`)."""
    if severity == finding.severity and not say:
        return finding
    # Still one sentence: the evidence is its last clause.
    explanation = f"{finding.explanation.rstrip('.')}; {why}."
    return replace(finding, severity=severity, explanation=explanation)


def _missing(finding: Finding, use: Use, usage: Usage) -> Finding:
    """On the left, missing on the right, and its imports fail there."""
    b = usage.label("right")
    name = finding.subject
    said = project_words(use)
    required = requirer_words(use, "right", usage)
    cannot_start = f"{said}, so the program cannot start on {b}"
    if use.imported:
        return _moved(finding, Severity.CRITICAL, cannot_start, say=True)
    if use.own or use.declared:
        return _moved(finding, Severity.HIGH, cannot_start, say=True)
    if required:  # the explainer already names who requires it on B
        return _moved(finding, max(finding.severity, Severity.HIGH), required)
    if use.extras:
        return _moved(finding, Severity.MEDIUM, f"{said}: what needs it fails on {b}", say=True)
    nothing = nothing_words(use, name, ("right",), usage)
    tool = dev_tool_kind(name)
    if tool is not None:
        why = f"{name} is a development tool ({tool}): {nothing}"
        return _moved(finding, Severity.LOW, why, say=True)
    if use.project:
        why = f"{nothing}, and {said}" if said else nothing
        return _moved(finding, Severity.LOW, why, say=True)
    if "left" in use.first_on:
        # Asked for by name (not merely pulled in by a lockfile), and nothing on B
        # provides its modules (impact "missing"): what asked for it cannot import it.
        why = (
            f"it was {root_words(use, usage)} and nothing on {b} provides its modules, so "
            f"what asked for it cannot import it on {b}"
        )
        return _moved(finding, Severity.HIGH, why, say=True)
    if "left" in use.top_on:
        why = f"{nothing}: --project tells whether your code imports it"
        return _moved(finding, Severity.MEDIUM, why, say=True)
    pulled = _names(use, "left")
    if pulled:  # REQUESTED, as a lockfile marks everything, beside what requires it
        a = usage.label("left")
        with_ = join_names([named(r.dist) for r in use.required_on("left")], limit=2)
        why = f"nothing on {b} requires {name}: on {a} it came with {with_}"
        return _moved(finding, Severity.LOW, why, say=True)
    return _moved(finding, Severity.LOW, nothing, say=True)


def _version(finding: Finding, use: Use, usage: Usage) -> Finding:
    name = finding.subject
    gone = _vanished_imports(finding, usage)
    if gone:  # the explanation already says which modules the right release lacks
        module, files = gone[0]
        why = (
            f"your code imports `{module}` ({join_names(files, limit=1)}), so the program "
            f"cannot start on {usage.label('right')}"
        )
        return _moved(finding, max(finding.severity, Severity.HIGH), why, say=True)
    if use.unused:
        return _capped(finding, use, usage)
    step = _step(finding)
    if step is None or step.kind != "major" or _calendar(name, finding):
        return finding
    if use.imported:
        why = f"{project_words(use)}, and a major release can change the API it calls"
        return _moved(finding, max(finding.severity, Severity.HIGH), why, say=True)
    required = use.required_on("right")
    accepted = bool(required) and all(r.accepts for r in required)
    own_root = use.direct or "right" in use.root_on
    if finding.severity >= Severity.HIGH and accepted and not own_root:
        if compiled_requirers(use, "right"):
            return finding  # extensions built against the old major: Requires-Dist cannot say
        b = usage.label("right")
        shown = join_names([r.shown for r in required], limit=2)
        return _moved(
            finding,
            Severity.MEDIUM,
            f"every package that requires it on {b} accepts {step.right} ({shown}), and none "
            "of them is built against it",
        )
    return finding


def _vanished_imports(finding: Finding, usage: Usage) -> list[tuple[str, tuple[str, ...]]]:
    """Modules the project's code imports whose top-level name the left release ships and
    the right one does not (its top-level names, from top_level.txt or RECORD), and that
    nothing else on the right provides."""
    project = usage.project
    change = next((c for c in finding.changes if c.field == "top_level"), None)
    if project is None or change is None:
        return []
    left, right = change.left, change.right
    if not isinstance(left, list) or not isinstance(right, list) or not right:
        return []  # a side whose names are unknown is not evidence of anything gone
    gone = {str(n) for n in left} - {str(n) for n in right} - usage.sides["right"].provides
    return sorted(
        (module, files)
        for module, files in project.imported_modules.items()
        if module.partition(".")[0] in gone
    )


def _step(finding: Finding) -> VersionStep | None:
    change = next((c for c in finding.changes if c.field == "version"), None)
    if change is None:
        return None
    return classify(str(change.left), str(change.right))


def _calendar(name: str, finding: Finding) -> bool:
    step = _step(finding)
    return step is not None and calendar_step(name, step.left, step.right) is not None


def _capped(finding: Finding, use: Use, usage: Usage) -> Finding:
    """Nothing uses it: low at most."""
    if finding.severity <= Severity.LOW:
        return finding
    name = finding.packages[0] if finding.packages else finding.subject
    return _moved(finding, Severity.LOW, nothing_words(use, name, ("left", "right"), usage))


def _used_somewhere(finding: Finding, use: Use, usage: Usage) -> Finding:
    return _capped(finding, use, usage) if use.unused else finding


def _native_missing(finding: Finding, use: Use, usage: Usage) -> Finding:
    """A library an extension module needs, missing on one side: importing the module
    fails there. The module's distribution carries the evidence (none known: as rated)."""
    if not finding.packages:
        return finding
    if use.unused:
        return _capped(finding, use, usage)
    if use.imported:
        why = f"{project_words(use)}, so the program cannot start where it is missing"
        return _moved(finding, Severity.CRITICAL, why, say=True)
    if use.direct or use.root_on or any(use.required_on(s) for s in ("left", "right")):
        return finding
    return _moved(finding, Severity.MEDIUM, f"{project_words(use)}", say=True)


_RULES: dict[str, Callable[[Finding, Use, Usage], Finding]] = {
    "missing": _missing,
    "version": _version,
    "install": _used_somewhere,
    "unmet": _used_somewhere,
    "python": _used_somewhere,
    "native-missing": _native_missing,
    "native-other-file": _used_somewhere,
    "imports": rate_import_origin,
    "site-group": rate_site_group,
}
