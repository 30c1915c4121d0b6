"""Finding the engine, for real: permissions, DOCKER_HOST and docker contexts.

Each fault is one line on stderr, exit 4, naming the endpoint that was tried and
never advising to loosen the socket's permissions.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from support import assert_one_line_error, cli_command, run_cli

DEFAULT_SOCKET = "/var/run/docker.sock"
#: The socket of the engine the suite uses (scripts/test.sh may start a private one).
ENGINE_SOCKET = os.environ.get("DOCKER_HOST", f"unix://{DEFAULT_SOCKET}").removeprefix("unix://")
NOBODY = 65534


def _engine_env(**overrides: str) -> dict[str, str]:
    """The suite's environment without any engine selection of its own."""
    env = {k: v for k, v in os.environ.items() if k not in {"DOCKER_HOST", "DOCKER_CONTEXT"}}
    env.update(overrides)
    return env


@pytest.fixture()
def world_readable_dir() -> Iterator[Path]:
    """A folder an unprivileged user can reach (pytest's tmp_path is private to root)."""
    path = Path(tempfile.mkdtemp(prefix="driftcheck-engine-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture()
def closed_socket(world_readable_dir: Path) -> Iterator[Path]:
    """A listening unix socket whose file mode (000) lets nobody connect, not even its owner."""
    path = world_readable_dir / "docker.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)
    path.chmod(0)
    yield path
    server.close()


def _without_privileges(argv: list[str]) -> list[str]:
    """Root keeps its uid but loses every capability, so file modes bind it like anyone."""
    if os.geteuid() != 0:
        return argv
    setpriv = shutil.which("setpriv")
    assert setpriv, "setpriv (util-linux) is needed to drop root's capabilities"
    return [setpriv, "--inh-caps=-all", "--bounding-set=-all", *argv]


def _as_nobody(argv: list[str]) -> list[str]:
    setpriv = shutil.which("setpriv")
    assert setpriv, "setpriv (util-linux) is needed to run as an unprivileged user"
    return [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *argv]


def _run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, capture_output=True, text=True, env=env, timeout=120, stdin=subprocess.DEVNULL
    )


def test_socket_permission_denied_names_the_endpoint(closed_socket: Path) -> None:
    env = _engine_env(DOCKER_HOST=f"unix://{closed_socket}")
    argv = _without_privileges([*cli_command(), "snapshot", "--container", "app", "-o", "-"])
    line = assert_one_line_error(_run(argv, env), 4)
    assert "permission denied" in line
    assert f"unix://{closed_socket} (DOCKER_HOST)" in line
    assert "chmod" not in line and "666" not in line


@pytest.mark.docker
def test_unprivileged_user_on_the_real_socket(docker_client) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to switch to an unprivileged user")
    if os.stat(DEFAULT_SOCKET).st_mode & 0o007:
        pytest.skip(f"{DEFAULT_SOCKET} is open to every user on this machine")
    env = _engine_env(HOME="/nonexistent")
    version = _run(_as_nobody([*cli_command(), "--version"]), env)
    if version.returncode != 0:  # the test venv lives where nobody can read it
        pytest.skip(f"uid {NOBODY} cannot run the driftcheck under test: {version.stderr[-200:]}")
    argv = _as_nobody([*cli_command(), "snapshot", "--container", "app", "-o", "-"])
    line = assert_one_line_error(_run(argv, env), 4)
    assert f"permission denied on the Docker socket unix://{DEFAULT_SOCKET} (default)" in line
    assert "docker group" in line and "chmod" not in line


def test_bogus_docker_host_scheme_is_one_line() -> None:
    env = _engine_env(DOCKER_HOST="bogus://nowhere:1")
    line = assert_one_line_error(run_cli("snapshot", "--container", "app", env=env), 4)
    assert "bogus://nowhere:1" in line and "DOCKER_HOST" in line


def _write_context(config: Path, name: str, host: str) -> None:
    """A docker context as `docker context create` stores it, made current in config.json."""
    meta = config / "contexts" / "meta" / hashlib.sha256(name.encode()).hexdigest()
    meta.mkdir(parents=True)
    (meta / "meta.json").write_text(
        json.dumps(
            {
                "Name": name,
                "Metadata": {"Description": "driftcheck test"},
                "Endpoints": {"docker": {"Host": host, "SkipTLSVerify": False}},
            }
        )
    )
    (config / "config.json").write_text(json.dumps({"currentContext": name}))


def test_current_docker_context_pointing_nowhere_is_named(tmp_path: Path) -> None:
    config = tmp_path / "docker-config"
    nowhere = tmp_path / "gone" / "engine.sock"
    _write_context(config, "staging", f"unix://{nowhere}")
    env = _engine_env(DOCKER_CONFIG=str(config))
    line = assert_one_line_error(run_cli("snapshot", "--container", "app", env=env), 4)
    assert f"unix://{nowhere} (context staging)" in line
    assert "chmod" not in line


def test_docker_host_wins_over_the_current_context(tmp_path: Path) -> None:
    config = tmp_path / "docker-config"
    _write_context(config, "staging", f"unix://{tmp_path}/context.sock")
    env = _engine_env(DOCKER_CONFIG=str(config), DOCKER_HOST=f"unix://{tmp_path}/host.sock")
    line = assert_one_line_error(run_cli("snapshot", "--container", "app", env=env), 4)
    assert "host.sock (DOCKER_HOST)" in line and "context.sock" not in line


def test_unreadable_context_is_one_line(tmp_path: Path) -> None:
    config = tmp_path / "docker-config"
    config.mkdir()
    (config / "config.json").write_text(json.dumps({"currentContext": "vanished"}))
    env = _engine_env(DOCKER_CONFIG=str(config))
    line = assert_one_line_error(run_cli("snapshot", "--container", "app", env=env), 4)
    assert "'vanished'" in line and "docker context use default" in line


@pytest.mark.docker
def test_working_docker_context_is_used(tmp_path: Path, run_container, bookworm_image) -> None:
    """A context whose socket is another path to the engine: only it can reach the container."""
    if "://" in ENGINE_SOCKET:
        pytest.skip(f"the suite's engine is not on a unix socket ({ENGINE_SOCKET})")
    link = tmp_path / "via-context.sock"
    link.symlink_to(ENGINE_SOCKET)
    config = tmp_path / "docker-config"
    _write_context(config, "local-link", f"unix://{link}")
    container = run_container(bookworm_image)
    env = _engine_env(DOCKER_CONFIG=str(config))
    result = run_cli("snapshot", "--container", container.name, "-o", "-", env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["container"]["container_name"] == container.name
    # DOCKER_CONTEXT picks a context by name over config.json's current one.
    _write_context(config, "elsewhere", f"unix://{tmp_path}/elsewhere.sock")
    env_named = _engine_env(DOCKER_CONFIG=str(config), DOCKER_CONTEXT="local-link")
    result = run_cli("snapshot", "--container", container.name, "-o", "-", env=env_named)
    assert result.returncode == 0, result.stderr
    line = assert_one_line_error(run_cli("snapshot", "--container", container.name, env=env), 4)
    assert f"unix://{tmp_path}/elsewhere.sock (context elsewhere)" in line
    link.unlink()  # the working context now leads nowhere: the failure names it
    line = assert_one_line_error(
        run_cli("snapshot", "--container", container.name, env=env_named), 4
    )
    assert f"unix://{link} (context local-link)" in line
