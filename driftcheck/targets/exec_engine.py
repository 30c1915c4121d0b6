"""What the container target asks of an engine, and which client answers it.

On a local unix socket (the usual case) a small client of the engine's HTTP API
answers (engine_socket.py); at ssh:// the same client, over the remote socket
forwarded by the OpenSSH client (ssh_engine.py); elsewhere (tcp, TLS) the Docker
SDK does (engine.py). Both turn failures into the same driftcheck errors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from driftcheck.targets.endpoint import resolve_endpoint
from driftcheck.targets.exec_stream import ExecResult


class ExecEngine(Protocol):
    def inspect_container(self, ref: str) -> dict[str, Any]:
        """The engine's inspect document; ProbeError naming *ref* when there is none."""
        ...

    def inspect_image(self, ref: str) -> dict[str, Any] | None:
        """The image's inspect document, or None when it is gone."""
        ...

    def exec_with_stdin(
        self,
        container_id: str,
        argv: Sequence[str],
        stdin: bytes,
        *,
        timeout: float,
        max_bytes: int,
    ) -> ExecResult:
        """Runs argv (no shell) as the container's user, feeds stdin, collects the output."""
        ...

    def close(self) -> None: ...


def open_exec_engine(environ: Mapping[str, str] | None = None) -> ExecEngine:
    endpoint = resolve_endpoint(environ)
    if endpoint.unix_path is not None:
        from driftcheck.targets.engine_socket import SocketEngine

        return SocketEngine(endpoint)
    if endpoint.url.startswith("ssh://"):
        from driftcheck.targets.ssh_engine import SshForwardedEngine

        return SshForwardedEngine(endpoint, environ)
    from driftcheck.targets import engine

    return engine.SdkExecEngine(engine.connect(environ))
