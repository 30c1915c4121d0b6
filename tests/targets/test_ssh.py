"""ssh: targets against a real sshd on loopback (tests/sshd_server.py), through the CLI."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sshd_server import HOST_ALIAS, SshServer, free_port

from driftcheck.errors import UsageError
from driftcheck.redaction.rules import scrub_text
from driftcheck.targets.ssh import SshAddress, parse_ssh_address

from support import assert_one_line_error, assert_valid_snapshot, run_cli

SYSTEM_PYTHON = "/usr/bin/python3"


def login_environ(server: SshServer) -> dict[str, str]:
    """The environment a command gets over ssh (root's shell start-up files, the locale):
    the local run gets the same, so that only the transport differs."""
    listed = subprocess.run(
        ["ssh", "-F", str(server.client_config), HOST_ALIAS, "env -0"],
        capture_output=True,
        check=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    ).stdout.decode()
    return dict(item.split("=", 1) for item in listed.split("\0") if "=" in item)


def test_an_ssh_snapshot_matches_the_same_interpreter_snapshotted_locally(
    sshd: SshServer, tmp_path: Path
) -> None:
    remote, local = tmp_path / "remote.json", tmp_path / "local.json"
    taken = run_cli(
        "snapshot", "--ssh", HOST_ALIAS, "--python", SYSTEM_PYTHON, "-o", str(remote),
        env=sshd.environ(),
    )  # fmt: skip
    assert taken.returncode == 0, taken.stderr
    document = json.loads(remote.read_text())
    assert_valid_snapshot(document)
    assert document["target"]["kind"] == "ssh"
    assert document["target"]["interpreter"] == SYSTEM_PYTHON
    env = login_environ(sshd)
    here = run_cli(
        "snapshot", "--python", SYSTEM_PYTHON, "-o", str(local), env=env, cwd=Path(env["HOME"])
    )
    assert here.returncode == 0, here.stderr
    compared = run_cli("diff", str(local), str(remote), "--format", "json", "--fail-on", "low")
    assert compared.returncode == 0, compared.stdout
    findings = json.loads(compared.stdout)["findings"]
    assert all(f["severity"] == "info" for f in findings), findings
    assert len(document["distributions"]) == len(json.loads(local.read_text())["distributions"])


def test_an_ssh_reference_with_user_port_and_interpreter_is_a_diff_side(
    sshd: SshServer,
) -> None:
    reference = f"ssh:root@127.0.0.1:{sshd.port}{SYSTEM_PYTHON}"
    result = run_cli("diff", f"ssh:{HOST_ALIAS}{SYSTEM_PYTHON}", reference, env=sshd.environ())
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_host_is_exit_4_in_one_line(sshd: SshServer) -> None:
    closed = free_port()  # nothing listens there
    result = run_cli("snapshot", "--ssh", f"127.0.0.1:{closed}", "-o", "-", env=sshd.environ())
    line = assert_one_line_error(result, 4)
    assert f"127.0.0.1:{closed} over ssh" in line and "Connection refused" in line
    assert "sshd listens" in line
    assert result.stdout == ""


def test_a_refused_login_is_exit_4_naming_what_to_check(sshd: SshServer) -> None:
    result = run_cli("snapshot", "--ssh", f"nobody@127.0.0.1:{sshd.port}", env=sshd.environ())
    line = assert_one_line_error(result, 4)
    assert "Permission denied" in line and "user name" in line


def test_an_unknown_host_key_is_exit_4_and_never_prompts(sshd: SshServer) -> None:
    env = dict(sshd.environ())
    env["DRIFTCHECK_SSH"] += " -o UserKnownHostsFile=/dev/null"
    result = run_cli("snapshot", "--ssh", HOST_ALIAS, env=env)
    line = assert_one_line_error(result, 4)
    assert "known_hosts" in line


def test_a_missing_remote_interpreter_is_exit_5(sshd: SshServer) -> None:
    result = run_cli(
        "snapshot", "--ssh", HOST_ALIAS, "--python", "/no/such/python", env=sshd.environ()
    )
    line = assert_one_line_error(result, 5)
    assert "--python" in line


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("runner-7", SshAddress("runner-7")),
        ("ci@runner-7:2222", SshAddress("runner-7", "ci", 2222)),
        ("[::1]:22", SshAddress("[::1]", None, 22)),
    ],
)
def test_addresses_parse(text: str, address: SshAddress) -> None:
    assert parse_ssh_address(text) == address


@pytest.mark.parametrize("text", ["-oProxyCommand=x", "host:99999", "a b", "us er@h", "h:"])
def test_an_address_that_could_be_an_option_or_is_malformed_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError):
        parse_ssh_address(text)


def test_an_n_way_diff_of_ssh_and_local_sides_goes_on_without_the_unreachable_one(
    sshd: SshServer,
) -> None:
    closed = f"ssh:127.0.0.1:{free_port()}"
    sides = [f"ssh:{HOST_ALIAS}{SYSTEM_PYTHON}", f"ssh:root@127.0.0.1:{sshd.port}{SYSTEM_PYTHON}"]
    sides += [closed, f"ssh:{HOST_ALIAS}{SYSTEM_PYTHON}"]
    result = run_cli("diff", *sides, "--jobs", "3", "--format", "json", env=sshd.environ())
    assert result.returncode == 4, result.stderr
    line = assert_one_line_error(result, 4)
    assert closed in line and "Connection refused" in line
    document = json.loads(result.stdout)
    # A login in a reference is redacted like a URL's (`ssh:***@host`), the host kept.
    expected = [scrub_text(s)[0] for s in sides if s != closed]
    assert document["sides"] == expected and "ssh:***@127.0.0.1" in expected[1]
    assert [f["side"] for f in document["failed"]] == [closed]
    assert all(row["severity"] == "info" for row in document["rows"]), document["rows"]


@pytest.mark.docker
def test_a_container_on_an_engine_at_docker_host_ssh_matches_the_local_socket(
    sshd: SshServer, bookworm_image: str, run_container: Any, tmp_path: Path
) -> None:
    """DOCKER_HOST=ssh://… (the same engine, reached through the sshd): the engine's socket
    forwarded by the OpenSSH client, which is stopped and its folder removed afterwards."""
    container = run_container(bookworm_image, environment={"FEATURE_FLAG": "classic"})
    remote, local = tmp_path / "over-ssh.json", tmp_path / "local.json"
    env = {**sshd.environ(), "DOCKER_HOST": f"ssh://root@127.0.0.1:{sshd.port}"}
    env["TMPDIR"] = str(tmp_path)
    taken = run_cli("snapshot", "--container", container.name, "-o", str(remote), env=env)
    assert taken.returncode == 0, taken.stderr
    assert not list(tmp_path.glob("driftcheck-ssh-*"))  # the forwarder's folder is gone
    here = run_cli("snapshot", "--container", container.name, "-o", str(local))
    assert here.returncode == 0, here.stderr
    compared = run_cli("diff", str(local), str(remote), "--format", "json", "--fail-on", "low")
    assert compared.returncode == 0, compared.stdout
    closed = {**env, "DOCKER_HOST": f"ssh://root@127.0.0.1:{free_port()}"}
    refused = run_cli("snapshot", "--container", container.name, "-o", "-", env=closed)
    line = assert_one_line_error(refused, 4)
    assert "DOCKER_HOST" in line and "Connection refused" in line
