"""A real OpenSSH server on loopback for the ssh: target tests, started once per session.

Throwaway host and user keys in a temporary folder; the client is pointed at it
with a config the test writes (`DRIFTCHECK_SSH="ssh -F CONFIG"`), whose
known_hosts holds the server's key and whose StrictHostKeyChecking is on.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SSHD = Path("/usr/sbin/sshd")
HOST_ALIAS = "dc-test-sshd"
START_SECONDS = 15.0


class SshdUnavailable(Exception):
    """No sshd to start (Debian's openssh-server is missing) or it would not run."""


@dataclass(frozen=True)
class SshServer:
    folder: Path
    port: int
    client_config: Path
    user: str

    def environ(self) -> dict[str, str]:
        """os.environ with the ssh client pointed at this server's config."""
        return {**os.environ, "DRIFTCHECK_SSH": f"ssh -F {self.client_config}"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _keygen(path: Path) -> str:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "driftcheck-test", "-f", str(path)],
        check=True,
        stdin=subprocess.DEVNULL,
    )
    return Path(f"{path}.pub").read_text().strip()


@contextmanager
def running_sshd(folder: Path) -> Iterator[SshServer]:
    if not SSHD.exists() or shutil.which("ssh") is None or os.geteuid() != 0:
        raise SshdUnavailable("needs root, /usr/sbin/sshd (openssh-server) and ssh")
    folder.chmod(0o700)
    host_public = _keygen(folder / "host_key")
    user_public = _keygen(folder / "user_key")
    (folder / "authorized_keys").write_text(user_public + "\n")
    port = free_port()
    (folder / "known_hosts").write_text(f"[127.0.0.1]:{port} {host_public}\n")
    config = folder / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {folder}/host_key\n"
        f"AuthorizedKeysFile {folder}/authorized_keys\nPidFile {folder}/sshd.pid\n"
        "PermitRootLogin prohibit-password\nPasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\nAcceptEnv LANG LC_*\n"
    )
    client = folder / "ssh_config"
    client.write_text(
        f"Host {HOST_ALIAS}\n  HostName 127.0.0.1\n  Port {port}\n"
        "Host *\n  User root\n"
        f"  IdentityFile {folder}/user_key\n  IdentitiesOnly yes\n"
        f"  UserKnownHostsFile {folder}/known_hosts\n  GlobalKnownHostsFile /dev/null\n"
        "  StrictHostKeyChecking yes\n  LogLevel ERROR\n"
        # As Debian's client sends the locale: a C locale would switch Python to UTF-8 mode.
        "  SetEnv LANG=C.UTF-8\n"
    )
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege-separation folder
    log = folder / "sshd.log"
    proc = subprocess.Popen(
        [str(SSHD), "-D", "-e", "-f", str(config), "-p", str(port)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    try:
        _wait_listening(port, proc, log)
        yield SshServer(folder=folder, port=port, client_config=client, user="root")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_listening(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SshdUnavailable(f"sshd exited with {proc.returncode}: {log.read_text()[-500:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SshdUnavailable(f"sshd did not listen on port {port} within {START_SECONDS:g} s")
