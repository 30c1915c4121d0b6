"""The diagnosis corpus (issue 14), built once per session from the cache.

``venv_corpus`` holds the pairs built from virtual environments (no engine needed);
``image_corpus`` the pairs with an image side (docker-marked through docker_client).
Building is cached per pair by recipe digest (``~/.cache/driftcheck-tests/scenarios``)
and locked per pair, so parallel sessions share the work; the snapshots are taken again
in every session, by the probe under test.
"""

from __future__ import annotations

from typing import Any

import pytest
from corpus import PAIRS
from snapshots import Corpus, build_corpus


@pytest.fixture(scope="session")
def venv_corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    pairs = [p for p in PAIRS if not p.uses_docker]
    return build_corpus(pairs, tmp_path_factory.mktemp("corpus-venv"), None)


@pytest.fixture(scope="session")
def image_corpus(docker_client: Any, tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    pairs = [p for p in PAIRS if p.uses_docker]
    return build_corpus(pairs, tmp_path_factory.mktemp("corpus-image"), docker_client)


@pytest.fixture(scope="session")
def whole_corpus(venv_corpus: Corpus, image_corpus: Corpus) -> Corpus:
    return {**venv_corpus, **image_corpus}
