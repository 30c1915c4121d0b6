"""The library surface the CLI calls; no engine logic lives in command functions."""

from __future__ import annotations

import os
from collections.abc import Mapping

from driftcheck.errors import UsageError
from driftcheck.probe import FINGERPRINT_KEY_VARIABLE, build_request
from driftcheck.snapshot.build import build_snapshot
from driftcheck.snapshot.model import Snapshot
from driftcheck.targets.host import HostInterpreter
from driftcheck.targets.interface import Target
from driftcheck.targets.interpreter import resolve_interpreter


def select_target(
    *,
    python: str | None = None,
    pid: int | None = None,
    container: str | None = None,
    image: str | None = None,
    archive: str | None = None,
    tag: str | None = None,
    static: bool = False,
    pull: bool = False,
    timeout: float | None = None,
) -> Target:
    """The target named by snapshot's options; --python names the interpreter inside."""
    options = (
        ("--pid", pid),
        ("--container", container),
        ("--image", image),
        ("--archive", archive),
    )
    named = [o for o, v in options if v]
    if len(named) > 1:
        raise UsageError(f"{' and '.join(named)} name different targets; pass one of them")
    if pid is not None and python is not None:
        raise UsageError("--python and --pid name two targets; pass one of them")
    if container is not None:
        from driftcheck.targets.container import DEFAULT_TIMEOUT_SECONDS, ContainerTarget

        return ContainerTarget(container, python, timeout or DEFAULT_TIMEOUT_SECONDS)
    if static and image is None and archive is None:
        raise UsageError("--static reads an image without running it: pass it with --image REF")
    if tag is not None and archive is None:
        raise UsageError("--tag chooses an image inside an archive: pass it with --archive FILE")
    if archive is not None:
        from driftcheck.targets.archive import ArchiveTarget

        return ArchiveTarget(archive, tag)
    if image is not None and static:
        from driftcheck.targets.archive import StaticImageTarget

        return StaticImageTarget(image, pull=pull)
    if image is not None:
        from driftcheck.targets.image import DEFAULT_TIMEOUT_SECONDS as IMAGE_TIMEOUT
        from driftcheck.targets.image import ImageTarget

        return ImageTarget(image, python, timeout or IMAGE_TIMEOUT, pull=pull)
    return host_target(python=python, pid=pid)


def host_target(
    python: str | None = None, pid: int | None = None, environ: Mapping[str, str] | None = None
) -> Target:
    if pid is not None:
        from driftcheck.targets.process import ProcessTarget  # psutil: only when asked

        return ProcessTarget(pid)
    environ = os.environ if environ is None else environ
    interpreter, chosen_by = resolve_interpreter(python, environ)
    # driftcheck's own key is configuration of the tool, not of the user's program.
    probed = {k: v for k, v in environ.items() if k != FINGERPRINT_KEY_VARIABLE}
    return HostInterpreter(interpreter, chosen_by, environ=probed)


def fingerprint_key(environ: Mapping[str, str] | None = None) -> bytes | None:
    value = (os.environ if environ is None else environ).get(FINGERPRINT_KEY_VARIABLE)
    return value.encode("utf-8") if value else None


def take_snapshot(
    target: Target,
    *,
    label: str | None = None,
    anonymize: bool = False,
    key: bytes | None = None,
) -> Snapshot:
    request = build_request(
        key.decode("utf-8") if key else None,
        main_process_environ=getattr(target, "main_process_environ", False),
        os_packages=not getattr(target, "reads_os_packages", False),
    )
    answer = target.run_probe(request)
    return build_snapshot(
        answer.facts,
        target=answer.target,
        container=answer.container,
        os_packages=answer.os_packages,
        label=label or target.default_label(),
        fingerprint_key=key,
        anonymize=anonymize,
    )


def load_or_take(text: str, *, key: bytes | None = None) -> Snapshot:
    """A snapshot file, or a live reference (`host`, `container:web`, …) snapshotted now."""
    from pathlib import Path

    from driftcheck.snapshot import io
    from driftcheck.targets.reference import parse_reference, target_for

    reference = parse_reference(text)
    if reference.kind == "file":
        return io.load(Path(reference.value))
    return take_snapshot(target_for(reference), key=key)
