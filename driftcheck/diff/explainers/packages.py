"""Package versions: added, removed and changed distributions, each change classified.

A bare "numpy 1.26.4 → 2.1.0" does not say whether it matters. The version step
(versions.py) and who depends on the package do: a major release of something
compiled packages require breaks imports, a patch release of a leaf package
rarely matters. A missing distribution breaks the imports nothing else provides
(import_names.py). Installer tooling ranks below what the program imports
(tooling.py). A new version also explains the metadata that came with it
(requirements, wheel tags, top-level names), so those are claimed with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from driftcheck.diff.explainers.common import (
    active,
    by_key,
    dependants,
    import_owners,
    install_fix,
    is_compiled,
    join_names,
    named,
    reinstall_fix,
    uninstall_fix,
)
from driftcheck.diff.explainers.import_names import ImportFate, import_fate, imports_text, plural
from driftcheck.diff.explainers.interface import Context, in_section
from driftcheck.diff.explainers.tooling import (
    PKG_RESOURCES_SETUPTOOLS,
    PLACEHOLDER_ADVICE,
    PLACEHOLDER_MODULE,
    TOOLS,
    below_tool,
    is_placeholder,
    is_tool,
    placeholder_what,
    tool_why,
)
from driftcheck.diff.explainers.versions import Rating, Users, rate
from driftcheck.diff.explainers.versions import classify as classify  # the gate's version steps
from driftcheck.diff.model import Change, Finding, Fix, Severity
from driftcheck.diff.text import short
from driftcheck.numbers import small_int
from driftcheck.snapshot.model import Distribution

# Fields a new release brings along: explained by the version change itself.
RELEASE_FIELDS = ("requires_dist", "requires_python", "wheel_tags", "top_level")
INSTALL_FIELDS = ("editable", "vcs", "vcs_commit")


class PackagesExplainer:
    name = "packages"

    def explain(self, pending: Sequence[Change], context: Context) -> list[Finding]:
        findings: list[Finding] = []
        left, right = active(context.left), active(context.right)
        for key, changes in sorted(by_key(in_section(pending, "distributions")).items()):
            whole = [c for c in changes if c.field == ""]
            if whole and key in left and key not in right:
                findings.append(_removed(left[key], whole, context))
            elif whole and key in right and key not in left:
                findings.append(_added(right[key], whole, context))
            elif key in left and key in right:
                fields = {c.field: c for c in changes}
                if "version" in fields:
                    findings.append(_changed(left[key], right[key], fields, context))
        return findings


def _removed(dist: Distribution, changes: list[Change], context: Context) -> Finding:
    a, b = context.left_label, context.right_label
    if is_placeholder(dist):
        return _placeholder_removed(dist, changes, context)
    users = dependants(context.right, dist.canonical_name)
    users_left = dependants(context.left, dist.canonical_name)
    fate = import_fate(dist, context.left, context.right)
    severity, what = _missing_imports(dist, fate, context, bool(users))
    reason = ""
    if users:
        verb = "requires" if len(users) == 1 else "require"
        reason = f", and {join_names(named(d) for d in users)} on {b} {verb} it"
    elif users_left:
        reason = f" (on {a} it was required by {join_names(named(d) for d in users_left)})"
    explanation = f"{named(dist)} is installed on {a} but missing on {b}, {what}{reason}"
    fix = reinstall_fix(context, "right", dist)
    if is_tool(dist) and not users:
        severity = below_tool(severity)
        explanation = f"{explanation}: {tool_why(dist, f'on {b}')}"
        if dist.canonical_name == "pip":
            fix = Fix.advise(f"python -m ensurepip puts pip back on {b}, if installs run inside it")
    elif fate.replaced and not fate.failing and not fate.shared:
        fix = Fix.advise(
            f"keep {fate.replaced[0][1].name} on {b} if it is meant to replace {dist.name}; "
            f"otherwise uninstall it there and install {dist.name}=={dist.version}"
        )
    # Whether the program needs it there is for the evidence of use to say (diff/rating.py).
    impact = "missing" if fate.failing or fate.shared or not fate.replaced else "install"
    if is_tool(dist) and not users:
        impact = ""
    found = _gone(dist, changes, context, severity, f"{explanation}.", fix, 10 if users else 0)
    return replace(found, impact=impact)


def _gone(
    dist: Distribution,
    changes: list[Change],
    context: Context,
    severity: Severity,
    explanation: str,
    fix: Fix | None,
    relevance: int = 0,
) -> Finding:
    """The finding for a distribution on the left only."""
    return Finding(
        category="packages",
        subject=dist.canonical_name,
        severity=severity,
        explanation=explanation,
        left=short(dist.version),
        right=None,
        evidence=(f"{context.left_label}: {dist.location}",),
        fix=fix,
        changes=tuple(changes),
        relevance=relevance,
    )


def _missing_imports(
    dist: Distribution, fate: ImportFate, context: Context, required: bool
) -> tuple[Severity, str]:
    """What the distribution's absence does to imports on the right: a name nothing else
    provides fails; one another distribution provides still imports, from other code."""
    broken = Severity.HIGH if required else Severity.MEDIUM
    if dist.canonical_name == "pip":
        return broken, "so `python -m pip` fails there"
    if fate.failing:
        verb = plural(fate.failing, "fails", "fail")
        text = f"so {imports_text(fate.failing)} {verb} there with ModuleNotFoundError"
        python = context.right.python
        if dist.canonical_name == "setuptools" and python is not None and _from_312(python.version):
            text += " (venvs made by Python 3.12 and later no longer include it)"
        return broken, text
    if fate.shared:
        name, other = fate.shared[0]
        return broken, (
            f"so its part of `{name}`, a package it shares with {other.name}, is gone there: "
            "imports from that part fail with ModuleNotFoundError"
        )
    if fate.replaced:
        names = tuple(n for n, _ in fate.replaced)
        providers = {d.canonical_name for _, d in fate.replaced}
        by = named(fate.replaced[0][1]) if len(providers) == 1 else "other distributions"
        verb = plural(names, "still works", "still work")
        pronoun = plural(names, "it", "them")
        text = f"but {imports_text(names)} {verb} there: {by} provides {pronoun}, from other code"
        # What requires it by name still sees it missing (pip check, importlib.metadata).
        return (Severity.MEDIUM if required else Severity.LOW), text
    return broken, "so code that imports it fails there with ModuleNotFoundError"


def _from_312(version: str) -> bool:
    major, _, rest = version.partition(".")
    minor = rest.partition(".")[0]
    numbers = small_int(major), small_int(minor)
    return numbers[0] is not None and numbers[1] is not None and (numbers[0], numbers[1]) >= (3, 12)


def _placeholder_removed(dist: Distribution, changes: list[Change], context: Context) -> Finding:
    """pkg_resources 0.0.0 on the left only: what matters is whether the right has the module."""
    a, b = context.left_label, context.right_label
    providers = [d for d in import_owners(context.right, PLACEHOLDER_MODULE) if d is not dist]
    if providers:
        severity = Severity.INFO
        outcome = f"on {b}, {named(providers[0])} provides pkg_resources, so nothing is missing"
        fix = Fix.advise(PLACEHOLDER_ADVICE)
    else:
        severity = Severity.MEDIUM
        outcome = (
            f"nothing provides pkg_resources on {b}, so `import pkg_resources` fails there with "
            "ModuleNotFoundError"
        )
        fix = install_fix(context, "right", PKG_RESOURCES_SETUPTOOLS, "setuptools")
    return _gone(dist, changes, context, severity, f"{placeholder_what(dist, a)}; {outcome}.", fix)


def _added(dist: Distribution, changes: list[Change], context: Context) -> Finding:
    b = context.right_label
    users = dependants(context.right, dist.canonical_name)
    fix: Fix | None = uninstall_fix(context, "right", dist.name)
    severity = Severity.INFO
    if is_placeholder(dist):
        explanation = f"{placeholder_what(dist, b)}: setuptools' own module, nothing to remove."
        fix = Fix.advise(PLACEHOLDER_ADVICE)
    elif users:
        why = f"pulled in as a dependency of {join_names(named(d) for d in users)}"
        explanation = f"{named(dist)} is installed on {b} only: {why}."
    elif (replaced := _in_place_of(dist, context)) is not None:
        name, other = replaced
        explanation = (
            f"{named(dist)} is installed on {b} only, in place of {named(other)} on "
            f"{context.left_label}: both provide `{name}`, from code that can differ."
        )
        severity = Severity.LOW
    elif is_tool(dist):
        explanation = (
            f"{named(dist)} is installed on {b} only: installer tooling that nothing there "
            f"requires, so it matters only to {TOOLS[dist.canonical_name]}."
        )
        fix = None
    else:
        why = "it can change behaviour through plugins, entry points or optional imports"
        explanation = f"{named(dist)} is installed on {b} only: {why}."
        severity = Severity.LOW
    return Finding(
        category="packages",
        subject=dist.canonical_name,
        severity=severity,
        explanation=explanation,
        left=None,
        right=short(dist.version),
        evidence=(f"{b}: {dist.location}",),
        fix=fix,
        changes=tuple(changes),
    )


def _in_place_of(dist: Distribution, context: Context) -> tuple[str, Distribution] | None:
    """The left-only distribution that provided the same import names, if that is all they do."""
    fate = import_fate(dist, context.right, context.left)
    gone = [
        (name, other)
        for name, other in fate.replaced
        if other.canonical_name not in active(context.right)
    ]
    if gone and not fate.failing and not fate.shared:
        return gone[0]
    return None


def _changed(
    left: Distribution, right: Distribution, fields: dict[str, Change], context: Context
) -> Finding:
    claimed = [fields["version"]] + [fields[f] for f in RELEASE_FIELDS if f in fields]
    if "direct_url" in fields and not any(f in fields for f in INSTALL_FIELDS):
        claimed.append(fields["direct_url"])
    users = [d for d in dependants(context.right, right.canonical_name) if d is not right]
    compiled_users = [d for d in users if is_compiled(d)]
    rating = rate(
        left,
        right,
        Users(users, compiled_users, is_compiled(left) or is_compiled(right)),
        (context.left_label, context.right_label),
    )
    if is_tool(right) and not users:
        rating = Rating(below_tool(rating.severity), rating.step, tool_why(right))
    evidence = [
        f"{context.left_label}: {named(left)}" + _tags(left),
        f"{context.right_label}: {named(right)}" + _tags(right),
    ]
    if users:
        evidence.append(f"required by: {', '.join(named(d) for d in users)}")
    severity = rating.severity
    explanation = rating.explanation
    gone = _modules_gone(left, right, context)
    if gone:
        step = classify(left.version, right.version)
        ships = "does not ship" if step is not None and step.downgrade else "no longer ships"
        what = plural(gone, "the module", "the modules")
        modules = join_names([f"`{m}`" for m in gone])
        explanation = (
            f"{explanation.rstrip('.')}; {named(right)} {ships} {what} {modules}, so "
            f"{imports_text(gone)} {plural(gone, 'fails', 'fail')} there."
        )
    return Finding(
        category="packages",
        subject=right.canonical_name,
        severity=severity,
        explanation=explanation,
        left=short(left.version),
        right=short(right.version),
        evidence=tuple(evidence),
        fix=reinstall_fix(context, "right", left),
        changes=tuple(claimed),
        relevance=(5 * len(compiled_users) + len(users)) if severity >= Severity.HIGH else 0,
        impact="version",
    )


def _modules_gone(left: Distribution, right: Distribution, context: Context) -> tuple[str, ...]:
    """Top-level modules the left release ships and the right one does not, that nothing
    else on the right provides. A release whose names are unknown says nothing."""
    if not left.top_level or not right.top_level:
        return ()
    gone = set(left.top_level) - set(right.top_level)
    return tuple(sorted(n for n in gone if not import_owners(context.right, n)))


def _tags(dist: Distribution) -> str:
    return f" ({', '.join(dist.wheel_tags)})" if dist.wheel_tags else ""
