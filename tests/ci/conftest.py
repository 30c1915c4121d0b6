"""Fixtures for driftcheck in CI: its own image, and the example pipelines run for real."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import ci_images
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
