"""The store from the command line: secrets, choices, bad stores, commits."""

from __future__ import annotations

import os
import subprocess
import sys
import zlib
from dataclasses import replace
from pathlib import Path

import pytest

from driftcheck.snapshot import files as snapshot_files
from driftcheck.snapshot.model import Distribution
from driftcheck.store.commit import current_commit
from driftcheck.store.history import open_store
from driftcheck.store.location import parse_location

from canaries import CANARIES, SECRET_ENVIRONMENT, SECRET_SHAPES, assert_no_canary
from support import assert_one_line_error, run_cli, small_snapshot

PASSWORD = "s3cr3tPassw0rdXYZ"  # a canary substring: it must never be printed


def _store_contents(location: str) -> list[str]:
    """Everything the store holds, as text: every column, every snapshot inflated, and
    for SQLite the raw bytes of the file and its write-ahead log."""
    texts: list[str] = []
    with open_store(location) as store:
        for row in store._db.run("SELECT * FROM snapshots"):
            for value in row:
                if isinstance(value, bytes | memoryview):
                    texts.append(zlib.decompress(bytes(value)).decode("utf-8"))
                else:
                    texts.append(str(value))
    if parse_location(location).kind == "sqlite":
        for suffix in ("", "-wal"):
            path = Path(location + suffix)
            if path.exists():
                texts.append(path.read_bytes().decode("latin-1"))
    return texts


