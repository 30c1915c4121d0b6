"""How a package is installed, when its version is the same: editable, VCS commit, wheel, tool.

Two environments can both say "myproject 0.3.0" and still run different code:
one runs the working tree (editable), one a copy made at install time; one was
built from another git commit; one is another wheel of the same release (a
different platform build). These rules run after the version rule, so they
see only what a version change did not already explain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from urllib.parse import unquote, urlparse

from driftcheck.diff.explainers.common import (
    active,
    by_key,
    install_fix,
    join_names,
    named,
    reinstall_fix,
)
from driftcheck.diff.explainers.interface import Context, in_section
from driftcheck.diff.model import Change, Finding, Fix, Severity
from driftcheck.diff.text import short
from driftcheck.snapshot.model import Distribution

METADATA_FIELDS = ("requires_dist", "requires_python", "top_level")


class InstallsExplainer:
    name = "installs"

    def explain(self, pending: Sequence[Change], context: Context) -> list[Finding]:
        left, right = active(context.left), active(context.right)
        findings: list[Finding] = []
        # Installer and "requested" differences come in crowds (a venv rebuilt with uv):
        # one finding per (field, left value, right value), with the packages as members.
        crowds: dict[tuple[str, str, str], list[Finding]] = {}
        for key, changes in sorted(by_key(in_section(pending, "distributions")).items()):
            if key not in left or key not in right:
                continue
            fields = {c.field: c for c in changes if c.field}
            findings.extend(_entry(left[key], right[key], fields, context))
            for name, rule in (("installer", _installer), ("requested", _requested)):
                if name in fields:
                    change = fields.pop(name)
                    crowd = (name, str(change.left), str(change.right))
                    single = rule(left[key], right[key], (change,), context)
                    crowds.setdefault(crowd, []).append(single)
        for (name, _, _), members in sorted(crowds.items()):
            findings.append(members[0] if len(members) == 1 else _crowd(name, members, context))
        return findings


def _entry(
    left: Distribution, right: Distribution, fields: dict[str, Change], context: Context
) -> list[Finding]:
    out: list[Finding] = []
    if "editable" in fields:
        claimed = _take(fields, "editable", "direct_url", "wheel_tags", *METADATA_FIELDS)
        out.append(_editable(left, right, claimed, context))
    if "vcs_commit" in fields or "vcs" in fields:
        out.append(_vcs(left, right, _take(fields, "vcs", "vcs_commit", "direct_url"), context))
    if "wheel_tags" in fields:
        out.append(_wheel(left, right, _take(fields, "wheel_tags", *METADATA_FIELDS), context))
    if "direct_url" in fields:
        out.append(_source(left, right, _take(fields, "direct_url"), context))
    if any(f in fields for f in METADATA_FIELDS):
        out.append(_metadata(left, right, _take(fields, *METADATA_FIELDS), context))
    return [replace(f, impact="install") for f in out]  # rated by evidence of use


def _take(fields: dict[str, Change], *names: str) -> tuple[Change, ...]:
    return tuple(fields.pop(n) for n in names if n in fields)


def _reinstall(left: Distribution, context: Context) -> Fix:
    """Puts A's release back on B over whatever copy B has."""
    return reinstall_fix(context, "right", left, "--force-reinstall")


def _path(dist: Distribution) -> str | None:
    """The project folder of a `file://` direct URL (an editable install's working tree)."""
    if not dist.direct_url:
        return None
    url = urlparse(dist.direct_url)
    return unquote(url.path) if url.scheme == "file" else dist.direct_url


