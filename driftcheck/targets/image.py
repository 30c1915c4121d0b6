"""An image, probed in a throwaway container that leaves nothing behind.

The container has no network, a read-only root, no capabilities, no new
privileges, memory and pids limits and a driftcheck label; its entrypoint is
the interpreter. It is removed in every case: success, error, timeout, Ctrl-C.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass
from typing import Any, ClassVar

import docker.errors  # type: ignore[import-untyped]

from driftcheck.errors import ProbeError
from driftcheck.probe import (
    BOOTSTRAP,
    INTERPRETER_OPTIONS,
    MAX_OUTPUT_BYTES,
    ProbeRequest,
    parse_output,
)
from driftcheck.snapshot.model import TargetInfo
from driftcheck.static.candidates import (
    check_status,
    configured_program,
    env_list_to_dict,
    interpreter_candidates,
    no_interpreter,
)
from driftcheck.targets import engine
from driftcheck.targets.image_metadata import image_label, image_metadata
from driftcheck.targets.interface import ProbeAnswer, Target

DEFAULT_TIMEOUT_SECONDS = 60.0
MEMORY_LIMIT = "1g"
PIDS_LIMIT = 256
PROBE_HOSTNAME = "driftcheck-probe"
ARCH_ALIASES = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "i686": "386"}


@dataclass(frozen=True)
class ImageTarget(Target):
    ref: str
    python: str | None = None
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    pull: bool = False
    main_process_environ: ClassVar[bool] = True  # the probe is PID 1: its original env

    def describe(self) -> str:
        return f"image {self.ref}"

    def default_label(self) -> str:
        return image_label(self.ref)

    def run_probe(self, request: ProbeRequest) -> ProbeAnswer:
        client = engine.connect()
        image = engine.get_image(client, self.ref, pull=self.pull)
        foreign = self._foreign_architecture(client, image)
        if foreign:
            return self._read_statically(request, foreign)
        config = image.attrs.get("Config") or {}
        configured = env_list_to_dict(config.get("Env"))
        program = configured_program(config.get("Entrypoint"), config.get("Cmd"))
        tried: list[str] = []
        for candidate in interpreter_candidates(self.python, configured, program):
            tried.append(candidate)
            result = self._run_once(client, image, candidate, request)
            if result is None:
                continue  # no such interpreter in the image
            check_status(result.exit_code, result.stderr, self.describe())
            facts = parse_output(result.stdout, request, self.describe())
            info = TargetInfo(kind="image", description=self.describe(), interpreter=candidate)
            return ProbeAnswer(facts=facts, target=info, container=image_metadata(image, self.ref))
        if self.python is None:  # distroless, scratch, busybox: read it as files instead
            note = f"no runnable Python in {self.describe()} (tried {', '.join(tried)})"
            return self._read_statically(request, note)
        raise no_interpreter(self.describe(), tried)

    def _read_statically(self, request: ProbeRequest, why: str) -> ProbeAnswer:
        from driftcheck.targets.archive import StaticImageTarget

        answer = StaticImageTarget(self.ref).run_probe(request)
        facts = dict(answer.facts)
        note = {"field": "target", "reason": f"{why}; the image was read as files, not run"}
        facts["unknowns"] = [note, *facts.get("unknowns", [])]
        return ProbeAnswer(facts=facts, target=answer.target, container=answer.container)

    def _run_once(
        self, client: Any, image: Any, interpreter: str, request: ProbeRequest
    ) -> engine.ExecResult | None:
        try:
            container = client.containers.create(
                image.id,
                entrypoint=[interpreter],
                command=[*INTERPRETER_OPTIONS, BOOTSTRAP],
                stdin_open=True,
                network_mode="none",
                read_only=True,
                cap_drop=["ALL"],
                security_opt=["no-new-privileges"],
                mem_limit=MEMORY_LIMIT,
                pids_limit=PIDS_LIMIT,
                labels={engine.LABEL: "image"},
                hostname=PROBE_HOSTNAME,  # stable: two snapshots of one image agree
                # Not detached: the SDK then sets StdinOnce, so closing our end of
                # the attached stdin gives the interpreter its end of file.
                detach=False,
            )
        except docker.errors.DockerException as exc:
            raise engine.engine_call_failed(
                f"cannot create a container from {self.ref}", exc
            ) from exc
        try:
            return engine.attach_and_start(
                client, container, request.stdin, timeout=self.timeout, max_bytes=MAX_OUTPUT_BYTES
            )
        except ProbeError as exc:
            if _is_missing_executable(exc):
                return None
            raise
        finally:
            engine.remove_quietly(container)

    def _foreign_architecture(self, client: Any, image: Any) -> str | None:
        """Detected from the image config before anything runs: no exec format errors."""
        wanted = str(image.attrs.get("Architecture") or "")
        try:
            host = str(client.info().get("Architecture") or platform.machine())
        except docker.errors.DockerException:
            host = platform.machine()
        host = ARCH_ALIASES.get(host, host)
        if wanted and wanted != host:
            return f"{self.describe()} is for {wanted} and this engine runs {host}"
        return None


def _is_missing_executable(exc: ProbeError) -> bool:
    text = str(exc)
    return "executable file not found" in text or "no such file or directory" in text
