"""A running container, probed as the application inside it sees the world.

The probe goes in through exec with an argv (no shell) and its script on stdin;
it runs as the container's configured user and writes nothing, so read-only
root filesystems and UIDs without a passwd entry work.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, ClassVar, NoReturn

from driftcheck.errors import ProbeError
from driftcheck.probe import BOOTSTRAP, MAX_OUTPUT_BYTES, ProbeRequest, parse_output
from driftcheck.snapshot.model import TargetInfo
from driftcheck.targets import engine, reaper
from driftcheck.targets.candidates import (
    check_status,
    env_list_to_dict,
    interpreter_candidates,
    is_missing_interpreter,
    no_interpreter,
)
from driftcheck.targets.image_metadata import container_metadata
from driftcheck.targets.interface import ProbeAnswer

DEFAULT_TIMEOUT_SECONDS = 60.0
LOOK_INTERVAL_SECONDS = 0.2
RESTART_LOOKS = 10  # how long a stopped container may take to come back: 2 s


@dataclass(frozen=True)
class ContainerTarget:
    ref: str
    python: str | None = None
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    main_process_environ: ClassVar[bool] = True

    def describe(self) -> str:
        return f"container {self.ref}"

    def default_label(self) -> str:
        return f"container-{self.ref}"

    def run_probe(self, request: ProbeRequest) -> ProbeAnswer:
        client = engine.connect()
        container = engine.get_container(client, self.ref)
        if container.status != "running":
            raise ProbeError(
                f"container {self.ref} is {container.status}, not running; start it, "
                "or snapshot its image with --image"
            )
        started_at = _started_at(container)
        configured = env_list_to_dict(container.attrs.get("Config", {}).get("Env"))
        tried: list[str] = []
        for candidate in interpreter_candidates(self.python, configured):
            tried.append(candidate)
            result = self._exec_probe(client, container, candidate, request, started_at)
            has_answer = request.begin.encode() in result.stdout
            if is_missing_interpreter(result.exit_code, has_answer):
                continue
            if result.exit_code != 0:  # a complete answer needs no second look
                self._check_still_running(container, result.exit_code, started_at)
            check_status(result.exit_code, result.stderr, self.describe())
            facts = parse_output(result.stdout, request, self.describe())
            info = TargetInfo(
                kind="container",
                description=self.describe(),
                interpreter=candidate,
            )
            metadata = container_metadata(client, container)
            return ProbeAnswer(facts=facts, target=info, container=metadata)
        raise no_interpreter(self.describe(), tried)

    def _exec_probe(
        self,
        client: Any,
        container: Any,
        interpreter: str,
        request: ProbeRequest,
        started_at: str,
    ) -> engine.ExecResult:
        """One exec of the probe; one that driftcheck gives up on is killed in the container."""
        tag = reaper.new_tag()
        try:
            return engine.exec_with_stdin(
                client,
                container.id,
                [interpreter, "-c", BOOTSTRAP, tag],
                request.stdin,
                timeout=self.timeout,
                max_bytes=MAX_OUTPUT_BYTES,
            )
        except ProbeError as exc:
            reaper.kill_tagged(client, container.id, interpreter, tag)
            # A container that stopped or restarted explains the failure better.
            self._check_still_running(container, None, started_at, looks=1)
            raise exc from None
        except KeyboardInterrupt:
            reaper.kill_tagged(client, container.id, interpreter, tag)
            raise

    def _check_still_running(
        self, container: Any, status: int | None, started_at: str, *, looks: int | None = None
    ) -> None:
        # A probe killed by a signal (128+N) usually means the container is stopping;
        # the engine may still call it "running" for a moment, so look twice.
        if looks is None:
            looks = 5 if status is None or status > 128 else 1
        for attempt in range(looks):
            self._reload(container)
            if container.status != "running" or _started_at(container) != started_at:
                self._raise_stopped_or_restarted(container, started_at)
            if attempt + 1 < looks:
                time.sleep(LOOK_INTERVAL_SECONDS)
        if status is not None and status > 128:
            raise ProbeError(
                f"the probe in container {self.ref} was killed (signal {status - 128}); "
                "the container may be out of memory"
            )

    def _reload(self, container: Any) -> None:
        try:
            container.reload()
        except Exception as exc:
            raise ProbeError(f"container {self.ref} went away during the probe") from exc

    def _raise_stopped_or_restarted(self, container: Any, started_at: str) -> NoReturn:
        """A `docker restart` passes through "exited": wait a moment to tell the two apart."""
        for _ in range(RESTART_LOOKS):
            came_back = container.status == "running" and _started_at(container) != started_at
            if came_back or container.status == "restarting":
                raise ProbeError(
                    f"container {self.ref} restarted during the probe; nothing was written, "
                    "run the snapshot again"
                )
            time.sleep(LOOK_INTERVAL_SECONDS)
            self._reload(container)
        raise ProbeError(f"container {self.ref} stopped during the probe; nothing was written")


def _started_at(container: Any) -> str:
    return str((container.attrs.get("State") or {}).get("StartedAt") or "")
