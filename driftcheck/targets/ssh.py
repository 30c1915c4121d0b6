"""A remote host's Python, probed over the OpenSSH client.

`ssh -T … HOST PYTHON -c BOOTSTRAP` with the probe on standard input: the same
bytes a local interpreter gets, nothing installed or written on the host. The
user's ~/.ssh/config, agent and known hosts apply as they are; BatchMode=yes so
that ssh never prompts (a password or an unknown host key fails at once), and a
connect timeout so that a silent host fails too. DRIFTCHECK_SSH replaces the
client command (`ssh -F FILE`, like GIT_SSH_COMMAND) for a config of its own.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

from driftcheck.errors import EngineUnreachableError, ProbeError, UsageError
from driftcheck.probe import (
    BOOTSTRAP,
    INTERPRETER_OPTIONS,
    ProbeRequest,
    parse_output,
    status_error,
)
from driftcheck.snapshot.model import TargetInfo
from driftcheck.static.candidates import MISSING_EXECUTABLE_STATUSES
from driftcheck.targets.interface import ProbeAnswer, Target
from driftcheck.targets.local_run import PROBE_TIMEOUT_SECONDS, LocalProbe

SSH_COMMAND_VARIABLE = "DRIFTCHECK_SSH"
CONNECT_TIMEOUT_SECONDS = 10
SSH_FAILURE_STATUS = 255  # what the OpenSSH client exits with when it, not the command, failed
DEFAULT_PYTHON = "python3"
# A user and a host name as ssh takes them; never an option (no leading '-').
_USER = re.compile(r"^[A-Za-z0-9._][A-Za-z0-9._-]{0,63}$")
_HOST = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,252}$|^\[[0-9A-Fa-f:.]+\]$")


@dataclass(frozen=True)
class SshAddress:
    host: str
    user: str | None = None
    port: int | None = None

    def __str__(self) -> str:
        user = f"{self.user}@" if self.user else ""
        port = f":{self.port}" if self.port is not None else ""
        return f"{user}{self.host}{port}"


def parse_ssh_address(value: str) -> SshAddress:
    """`[user@]host[:port]`; an IPv6 address in brackets (`[::1]:2222`)."""
    user, at, rest = value.rpartition("@")
    if at and not _USER.match(user):
        raise UsageError(f"ssh:{value}: {user!r} is not a user name; write ssh:[user@]host[:port]")
    host, port_text = rest, ""
    if rest.startswith("["):
        end = rest.find("]")
        host, port_text = rest[: end + 1], rest[end + 1 :].removeprefix(":")
        if end < 0 or (rest[end + 1 :] and not rest[end + 1 :].startswith(":")):
            raise UsageError(f"ssh:{value} is not an address; write ssh:[user@]host[:port]")
    elif ":" in rest:
        host, _, port_text = rest.partition(":")
        if not port_text:
            raise UsageError(f"ssh:{value} names no port after ':'; write ssh:[user@]host[:port]")
    if not _HOST.match(host):
        raise UsageError(f"ssh:{value}: {host!r} is not a host name; write ssh:[user@]host[:port]")
    port = None
    if port_text:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise UsageError(f"ssh:{value}: {port_text!r} is not a port (1-65535)")
        port = int(port_text)
    return SshAddress(host=host, user=user or None, port=port)


class SshTarget(Target):
    """A host reached with the OpenSSH client; --python names the remote interpreter."""

    def __init__(
        self,
        address: SshAddress,
        python: str | None = None,
        timeout: float = PROBE_TIMEOUT_SECONDS,
        environ: dict[str, str] | None = None,
    ) -> None:
        self.address = address
        self.python = python or DEFAULT_PYTHON
        self.timeout = timeout
        self._environ = dict(os.environ if environ is None else environ)

    def describe(self) -> str:
        return f"{self.address} over ssh"  # "ssh:user@" would read as a URL's login

    def default_label(self) -> str:
        return f"ssh-{self.address.host.strip('[]')}"

    def command(self) -> list[str]:
        """The client's argv: options, `--`, the host, then one remote command line
        (ssh hands it to the login shell, hence each word quoted)."""
        client = shlex.split(self._environ.get(SSH_COMMAND_VARIABLE) or "ssh")
        options = ["-T", "-o", "BatchMode=yes", "-o", f"ConnectTimeout={CONNECT_TIMEOUT_SECONDS}"]
        if self.address.port is not None:
            options += ["-p", str(self.address.port)]
        if self.address.user:
            options += ["-l", self.address.user]
        # -S: the bootstrap runs site.py itself, skipping a .pth that would block (a FIFO).
        words = (self.python, *INTERPRETER_OPTIONS, BOOTSTRAP)
        remote = " ".join(shlex.quote(word) for word in words)
        return [*client, *options, "--", self.address.host.strip("[]"), remote]

    def run_probe(self, request: ProbeRequest) -> ProbeAnswer:
        argv = self.command()
        try:
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=self._environ,
            )
        except OSError as exc:
            raise EngineUnreachableError(
                f"cannot run the ssh client {argv[0]!r} for {self.describe()}: "
                f"{exc.strerror or exc}; install openssh-client or fix {SSH_COMMAND_VARIABLE}"
            ) from exc
        probe = _SshProbe(self, proc, request.stdin)
        stdout = probe.answer(self.timeout)
        facts = parse_output(stdout, request, self.describe())
        info = TargetInfo(kind="ssh", description=self.describe(), interpreter=self.python)
        return ProbeAnswer(facts=facts, target=info)


class _SshProbe(LocalProbe):
    """The local process is the ssh client: its own failures (status 255) come first."""

    def __init__(self, target: SshTarget, proc: subprocess.Popen[bytes], stdin: bytes) -> None:
        super().__init__(Path(target.python), proc, stdin)
        self._target = target

    def timed_out(self, timeout: float) -> ProbeError:
        return ProbeError(
            f"the probe on {self._target.describe()} did not finish within {timeout:g} s; "
            "check that the host is not overloaded, or raise --timeout"
        )

    def checked(self, status: int, stdout: bytes, stderr: bytes) -> bytes:
        where = f"{self._target.python} on {self._target.describe()}"
        if status == SSH_FAILURE_STATUS:
            raise ssh_failure(self._target.describe(), stderr)
        if status in MISSING_EXECUTABLE_STATUSES and not stdout:
            raise ProbeError(
                f"{where} did not start (exit status {status}); name the remote "
                "interpreter with --python PATH"
            )
        error = status_error(status, stderr, where)
        if error is not None:
            raise error
        return stdout


def ssh_failure(where: str, stderr: bytes) -> EngineUnreachableError:
    """One line for what the client said, and what to check."""
    from driftcheck.redaction.sweep import sweep

    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines()]
    lines = [line for line in lines if line and not line.startswith("Warning: Permanently")]
    said = str(sweep(lines[-1])[0])[:300] if lines else "no message"
    text = " ".join(lines).lower()
    if "host key verification failed" in text or "host key" in text:
        check = "its host key is unknown or changed: check ~/.ssh/known_hosts (`ssh HOST` once)"
    elif "permission denied" in text or "too many authentication failures" in text:
        check = "the login was refused: check the user name and that your key is in the agent "
        check += "or ~/.ssh/config (driftcheck never prompts for a password)"
    elif "could not resolve" in text or "name or service not known" in text:
        check = "check the host name"
    elif any(
        word in text for word in ("refused", "timed out", "unreachable", "no route", "closed")
    ):
        check = "check the host is up and that sshd listens on that port"
    else:
        check = "check that `ssh HOST true` works without a prompt"
    return EngineUnreachableError(f"cannot reach {where} ({said}); {check}")
