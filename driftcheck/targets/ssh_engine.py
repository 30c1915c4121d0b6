"""A remote Docker engine at DOCKER_HOST=ssh://[user@]host[:port], for containers.

The OpenSSH client forwards the host's engine socket to a private local one
(`ssh -N -L LOCAL.sock:/var/run/docker.sock`) for the time of the probe, and the
container target speaks to it as to a local engine (engine_socket.py). The user's
ssh config, agent and known hosts apply, BatchMode=yes (never a prompt), and the
forwarder is stopped and its folder removed when the probe is done. The Docker
SDK's own ssh:// support needs paramiko, which driftcheck does not depend on.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping
from urllib.parse import urlsplit

from driftcheck.errors import EngineUnreachableError
from driftcheck.targets.endpoint import Endpoint
from driftcheck.targets.engine_socket import SocketEngine
from driftcheck.targets.ssh import (
    CONNECT_TIMEOUT_SECONDS,
    SSH_COMMAND_VARIABLE,
    parse_ssh_address,
    ssh_failure,
)

REMOTE_SOCKET = "/var/run/docker.sock"
POLL_SECONDS = 0.05


class SshForwardedEngine(SocketEngine):
    def __init__(self, endpoint: Endpoint, environ: Mapping[str, str] | None = None) -> None:
        environ = os.environ if environ is None else environ
        parts = urlsplit(endpoint.url)
        address = parse_ssh_address(parts.netloc)
        where = f"the Docker engine at {endpoint.describe()}"
        self._folder = tempfile.mkdtemp(prefix="driftcheck-ssh-")  # 0700: the socket is ours
        local = os.path.join(self._folder, "docker.sock")
        argv = shlex.split(environ.get(SSH_COMMAND_VARIABLE) or "ssh")
        argv += ["-nNT", "-o", "BatchMode=yes", "-o", f"ConnectTimeout={CONNECT_TIMEOUT_SECONDS}"]
        argv += ["-o", "ExitOnForwardFailure=yes", "-L", f"{local}:{REMOTE_SOCKET}"]
        if address.port is not None:
            argv += ["-p", str(address.port)]
        if address.user:
            argv += ["-l", address.user]
        argv += ["--", address.host.strip("[]")]
        try:
            self._proc: subprocess.Popen[bytes] | None = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=dict(environ),
            )
        except OSError as exc:
            shutil.rmtree(self._folder, ignore_errors=True)
            raise EngineUnreachableError(
                f"cannot run the ssh client {argv[0]!r} for {where}: {exc.strerror or exc}; "
                f"install openssh-client or fix {SSH_COMMAND_VARIABLE}"
            ) from exc
        self._wait_for(local, where)
        super().__init__(Endpoint(f"unix://{local}", f"DOCKER_HOST {endpoint.url} over ssh"))

    def _wait_for(self, local: str, where: str) -> None:
        proc = self._proc
        assert proc is not None and proc.stderr is not None
        deadline = time.monotonic() + CONNECT_TIMEOUT_SECONDS + 5
        while not os.path.exists(local):
            if proc.poll() is not None or time.monotonic() > deadline:
                self.close()  # the client has exited: its stderr ends
                said = proc.stderr.read(64 * 1024) or b"the forwarder gave no answer in time"
                raise ssh_failure(where, said)
            time.sleep(POLL_SECONDS)

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.poll() is None:
                proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(self._folder, ignore_errors=True)
