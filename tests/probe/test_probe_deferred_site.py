"""The probe starts Python with -S and runs site.py itself (so that a FIFO .pth cannot
block it): what it reports must be what a normal start of the same interpreter gives.

Real venvs (one isolated, one that sees the system site and so the user site), a real
user site under a HOME of the test's own, a real .pth file adding a folder, PYTHONPATH,
and a real FIFO: a normal `python -c` start is asked for sys.path, sys.flags and
site.ENABLE_USER_SITE, the probe is run on the same interpreter with the same
environment, and both must agree entry for entry.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from driftcheck.errors import ProbeError
from driftcheck.probe import build_request, parse_output
from driftcheck.targets.local_run import start_local_probe

BASE_PYTHON = Path(getattr(sys, "_base_executable", sys.executable))
# Every CPython from 3.8 this machine has (pyenv), else the one running the tests: site.py
# changed across them (3.8-3.10 set a venv's sys.prefix in site.venv(), 3.13 skips hidden
# .pth files), and each must come out of the bootstrap as from a normal start.
PYTHONS = sorted(
    p
    for p in Path.home().glob(".pyenv/versions/3.*/bin/python3")
    if int(p.parent.parent.name.split(".")[1]) >= 8
) or [BASE_PYTHON]
OLD_PYTHONS = sorted(
    p
    for pattern in (".pyenv/versions/2.*/bin/python", ".pyenv/versions/3.[67].*/bin/python3")
    for p in Path.home().glob(pattern)
)
NORMAL_START = (
    "import json, site, sys\n"
    "flags = {n: int(getattr(sys.flags, n)) for n in dir(sys.flags) if not n.startswith('_')"
    " and n not in ('count', 'index') and not n.startswith('n_')"
    " and isinstance(getattr(sys.flags, n), int)}\n"
    "print(json.dumps({'sys_path': sys.path[1:], 'flags': flags,"
    " 'user_site': bool(site.ENABLE_USER_SITE), 'prefix': sys.prefix}))\n"
)


def normal_start(python: Path, env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [str(python), "-c", NORMAL_START], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


@pytest.mark.parametrize("base", PYTHONS, ids=[p.parent.parent.name for p in PYTHONS])
@pytest.mark.parametrize("system_site", [False, True], ids=["isolated-venv", "system-site-venv"])
def test_the_probe_sees_the_sys_path_and_flags_of_a_normal_start(
    tmp_path: Path, system_site: bool, base: Path
) -> None:
    venv = tmp_path / "env"
    options = ["--system-site-packages"] if system_site else []
    subprocess.run([str(base), "-m", "venv", "--without-pip", *options, str(venv)],
                   check=True, capture_output=True)  # fmt: skip
    python = venv / "bin" / "python"
    (site,) = venv.glob("lib/python3*/site-packages")
    (tmp_path / "plugins").mkdir()
    (site / "plugins.pth").write_text(f"{tmp_path / 'plugins'}\n")
    home = tmp_path / "home"
    version = site.parent.name  # python3.X
    user_site = home / ".local" / "lib" / version / "site-packages"
    user_site.mkdir(parents=True)
    (tmp_path / "user-plugins").mkdir()
    (user_site / "user.pth").write_text(f"{tmp_path / 'user-plugins'}\n")
    (tmp_path / "pp").mkdir()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "PYTHONPATH": str(tmp_path / "pp"),
    }
    normal = normal_start(python, env)
    assert normal["user_site"] is system_site  # an isolated venv turns the user site off
    assert (str(user_site) in normal["sys_path"]) is system_site

    os.mkfifo(site / "zz_fifo.pth")  # a normal start would now block for good
    request = build_request()
    facts = parse_output(start_local_probe(python, request, env=env).answer(60), request, "test")
    probed = facts["python"]
    assert probed["sys_path"] == normal["sys_path"]
    assert probed["flags"] == normal["flags"]
    assert probed["prefix"] == normal["prefix"]
    assert probed["start_up_blockers"] == [str(site / "zz_fifo.pth")]


@pytest.mark.skipif(not OLD_PYTHONS, reason="no Python 2.7, 3.6 or 3.7 on this machine (pyenv)")
@pytest.mark.parametrize("old", OLD_PYTHONS, ids=[p.parent.parent.name for p in OLD_PYTHONS])
def test_an_old_python_started_with_the_deferred_site_is_still_refused_clearly(old: Path) -> None:
    """The bootstrap, site code included, parses on Python 2 and reaches its version check."""
    version = ".".join(old.parent.parent.name.split(".")[:2])
    request = build_request()
    with pytest.raises(ProbeError) as caught:
        start_local_probe(old, request, env={"PATH": "/usr/bin:/bin"}).answer(60)
    assert str(caught.value) == f"{old} is Python {version}; driftcheck probes Python 3.8 and later"
