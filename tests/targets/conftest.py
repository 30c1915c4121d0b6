"""Running containers for the container-target tests, removed whatever happens."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from driftcheck.targets.engine import LABEL


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


@pytest.fixture(scope="session", autouse=True)
def no_probe_container_is_left_behind(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if not any(item.get_closest_marker("docker") for item in request.session.items):
        return
    import docker  # type: ignore[import-untyped]

    try:
        client = docker.from_env()
        left = client.containers.list(all=True, filters={"label": LABEL})
    except docker.errors.DockerException:
        return  # no engine: the docker tests already failed or skipped loudly
    assert not left, f"driftcheck left containers behind: {[c.name for c in left]}"


@pytest.fixture()
def test_interpreter() -> str:
    import sys

    return sys.executable
