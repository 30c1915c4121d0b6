"""The container around the program: image, user, start command, labels, start-up environment.

What the engine reports about a container or an image is context more than
cause: the OS, package and environment rules say what another image changed
inside. Three facts matter on their own: the user (file permissions, HOME, which
paths are writable), the command the container starts (another entry point can
run other code with the same image) and the working directory (relative paths,
and the folder `python -m` imports from first). Two images whose layers have the
same diff_ids hold the same files, whatever their config digests: copies made
by skopeo, crane or buildah rewrite the config, not the files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from driftcheck.diff.explainers.common import SIDES, Side, join_names, label, snapshot_of
from driftcheck.diff.explainers.interface import Context, in_section
from driftcheck.diff.model import Change, Finding, Fix, Severity
from driftcheck.diff.text import short
from driftcheck.snapshot.model import ContainerInfo, Redacted, Snapshot

IMAGE_FIELDS = (
    "image",
    "image_id",
    "repo_digests",
    "platform",
    "layers",
    "history_entries",
    "diff_ids",
)
START_FIELDS = ("entrypoint", "command")
# Set by the engine for every container, not by the image or `docker run -e`.
ENGINE_VARIABLES = frozenset({"HOME", "HOSTNAME", "TERM", "container"})
DIGEST_CHARS = 19  # "sha256:" and 12 hex digits, as `docker images` shows them


class ContainerExplainer:
    name = "container"

    def explain(self, pending: Sequence[Change], context: Context) -> list[Finding]:
        changes = in_section(pending, "container")
        findings: list[Finding] = []
        whole = [c for c in changes if not c.field]
        if whole:
            findings.append(_one_side(whole, context))
        fields = [c for c in changes if c.field]
        image = [c for c in fields if c.field in IMAGE_FIELDS]
        if image:
            findings.append(_image(image, context))
        user = [c for c in fields if c.field == "user"]
        if user:
            findings.append(_user(user[0], context))
        start = [c for c in fields if c.field in START_FIELDS]
        if start:
            findings.append(_start(start, context))
        workdir = [c for c in fields if c.field == "working_dir"]
        if workdir:
            findings.append(_working_dir(workdir[0], context))
        labels = [c for c in fields if c.field.startswith("labels")]
        if labels:
            findings.append(_labels(labels, context))
        startup = _startup_environment(context)
        if startup is not None:
            findings.append(startup)
        return findings


def _one_side(changes: list[Change], context: Context) -> Finding:
    change = changes[0]
    side: Side = "right" if change.kind == "added" else "left"
    info = snapshot_of(context, side).container
    image = info.image if info is not None else "an image"
    return Finding(
        category="container",
        subject="container",
        severity=Severity.INFO,
        explanation=(
            f"Only {label(context, side)} runs in a container (image {image}): the other "
            "sections say what that changes."
        ),
        left=short(image) if side == "left" else None,
        right=short(image) if side == "right" else None,
        changes=tuple(changes),
    )


def _digest(info: ContainerInfo | None) -> str:
    if info is None:
        return "-"
    return info.image_id[:DIGEST_CHARS] or "-"


def _image(changes: list[Change], context: Context) -> Finding:
    a, b = context.left_label, context.right_label
    left, right = context.left.container, context.right.container
    fields = {c.field for c in changes}
    ref_left = left.image if left else "-"
    ref_right = right.image if right else "-"
    if "image_id" not in fields and "platform" not in fields:
        severity = Severity.INFO
        explanation = (
            f"{a} and {b} run the same image ({_digest(left)}) under other names or registry "
            "digests: the same files."
        )
    elif "platform" not in fields and _same_files(left, right):
        assert left is not None
        severity = Severity.INFO
        explanation = (
            f"{a} and {b} hold the same files (the same {_layers(len(left.diff_ids))}, by "
            f"diff_id) under other config digests ({_digest(left)} and "
            f"{_digest(right)}): a copy (skopeo, crane, buildah) or a re-tag rewrote the "
            "config, not the files; its settings are compared on their own."
        )
    else:
        severity = Severity.LOW
        if ref_left == ref_right:
            start = f"The image {ref_left} is {_digest(left)} on {a} but {_digest(right)} on {b}"
            why = "the tag was rebuilt or moved, so the files inside can differ"
        else:
            start = (
                f"{a} runs image {ref_left} ({_digest(left)}) and {b} runs {ref_right} "
                f"({_digest(right)})"
            )
            why = "other images, so the files inside differ"
        if "platform" in fields and left is not None and right is not None:
            why += f", built for {left.platform} and {right.platform}"
        explanation = f"{start}: {why}."
    evidence = []
    for name, info in ((a, left), (b, right)):
        if info is not None:
            digests = ", ".join(info.repo_digests) or "no registry digest"
            layers = f", {info.layers} layers" if info.layers else ""
            evidence.append(f"{name}: {info.image} {info.image_id} ({digests}{layers})")
    shared = _shared_layers(left, right)
    if shared is not None and severity > Severity.INFO:
        evidence.append(shared)
    fix = None
    if severity > Severity.INFO and left is not None and left.repo_digests:
        fix = Fix.advise(f"run {b} from {left.repo_digests[0]}, the image {a} runs, by digest")
    return Finding(
        category="container",
        subject="image",
        severity=severity,
        explanation=explanation,
        left=short(_digest(left)),
        right=short(_digest(right)),
        evidence=tuple(evidence),
        fix=fix,
        changes=tuple(changes),
    )


def _same_files(left: ContainerInfo | None, right: ContainerInfo | None) -> bool:
    """Both sides know their layers' diff_ids, and they are the same, in the same order."""
    return (
        left is not None and right is not None and bool(left.diff_ids)
    ) and left.diff_ids == right.diff_ids


