"""Real virtual environments for the host-target tests, built once per session."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from canaries import CANARIES
from support import make_editable_project

WHEELS = ("six==1.16.0", "idna==3.7", "attrs==23.2.0")
CACHE = Path(os.environ.get("DRIFTCHECK_TEST_CACHE", Path.home() / ".cache" / "driftcheck-tests"))


@dataclass(frozen=True)
class RealVenv:
    root: Path
    python: Path
    site_packages: Path
    editable_project: Path


def _run(*args: str | Path) -> None:
    subprocess.run([str(a) for a in args], check=True, capture_output=True, text=True)


@pytest.fixture(scope="session")
def wheelhouse() -> Path:
    folder = CACHE / "host-wheels"
    folder.mkdir(parents=True, exist_ok=True)
    wanted = [*WHEELS, "setuptools>=68", "wheel"]
    _run(
        sys.executable, "-m", "pip", "download", "-q", "--only-binary=:all:", "-d", folder, *wanted
    )
    return folder


@pytest.fixture(scope="session")
def real_venv(tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path) -> RealVenv:
    """A venv with real wheels, one editable install and a noisy .pth file."""
    root = tmp_path_factory.mktemp("venv") / "env"
    _run(sys.executable, "-m", "venv", root)
    python = root / "bin" / "python"
    pip = [python, "-m", "pip", "install", "-q", "--no-index", "--find-links", wheelhouse]
    _run(*pip, "setuptools>=68", "wheel", *WHEELS)
    project = make_editable_project(root.parent)
    _run(*pip, "--no-build-isolation", "-e", project)
    site = Path(
        subprocess.check_output(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    # A .pth line that runs code and prints at every start-up: framing must survive it.
    (site / "zz_noisy.pth").write_text("import sys; print('hello from a .pth file')\n")
    return RealVenv(root=root, python=python, site_packages=site, editable_project=project)


@pytest.fixture()
def canary_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "CONDA_PREFIX")}
    env.update(CANARIES)
    return env


@pytest.fixture(scope="session")
def host_snapshot_doc(real_venv: RealVenv, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One real snapshot document, for tests that edit it into bad shapes."""
    from support import run_cli

    out = tmp_path_factory.mktemp("snap") / "host.json"
    result = run_cli("snapshot", "--python", str(real_venv.python), "-o", str(out))
    assert result.returncode == 0, result.stderr
    import json

    return json.loads(out.read_text())  # type: ignore[no-any-return]
