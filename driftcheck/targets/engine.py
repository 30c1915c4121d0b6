"""The one module that imports the Docker SDK.

It connects to the engine the docker CLI would use (see endpoint.py), turns every
engine failure into a driftcheck error with one clear line, and runs processes in
containers through exec_stream.py's deadline and size limit. The container target
on a local socket skips it altogether (engine_socket.py): importing the SDK costs
more than the probe itself.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import docker  # type: ignore[import-untyped]
import docker.errors  # type: ignore[import-untyped]

from driftcheck.errors import EngineUnreachableError, ProbeError, UsageError
from driftcheck.targets.endpoint import (
    API_TIMEOUT_SECONDS,
    LABEL,
    resolve_endpoint,
    unreachable,
)
from driftcheck.targets.exec_stream import ExecResult, closing, exchange

__all__ = [
    "LABEL",
    "ExecResult",
    "SdkExecEngine",
    "attach_and_start",
    "connect",
    "engine_call_failed",
    "exec_with_stdin",
    "export_created_container",
    "get_container",
    "get_image",
    "remove_quietly",
]


def connect(environ: Mapping[str, str] | None = None) -> Any:
    """A client that has answered a ping, or EngineUnreachableError naming the endpoint."""
    endpoint = resolve_endpoint(environ)
    try:
        client = docker.DockerClient(base_url=endpoint.url, timeout=API_TIMEOUT_SECONDS)
        client.ping()
    except docker.errors.DockerException as exc:
        raise unreachable(endpoint, exc) from exc
    except Exception as exc:  # requests/urllib3 errors surface raw from ping()
        raise unreachable(endpoint, exc) from exc
    return client


def engine_call_failed(what: str, exc: Exception) -> ProbeError | EngineUnreachableError:
    if isinstance(exc, docker.errors.APIError):
        return ProbeError(f"{what}: {_explained(exc)}")
    return EngineUnreachableError(f"{what}: the Docker engine stopped answering ({exc})")


def get_container(client: Any, ref: str) -> Any:
    try:
        return client.containers.get(ref)
    except docker.errors.NotFound as exc:
        raise ProbeError(f"no container named {ref!r}; `docker ps` lists running ones") from exc
    except docker.errors.DockerException as exc:
        raise engine_call_failed(f"cannot inspect container {ref!r}", exc) from exc


def get_image(client: Any, ref: str, *, pull: bool) -> Any:
    """The engine's image; pulled first with ``pull``, and pulled when the engine lacks it."""
    if pull:
        _pull(client, ref, asked=True)
    try:
        return client.images.get(ref)
    except docker.errors.ImageNotFound as exc:
        if pull:
            raise UsageError(f"the engine pulled {ref!r} but does not list it; try again") from exc
    except docker.errors.DockerException as exc:
        raise engine_call_failed(f"cannot read image {ref!r}", exc) from exc
    _pull(client, ref, asked=False)
    try:
        return client.images.get(ref)
    except docker.errors.DockerException as exc:
        raise engine_call_failed(f"cannot read image {ref!r}", exc) from exc


def _pull(client: Any, ref: str, *, asked: bool) -> None:
    """A pull whose failure says why, in the engine's words. An image the engine lacks
    and cannot pull is unknown (exit 2), whatever the reason (a typo, offline); a pull
    asked for with --pull whose registry does not answer is exit 4."""
    from driftcheck.registry.errors import RegistryUnreachableError

    try:
        client.images.pull(ref)
    except docker.errors.APIError as exc:
        unknown = isinstance(exc, docker.errors.NotFound) or not asked
        if unknown:  # unknown repository or tag, access denied, or nowhere to pull from
            raise UsageError(
                f"no image {ref!r} in the engine, and pulling it failed: {_explained(exc)}; "
                "`docker images` lists local ones"
            ) from exc
        raise RegistryUnreachableError(
            f"the engine could not pull {ref!r}: {_explained(exc)}; check that the registry "
            "is up and reachable from the engine"
        ) from exc
    except docker.errors.DockerException as exc:
        raise engine_call_failed(f"cannot pull image {ref!r}", exc) from exc
    except Exception as exc:  # requests' errors surface raw when the engine goes away
        raise engine_call_failed(f"cannot pull image {ref!r}", exc) from exc


def _explained(exc: Exception) -> str:
    return str(getattr(exc, "explanation", None) or exc).strip()[:300]