def _editable(
    left: Distribution, right: Distribution, changes: tuple[Change, ...], context: Context
) -> Finding:
    a, b = context.left_label, context.right_label
    # Each side's own version: the rule also sees an editable install whose version moved.
    own = "" if left.version == right.version else f" ({right.version})"
    if left.editable:
        where = _path(left)
        explanation = (
            f"{named(left)} is an editable install on {a}"
            + (f" (the working tree at {where})" if where else "")
            + f" but a regular install{own} on {b}, so {b} runs a copy made at install time "
            "and does not see later edits."
        )
        if where:
            fix = install_fix(context, "right", where, right.canonical_name, "-e")
        else:
            fix = Fix.advise(
                f"install {right.name} on {b} with -e from its project folder, as {a} does"
            )
    else:
        where = _path(right)
        explanation = (
            f"{named(left)} is a regular install on {a} but an editable install{own} on {b}"
            + (f" (the working tree at {where})" if where else "")
            + f", so {b} runs whatever the working tree holds now, not the installed release."
        )
        fix = _reinstall(left, context)
    return Finding(
        category="packages",
        subject=right.canonical_name,
        severity=Severity.MEDIUM,
        explanation=explanation,
        left="editable" if left.editable else "installed",
        right="editable" if right.editable else "installed",
        evidence=tuple(
            f"{label}: {named(d)} direct_url={d.direct_url or '-'}"
            for label, d in ((a, left), (b, right))
        ),
        fix=fix,
        changes=changes,
    )


def _vcs(
    left: Distribution, right: Distribution, changes: tuple[Change, ...], context: Context
) -> Finding:
    a, b = context.left_label, context.right_label
    vcs = left.vcs or right.vcs or "vcs"
    left_commit, right_commit = (left.vcs_commit or "none")[:12], (right.vcs_commit or "none")[:12]
    fix = None
    if left.direct_url and left.vcs and left.vcs_commit:
        url = left.direct_url
        url = url if url.startswith(f"{left.vcs}+") else f"{left.vcs}+{url}"
        fix = install_fix(
            context, "right", f"{left.name} @ {url}@{left.vcs_commit}", left.canonical_name
        )
    return Finding(
        category="packages",
        subject=right.canonical_name,
        severity=Severity.MEDIUM,
        explanation=(
            f"{named(right)} comes from {vcs} commit {left_commit} on {a} but {right_commit} on "
            f"{b}: the same version number, different code."
        ),
        left=short(left.vcs_commit),
        right=short(right.vcs_commit),
        evidence=(f"{a}: {left.direct_url or '-'}", f"{b}: {right.direct_url or '-'}"),
        fix=fix,
        changes=changes,
    )


def _wheel(
    left: Distribution, right: Distribution, changes: tuple[Change, ...], context: Context
) -> Finding:
    a, b = context.left_label, context.right_label
    left_tags, right_tags = (
        ", ".join(left.wheel_tags) or "none",
        ", ".join(right.wheel_tags) or "none",
    )
    fix: Fix | None = _reinstall(left, context)
    severity = Severity.MEDIUM
    explanation = (
        f"{named(right)} is the same version on both sides but a different wheel "
        f"({left_tags} on {a}, {right_tags} on {b}): another build, possibly with other "
        "compiled code or bundled libraries."
    )
    if _built_for_each_python(left, right, context):
        # The installer picked the wheel made for each interpreter: reinstalling changes nothing.
        severity, fix = Severity.INFO, None
        explanation = (
            f"{named(right)} is the same release on both sides, each from the wheel built for "
            f"its own Python ({_interpreter_tags(left)} on {a}, {_interpreter_tags(right)} on "
            f"{b}): that follows from the Python version, not from the package."
        )
    return Finding(
        category="packages",
        subject=right.canonical_name,
        severity=severity,
        explanation=explanation,
        left=short(left_tags),
        right=short(right_tags),
        evidence=tuple(f"{c.field}: {short(c.left)} → {short(c.right)}" for c in changes),
        fix=fix,
        changes=changes,
    )


def _built_for_each_python(left: Distribution, right: Distribution, context: Context) -> bool:
    """Only the interpreter and ABI tags differ, and so do the two sides' Python versions."""
    lp, rp = context.left.python, context.right.python
    if lp is None or rp is None or lp.major_minor == rp.major_minor:
        return False
    platforms = _platform_tags(left)
    return bool(platforms) and platforms == _platform_tags(right)


