"""Fixes in the syntax of the lock's installer: `uv sync --locked`, `pipenv sync`, …

The diff's own fixes pin one package with pip; against a lock, the fix is to
install the lock again, which puts every package back as it was locked. Installers
that leave extra distributions alone (`pip install -r`, `pipenv sync`) keep the
diff's uninstall fix for a distribution the lock does not list.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Sequence
from dataclasses import replace

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion

from driftcheck.diff.model import Finding, Fix, Severity
from driftcheck.lockfiles.markers import marker_environment
from driftcheck.lockfiles.side import is_lock
from driftcheck.snapshot.model import Snapshot

# The lock's form → whether its install command removes what the lock does not list.
REMOVES_EXTRAS = {
    "uv.lock": True,
    "pylock.toml": True,
    "poetry.lock": True,
    "environment.yml": True,
    "requirements.txt": False,
    "Pipfile.lock": False,
}
LOCK_FAIL_ON = "medium"
LOCK_CATEGORIES = ("packages", "installs", "dependencies")


def lock_fixes(
    findings: Sequence[Finding], left: Snapshot, right: Snapshot, labels: tuple[str, str]
) -> list[Finding]:
    lock_snapshot, env_label = (left, labels[1]) if is_lock(left) else (right, labels[0])
    lock_label = labels[0] if lock_snapshot is left else labels[1]
    if not (is_lock(left) or is_lock(right)) or is_lock(left) == is_lock(right):
        return list(findings)
    lock = getattr(lock_snapshot, "lock", None)
    if lock is None:
        return list(findings)
    command = _install_command(lock.form, lock.install, lock.path)
    out = []
    for finding in findings:
        if finding.category not in LOCK_CATEGORIES:
            out.append(finding)
            continue
        added = "added" if lock_snapshot is left else "removed"  # on the environment only
        extra = bool(finding.changes) and all(
            c.kind == added and c.field == "" for c in finding.changes
        )
        if extra and not REMOVES_EXTRAS.get(lock.form, False):
            out.append(finding)
            continue
        advice = (
            f"installs what {lock.path} locks, nothing else"
            if REMOVES_EXTRAS.get(lock.form)
            else f"installs what {lock.path} locks"
        )
        # "certifi 2024.7.4 is installed on uv.lock": a lock holds nothing installed.
        explanation = finding.explanation.replace(
            f"installed on {lock_label}", f"locked in {lock_label}"
        ).replace(f" on {lock_label}", f" in {lock_label}")
        fix = Fix.run(command, on=env_label, advice=advice)
        # Not what the lock says: at least medium, whatever the rating by use made of it.
        severity = finding.severity if extra else max(finding.severity, Severity.MEDIUM)
        out.append(replace(finding, explanation=explanation, fix=fix, severity=severity))
    other = right if lock_snapshot is left else left
    refused = _requires_python(lock.requires_python, other, lock.path, env_label)
    return [*out, refused] if refused is not None else out


def _requires_python(
    requires: str | None, other: Snapshot, lock_path: str, env_label: str
) -> Finding | None:
    """The one interpreter fact a lock knows: the Pythons its resolution is valid for."""
    environment = marker_environment(other)
    if requires is None or environment is None:
        return None
    version = str(environment["python_full_version"])
    try:
        accepted = SpecifierSet(requires).contains(version, prereleases=True)
    except (InvalidSpecifier, InvalidVersion):
        return None
    if accepted:
        return None
    return Finding(
        category="python",
        subject="requires-python",
        severity=Severity.HIGH,
        explanation=(
            f"{lock_path} was resolved for Python {requires}, but {env_label} runs {version}: "
            "its versions and markers were not chosen for this interpreter."
        ),
        left=requires,
        right=version,
        fix=Fix.advise(f"run on a Python that matches {requires}, or lock again for {version}"),
    )


def lock_fail_on(baseline: Snapshot, threshold: str) -> str:
    """`check --baseline uv.lock` fails on medium when nothing else chose: a version,
    source or distribution that differs from the lock is at least medium; an extra
    distribution stays low unless evidence of use says otherwise."""
    return LOCK_FAIL_ON if is_lock(baseline) else threshold


def _install_command(form: str, command: str, path: str) -> str:
    """The reader's command, told where the project is when the lock is elsewhere."""
    folder = os.path.dirname(path)
    if not folder or folder == ".":
        return command
    if form == "uv.lock":
        return f"{command} --project {shlex.quote(folder)}"
    if form == "poetry.lock":
        return f"{command} --directory {shlex.quote(folder)}"
    if form == "Pipfile.lock":
        return f"PIPENV_PIPFILE={shlex.quote(os.path.join(folder, 'Pipfile'))} {command}"
    return command