def test_no_secret_reaches_the_store(store_location: str, tmp_path: Path) -> None:
    """A real host snapshot with every canary in its environment, recorded by
    `snapshot --store`: the store holds the redacted snapshot, nothing in clear."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "CONDA_PREFIX")}
    env.update(CANARIES)
    env.update(SECRET_ENVIRONMENT)
    env["CI_COMMIT_SHA"] = "0123456789abcdef0123456789abcdef01234567"
    out = tmp_path / "host.json"
    result = run_cli(
        "snapshot", "--python", sys.executable, "--label", "laptop", "-o", str(out),
        "--store", store_location, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "recorded @1 as laptop" in result.stderr
    contents = _store_contents(store_location)
    assert any("CANARY" in text or "GITHUB_TOKEN" in text for text in contents)  # env is there
    assert_no_canary(result.stdout, result.stderr, *contents)
    for shape in SECRET_SHAPES:
        for secret in shape.never:
            assert all(secret not in text for text in contents), shape.name
    with open_store(store_location) as store:
        (entry,) = store.entries()
    assert entry.commit == env["CI_COMMIT_SHA"] and entry.verdict is None
    stored = run_cli("show", "@latest:laptop", "--store", store_location)
    assert stored.returncode == 0, stored.stderr
    assert_no_canary(stored.stdout, stored.stderr)


def test_a_first_pass_is_accepted_with_update_baseline(tmp_path: Path) -> None:
    """No committed baseline at all: the first run accepts the target as the first pass,
    later runs check against the newest pass and record their own verdicts."""
    location = str(tmp_path / "first.db")
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    snapshot_files.save(small_snapshot(), good)
    six = Distribution("six", "six", "1.17.0", "/site", "six-1.17.0.dist-info")
    snapshot_files.save(replace(small_snapshot(), distributions=(six,)), bad)
    check = ("check", "--baseline", "@last-pass:api", "--store", location, "--fail-on", "info")
    first = assert_one_line_error(run_cli(*check, "--target", str(good)), 2)
    assert "no snapshot of api whose check passed" in first and "--update-baseline" in first
    accepted = run_cli(*check, "--update-baseline", "--target", str(good))
    assert accepted.returncode == 0, accepted.stderr
    assert "recorded @1 (pass) as api" in accepted.stderr
    assert run_cli(*check, "--target", str(good)).returncode == 0
    # no label: the only label in the store, and the run is recorded under it too
    failed = run_cli(*check[:2], "@last-pass", *check[3:], "--target", str(bad))
    assert failed.returncode == 1 and "recorded @3 (fail) as api" in failed.stderr
    listed = run_cli("history", "api", "--store", location)
    assert [line.split()[-1] for line in listed.stdout.splitlines()[1:]] == [
        "fail",
        "pass",
        "pass",
    ]


def test_the_store_can_come_from_the_environment(tmp_path: Path) -> None:
    location = str(tmp_path / "env.db")
    with open_store(location) as store:
        store.record(small_snapshot(), verdict="pass")
    env = {**os.environ, "DRIFTCHECK_STORE": f"sqlite:///{location}"}
    result = run_cli("show", "@last-pass", env=env)
    assert result.returncode == 0, result.stderr
    assert "Snapshot unit" in result.stdout


def test_a_label_is_needed_when_the_store_holds_several(tmp_path: Path) -> None:
    location = str(tmp_path / "labels.db")
    with open_store(location) as store:
        store.record(replace(small_snapshot(), label="api"), verdict="pass")
        store.record(replace(small_snapshot(), label="worker"), verdict="fail")
    line = assert_one_line_error(run_cli("show", "@last-pass", "--store", location), 2)
    assert "several labels (api, worker)" in line and "@last-pass:LABEL" in line
    ok = run_cli("show", "@last-pass:api", "--store", location)
    assert ok.returncode == 0, ok.stderr
    none = assert_one_line_error(run_cli("show", "@last-pass:worker", "--store", location), 2)
    assert "no snapshot of worker whose check passed" in none
    unknown = assert_one_line_error(run_cli("show", "@4", "--store", location), 2)
    assert "no snapshot @4" in unknown


@pytest.mark.parametrize(
    ("args", "wanted"),
    [
        (("show", "@last-pass"), "reads the history store: pass --store"),
        (("history",), "history reads a store: pass --store"),
        (("show", "@yesterday", "--store", "x.db"), "is not a stored snapshot"),
        (("history", "--store", "mysql://db/x"), "not a store"),
        (("history", "--store", "no-such-folder/h.db"), "no such file; check the path"),
        (
            ("check", "--baseline", "@7", "--update-baseline", "--store", "x.db"),
            "a stored snapshot is never replaced",
        ),
        (
            ("check", "--baseline", "@last-pass", "--update-baseline"),
            "records in the history store: pass --store",
        ),
    ],
)
def test_usage_errors_are_one_line(tmp_path: Path, args: tuple[str, ...], wanted: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DRIFTCHECK_STORE"}
    line = assert_one_line_error(run_cli(*args, env=env, cwd=tmp_path), 2)
    assert wanted in line


def test_an_empty_store_says_how_to_fill_it(tmp_path: Path) -> None:
    line = assert_one_line_error(run_cli("show", "@latest", "--store", str(tmp_path / "e.db")), 2)
    assert "is empty" in line and "--store" in line


def test_a_file_that_is_not_a_store_is_exit_3(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not SQLite " * 200)
    line = assert_one_line_error(run_cli("history", "--store", str(junk)), 3)
    assert "not a usable driftcheck store" in line


def test_hostile_labels_are_escaped_in_the_listing(tmp_path: Path) -> None:
    location = str(tmp_path / "hostile.db")
    with open_store(location) as store:
        store.record(replace(small_snapshot(), label="evil\x1b]52;c;AAAA\x07\x1b[2J"))
    result = run_cli("history", "--store", location)
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "evil" in result.stdout


def test_an_unreachable_server_is_exit_4_without_its_password() -> None:
    with socket_port() as port:  # a loopback port nobody listens on
        url = f"postgresql://ci:{PASSWORD}@127.0.0.1:{port}/history"
    line = assert_one_line_error(run_cli("history", "--store", url), 4)
    assert "cannot connect" in line and "postgresql://ci@127.0.0.1" in line
    assert PASSWORD not in line


def test_without_psycopg_the_way_to_install_it_is_one_line() -> None:
    """The interpreter cannot import psycopg (as in an install without the extra)."""
    code = (
        "import sys; sys.modules['psycopg'] = None\n"
        "from driftcheck.cli.app import main\n"
        "sys.exit(main(['history', '--store', 'postgresql://ci@127.0.0.1:1/h']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    line = assert_one_line_error(result, 2)
    assert "pip install 'driftcheck[postgres]'" in line


def test_the_commit_comes_from_ci_else_git_else_none(tmp_path: Path) -> None:
    sha = "89abcdef0123456789abcdef0123456789abcdef"
    assert current_commit({"CI_COMMIT_SHA": sha, "GITHUB_SHA": "0" * 40}) == sha
    assert current_commit({"GITHUB_SHA": sha.upper()}) == sha
    assert current_commit({"GITHUB_SHA": "$(rm -rf /)"}) is None  # not a commit: not kept
    repo = tmp_path / "repo"
    repo.mkdir()
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-C", str(repo)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "one"], check=True)
    head = subprocess.run(
        [*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()
    assert current_commit({}, str(repo)) == head
    outside = tmp_path / "not-a-repo"
    outside.mkdir()
    assert current_commit({}, str(outside)) is None


def test_locations_name_no_password() -> None:
    assert parse_location("sqlite:////var/lib/h.db").target == "/var/lib/h.db"
    assert parse_location("sqlite:///h.db").target == "h.db"
    assert parse_location("runs/h.db").kind == "sqlite"
    url = f"postgresql://ci:{PASSWORD}@db.example:5433/history?sslmode=require"
    location = parse_location(url)
    assert location.kind == "postgresql" and location.target == url
    assert location.name == "postgresql://ci@db.example:5433/history"


class socket_port:
    """A free loopback port, closed again on exit (so nothing answers there)."""

    def __enter__(self) -> int:
        import socket

        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        return int(self._socket.getsockname()[1])

    def __exit__(self, *exc: object) -> None:
        self._socket.close()


def test_a_stored_snapshot_is_inflated_only_up_to_the_file_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A zlib bomb in a row stops at the snapshot-file limit (lowered here to 1 MiB)."""
    from driftcheck.errors import InvalidSnapshotError
    from driftcheck.store import blob

    monkeypatch.setattr(snapshot_files, "MAX_SNAPSHOT_BYTES", 1024 * 1024)
    bomb = zlib.compress(b" " * (8 * 1024 * 1024), 9)
    with pytest.raises(InvalidSnapshotError, match="larger than 1048576 bytes inflated"):
        blob.unpack(bomb, "store x, snapshot @1")
    assert blob.unpack(blob.pack(small_snapshot()), "store x, snapshot @2").label == "unit"


def test_a_command_that_only_reads_never_creates_a_store(tmp_path: Path) -> None:
    """`history --store runs/histroy.db` (a typo) is a usage error, not a new empty store.
    (A stored reference, `@latest --store typo.db`, says the store is empty: exit 2.)"""
    typo = tmp_path / "histroy.db"
    result = run_cli("history", "--store", str(typo))
    assert "no such file; check the path" in assert_one_line_error(result, 2)
    assert not typo.exists()
