"""OS packages: one finding per package manager, with every package as a member.

A base-image upgrade moves hundreds of packages at once; 300 lines would hide
the few that matter. So the finding counts them (upgraded, downgraded, added,
removed) and names the ones Python and compiled packages link against: the C
library, OpenSSL, libstdc++ and the system Python.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from driftcheck.diff.explainers.common import join_names
from driftcheck.diff.explainers.interface import Context, in_section
from driftcheck.diff.model import Change, Finding, Fix, Severity
from driftcheck.diff.text import short
from driftcheck.parsers.version_order import compare_package_versions

# The runtime packages of the C library, OpenSSL, libstdc++ and the system Python (which a
# venv made from it runs on); their -dev, -doc and module packages are not what runs.
NOTABLE = re.compile(
    r"^(libc6|glibc|musl|libssl[\w.+]*|libcrypto[\w.]*|openssl(-libs)?|libstdc\+\+[\w.]*"
    r"|python3(\.\d+)?(-minimal)?|libpython3(\.\d+)?(-stdlib|t64)?)$"
)


def notable(name: str) -> bool:
    return bool(NOTABLE.match(name)) and not name.endswith(("-dev", "-doc", "-dbg"))


class OsPackagesExplainer:
    name = "os-packages"

    def explain(self, pending: Sequence[Change], context: Context) -> list[Finding]:
        by_manager: dict[str, list[Change]] = {}
        for change in in_section(pending, "os_packages"):
            by_manager.setdefault(change.key.split(":", 1)[0], []).append(change)
        return [_finding(m, changes, context) for m, changes in sorted(by_manager.items())]


def _version(value: object) -> str | None:
    return str(value["version"]) if isinstance(value, dict) and value.get("version") else None


def _kind(manager: str, changes: list[Change]) -> tuple[str, str | None, str | None]:
    """'upgraded', 'downgraded', 'added', 'removed' or 'rebuilt', with both versions."""
    whole = next((c for c in changes if c.field == ""), None)
    if whole is not None:
        kind = "added" if whole.kind == "added" else "removed"
        return kind, _version(whole.left), _version(whole.right)
    version = next((c for c in changes if c.field == "version"), None)
    if version is None:
        return "rebuilt", None, None
    left, right = str(version.left), str(version.right)
    newer = compare_package_versions(manager, left, right) < 0
    return ("upgraded" if newer else "downgraded"), left, right


def _finding(manager: str, changes: list[Change], context: Context) -> Finding:
    a, b = context.left_label, context.right_label
    per_package: dict[str, list[Change]] = {}
    for change in changes:
        per_package.setdefault(change.key, []).append(change)
    counts: dict[str, int] = {}
    members: list[Finding] = []
    important: list[str] = []
    for key, package_changes in sorted(per_package.items()):
        _, name, arch = [*key.split(":", 2), "", ""][:3]
        kind, left, right = _kind(manager, package_changes)
        counts[kind] = counts.get(kind, 0) + 1
        shown = f"{name} {left or 'absent'} → {right or 'absent'}"
        if notable(name):
            important.append(shown)
        members.append(
            Finding(
                category="os",
                subject=f"{name}:{arch}" if arch else name,
                severity=Severity.LOW if notable(name) else Severity.INFO,
                explanation=f"{name} {kind} ({left or 'absent'} on {a}, {right or 'absent'} on "
                f"{b}).",
                left=short(left),
                right=short(right),
            )
        )
    order = ("upgraded", "downgraded", "rebuilt", "added", "removed")
    summary = ", ".join(f"{counts[k]} {k}" for k in order if counts.get(k))
    total = len(per_package)
    noun = "package differs" if total == 1 else "packages differ"
    if important:
        why = (
            f", including {join_names(important, limit=4)}: the system libraries that Python "
            "and compiled packages link against changed."
        )
    else:
        why = ": system tools and libraries differ, none that Python links against directly."
    return Finding(
        category="os",
        subject=f"{manager} packages",
        severity=Severity.MEDIUM if important else Severity.LOW,
        explanation=f"{total} {manager} {noun} ({summary}){why}",
        left=None,
        right=None,
        evidence=tuple(important),
        fix=_fix(context),
        members=tuple(members),
        changes=tuple(changes),
        relevance=len(important),
    )


def _fix(context: Context) -> Fix:
    """Align the base, not single packages: pinning libc6 or libssl by hand breaks systems."""
    a, b = context.left_label, context.right_label
    container = context.left.container
    if container is not None and container.repo_digests:
        return Fix.advise(f"build {b} FROM {container.repo_digests[0]}, the image {a} runs")
    return Fix.advise(f"build {b} from the same base image (by digest) or OS release as {a}")
