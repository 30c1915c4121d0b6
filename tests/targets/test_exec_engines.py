"""The two clients behind the container target agree, on a real engine.

A local unix socket is served by the small HTTP client (engine_socket.py); other
endpoints by the Docker SDK (engine.py's SdkExecEngine). Whichever answers, the
container target sees the same documents and the same exec results.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from driftcheck.errors import EngineUnreachableError, ProbeError
from driftcheck.targets import engine
from driftcheck.targets.endpoint import resolve_endpoint
from driftcheck.targets.engine_socket import SocketEngine
from driftcheck.targets.exec_engine import open_exec_engine

from support import assert_one_line_error, run_cli

SCRIPT = (
    "import sys; data = sys.stdin.read(); print(data.upper()); sys.stderr.write('e'); sys.exit(3)"
)


@pytest.fixture()
def both_engines(docker_client) -> Iterator[tuple[SocketEngine, engine.SdkExecEngine]]:
    endpoint = resolve_endpoint()
    if endpoint.unix_path is None:
        pytest.skip(f"the suite's engine is not on a unix socket ({endpoint.url})")
    sdk = engine.SdkExecEngine(engine.connect())
    yield SocketEngine(endpoint), sdk
    sdk.close()


def test_a_local_socket_is_served_without_importing_the_sdk() -> None:
    assert isinstance(open_exec_engine({"DOCKER_HOST": "unix:///nowhere.sock"}), SocketEngine)
    code = (
        "import sys\n"
        "from driftcheck.targets.container import ContainerTarget\n"
        "from driftcheck.targets.exec_engine import open_exec_engine\n"
        "open_exec_engine({'DOCKER_HOST': 'unix:///nowhere.sock'})\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('docker', 'requests')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.docker
def test_both_clients_see_the_same_container_and_exec(
    both_engines, run_container, bookworm_venv_image
) -> None:
    container = run_container(bookworm_venv_image)
    results = []
    for client in both_engines:
        attrs = client.inspect_container(container.name)
        assert attrs["Id"] == container.id and attrs["State"]["Status"] == "running"
        image = client.inspect_image(attrs["Image"])
        assert image is not None and image["Id"] == attrs["Image"]
        assert client.inspect_image("sha256:" + "0" * 64) is None
        run = client.exec_with_stdin(
            container.id, ["python3", "-c", SCRIPT], b"hello", timeout=60, max_bytes=1 << 20
        )
        results.append((run.exit_code, run.stdout, run.stderr))
        with pytest.raises(ProbeError, match="no container named 'no-such-thing'"):
            client.inspect_container("no-such-thing")
        missing = client.exec_with_stdin(
            container.id, ["/no/such/python"], b"", timeout=60, max_bytes=1 << 20
        )
        assert missing.exit_code in (126, 127)
    assert results[0] == results[1] == (3, b"HELLO\n", b"e")


@pytest.fixture()
def not_an_engine(tmp_path: Path) -> Iterator[Path]:
    """A unix socket that answers every connection with something that is not HTTP."""
    path = tmp_path / "imposter.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(8)
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.recv(65536)
                conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield path
    stop.set()
    thread.join()
    server.close()


def test_a_socket_that_is_not_an_engine_is_one_line(not_an_engine: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DOCKER_CONTEXT"}
    env["DOCKER_HOST"] = f"unix://{not_an_engine}"
    line = assert_one_line_error(run_cli("snapshot", "--container", "app", env=env), 4)
    assert f"no Docker engine answers at unix://{not_an_engine} (DOCKER_HOST)" in line
    with pytest.raises(EngineUnreachableError):
        SocketEngine(resolve_endpoint(env)).inspect_container("app")
