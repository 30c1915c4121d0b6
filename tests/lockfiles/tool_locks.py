"""Poetry and Pipenv projects locked and installed by the real tools (see conftest.py).

Both tools take only an index URL, so the lock wheelhouse is served as a PEP 503
simple index on 127.0.0.1 (simple_index.py). Both projects want what the uv one
does, with idna held at 3.6 so that an upgrade can drift from it: requests and its
dependencies, `colorama` only on Windows, `tomli` only before Python 3.11, `six`
in the dev group (which `poetry install` installs and `pipenv sync` does not). The
poetry project is in package mode, as by default: `poetry install` installs `app`
itself too (editable), which its lock does not list.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from support import CACHE, Venv, python311

POETRY = "poetry==2.5.1"
PIPENV = "pipenv==2026.10.3"
# Both tools and everything they need to run, for Python 3.11 (no name twice).
TOOL_WHEELS = (
    POETRY, PIPENV, "anyio==4.16.0", "backports.tarfile==1.2.0", "backports_zstd==1.8.0",
    "build==1.6.1", "cachecontrol==0.14.4", "certifi==2026.10.19.post1", "cffi==2.1.1",
    "charset_normalizer==3.5.3", "cleo==2.1.0", "crashtest==0.4.1", "cryptography==51.0.1",
    "distlib==0.4.4", "dulwich==1.2.21", "fastjsonschema==2.22.3", "filelock==4.3.2",
    "findpython==0.8.0", "h11==0.16.0", "httpcore2==2.17.0", "httpx2==2.17.0", "idna==3.21",
    "importlib_metadata==10.2.0", "installer==1.1.0", "jaraco.classes==3.4.0",
    "jaraco_context==6.1.2", "jaraco_functools==4.6.0", "jeepney==0.9.0", "keyring==25.7.0",
    "lazy_importer==0.1.0", "more_itertools==11.2.1", "msgpack==1.2.4", "packaging==26.4",
    "pbs_installer==2026.10.25", "pkginfo==1.13.3", "platformdirs==4.14.9",
    "poetry_core==2.5.0", "pycparser==3.12", "pyproject_hooks==1.3.3",
    "python_discovery==1.9.9", "rapidfuzz==3.14.6", "requests==2.34.2",
    "requests_toolbelt==1.0.0", "secretstorage==3.5.0", "setuptools==84.2.1",
    "shellingham==1.5.4", "tomlkit==0.15.3", "trove_classifiers==2026.9.21.13",
    "truststore==0.10.5", "typing_extensions==4.16.0", "urllib3==2.8.0",
    "virtualenv==21.15.14", "zipp==4.1.2",
)  # fmt: skip

POETRY_PYPROJECT = """\
[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = [
  "requests==2.32.3",
  "idna==3.6",
  "colorama==0.4.6; sys_platform == 'win32'",
  "tomli==2.0.1; python_version < '3.11'",
]

[[tool.poetry.source]]
name = "local"
url = "{index}"
priority = "primary"

[tool.poetry.group.dev.dependencies]
six = "1.16.0"
"""
PIPFILE = """\
[[source]]
url = "{index}"
verify_ssl = false
name = "local"

[packages]
requests = "==2.32.3"
idna = "==3.6"
colorama = {{version = "==0.4.6", markers = "sys_platform == 'win32'"}}
tomli = {{version = "==2.0.1", markers = "python_version < '3.11'"}}

[dev-packages]
six = "==1.16.0"

[requires]
python_version = "3.11"
"""


@contextlib.contextmanager
def _cache_lock() -> Iterator[None]:
    """Sessions on one machine share the cache: one fills it at a time."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / "lockfile-tools.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _digest() -> str:
    return hashlib.sha256("\n".join((str(python311()), *TOOL_WHEELS)).encode()).hexdigest()


def tool_bin(requirement: str) -> Path:
    """The bin folder of a venv holding `requirement` (poetry or pipenv), made once from
    TOOL_WHEELS (downloaded in one pip call) and kept in the test cache; a stamp says
    it is whole."""
    name = requirement.partition("==")[0]
    root = CACHE / f"lockfile-tool-{name}-{_digest()[:12]}"
    stamp = root / ".complete"
    with _cache_lock():
        if not stamp.exists():
            shutil.rmtree(root, ignore_errors=True)
            Venv(root / "venv", _tool_wheelhouse()).install(requirement)
            stamp.write_text(requirement)
    return root / "venv" / "bin"


def _tool_wheelhouse() -> Path:
    folder = CACHE / "lockfile-tool-wheels"
    stamp = folder / ".complete"
    if stamp.exists() and stamp.read_text() == _digest():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    _run(
        python311(), "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
        "-d", folder, *TOOL_WHEELS,
    )  # fmt: skip
    stamp.write_text(_digest())
    return folder


@dataclass(frozen=True)
class ToolProject:
    """A project folder locked by `tool`, run with an environment of its own."""

    tool: Path  # the poetry or pipenv executable
    folder: Path
    env: Mapping[str, str]

    def run(self, *args: str, folder: Path | None = None) -> str:
        result = subprocess.run(
            [str(self.tool), *args],
            cwd=folder or self.folder,
            env=dict(self.env),
            capture_output=True,
            text=True,
            timeout=300,
            stdin=subprocess.DEVNULL,
        )
        assert result.returncode == 0, (args, result.stdout[-2000:], result.stderr[-2000:])
        return result.stdout

    def copy(self, folder: Path, lock: str) -> Path:
        """The project and its lock in another folder: its in-project venv is its own."""
        folder.mkdir(parents=True)
        for name in ("pyproject.toml", "Pipfile", lock):
            if (self.folder / name).exists():
                shutil.copyfile(self.folder / name, folder / name)
        if (self.folder / "app").is_dir():
            shutil.copytree(self.folder / "app", folder / "app")
        return folder


def tool_env(root: Path) -> dict[str, str]:
    """Offline from any index but ours, no user config, venvs inside the project."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(root / "home"),
        "LANG": "C.UTF-8",
        "PIP_CONFIG_FILE": os.devnull,
        "POETRY_CACHE_DIR": str(root / "poetry-cache"),
        "POETRY_CONFIG_DIR": str(root / "poetry-config"),
        "POETRY_DATA_DIR": str(root / "poetry-data"),
        "POETRY_VIRTUALENVS_IN_PROJECT": "true",
        "POETRY_VIRTUALENVS_USE_POETRY_PYTHON": "true",
        "POETRY_NO_INTERACTION": "1",
        "POETRY_KEYRING_ENABLED": "false",
        "PIPENV_VENV_IN_PROJECT": "1",
        "PIPENV_IGNORE_VIRTUALENVS": "1",
        "PIPENV_NOSPIN": "1",
        "PIPENV_YES": "1",
        "PIPENV_CACHE_DIR": str(root / "pipenv-cache"),
        "PIPENV_PYTHON": str(python311()),
    }


def drift(venv_python: Path, wheels: Path, env: Mapping[str, str]) -> None:
    """Upgrade one (idna 3.6 → 3.7), remove one (certifi), add one (tomli, locked for < 3.11)."""
    pip = [venv_python, "-m", "pip", "-q"]
    _run(
        *pip, "install", "--no-index", "--find-links", wheels, "idna==3.7", "tomli==2.0.1", env=env
    )
    _run(*pip, "uninstall", "-y", "certifi", env=env)


def _run(*args: str | Path, env: Mapping[str, str] | None = None) -> None:
    result = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=300,
        env=None if env is None else dict(env), stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 0, (args, result.stdout[-2000:], result.stderr[-2000:])


@dataclass(frozen=True)
class ToolEnvs:
    project: ToolProject  # the folder where the tool locked
    lock: str  # poetry.lock or Pipfile.lock
    install: tuple[str, ...]  # the tool's arguments that install from the lock
    matching: Path  # a copy of the project, its .venv installed from the lock
    drifted: Path  # another, then idna 3.7, no certifi, tomli added
