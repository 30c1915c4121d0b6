"""Fixes for a check that runs in CI: the image or the requirements, not the running job.

The diff's fixes are commands for the side that drifted ("run on host: pip install
'urllib3==2.2.2'"). In a CI job that side is a container started from an image: a
command run there is gone with the job. What fixes the next pipeline is the image, or
the requirements it installs: pin the package there and rebuild, or rebuild the image
from the baseline's digest when the baseline was taken from an image.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping
from dataclasses import replace
from itertools import pairwise

from driftcheck.diff.model import DiffResult, Finding, Fix
from driftcheck.snapshot.model import Snapshot
from driftcheck.terminal import visible

INSTALL = (("pip", "install"), ("uv", "pip", "install"), ("conda", "install"))
UNINSTALL = (("pip", "uninstall"), ("uv", "pip", "uninstall"), ("conda", "remove"))


def in_ci(environ: Mapping[str, str] | None = None) -> bool:
    """GitLab, GitHub Actions and most CI systems set CI=true in every job."""
    environ = os.environ if environ is None else environ
    return environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def ci_report(report: DiffResult, baseline: Snapshot) -> DiffResult:
    digest = baseline_image(baseline)
    return replace(report, findings=tuple(ci_finding(f, digest) for f in report.findings))


def baseline_image(baseline: Snapshot) -> str | None:
    """The image the baseline was taken from, by digest when the engine knew one."""
    container = baseline.container
    if container is None:
        return None
    if container.repo_digests:
        return visible(container.repo_digests[0])
    return visible(container.image_id) if container.image_id else None


def ci_finding(finding: Finding, image: str | None) -> Finding:
    """The finding with its install or uninstall command turned into advice about the
    image (also used by the diff when the drifted side's snapshot was taken in CI)."""
    fix = finding.fix
    if fix is None or not fix.command:
        return finding
    try:
        words = shlex.split(fix.command)
    except ValueError:
        return finding
    install = _arguments(words, INSTALL)
    removal = _arguments(words, UNINSTALL)
    if install:
        what = f"pin {', '.join(install)} in the requirements the image installs"
    elif removal:
        what = f"remove {', '.join(removal)} from the requirements the image installs"
    else:
        return finding
    rebuild = f", or rebuild the image from the baseline's {image}" if image else ""
    advice = (
        f"in CI the job's image is the fix, not the job: {visible(what)} and rebuild it{rebuild}"
    )
    if fix.advice:
        advice += f"; {fix.advice}"
    return replace(finding, fix=Fix.advise(advice))


def _arguments(words: list[str], commands: tuple[tuple[str, ...], ...]) -> list[str]:
    for command in commands:
        if tuple(words[: len(command)]) == command:
            rest = words[len(command) :]
            # `-e PATH` stays whole: a requirements file takes it as it is.
            editable = [f"-e {p}" for o, p in pairwise(rest) if o in ("-e", "--editable")]
            paths = {w.partition(" ")[2] for w in editable}
            plain = [w for w in rest if not w.startswith("-") and w not in paths]
            return editable + plain
    return []
