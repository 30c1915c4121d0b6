"""A plain host snapshot starts its probe before the CLI's imports, and adopts it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from driftcheck.cli.entry import host_snapshot_python
from driftcheck.probe import build_request, parse_output
from driftcheck.targets import prestart

from support import run_cli


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["snapshot"], (True, None)),
        (["snapshot", "--python", "/x/python", "-o", "out.json"], (True, "/x/python")),
        (["snapshot", "--python=/x/python", "--output=o.json", "--anonymize"], (True, "/x/python")),
        (["snapshot", "--label", "ci", "--python", "a", "--python", "b"], (True, "b")),
        (["snapshot", "-o", "-"], (True, None)),
        (["snapshot", "--python"], (False, None)),  # a value is missing: the CLI says so
        (["snapshot", "--container", "web"], (False, None)),
        (["snapshot", "--pid", "1"], (False, None)),
        (["snapshot", "--timeout", "5"], (False, None)),
        (["snapshot", "--help"], (False, None)),
        (["snapshot", "-oout.json"], (False, None)),
        (["snapshot", "extra"], (False, None)),
        (["diff", "a.json", "b.json"], (False, None)),
        (["--version"], (False, None)),
        ([], (False, None)),
    ],
)
def test_only_a_plain_host_snapshot_starts_early(args, expected):
    assert host_snapshot_python(args) == expected


def test_a_started_probe_is_adopted_only_by_the_same_run(real_venv):
    env = {"PATH": os.environ.get("PATH", ""), "EARLY": "1"}
    prestart.start(real_venv.python, env)
    # A host snapshot's request: the host reads the OS packages itself.
    same = {"os_packages": False}
    other_env = {**env, "EARLY": "2"}
    assert prestart.claim(real_venv.python, other_env, None, build_request(**same)) is None
    assert prestart.claim(real_venv.python, env, None, build_request("a-key", **same)) is None
    assert prestart.claim(Path(sys.executable), env, None, build_request(**same)) is None
    assert prestart.claim(real_venv.python, env, "/", build_request(**same)) is None
    assert prestart.claim(real_venv.python, env, None, build_request()) is None
    claimed = prestart.claim(real_venv.python, env, None, build_request(**same))
    assert claimed is not None
    probe, request = claimed
    facts = parse_output(probe.answer(), request, "test")
    assert facts["environment"]["EARLY"] == "1"
    assert facts["os_packages_raw"] is None  # not sent: the host reads them
    assert prestart.claim(real_venv.python, env, None, build_request(**same)) is None  # taken


def test_an_unclaimed_probe_is_stopped(real_venv):
    prestart.start(real_venv.python, {"PATH": os.environ.get("PATH", "")})
    (probe, _) = next(iter(prestart._started.values()))
    prestart.discard_all()
    assert not prestart._started
    assert probe._proc.poll() is not None  # killed or finished, and reaped


def _counting_venv(tmp_path: Path) -> tuple[Path, Path]:
    """A venv whose interpreter appends its pid to $START_LOG each time it starts (the
    .pth file may run twice in one start, when lib64 links to lib)."""
    root = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", root], check=True)
    python = root / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    log = "os.environ.get('START_LOG')"
    line = f"import os; p = {log}; p and open(p, 'a').write('%d\\n' % os.getpid())"
    Path(site, "count_starts.pth").write_text(line + "\n")
    return python, tmp_path / "starts.log"


@pytest.mark.parametrize("extra", [[], ["--label", "early", "--anonymize"], ["--timeout", "60"]])
def test_the_cli_runs_one_probe(tmp_path, extra):
    python, log = _counting_venv(tmp_path)
    env = {**os.environ, "START_LOG": str(log)}
    out = tmp_path / "snap.json"
    result = run_cli("snapshot", "--python", str(python), "-o", str(out), *extra, env=env)
    assert result.returncode == 0, result.stderr
    starts = set(log.read_text().split())
    assert len(starts) == 1  # started early and adopted, or started once


def test_a_usage_error_stops_the_early_probe(tmp_path):
    python, log = _counting_venv(tmp_path)
    env = {**os.environ, "START_LOG": str(log)}
    result = run_cli("snapshot", "--python", str(python), "--label", "no spaces", env=env)
    assert result.returncode == 2
    assert "label" in result.stderr
    assert "Traceback" not in result.stderr
