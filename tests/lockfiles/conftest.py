"""Real lockfiles made by the real tools, and real environments installed from them.

uv (from its wheel, downloaded once into the test cache) locks a small project
offline against a wheelhouse: requests and its dependencies, `colorama` only on
Windows, `tomli` only before Python 3.11, `six` in the dev group. From that lock
it exports `pylock.toml` and `requirements.txt`, `uv pip compile --universal
--generate-hashes` writes a hashed requirements file, and pip-tools' `pip-compile
--generate-hashes` (its wheels cached too) another, for the running Python only.
Environments are CPython 3.11 venvs installed from those files with --no-index:
one matching the lock, one drifted from it in three ways (idna downgraded,
certifi removed, tomli added).

Poetry and Pipenv (their wheels cached too) lock a like project against the same
wheelhouse served as a simple index on 127.0.0.1 (tool_locks.py); `poetry install`
and `pipenv sync` install it into in-project venvs, one left as locked, one drifted
(idna upgraded, certifi removed, tomli added).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from lock_envs import (
    LOCK_WHEELS,
    PIP_TOOLS,
    PIP_TOOLS_WHEELS,
    PYPROJECT,
    REQUIREMENTS_IN,
    UV,
    LockedProject,
    LockEnvs,
)
from simple_index import SimpleIndex
from tool_locks import (
    PIPENV,
    PIPFILE,
    POETRY,
    POETRY_PYPROJECT,
    ToolEnvs,
    ToolProject,
    drift,
    tool_bin,
    tool_env,
)

from support import Venv, python311, wheelhouse


@pytest.fixture(scope="session")
def locked_project(tmp_path_factory: pytest.TempPathFactory) -> LockedProject:
    wheels = wheelhouse("lockfile-wheels", LOCK_WHEELS)
    tools = Venv(tmp_path_factory.mktemp("lock-tools") / "venv", wheelhouse("diff-uv-wheel", (UV,)))
    tools.install(UV)
    root = tmp_path_factory.mktemp("locked")
    folder = root / "project"
    folder.mkdir()
    (folder / "pyproject.toml").write_text(PYPROJECT)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(root),
        "UV_CACHE_DIR": str(root / "uv-cache"),
        "UV_NO_CONFIG": "1",
        "UV_OFFLINE": "1",
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_PYTHON": str(python311()),
    }
    project = LockedProject(folder, wheels, tools.root / "bin" / "uv", env)
    links = project.find_links()
    project.uv_run("lock", *links)
    project.uv_run("export", "--format", "pylock.toml", *links, "-o", "pylock.toml")
    project.uv_run("export", "--format", "requirements-txt", *links, "-o", "requirements.txt")
    project.uv_run(
        "pip", "compile", "pyproject.toml", "--universal", "--generate-hashes", *links,
        "-o", "requirements-hashes.txt",
    )  # fmt: skip
    _pip_compile(tmp_path_factory.mktemp("pip-tools"), project)
    return project


def _pip_compile(root: Path, project: LockedProject) -> None:
    """pip-tools' pip-compile, offline: it resolves for the running Python only."""
    tools = Venv(root / "venv", wheelhouse("lockfile-pip-tools-wheels", PIP_TOOLS_WHEELS))
    tools.install(PIP_TOOLS)
    (project.folder / "requirements.in").write_text(REQUIREMENTS_IN)
    result = subprocess.run(
        [
            tools.root / "bin" / "pip-compile", "-q", *project.find_links(),
            "--generate-hashes", "--no-emit-find-links", "--strip-extras",
            "-o", "requirements-pip-compile.txt", "requirements.in",
        ],
        cwd=project.folder, env={**project.env, "PIP_NO_CACHE_DIR": "1"},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.fixture(scope="session")
def lock_envs(tmp_path_factory: pytest.TempPathFactory, locked_project: LockedProject) -> LockEnvs:
    root = tmp_path_factory.mktemp("lock-envs")
    matching = locked_project.synced_venv(root / "matching")
    hashed = Venv(root / "hashed", locked_project.wheels)
    hashed.install("--require-hashes", "-r", locked_project.folder / "requirements-hashes.txt")
    drifted = locked_project.synced_venv(root / "drifted")
    links = locked_project.find_links()
    locked_project.uv_run(
        "pip", "install", "--python", drifted, *links, "idna==3.6", "tomli==2.0.1"
    )
    locked_project.uv_run("pip", "uninstall", "--python", drifted, "certifi")
    home = root / "home"
    home.mkdir()
    cli_env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(home)}
    return LockEnvs(locked_project, matching, hashed.python, drifted, cli_env)


@pytest.fixture(scope="session")
def simple_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleIndex]:
    """The lock wheelhouse as a PEP 503 index on 127.0.0.1, for poetry and pipenv."""
    index = SimpleIndex(wheelhouse("lockfile-wheels", LOCK_WHEELS), tmp_path_factory.mktemp("idx"))
    yield index
    index.stop()


def _tool(requirement: str) -> Path:
    """The tool's bin folder; skipped (failed under CI=true) when it cannot install."""
    try:
        return tool_bin(requirement)
    except (AssertionError, OSError, subprocess.SubprocessError) as exc:
        message = f"{requirement} could not be installed: {str(exc)[-300:]}"
        if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
            pytest.fail(f"CI=true and {message}", pytrace=False)
        pytest.skip(message)


def _tool_envs(root: Path, project: ToolProject, lock: str, install: tuple[str, ...]) -> ToolEnvs:
    """One copy installed from the lock and left alone, one installed then drifted."""
    matching = project.copy(root / "matching", lock)
    project.run(*install, folder=matching)
    drifted = project.copy(root / "drifted", lock)
    project.run(*install, folder=drifted)
    wheels = wheelhouse("lockfile-wheels", LOCK_WHEELS)
    drift(drifted / ".venv" / "bin" / "python", wheels, project.env)
    return ToolEnvs(project, lock, install, matching, drifted)


@pytest.fixture(scope="session")
def poetry_envs(tmp_path_factory: pytest.TempPathFactory, simple_index: SimpleIndex) -> ToolEnvs:
    bin_folder = _tool(POETRY)
    root = tmp_path_factory.mktemp("poetry")
    folder = root / "project"
    folder.mkdir()
    (folder / "pyproject.toml").write_text(POETRY_PYPROJECT.format(index=simple_index.url))
    (folder / "app").mkdir()
    (folder / "app" / "__init__.py").write_text("")
    project = ToolProject(bin_folder / "poetry", folder, tool_env(root))
    project.run("lock")
    return _tool_envs(root, project, "poetry.lock", ("install",))


@pytest.fixture(scope="session")
def pipenv_envs(tmp_path_factory: pytest.TempPathFactory, simple_index: SimpleIndex) -> ToolEnvs:
    bin_folder = _tool(PIPENV)
    root = tmp_path_factory.mktemp("pipenv")
    folder = root / "project"
    folder.mkdir()
    (folder / "Pipfile").write_text(PIPFILE.format(index=simple_index.url))
    project = ToolProject(bin_folder / "pipenv", folder, tool_env(root))
    project.run("lock")
    return _tool_envs(root, project, "Pipfile.lock", ("sync",))