def _layers(count: int) -> str:
    return "1 layer" if count == 1 else f"{count} layers"


def _shared_layers(left: ContainerInfo | None, right: ContainerInfo | None) -> str | None:
    """How many bottom layers two different images share: a common base says so."""
    if left is None or right is None or not left.diff_ids or not right.diff_ids:
        return None
    shared = 0
    for a, b in zip(left.diff_ids, right.diff_ids, strict=False):
        if a != b:
            break
        shared += 1
    if not shared:
        return "no layer in common (other base images)"
    return (
        f"the bottom {_layers(shared)} of {len(left.diff_ids)} and {len(right.diff_ids)} are "
        "the same files (a common base)"
    )


def _working_dir(change: Change, context: Context) -> Finding:
    """Relative paths resolve from the working directory, and `python -m` (or a relative
    script) imports from it first: then it decides what runs."""
    a, b = context.left_label, context.right_label
    relative = any(_uses_working_dir(snapshot_of(context, side).container) for side in SIDES)
    shown = [str(v) if v else "/ (the image sets none)" for v in (change.left, change.right)]
    why = (
        "the start command runs a module or a relative path, which resolves there, and the "
        "folder it starts in is the first place Python imports from"
        if relative
        else "relative paths resolve from it, and `python -m` or `python -c` import from it first"
    )
    return Finding(
        category="container",
        subject="working directory",
        severity=Severity.MEDIUM if relative else Severity.LOW,
        explanation=f"The container starts in {shown[0]} on {a} but in {shown[1]} on {b}: {why}.",
        left=short(change.left),
        right=short(change.right),
        fix=Fix.advise(
            f"start {b} in {change.left or '/'}, as {a} does (WORKDIR in the Dockerfile, or "
            "docker run --workdir)"
        ),
        changes=(change,),
    )


def _uses_working_dir(info: ContainerInfo | None) -> bool:
    """The start command names a module (-m) or a relative path."""
    if info is None:
        return False
    argv = [*info.entrypoint, *info.command]
    return "-m" in argv or any(
        not arg.startswith(("/", "-")) and ("/" in arg or arg.endswith(".py")) for arg in argv
    )


def _user_name(value: Any) -> str:
    return str(value) if value else "root (the image sets no user)"


