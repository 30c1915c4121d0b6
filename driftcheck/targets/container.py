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
    env_list_to_dict,
    interpreter_candidates,
    is_missing_interpreter,
    no_interpreter,
)
from driftcheck.targets import reaper
from driftcheck.targets.exec_engine import ExecEngine, open_exec_engine
from driftcheck.targets.exec_stream import ExecResult
from driftcheck.targets.image_metadata import container_metadata
from driftcheck.targets.interface import ProbeAnswer, Target

DEFAULT_TIMEOUT_SECONDS = 60.0
LOOK_INTERVAL_SECONDS = 0.2
RESTART_LOOKS = 10  # how long a stopped container may take to come back: 2 s


@dataclass(frozen=True)
class ContainerTarget(Target):
    ref: str
    python: str | None = None
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    main_process_environ: ClassVar[bool] = True

    def describe(self) -> str:
        return f"container {self.ref}"

    def default_label(self) -> str:
        return f"container-{self.ref}"

    def run_probe(self, request: ProbeRequest) -> ProbeAnswer:
        engine = open_exec_engine()
        try:
            return self._probe(engine, request)
        finally:
            engine.close()

    def _probe(self, engine: ExecEngine, request: ProbeRequest) -> ProbeAnswer:
        attrs = engine.inspect_container(self.ref)
        if _status(attrs) != "running":
            raise ProbeError(
                f"container {self.ref} is {_status(attrs)}, not running; start it, "
                "or snapshot its image with --image"
            )
        watch = _Watch(self.ref, engine, str(attrs.get("Id") or self.ref), _started_at(attrs))
        configured = env_list_to_dict((attrs.get("Config") or {}).get("Env"))
        tried: list[str] = []
        for candidate in interpreter_candidates(self.python, configured):
            tried.append(candidate)
            result = self._exec_probe(watch, candidate, request)
            has_answer = request.begin.encode() in result.stdout
            if is_missing_interpreter(result.exit_code, has_answer):
                continue
            if result.exit_code != 0:  # a complete answer needs no second look
                watch.check_still_running(result.exit_code)
            check_status(result.exit_code, result.stderr, self.describe())
            facts = parse_output(result.stdout, request, self.describe())
            info = TargetInfo(kind="container", description=self.describe(), interpreter=candidate)
            image = engine.inspect_image(str(attrs.get("Image") or ""))
            return ProbeAnswer(facts=facts, target=info, container=container_metadata(attrs, image))
        raise no_interpreter(self.describe(), tried)

    def _exec_probe(self, watch: _Watch, interpreter: str, request: ProbeRequest) -> ExecResult:
        """One exec of the probe; one that driftcheck gives up on is killed in the container."""
        tag = reaper.new_tag()
        try:
            return watch.engine.exec_with_stdin(
                watch.container_id,
                [interpreter, *INTERPRETER_OPTIONS, BOOTSTRAP, tag],
                request.stdin,
                timeout=self.timeout,
                max_bytes=MAX_OUTPUT_BYTES,
            )
        except ProbeError as exc:
            reaper.kill_tagged(watch.engine, watch.container_id, interpreter, tag)
            # A container that stopped or restarted explains the failure better.
            watch.check_still_running(None, looks=1)
            raise exc from None
        except KeyboardInterrupt:
            reaper.kill_tagged(watch.engine, watch.container_id, interpreter, tag)
            raise


@dataclass(frozen=True)
class _Watch:
    """The container being probed, as it was when the probe started."""

    ref: str
    engine: ExecEngine
    container_id: str
    started_at: str

    def check_still_running(self, status: int | None, *, looks: int | None = None) -> None:
        # A probe killed by a signal (128+N) usually means the container is stopping;
        # the engine may still call it "running" for a moment, so look twice.
        if looks is None:
            looks = 5 if status is None or status > 128 else 1
        for attempt in range(looks):
            attrs = self._inspect()
            if _status(attrs) != "running" or _started_at(attrs) != self.started_at:
                self._raise_stopped_or_restarted(attrs)
            if attempt + 1 < looks:
                time.sleep(LOOK_INTERVAL_SECONDS)
        if status is not None and status > 128:
            raise ProbeError(
                f"the probe in container {self.ref} was killed (signal {status - 128}); "
                "the container may be out of memory"
            )

    def _inspect(self) -> dict[str, Any]:
        try:
            return self.engine.inspect_container(self.container_id)
        except ProbeError as exc:
            raise ProbeError(f"container {self.ref} went away during the probe") from exc

    def _raise_stopped_or_restarted(self, attrs: dict[str, Any]) -> NoReturn:
        """A `docker restart` passes through "exited": wait a moment to tell the two apart."""
        for _ in range(RESTART_LOOKS):
            status = _status(attrs)
            came_back = status == "running" and _started_at(attrs) != self.started_at
            if came_back or status == "restarting":
                raise ProbeError(
                    f"container {self.ref} restarted during the probe; nothing was written, "
                    "run the snapshot again"
                )
            time.sleep(LOOK_INTERVAL_SECONDS)
            attrs = self._inspect()
        raise ProbeError(f"container {self.ref} stopped during the probe; nothing was written")


def _state(attrs: dict[str, Any]) -> dict[str, Any]:
    state = attrs.get("State")
    return state if isinstance(state, dict) else {}


def _status(attrs: dict[str, Any]) -> str:
    return str(_state(attrs).get("Status") or "unknown")


def _started_at(attrs: dict[str, Any]) -> str:
    return str(_state(attrs).get("StartedAt") or "")