def exec_with_stdin(
    client: Any,
    container_id: str,
    argv: Sequence[str],
    stdin: bytes,
    *,
    user: str = "",
    timeout: float,
    max_bytes: int,
) -> ExecResult:
    """Runs argv in a running container (no shell), feeds stdin, collects its output."""
    api = client.api
    try:
        exec_id = api.exec_create(container_id, list(argv), stdin=True, user=user)["Id"]
        sock = api.exec_start(exec_id, socket=True)
    except docker.errors.DockerException as exc:
        raise engine_call_failed(
            f"cannot run the probe in container {container_id[:12]}", exc
        ) from exc
    with closing(sock) as raw:
        stdout, stderr = exchange(raw, stdin, time.monotonic() + timeout, max_bytes, timeout)
    try:
        code = api.exec_inspect(exec_id).get("ExitCode")
    except docker.errors.DockerException as exc:
        raise engine_call_failed("cannot read the probe's exit status", exc) from exc
    return ExecResult(exit_code=code, stdout=stdout, stderr=stderr)


class SdkExecEngine:
    """The container target's engine calls, through the SDK (tcp, ssh and TLS endpoints)."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def inspect_container(self, ref: str) -> dict[str, Any]:
        return dict(get_container(self.client, ref).attrs)

    def inspect_image(self, ref: str) -> dict[str, Any] | None:
        try:
            return dict(self.client.images.get(ref).attrs)
        except docker.errors.DockerException:
            return None

    def exec_with_stdin(
        self,
        container_id: str,
        argv: Sequence[str],
        stdin: bytes,
        *,
        timeout: float,
        max_bytes: int,
    ) -> ExecResult:
        return exec_with_stdin(
            self.client, container_id, argv, stdin, timeout=timeout, max_bytes=max_bytes
        )

    def close(self) -> None:
        self.client.close()


def attach_and_start(
    client: Any, container: Any, stdin: bytes, *, timeout: float, max_bytes: int
) -> ExecResult:
    """Attaches to a created container's stdio, starts it, feeds stdin, waits for its exit."""
    api = client.api
    params = {"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1}
    try:
        sock = api.attach_socket(container.id, params=params)
        container.start()
    except docker.errors.DockerException as exc:
        raise engine_call_failed("cannot start the probe container", exc) from exc
    deadline = time.monotonic() + timeout
    with closing(sock) as raw:
        stdout, stderr = exchange(raw, stdin, deadline, max_bytes, timeout)
    try:
        remaining = max(1.0, deadline - time.monotonic())
        status = container.wait(timeout=remaining).get("StatusCode")
    except Exception as exc:  # requests' ReadTimeout is not a DockerException
        raise ProbeError(f"the probe container did not exit within {timeout:.0f} s") from exc
    return ExecResult(exit_code=status, stdout=stdout, stderr=stderr)


def remove_quietly(container: Any) -> None:
    """Removes a throwaway container whatever state it is in."""
    try:
        container.remove(force=True)
    except docker.errors.NotFound:
        pass
    except docker.errors.DockerException:
        pass  # the engine went away; the label lets `docker ps -a` find it


@contextmanager
def export_created_container(client: Any, image: str) -> Iterator[ExportStream]:
    """An image's filesystem as one tar stream, read without running anything in it.

    A container is created from the image but never started (its entrypoint is a
    path that does not exist, so even a start would run nothing), its filesystem
    streamed out as ``docker export`` does, and the container removed in every
    case: success, error, Ctrl-C.
    """
    try:
        container = client.containers.create(
            image,
            entrypoint=["/driftcheck-static-read-never-started"],
            command=[],
            network_mode="none",
            labels={LABEL: "static"},
        )
    except docker.errors.DockerException as exc:
        raise engine_call_failed(f"cannot create a container from {image}", exc) from exc
    chunks: Any = None
    try:
        try:
            chunks = client.api.export(container.id)
        except docker.errors.DockerException as exc:
            raise engine_call_failed(f"cannot export the filesystem of {image}", exc) from exc
        yield ExportStream(iter(chunks), image)
    finally:
        close = getattr(chunks, "close", None)
        if callable(close):
            close()
        remove_quietly(container)


class ExportStream:
    """A file-like view of the engine's chunked export; engine failures become driftcheck's."""

    def __init__(self, chunks: Iterator[bytes], image: str) -> None:
        self._chunks, self._image = chunks, image
        self._buffer = bytearray()
        self._done = False

    def read(self, size: int = -1, /) -> bytes:
        want = size if size is not None and size >= 0 else 1024 * 1024
        while len(self._buffer) < want and not self._done:
            try:
                chunk = next(self._chunks)
            except StopIteration:
                self._done = True
                break
            except Exception as exc:  # requests/urllib3 errors surface raw from the stream
                raise EngineUnreachableError(
                    f"the Docker engine stopped sending the files of {self._image} ({exc})"
                ) from exc
            self._buffer.extend(chunk)
        data = bytes(self._buffer[:want])
        del self._buffer[:want]
        return data
