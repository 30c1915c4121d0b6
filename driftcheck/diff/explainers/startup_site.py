"""A venv's include-system-site-packages and the user site: one finding for many packages.

When one side's venv sees the system site packages and the other's does not, or one
side's user site holds distributions, dozens of packages are present on one side
only. They are one cause: this finding names it and carries the package findings as
its members, rated one by one by evidence of use (`rate_site_group`), so the report
shows one line with the worst of them on top.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from driftcheck.diff.explainers.common import Side, join_names, label, snapshot_of
from driftcheck.diff.explainers.interface import Context, Explainer
from driftcheck.diff.model import Change, Finding, Fix, Severity
from driftcheck.diff.startup_changes import system_site_names, user_site_names
from driftcheck.diff.usage import Usage, Use

IMPACT = "site-group"
MEMBER_SECTIONS = ("distributions", "shadowed")


class StartupSiteExplainer:
    name = "startup-site"

    def explain(self, pending: Sequence[Change], context: Context) -> list[Finding]:
        findings = []
        claimed: set[tuple[str, str, str]] = set()
        for change in pending:
            if change.section != "startup" or change.key not in (
                "system-site-packages",
                "user-site",
            ):
                continue
            names = _names(change, context)
            folders = _folders(change, context)
            members = [
                c
                for c in pending
                if c.ident not in claimed
                and (
                    (c.section in MEMBER_SECTIONS and c.key.partition("@")[0] in names)
                    or _pth_in(c, folders)
                )
            ]
            claimed.update(c.ident for c in members)
            findings.append(_finding(change, members, context))
        return findings


def _names(change: Change, context: Context) -> set[str]:
    if change.key == "system-site-packages":
        return set(system_site_names(context.left)) | set(system_site_names(context.right))
    return set(user_site_names(context.left)) | set(user_site_names(context.right))


def _folders(change: Change, context: Context) -> tuple[str, ...]:
    """Where the .pth files this setting makes site.py read live: the base installation
    (outside the venv) for system site packages, the user site for the user site."""
    out = []
    for snapshot in (context.left, context.right):
        py = snapshot.python
        site = snapshot.startup.site if snapshot.startup else None
        if change.key == "system-site-packages" and py is not None and py.prefix != py.base_prefix:
            out.append(py.base_prefix.rstrip("/") + "/")
        elif change.key == "user-site" and site is not None and site.user_site:
            out.append(site.user_site.rstrip("/") + "/")
    return tuple(out)


def _pth_in(change: Change, folders: tuple[str, ...]) -> bool:
    if change.section != "startup" or change.kind == "changed" or not folders:
        return False
    entry = change.left if change.kind == "removed" else change.right
    path = str(entry.get("path", "")) if isinstance(entry, dict) else ""
    return path.endswith(".pth") and path.startswith(folders)


def _member_findings(members: list[Change], context: Context) -> tuple[Finding, ...]:
    from driftcheck.diff.engine import explain_all
    from driftcheck.diff.explainers.installs import InstallsExplainer
    from driftcheck.diff.explainers.locations import LocationsExplainer
    from driftcheck.diff.explainers.packages import PackagesExplainer
    from driftcheck.diff.explainers.shadowing import ShadowingExplainer
    from driftcheck.diff.explainers.startup_hooks import StartupHooksExplainer

    explainers: list[Explainer] = [
        PackagesExplainer(),
        InstallsExplainer(),
        LocationsExplainer(),
        ShadowingExplainer(),
        StartupHooksExplainer(),
    ]
    return tuple(explain_all(members, context, explainers))


def _finding(change: Change, members: list[Change], context: Context) -> Finding:
    found = _member_findings(members, context) if members else ()
    names = sorted({c.key.partition("@")[0] for c in members if c.section != "startup"})
    a, b = context.left_label, context.right_label
    if change.key == "system-site-packages":
        on: Side = "left" if change.left else "right"
        off: Side = "right" if on == "left" else "left"
        prefix = _prefix(context, off)
        explanation = (
            f"the venv on {label(context, on)} includes the system site packages "
            f"(include-system-site-packages = true in its pyvenv.cfg), the one on "
            f"{label(context, off)} does not"
        )
        fix = Fix.advise(
            f"install what the program needs into the venv on {label(context, off)}, or set "
            f"include-system-site-packages = true in {prefix}/pyvenv.cfg if it is meant to "
            "share the system's packages"
        )
    else:
        left, right = change.left or {}, change.right or {}
        explanation = (
            f"the user site holds {_held(left)} on {a} (user site "
            f"{'enabled' if left.get('enabled') else 'disabled'}) and {_held(right)} on {b} "
            f"({'enabled' if right.get('enabled') else 'disabled'}): pip install --user, "
            "PYTHONNOUSERSITE or an isolated venv decide what it adds"
        )
        fix = Fix.advise(
            "install the packages the program needs into its own environment and empty the "
            "user site (pip uninstall --user …), or set PYTHONNOUSERSITE=1 on the side that "
            "should not see it"
        )
    if names:
        explanation += f"; so {len(names)} distribution(s) differ ({join_names(names, limit=5)})"
    severity = max((f.severity for f in found), default=Severity.LOW)
    worst = max(found, key=lambda f: f.severity, default=None)
    return Finding(
        category="startup",
        subject=change.key,
        severity=severity,
        explanation=f"{explanation}.",
        left=_setting(change.left) if change.key == "system-site-packages" else None,
        right=_setting(change.right) if change.key == "system-site-packages" else None,
        fix=fix,
        members=found,  # with their changes: the rating reads them (version steps)
        changes=(change, *members),
        packages=worst.packages or tuple(c.key for c in worst.changes)[:1] if worst else (),
        relevance=6,
        impact=IMPACT if found else "",
    )


def _setting(value: object) -> str:
    return "include-system-site-packages = " + ("true" if value else "false")


def _held(entry: object) -> str:
    names = entry.get("distributions", []) if isinstance(entry, dict) else []
    return f"{len(names)} distribution(s)" if names else "nothing"


def _prefix(context: Context, side: Side) -> str:
    py = snapshot_of(context, side).python
    return py.prefix if py is not None else "the venv"


def rate_site_group(finding: Finding, use: Use, usage: Usage) -> Finding:
    """The group is as severe as its worst member, each rated by its own evidence of use."""
    from driftcheck.diff.rating import rate_by_use

    members = tuple(rate_by_use(finding.members, usage))
    if not members:
        return finding
    severity = max(m.severity for m in members)
    members = tuple(sorted(members, key=lambda m: -m.severity))
    return replace(finding, members=members, severity=severity)