def _platform_tags(dist: Distribution) -> set[str]:
    return {t.split("-")[2] for t in dist.wheel_tags if t.count("-") == 2}


def _interpreter_tags(dist: Distribution) -> str:
    tags = {t.rsplit("-", 1)[0] for t in dist.wheel_tags if t.count("-") == 2}
    return ", ".join(sorted(tags)) or "none"


def _installer_why(left: str | None, right: str | None) -> str:
    if "conda" in (left, right):
        return "conda builds link against conda's own libraries where PyPI wheels bundle theirs"
    return "installers resolve, build and record packages differently"


def _installer(
    left: Distribution, right: Distribution, changes: tuple[Change, ...], context: Context
) -> Finding:
    a, b = context.left_label, context.right_label
    why = _installer_why(left.installer, right.installer)
    return Finding(
        category="packages",
        subject=right.canonical_name,
        severity=Severity.LOW,
        explanation=(
            f"{named(right)} was installed by {left.installer or 'an unknown tool'} on {a} but "
            f"by {right.installer or 'an unknown tool'} on {b}: {why}."
        ),
        left=short(left.installer),
        right=short(right.installer),
        changes=changes,
    )


def _source(
    left: Distribution, right: Distribution, changes: tuple[Change, ...], context: Context
) -> Finding:
    a, b = context.left_label, context.right_label
    return Finding(
        category="packages",
        subject=right.canonical_name,
        severity=Severity.LOW,
        explanation=(
            f"{named(right)} was installed from a different source on {a} and {b}, so the "
            "files behind the same version can differ."
        ),
        left=short(left.direct_url),
        right=short(right.direct_url),
        fix=install_fix(
            context,
            "right",
            left.direct_url or f"{left.name}=={left.version}",
            left.canonical_name,
            "--force-reinstall",
        ),
        changes=changes,
    )


def _metadata(
    left: Distribution, right: Distribution, changes: tuple[Change, ...], context: Context
) -> Finding:
    names = ", ".join(c.field for c in changes)
    return Finding(
        category="packages",
        subject=right.canonical_name,
        severity=Severity.LOW,
        explanation=(
            f"{named(right)} has the same version on both sides but different metadata "
            f"({names}): a rebuilt or patched copy."
        ),
        left=short(changes[0].left),
        right=short(changes[0].right),
        evidence=tuple(f"{c.field}: {short(c.left)} → {short(c.right)}" for c in changes),
        fix=_reinstall(left, context),
        changes=changes,
    )


def _requested(
    left: Distribution, right: Distribution, changes: tuple[Change, ...], context: Context
) -> Finding:
    return Finding(
        category="packages",
        subject=right.canonical_name,
        severity=Severity.INFO,
        explanation=(
            f"{right.name} was asked for explicitly on one side and pulled in as a dependency "
            "on the other."
        ),
        left=short(changes[0].left),
        right=short(changes[0].right),
        changes=changes,
    )


def _crowd(field: str, members: list[Finding], context: Context) -> Finding:
    """Many packages with the same installer (or requested) difference: one finding."""
    first = members[0]
    names = join_names([m.subject for m in members], limit=4)
    changes = tuple(c for m in members for c in m.changes)
    if field == "installer":
        left, right = first.left or "an unknown tool", first.right or "an unknown tool"
        why = _installer_why(first.left, first.right)
        explanation = (
            f"{len(members)} packages ({names}) were installed by {left} on "
            f"{context.left_label} but by {right} on {context.right_label}: {why}."
        )
        severity = Severity.LOW
    else:
        explanation = (
            f"{len(members)} packages ({names}) were asked for explicitly on one side and "
            "pulled in as dependencies on the other."
        )
        severity = Severity.INFO
    return Finding(
        category="packages",
        subject=f"{field} ({len(members)} packages)",
        severity=severity,
        explanation=explanation,
        left=first.left,
        right=first.right,
        members=tuple(replace(m, changes=()) for m in members),
        changes=changes,
    )
