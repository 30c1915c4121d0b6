"""Real environments for the diff-engine scenarios, built and snapshotted once per session.

Every scenario pair is captured through the real probe from real virtual
environments with real wheels (downloaded once into the test cache, then
installed with --no-index). A venv is changed between two snapshots where a
scenario is about one change (a package uninstalled, an editable install
replaced), so that nothing else differs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from diff_scenarios import DRIFT_A, DRIFT_B, DriftPair, NumpyScenarios, ProjectScenarios

from support import Venv, make_editable_project, python311, wheelhouse

# cp311 manylinux wheels: numpy 1.x and 2.x, pandas 2.0.3 (built against numpy 1.x), and
# contourpy 1.2.0, whose real metadata says Requires-Dist: numpy<2.0,>=1.20.
NUMPY_WHEELS = (
    "numpy==1.26.4",
    "numpy==2.1.0",
    "pandas==2.0.3",
    "contourpy==1.2.0",
    "python-dateutil==2.9.0.post0",
    "pytz==2024.1",
    "tzdata==2024.1",
    "six==1.16.0",
)
SMALL_WHEELS = ("six==1.16.0", "idna==3.7", "attrs==23.2.0", "setuptools>=70.1")
# Two releases of each small pure-Python package, for venvs that drift and are put back.
DRIFT_WHEELS = (
    "six==1.16.0",
    "six==1.17.0",
    "idna==3.7",
    "attrs==23.2.0",
    "attrs==24.2.0",
    "packaging==24.1",
)


@pytest.fixture(scope="session")
def numpy_wheels() -> Path:
    return wheelhouse("diff-numpy-wheels", NUMPY_WHEELS)


@pytest.fixture(scope="session")
def small_wheels() -> Path:
    return wheelhouse("diff-small-wheels", SMALL_WHEELS)


@pytest.fixture(scope="session")
def drift_wheels() -> Path:
    return wheelhouse("diff-drift-wheels", DRIFT_WHEELS)


@pytest.fixture(scope="session")
def cpython311() -> Path:
    return python311()


@pytest.fixture(scope="session")
def uv_binary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """uv itself, installed from its wheel (downloaded once) into a venv of its own."""
    wheels = wheelhouse("diff-uv-wheel", ("uv==0.13.9",))
    tools = Venv(tmp_path_factory.mktemp("uv-tool") / "venv", wheels)
    tools.install("uv==0.13.9")
    return tools.root / "bin" / "uv"


@pytest.fixture(scope="session")
def clean_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A small, fixed environment: what the probe sees is what the scenario set."""
    home = tmp_path_factory.mktemp("home")
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(home)}


@pytest.fixture(scope="session")
def make_venv() -> type[Venv]:
    """Venv(root, wheelhouse): a CPython 3.11 venv that installs from the wheelhouse only."""
    return Venv


@pytest.fixture(scope="session")
def numpy_scenarios(
    tmp_path_factory: pytest.TempPathFactory, numpy_wheels: Path, clean_env: dict[str, str]
) -> NumpyScenarios:
    root = tmp_path_factory.mktemp("numpy")
    one, two = Venv(root / "numpy1", numpy_wheels), Venv(root / "numpy2", numpy_wheels)
    one.install("numpy==1.26.4", "pandas==2.0.3")
    two.install("numpy==2.1.0", "pandas==2.0.3")
    numpy1, numpy2 = one.snapshot(clean_env, "numpy1"), two.snapshot(clean_env, "numpy2")
    one.install("contourpy==1.2.0")
    two.install("--no-deps", "contourpy==1.2.0")  # pip's resolver would refuse it otherwise
    return NumpyScenarios(
        numpy1=numpy1,
        numpy2=numpy2,
        numpy1_contourpy=one.snapshot(clean_env, "numpy1+contourpy"),
        numpy2_contourpy=two.snapshot(clean_env, "numpy2+contourpy"),
        numpy2_python=two.python,
    )


@pytest.fixture(scope="session")
def project_scenarios(
    tmp_path_factory: pytest.TempPathFactory, small_wheels: Path, clean_env: dict[str, str]
) -> ProjectScenarios:
    root = tmp_path_factory.mktemp("project")
    venv = Venv(root / "venv", small_wheels)
    venv.install("setuptools>=70.1", "six==1.16.0", "idna==3.7", "attrs==23.2.0")
    project = make_editable_project(root)
    venv.install("--no-build-isolation", "-e", project)
    base = venv.snapshot(clean_env, "base")
    again = venv.snapshot(clean_env, "again")
    extra = root / "shadow-code"
    extra.mkdir()
    changed_env = {**clean_env, "PYTHONPATH": str(extra), "LANG": "de_DE.UTF-8"}
    env_changed = venv.snapshot(changed_env, "env-changed")
    venv.pip("uninstall", "-y", "idna")
    idna_missing = venv.snapshot(clean_env, "idna-missing")
    venv.install("idna==3.7")
    venv.pip("uninstall", "-y", "myproject")
    venv.install("--no-build-isolation", "--no-deps", project)
    installed = venv.snapshot(clean_env, "installed")
    return ProjectScenarios(base, again, env_changed, idna_missing, installed, str(extra))


@pytest.fixture(scope="session")
def drift_pair(
    tmp_path_factory: pytest.TempPathFactory, drift_wheels: Path, clean_env: dict[str, str]
) -> DriftPair:
    root = tmp_path_factory.mktemp("drift")
    a, b = Venv(root / "a", drift_wheels), Venv(root / "b", drift_wheels)
    a.install(*DRIFT_A)
    b.install(*DRIFT_B)
    return DriftPair(a.snapshot(clean_env, "a"), b.snapshot(clean_env, "b"), a.python, b.python)
