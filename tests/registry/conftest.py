"""Fixtures of the registry tests: a real registry on loopback, filled two ways.

* ``registry``: Debian's ``docker-registry`` serving plain HTTP on a free
  127.0.0.1 port for the whole session, storage in a temporary folder; stopped
  at the end. Without the binary the tests FAIL under CI=true and skip
  otherwise (``bash scripts/test.sh`` installs it).
* ``pushed_base`` / ``pushed_venv``: the suite's bookworm images pushed there by
  the engine (docker SDK), as ``driftcheck-test/bookworm:base`` and ``:venv``.
* ``uploader``: pushes hand-made images over the HTTP API.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from local_registry import LocalRegistry, Uploader, push_engine_image, start_or_skip

REPOSITORY = "driftcheck-test/bookworm"


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRegistry]:
    server = start_or_skip(tmp_path_factory.mktemp("registry"))
    yield server
    server.stop()


@pytest.fixture()
def uploader(registry: LocalRegistry) -> Uploader:
    return Uploader(registry.address)


@dataclass(frozen=True)
class Pushed:
    ref: str  # 127.0.0.1:PORT/driftcheck-test/bookworm:TAG
    digest: str  # the manifest digest the engine reported
    image: str  # the engine's own tag of the image


@pytest.fixture(scope="session")
def pushed_base(docker_client: Any, registry: LocalRegistry, bookworm_image: str) -> Pushed:
    digest = push_engine_image(docker_client, bookworm_image, registry, REPOSITORY, "base")
    return Pushed(registry.ref(REPOSITORY, "base"), digest, bookworm_image)


@pytest.fixture(scope="session")
def pushed_venv(
    docker_client: Any, registry: LocalRegistry, bookworm_venv_image: str, pushed_base: Pushed
) -> Pushed:
    digest = push_engine_image(docker_client, bookworm_venv_image, registry, REPOSITORY, "venv")
    return Pushed(registry.ref(REPOSITORY, "venv"), digest, bookworm_venv_image)
