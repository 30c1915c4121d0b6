"""Running containers for the container-target tests, removed whatever happens."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest


@pytest.fixture()
def run_container(docker_client: Any) -> Iterator[Callable[..., Any]]:
    started: list[Any] = []

    def run(image: str, **kwargs: Any) -> Any:
        name = f"driftcheck-test-{uuid.uuid4().hex[:10]}"
        container = docker_client.containers.run(
            image, ["sleep", "600"], name=name, detach=True, network_disabled=True, **kwargs
        )
        started.append(container)
        return container

    yield run
    for container in started:
        container.remove(force=True)


@pytest.fixture()
def test_interpreter() -> str:
    import sys

    return sys.executable
