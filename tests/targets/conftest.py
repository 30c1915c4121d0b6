"""Running containers for the container-target tests, removed whatever happens."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from driftcheck.targets.engine import LABEL


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
