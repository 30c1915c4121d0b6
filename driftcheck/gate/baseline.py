"""The baseline a check compares against: found, read, and judged comparable."""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping
from pathlib import Path

from driftcheck.errors import DriftcheckError, UsageError
from driftcheck.snapshot import files as snapshot_files
from driftcheck.snapshot.model import Snapshot, TargetInfo

# Kinds whose runtime facts (environment, interpreter, native libraries) mean the same thing.
KIND_NAMES = {
    "host": "the host",
    "process": "the host",
    "ssh": "the host",  # a host's interpreter, reached over ssh: the same runtime facts
    "container": "a running container",
    "image": "an image run in a container",
    "static": "an image read as files",
}


class MissingBaselineError(UsageError):
    pass


def create_command(path: Path, target: str) -> str:
    aimed = "" if target == "host" else f" --target {target}"
    command = f"`driftcheck check --baseline {path}{aimed} --update-baseline`"
    snapshot = _snapshot_options(target)
    return (
        command if snapshot is None else f"{command} (or `driftcheck snapshot{snapshot} -o {path}`)"
    )


def _snapshot_options(target: str) -> str | None:
    """snapshot's options for the live target a reference names (`python:X` → `--python X`:
    each kind has its option of the same name); None for a file or a stored snapshot."""
    from driftcheck.targets.reference import parse_reference

    try:
        reference = parse_reference(target)
    except DriftcheckError:
        return None
    if reference.kind == "host":
        return ""
    if reference.kind in ("file", "store"):
        return None
    if reference.kind == "ssh" and "/" in reference.value:  # ssh:HOST/usr/bin/python3
        address, _, python = reference.value.partition("/")
        return f" --ssh {shlex.quote(address)} --python {shlex.quote('/' + python)}"
    return f" --{reference.kind} {shlex.quote(reference.value)}"


def first_run_steps(path: Path, environ: Mapping[str, str] | None = None) -> str | None:
    """In a pipeline made from driftcheck's GitLab jobs or GitHub Action, what to click or
    run for the first baseline (they set DRIFTCHECK_BASELINE_JOB or DRIFTCHECK_ACTION)."""
    environ = os.environ if environ is None else environ
    where = repository_path(path, repository_root(environ)) or str(path)
    job = environ.get("DRIFTCHECK_BASELINE_JOB", "")
    if job:  # set by the GitLab jobs (GITLAB_CI is "false" under gitlab-ci-local)
        pipeline = environ.get("CI_PIPELINE_URL", "")
        return (
            f"baseline {where} is not in the repository yet (a first pipeline): run the "
            f"manual job `{job}` of this pipeline (its play button"
            f"{' on ' + pipeline if pipeline else ''}), download its artifact {where} and "
            "commit it there; the next pipeline checks against it"
        )
    if environ.get("GITHUB_ACTIONS") == "true" and environ.get("DRIFTCHECK_ACTION") == "true":
        return (
            f"baseline {where} is not in the repository yet (a first run): run the workflow "
            "once with the driftcheck step's input `update-baseline: true` (from a "
            f"workflow_dispatch input, say), upload {where} with actions/upload-artifact, "
            "download it and commit it there"
        )
    return None


def load_baseline(path: Path, target: str = "host") -> Snapshot:
    """A missing baseline is a usage error (exit 2) that says how to make one: in CI, the
    job or input that writes it; elsewhere, the command."""
    if not path.exists() and not path.is_symlink():
        raise MissingBaselineError(
            first_run_steps(path)
            or f"baseline {path} does not exist; create it with {create_command(path, target)}"
        )
    from driftcheck.lockfiles.side import side_for_file
    from driftcheck.sbom.read import snapshot_document

    # corrupt: exit 3; too new: exit 6
    return side_for_file(str(path)) or snapshot_files.load(path, other_format=snapshot_document)


def target_kind(target: TargetInfo) -> str:
    return "static" if target.mode == "static" else target.kind


def kind_warning(baseline: Snapshot, current: Snapshot, path: Path) -> str | None:
    """Comparing a container with the host diffs two machines, not one machine over time."""
    was, now = target_kind(baseline.target), target_kind(current.target)
    if "lockfile" in (baseline.target.kind, current.target.kind):  # compares packages only
        return None
    if KIND_NAMES.get(was, was) == KIND_NAMES.get(now, now):
        return None
    if "sbom" in (was, now):  # the report lists what an SBOM cannot know, fact by fact
        return None
    return (
        f"the baseline {path} was taken from {KIND_NAMES.get(was, was)} and this check from "
        f"{KIND_NAMES.get(now, now)}: runtime facts may not be comparable; take the baseline "
        "from the same kind of target (--update-baseline)"
    )


def repository_root(environ: Mapping[str, str] | None = None) -> Path:
    """The folder CI reports name files from: $CI_PROJECT_DIR (GitLab), $GITHUB_WORKSPACE
    (GitHub), else the nearest folder holding .git from the working one up, else the
    working folder. In a monorepo, a job that runs in services/api still names
    services/api/snapshots/ci.json, the file that exists in the repository."""
    environ = os.environ if environ is None else environ
    for variable in ("CI_PROJECT_DIR", "GITHUB_WORKSPACE"):
        value = environ.get(variable, "")
        if os.path.isabs(value) and os.path.isdir(value):
            return Path(value)
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return here


def repository_path(path: Path, root: Path | None = None) -> str | None:
    """*path* as CI reports name files: relative to the repository root (above), with
    `/` separators; None when it lies outside."""
    root = repository_root() if root is None else root
    try:
        text = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    except ValueError:  # another drive
        return None
    if text == ".." or text.startswith(f"..{os.sep}"):
        return None
    return text.replace(os.sep, "/")
