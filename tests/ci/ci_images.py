"""Images and wheels for the CI tests, built on this machine and cached like tests/images.py.

* the **wheelhouse**: driftcheck's dependencies and its build backend as wheels for the
  test images' Python (Debian's 3.11), downloaded by the host's pip (containers never
  reach an index), cached by a hash of the requirements;
* **driftcheck's wheel**, built on the host from the same files as the image's build
  context, offline from that wheelhouse;
* **driftcheck's own image**, built from the top-level ``Dockerfile`` with
  ``BASE`` = the debootstrap bookworm image and ``WHEELHOUSE`` = the wheelhouse, and
  tagged with a hash of the Dockerfile, the build context and the wheelhouse;
* a **helper image** for gitlab-ci-local (a debootstrap bookworm with rsync);
* a **drifted** variant of the bookworm venv image: one wheel at another version.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import tomllib
from docker.utils.build import exclude_paths  # type: ignore[import-untyped]

import images

REPO = Path(__file__).resolve().parents[2]
#: The Python of the test images (Debian bookworm's python3).
IMAGE_PYTHON = images.VENV_RECIPE.python_version
WHEELHOUSE_DIR = "wheelhouse"  # inside the build context, as the Dockerfile documents

#: gitlab-ci-local's helper containers copy the build folder and artifacts with rsync.
HELPER_RECIPE = images.BaseRecipe(include=("rsync",), repository="driftcheck-test/bookworm-rsync")

#: The bookworm venv image with MarkupSafe one major release back: a compiled package
#: that went from 3.x to 2.x, which the diff rates high.
DRIFTED_WHEELS = tuple(
    "MarkupSafe==2.1.5" if wheel.startswith("MarkupSafe==") else wheel
    for wheel in images.VENV_WHEELS
)
DRIFTED_VENV_RECIPE = images.VenvRecipe(
    base=images.BASE_RECIPE,
    wheels=DRIFTED_WHEELS,
    repository="driftcheck-test/bookworm-venv-drifted",
)


# --------------------------------------------------------------------------- plumbing


@contextlib.contextmanager
def _lock(name: str) -> Iterator[None]:
    with open(images.cache_dir() / f"{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _digest(*parts: bytes | str) -> str:
    sha = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        sha.update(len(data).to_bytes(8, "big"))
        sha.update(data)
    return sha.hexdigest()[:12]


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}): {done.stdout}\n{done.stderr}")


def _manylinux_platforms() -> list[str]:
    """Every manylinux tag a glibc 2.36 (bookworm) machine of this architecture accepts."""
    machine = platform.machine()
    tags = [f"manylinux_2_{minor}_{machine}" for minor in range(36, 4, -1)]
    return [*tags, f"manylinux2014_{machine}", f"manylinux2010_{machine}", f"manylinux1_{machine}"]


# --------------------------------------------------------------------------- wheels


def _requirements() -> list[str]:
    """driftcheck's dependencies plus its build backend, as pyproject.toml names them."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    return sorted([*project["project"]["dependencies"], *project["build-system"]["requires"]])


def ensure_wheelhouse() -> Path:
    """Wheels that install driftcheck (and build it) offline on the test images' Python."""
    requirements = _requirements()
    platforms = _manylinux_platforms()
    digest = _digest(IMAGE_PYTHON, *requirements, *platforms)
    target = images.cache_dir() / f"ci-wheelhouse-{digest}"
    if (target / ".complete").is_file():
        return target
    with _lock("ci-wheelhouse"):
        if (target / ".complete").is_file():
            return target
        partial = Path(tempfile.mkdtemp(prefix="ci-wheelhouse-", dir=images.cache_dir()))
        try:
            _run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--disable-pip-version-check",
                    "--quiet",
                    "--only-binary=:all:",
                    "--python-version",
                    IMAGE_PYTHON,
                    "--implementation",
                    "cp",
                    *(arg for tag in platforms for arg in ("--platform", tag)),
                    "--dest",
                    str(partial),
                    *requirements,
                ],
                "pip download of driftcheck's dependencies",
            )
            (partial / ".complete").write_text("\n".join(requirements) + "\n")
            shutil.rmtree(target, ignore_errors=True)
            partial.rename(target)
        finally:
            shutil.rmtree(partial, ignore_errors=True)
    return target