def _user(change: Change, context: Context) -> Finding:
    a, b = context.left_label, context.right_label
    evidence = []
    homes = [snapshot_of(context, s).environment.get("HOME") for s in SIDES]
    if all(isinstance(h, str) for h in homes) and homes[0] != homes[1]:
        evidence.append(f"HOME: {homes[0]} on {a}, {homes[1]} on {b}")
    return Finding(
        category="container",
        subject="user",
        severity=Severity.MEDIUM,
        explanation=(
            f"The container runs as {_user_name(change.left)} on {a} but as "
            f"{_user_name(change.right)} on {b}: file permissions, HOME and which paths are "
            "writable differ."
        ),
        left=short(change.left),
        right=short(change.right),
        evidence=tuple(evidence),
        fix=Fix.advise(
            f"run {b} as {change.left or 'root'}, as {a} does (docker run --user, or USER "
            "in the Dockerfile)"
        ),
        changes=(change,),
    )


def _argv(value: Any) -> str:
    if not isinstance(value, list) or not value:
        return "(none)"
    return " ".join(str(part) for part in value)


def _start(changes: list[Change], context: Context) -> Finding:
    a, b = context.left_label, context.right_label
    parts = [f"{c.field} {_argv(c.left)} → {_argv(c.right)}" for c in changes]
    first = changes[0]
    return Finding(
        category="container",
        subject="start command",
        severity=Severity.LOW,
        explanation=(
            f"The container starts another command on {b} than on {a} ({'; '.join(parts)}): "
            "the same image can run other code or set other options at start-up."
        ),
        left=short(_argv(first.left)),
        right=short(_argv(first.right)),
        changes=tuple(changes),
    )


def _labels(changes: list[Change], context: Context) -> Finding:
    members = []
    for change in sorted(changes, key=lambda c: c.field):
        name = change.field.partition(".")[2] or "labels"
        members.append(
            Finding(
                category="container",
                subject=name,
                severity=Severity.INFO,
                explanation=f"Label {name} {change.kind}.",
                left=short(change.left),
                right=short(change.right),
            )
        )
    names = [m.subject for m in members]
    return Finding(
        category="container",
        subject="labels",
        severity=Severity.INFO,
        explanation=(
            f"{len(names)} container label(s) differ ({join_names(names, limit=4)}): "
            "metadata, not what the program runs on."
        ),
        members=tuple(members),
        changes=tuple(changes),
    )


def _startup_changes(snapshot: Snapshot) -> set[str]:
    """Variables the main process has otherwise than the container's configuration says.

    Only a running container's snapshot records both; an image's probe runs with the
    configured environment itself. Redacted values count only when fingerprints differ.
    """
    info = snapshot.container
    if info is None or snapshot.target.kind != "container":
        return set()
    configured, actual = info.configured_env, snapshot.environment
    names = set(configured) | set(actual)
    return {
        name
        for name in names - ENGINE_VARIABLES
        if not _same(configured.get(name), actual.get(name))
    }


def _same(left: object, right: object) -> bool:
    if isinstance(left, Redacted) and isinstance(right, Redacted):
        return left.fingerprint is None or left.fingerprint == right.fingerprint
    return left == right


def _startup_environment(context: Context) -> Finding | None:
    """Where the other environment comes from: the image's ENV, or what ran at start-up."""
    moved = {side: _startup_changes(snapshot_of(context, side)) for side in SIDES}
    if moved["left"] == moved["right"]:
        return None
    parts = []
    for side in SIDES:
        if moved[side]:
            names = join_names(sorted(moved[side]), limit=5)
            parts.append(f"on {label(context, side)}: {names}")
    return Finding(
        category="container",
        subject="start-up environment",
        severity=Severity.INFO,
        explanation=(
            "The main process's environment differs from the container's configured one "
            f"({'; '.join(parts)}): those values were set at start-up (entrypoint or command), "
            "not by the image or docker run -e."
        ),
        evidence=tuple(_evidence(context, moved)),
    )


def _evidence(context: Context, moved: Mapping[Side, set[str]]) -> list[str]:
    out = []
    for side in SIDES:
        snapshot = snapshot_of(context, side)
        info = snapshot.container
        if info is None:
            continue
        for name in sorted(moved[side]):
            configured = _value(info.configured_env.get(name))
            actual = _value(snapshot.environment.get(name))
            out.append(f"{label(context, side)} {name}: configured {configured}, process {actual}")
    return out


def _value(value: object) -> str:
    if value is None:
        return "unset"
    if isinstance(value, Redacted):
        return "<redacted>"
    return short(value) or ""
