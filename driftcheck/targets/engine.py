"""The one module that talks to a Docker engine.

It finds the engine the way the docker CLI does (DOCKER_HOST, else the current
docker context, else the platform default), turns every engine failure into a
driftcheck error with one clear line, and moves bytes in and out of processes
in containers with a deadline and a size limit: the Docker SDK has neither.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import struct
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker  # type: ignore[import-untyped]
import docker.errors  # type: ignore[import-untyped]

from driftcheck.errors import EngineUnreachableError, ProbeError, UsageError

DEFAULT_ENDPOINT = "unix:///var/run/docker.sock"
LABEL = "io.driftcheck.probe"
API_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Endpoint:
    url: str
    source: str  # "DOCKER_HOST", "context NAME" or "default"

    def describe(self) -> str:
        return f"{self.url} ({self.source})"


@dataclass(frozen=True)
class ExecResult:
    exit_code: int | None
    stdout: bytes
    stderr: bytes


def resolve_endpoint(environ: Mapping[str, str] | None = None) -> Endpoint:
    environ = os.environ if environ is None else environ
    if environ.get("DOCKER_HOST"):
        return Endpoint(environ["DOCKER_HOST"], "DOCKER_HOST")
    config_dir = Path(environ.get("DOCKER_CONFIG") or Path.home() / ".docker")
    name = environ.get("DOCKER_CONTEXT") or _current_context(config_dir)
    if name and name != "default":
        meta = config_dir / "contexts" / "meta" / hashlib.sha256(name.encode()).hexdigest()
        try:
            data = json.loads((meta / "meta.json").read_text("utf-8"))
            host = data["Endpoints"]["docker"]["Host"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise EngineUnreachableError(
                f"docker context {name!r} cannot be read; run `docker context use default` "
                "or set DOCKER_HOST"
            ) from exc
        return Endpoint(str(host), f"context {name}")
    return Endpoint(DEFAULT_ENDPOINT, "default")


def _current_context(config_dir: Path) -> str | None:
    try:
        data = json.loads((config_dir / "config.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    value = data.get("currentContext") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def connect(environ: Mapping[str, str] | None = None) -> Any:
    """A client that has answered a ping, or EngineUnreachableError naming the endpoint."""
    endpoint = resolve_endpoint(environ)
    try:
        client = docker.DockerClient(base_url=endpoint.url, timeout=API_TIMEOUT_SECONDS)
        client.ping()
    except docker.errors.DockerException as exc:
        raise _unreachable(endpoint, exc) from exc
    except Exception as exc:  # requests/urllib3 errors surface raw from ping()
        raise _unreachable(endpoint, exc) from exc
    return client


def _unreachable(endpoint: Endpoint, exc: BaseException) -> EngineUnreachableError:
    text = str(exc)
    if "Permission denied" in text or "PermissionError" in text:
        return EngineUnreachableError(
            f"permission denied on the Docker socket {endpoint.describe()}; add your user to "
            "the docker group (it is root-equivalent) or use a rootless Docker context"
        )
    return EngineUnreachableError(
        f"no Docker engine answers at {endpoint.describe()}; start Docker, "
        "or point DOCKER_HOST or `docker context use` at a running engine"
    )


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
    with _closing(sock) as raw:
        stdout, stderr = _exchange(raw, stdin, time.monotonic() + timeout, max_bytes, timeout)
    try:
        code = api.exec_inspect(exec_id).get("ExitCode")
    except docker.errors.DockerException as exc:
        raise engine_call_failed("cannot read the probe's exit status", exc) from exc
    return ExecResult(exit_code=code, stdout=stdout, stderr=stderr)


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
    with _closing(sock) as raw:
        stdout, stderr = _exchange(raw, stdin, deadline, max_bytes, timeout)
    try:
        remaining = max(1.0, deadline - time.monotonic())
        status = container.wait(timeout=remaining).get("StatusCode")
    except Exception as exc:  # requests' ReadTimeout is not a DockerException
        raise ProbeError(f"the probe container did not exit within {timeout:.0f} s") from exc
    return ExecResult(exit_code=status, stdout=stdout, stderr=stderr)


@contextmanager
def _closing(sock: Any) -> Iterator[socket.socket]:
    raw: socket.socket = getattr(sock, "_sock", sock)
    try:
        yield raw
    finally:
        try:
            raw.close()
        finally:
            close = getattr(sock, "close", None)
            if callable(close):
                close()


def _exchange(
    raw: socket.socket, stdin: bytes, deadline: float, max_bytes: int, timeout: float
) -> tuple[bytes, bytes]:
    raw.settimeout(max(0.1, deadline - time.monotonic()))
    try:
        raw.sendall(stdin)
        raw.shutdown(socket.SHUT_WR)
        return _read_frames(raw, deadline, max_bytes)
    except TimeoutError as exc:
        raise ProbeError(f"the probe did not finish within {timeout:.0f} s") from exc
    except OSError as exc:
        raise ProbeError(f"the connection to the probe broke ({exc.strerror or exc})") from exc


def _read_frames(raw: socket.socket, deadline: float, max_bytes: int) -> tuple[bytes, bytes]:
    """Docker multiplexes stdout and stderr in frames: 1 byte stream, 3 zero, 4 bytes size."""
    streams = {1: bytearray(), 2: bytearray()}
    while True:
        header = _read_exactly(raw, 8, deadline)
        if header is None:
            break
        if len(header) < 8:
            break  # a connection cut mid-header: whatever came before is all there is
        kind, size = header[0], struct.unpack(">I", header[4:])[0]
        if len(streams[1]) + len(streams[2]) + size > max_bytes:
            raise ProbeError(
                f"the probe printed more than {max_bytes // (1024 * 1024)} MiB; "
                "something in the target floods its output"
            )
        payload = _read_exactly(raw, size, deadline)
        if payload is None:
            break
        target = streams.get(kind)
        if target is not None:
            target.extend(payload)
    return bytes(streams[1]), bytes(streams[2])


def _read_exactly(raw: socket.socket, size: int, deadline: float) -> bytes | None:
    data = bytearray()
    while len(data) < size:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        raw.settimeout(remaining)
        chunk = raw.recv(min(size - len(data), 1024 * 1024))
        if not chunk:
            return None if not data else bytes(data)
        data.extend(chunk)
    return bytes(data)


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
