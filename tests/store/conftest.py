"""A real PostgreSQL server for the store tests, started once per session.

Debian's `postgresql` package (scripts/test.sh installs it): `initdb` and `pg_ctl` run
as a non-root user (`postgres`, else `nobody`) on a free loopback port, in a temporary
folder that user owns; each test gets a database of its own, dropped afterwards; the
server is stopped at the end of the session. Without the package the PostgreSQL tests
skip, and fail under CI=true (like the docker tests).

`store_location` runs a test against both backends: a SQLite file and that server.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

PG_USER = "driftcheck"
START_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class PostgresServer:
    port: int

    def url(self, database: str) -> str:
        return f"postgresql://{PG_USER}@127.0.0.1:{self.port}/{database}"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _unavailable(reason: str) -> NoReturn:
    if _in_ci():
        pytest.fail(f"CI=true and no PostgreSQL server for the store tests: {reason}", False)
    pytest.skip(f"SKIPPED (would FAIL under CI=true) - no PostgreSQL: {reason}")


def _postgres_bin() -> Path | None:
    for found in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.access(os.path.join(found, "pg_ctl"), os.X_OK):
            return Path(found)
    initdb = shutil.which("initdb")
    return Path(os.path.realpath(initdb)).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_user() -> pwd.struct_passwd | None:
    """PostgreSQL refuses to run as root: as root, run it as postgres (or nobody)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root with neither a postgres nor a nobody user")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    binaries = _postgres_bin()
    if binaries is None:
        _unavailable("no initdb/pg_ctl (install Debian's postgresql package)")
    user = _server_user()
    root = Path(tempfile.mkdtemp(prefix="driftcheck-pg-"))
    os.chmod(root, 0o700)
    if user is not None:
        os.chown(root, user.pw_uid, user.pw_gid)
    as_user = {} if user is None else {"user": user.pw_uid, "group": user.pw_gid}
    env = {"PATH": f"{binaries}:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(root)}
    data, log = root / "data", root / "server.log"
    port = _free_port()

    def pg(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(binaries / args[0]), *args[1:]],
            env=env,
            cwd=root,
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT_SECONDS + 30,
            check=check,
            stdin=subprocess.DEVNULL,
            extra_groups=[] if user is not None else None,
            **as_user,  # type: ignore[arg-type]
        )

    try:
        pg("initdb", "-D", str(data), "-U", PG_USER, "--auth=trust", "--no-sync", "-E", "UTF8")
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
        pg("pg_ctl", "-D", str(data), "-l", str(log), "-w", "-t", str(START_TIMEOUT_SECONDS),
           "-o", options, "start")  # fmt: skip
    except subprocess.CalledProcessError as exc:
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        _unavailable(f"{exc.cmd[0]} failed: {exc.stderr.strip()[-500:]} {tail}")
    try:
        yield PostgresServer(port)
    finally:
        pg("pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop", check=False)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh, empty database on the session's server."""
    import psycopg

    name = f"store_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server.url("postgres"), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    yield postgres_server.url(name)
    with psycopg.connect(postgres_server.url("postgres"), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new store of each kind: a SQLite file path, or a PostgreSQL URL."""
    if request.param == "sqlite":
        return str(tmp_path / "history.db")
    return str(request.getfixturevalue("postgres_url"))