def _context_files() -> list[str]:
    """The repository files ``docker build`` sends, as .dockerignore selects them."""
    patterns = [
        line.strip()
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    return sorted(p for p in exclude_paths(str(REPO), patterns) if (REPO / p).is_file())


def _source_digest(files: list[str]) -> str:
    return _digest(*(part for name in files for part in (name, (REPO / name).read_bytes())))


def copy_build_context(dest: Path, files: list[str] | None = None) -> Path:
    """A copy of driftcheck's build context (so nothing is ever written into the checkout)."""
    for name in files if files is not None else _context_files():
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, dest / name)
    return dest


def build_driftcheck_wheel(wheelhouse: Path, dest: Path) -> Path:
    """driftcheck's wheel, built on the host offline from the wheelhouse's setuptools."""
    with tempfile.TemporaryDirectory(prefix="driftcheck-src-") as source:
        copy_build_context(Path(source))
        _run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--disable-pip-version-check",
                "--quiet",
                "--no-deps",
                "--no-index",
                "--find-links",
                str(wheelhouse),
                "--wheel-dir",
                str(dest),
                source,
            ],
            "building driftcheck's wheel",
        )
    (wheel,) = dest.glob("driftcheck-*.whl")
    return wheel


# --------------------------------------------------------------------------- images


def ensure_driftcheck_image(client: Any, base: str) -> str:
    """driftcheck's own image from the top-level Dockerfile, built offline FROM *base*."""
    wheelhouse = ensure_wheelhouse()
    files = _context_files()
    wheels = sorted(p.name for p in wheelhouse.glob("*.whl"))
    tag = f"driftcheck-test/driftcheck:{_digest(base, _source_digest(files), *wheels)}"
    if images.image_exists(client, tag):
        return tag
    with _lock("ci-driftcheck-image"):
        if images.image_exists(client, tag):
            return tag
        with tempfile.TemporaryDirectory(prefix="driftcheck-context-") as context:
            copy_build_context(Path(context), files)
            shutil.copytree(wheelhouse, Path(context) / WHEELHOUSE_DIR)
            images.build_context(
                client, Path(context), tag, {"BASE": base, "WHEELHOUSE": WHEELHOUSE_DIR}
            )
    return tag


def ensure_helper_image(client: Any) -> str:
    """A bookworm image with rsync, for gitlab-ci-local's ``--helper-image``."""
    return images.ensure_base_image(client, HELPER_RECIPE)


def ensure_drifted_venv_image(client: Any) -> str:
    """The bookworm venv image with one wheel at another version."""
    return images.ensure_venv_image(client, DRIFTED_VENV_RECIPE)


# --------------------------------------------------------------------------- zipapp


def _build_zipapp_module() -> Any:
    """scripts/build_zipapp.py, imported by path (scripts/ is not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "build_zipapp", REPO / "scripts" / "build_zipapp.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ensure_zipapp_wheelhouse() -> Path:
    """The universal wheels scripts/build_zipapp.py vendors, downloaded once (cached by
    a hash of the requirements), so that the archive then builds offline."""
    builder = _build_zipapp_module()
    requirements = builder.requirements()
    beside = builder.requirements_without_dependencies()  # for this platform, no deps
    digest = _digest(builder.OLDEST_PYTHON, *requirements, "--no-deps", *beside)
    target = images.cache_dir() / f"zipapp-wheelhouse-{digest}"
    if (target / ".complete").is_file():
        return target
    with _lock("zipapp-wheelhouse"):
        if (target / ".complete").is_file():
            return target
        partial = Path(tempfile.mkdtemp(prefix="zipapp-wheelhouse-", dir=images.cache_dir()))
        try:
            _run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--disable-pip-version-check",
                    "--quiet",
                    "--only-binary=:all:",
                    "--platform",
                    "any",
                    "--implementation",
                    "py",
                    "--python-version",
                    builder.OLDEST_PYTHON,
                    "--dest",
                    str(partial),
                    *requirements,
                ],
                "pip download of the zipapp's wheels",
            )
            _run(
                [
                    *(sys.executable, "-m", "pip", "download", "--disable-pip-version-check"),
                    *("--quiet", "--only-binary=:all:", "--no-deps", "--dest", str(partial)),
                    *beside,
                ],
                "pip download of the zipapp's wheels for this platform",
            )
            (partial / ".complete").write_text("\n".join(requirements + beside) + "\n")
            shutil.rmtree(target, ignore_errors=True)
            partial.rename(target)
        finally:
            shutil.rmtree(partial, ignore_errors=True)
    return target


def build_zipapp(dest: Path) -> Path:
    """dist/driftcheck.pyz as scripts/build_zipapp.py builds it, offline, into *dest*."""
    builder = _build_zipapp_module()
    return Path(builder.build(dest / "driftcheck.pyz", ensure_zipapp_wheelhouse()))
