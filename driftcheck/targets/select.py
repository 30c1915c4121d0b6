"""The target a snapshot option names: a host interpreter, a process, a container, an
image (run or read as files), an archive or a registry. Each target module is imported
only when chosen (the Docker SDK and psutil cost start-up time)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from driftcheck.errors import UsageError
from driftcheck.probe import program_environ

if TYPE_CHECKING:
    from driftcheck.targets.interface import Target


def select_target(
    *,
    python: str | None = None,
    pid: int | None = None,
    container: str | None = None,
    image: str | None = None,
    archive: str | None = None,
    registry: str | None = None,
    ssh: str | None = None,
    tag: str | None = None,
    platform: str | None = None,
    insecure_registry: bool = False,
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
        ("--registry", registry),
        ("--ssh", ssh),
    )
    named = [o for o, v in options if v]
    if len(named) > 1:
        raise UsageError(f"{' and '.join(named)} name different targets; pass one of them")
    if pid is not None and python is not None:
        raise UsageError("--python and --pid name two targets; pass one of them")
    if ssh is not None:
        from driftcheck.targets.local_run import PROBE_TIMEOUT_SECONDS
        from driftcheck.targets.ssh import SshTarget, parse_ssh_address

        if static or pull or tag is not None or platform is not None or insecure_registry:
            raise UsageError("--ssh probes a host's interpreter: it takes --python and --timeout")
        return SshTarget(parse_ssh_address(ssh), python, timeout or PROBE_TIMEOUT_SECONDS)
    if container is not None:
        from driftcheck.targets.container import DEFAULT_TIMEOUT_SECONDS, ContainerTarget

        return ContainerTarget(container, python, timeout or DEFAULT_TIMEOUT_SECONDS)
    if tag is not None and archive is None:
        raise UsageError("--tag chooses an image inside an archive: pass it with --archive FILE")
    if registry is not None:
        return registry_target(
            registry,
            python=python,
            pull=pull,
            platform=platform,
            insecure=insecure_registry,
            timeout=timeout,
        )
    if platform is not None or insecure_registry:
        option = "--platform" if platform is not None else "--insecure-registry"
        raise UsageError(f"{option} applies to an image read from a registry: pass --registry REF")
    if static and image is None and archive is None:
        raise UsageError("--static reads an image without running it: pass it with --image REF")
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
    return host_target(python=python, pid=pid, timeout=timeout)


def registry_target(
    ref: str,
    *,
    python: str | None = None,
    pull: bool = False,
    platform: str | None = None,
    insecure: bool = False,
    timeout: float | None = None,
) -> Target:
    """An image read straight from a registry; nothing runs, so nothing to choose inside.
    ``timeout`` is the deadline of each registry request."""
    from driftcheck.registry.names import parse_image_name
    from driftcheck.registry.platforms import parse_platform
    from driftcheck.targets.registry import RegistryTarget

    if python is not None:
        raise UsageError("--python names an interpreter to run; --registry runs nothing")
    if pull:
        raise UsageError("--pull asks the engine to pull; --registry reads the registry itself")
    chosen = parse_platform(platform) if platform is not None else None
    return RegistryTarget(
        parse_image_name(ref), platform=chosen, insecure=insecure, timeout=timeout
    )


def host_target(
    python: str | None = None,
    pid: int | None = None,
    environ: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> Target:
    if pid is not None:
        try:
            from driftcheck.targets.process import ProcessTarget  # psutil: only when asked
        except ModuleNotFoundError as exc:
            if exc.name != "psutil":
                raise
            raise UsageError(
                "--pid needs psutil, which this driftcheck lacks (driftcheck.pyz leaves it "
                "out: it is compiled); install driftcheck with pip (`pip install driftcheck`) "
                "to read a running process, or snapshot its interpreter with --python PATH"
            ) from exc

        return ProcessTarget(pid)
    from driftcheck.targets.host import HostInterpreter
    from driftcheck.targets.interpreter import resolve_interpreter
    from driftcheck.targets.local_run import PROBE_TIMEOUT_SECONDS

    environ = os.environ if environ is None else environ
    interpreter, chosen_by = resolve_interpreter(python, environ)
    # driftcheck's own variables (its key, DRIFTCHECK_*) configure the tool, not the program.
    probed = program_environ(environ)
    deadline = timeout or PROBE_TIMEOUT_SECONDS
    return HostInterpreter(interpreter, chosen_by, environ=probed, timeout=deadline)
