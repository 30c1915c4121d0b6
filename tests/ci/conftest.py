"""Fixtures for driftcheck in CI: its own image, and the example pipelines run for real."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import ci_images
import gitlab_local
import pytest


@pytest.fixture(scope="session")
def driftcheck_image(docker_client: Any, bookworm_image: str) -> str:
    """driftcheck's own image (top-level Dockerfile), built offline FROM the bookworm image."""
    return ci_images.ensure_driftcheck_image(docker_client, bookworm_image)


@pytest.fixture(scope="session")
def drifted_venv_image(docker_client: Any, bookworm_venv_image: str) -> str:
    """The bookworm venv image with MarkupSafe one major release back."""
    return ci_images.ensure_drifted_venv_image(docker_client)


@pytest.fixture(scope="session")
def docker_socket(docker_client: Any) -> Path:
    """The engine's unix socket on this machine, to mount into driftcheck's image."""
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if not host.startswith("unix://"):
        pytest.skip(f"DOCKER_HOST={host} is not a unix socket: nothing to mount into a container")
    return Path(host.removeprefix("unix://"))


@pytest.fixture()
def sibling_container(docker_client: Any) -> Iterator[Callable[[str], Any]]:
    """Starts idle containers (no network) and removes them whatever happens."""
    started: list[Any] = []

    def start(image: str) -> Any:
        container = docker_client.containers.run(
            image,
            ["sleep", "600"],
            name=f"driftcheck-ci-test-{uuid.uuid4().hex[:10]}",
            detach=True,
            network_disabled=True,
        )
        started.append(container)
        return container

    yield start
    for container in started:
        container.remove(force=True)


def _unavailable(reason: str) -> None:
    """Like the suite's docker rule: fail under CI=true, skip (loudly) elsewhere."""
    hint = "`bash scripts/test.sh` installs it"
    if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
        pytest.fail(f"CI=true and {reason}; {hint}", pytrace=False)
    pytest.skip(f"SKIPPED (would FAIL under CI=true) - {reason}; {hint}")


@pytest.fixture(scope="session")
def gitlab_ci_local_command() -> Path:
    """gitlab-ci-local, as scripts/test.sh installed it."""
    path, reason = gitlab_local.find_gitlab_ci_local()
    if path is None:
        _unavailable(reason)
    assert path is not None
    return path


@pytest.fixture(scope="session")
def job_wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """driftcheck's wheel and its dependencies' wheels, for jobs that cannot reach an index."""
    folder = tmp_path_factory.mktemp("job-wheelhouse")
    source = ci_images.ensure_wheelhouse()
    for wheel in source.glob("*.whl"):
        shutil.copy2(wheel, folder / wheel.name)
    ci_images.build_driftcheck_wheel(source, folder)
    # Mounted read-only into jobs that run as the image's (non-root) user.
    folder.chmod(0o755)
    for wheel in folder.iterdir():
        wheel.chmod(0o644)
    return folder


@pytest.fixture(scope="session")
def helper_image(docker_client: Any) -> str:
    """A local image with rsync for gitlab-ci-local's helper containers."""
    return ci_images.ensure_helper_image(docker_client)


@pytest.fixture(scope="session")
def zipapp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """driftcheck.pyz built by scripts/build_zipapp.py (offline, from a cached wheelhouse)."""
    folder = tmp_path_factory.mktemp("zipapp")
    path = ci_images.build_zipapp(folder)
    folder.chmod(0o755)
    path.chmod(0o644)  # read by jobs that run as the image's (non-root) user
    return path
