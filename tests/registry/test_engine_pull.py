"""--image pulls what the engine lacks, and --pull pulls again: through a real loopback registry."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from typing import Any

import docker.errors  # type: ignore[import-untyped]
import pytest
from local_registry import Uploader, cli_snapshot, free_port, push_engine_image

from support import assert_one_line_error, run_cli

pytestmark = pytest.mark.docker

REPOSITORY = "driftcheck-test/pull"
VENV = "/opt/venv/lib/python3.11/site-packages"


@pytest.fixture()
def pull_ref(docker_client: Any, registry: Any) -> Iterator[str]:
    """A registry reference the engine does not have; whatever a pull tags locally goes."""
    ref = registry.ref(REPOSITORY, uuid.uuid4().hex[:12])
    yield ref
    with contextlib.suppress(docker.errors.ImageNotFound):
        docker_client.images.remove(ref)  # the tag only: the images keep their own tags
    for image in docker_client.images.list():  # and the digests pulls left behind
        for digest in image.attrs.get("RepoDigests") or []:
            if digest.startswith(f"{registry.address}/"):
                with contextlib.suppress(docker.errors.ImageNotFound):
                    docker_client.images.remove(digest)


def venv_dists(doc: dict[str, Any]) -> set[str]:
    return {d["canonical_name"] for d in doc["distributions"] if d["location"] == VENV}


def test_image_pulls_what_the_engine_lacks_and_pull_pulls_again(
    docker_client, registry, bookworm_image, bookworm_venv_image, pull_ref
):
    tag = pull_ref.rsplit(":", 1)[1]
    push_engine_image(docker_client, bookworm_image, registry, REPOSITORY, tag)
    push_engine_image(docker_client, bookworm_venv_image, registry, REPOSITORY, f"{tag}-venv")
    with pytest.raises(docker.errors.ImageNotFound):
        docker_client.images.get(pull_ref)

    first = cli_snapshot("--image", pull_ref)  # the engine lacks it: pulled, then probed live
    assert first["target"]["mode"] == "live" and first["python"]["version"].startswith("3.11")
    assert docker_client.images.get(pull_ref).id == docker_client.images.get(bookworm_image).id
    assert venv_dists(first) == set()

    Uploader(registry.address).retag(REPOSITORY, f"{tag}-venv", tag)  # the tag moves on
    kept = cli_snapshot("--image", pull_ref)  # the engine has it: no pull
    assert venv_dists(kept) == set()
    pulled = cli_snapshot("--image", pull_ref, "--pull")
    assert {"six", "idna", "markupsafe"} <= venv_dists(pulled)
    assert docker_client.images.get(pull_ref).id == docker_client.images.get(bookworm_venv_image).id


def test_pull_failures_say_why(registry):
    unknown = registry.ref(REPOSITORY, "never-pushed")
    for args in (("--image", unknown), ("--image", unknown, "--pull")):
        line = assert_one_line_error(run_cli("snapshot", *args, "-o", "-"), 2)
        assert "pulling it failed" in line and "not found" in line
    down = f"127.0.0.1:{free_port()}/{REPOSITORY}:1"
    line = assert_one_line_error(run_cli("snapshot", "--image", down, "-o", "-"), 2)
    assert "pulling it failed" in line and "connection refused" in line  # unknown, and why
    line = assert_one_line_error(run_cli("snapshot", "--image", down, "--pull", "-o", "-"), 4)
    assert "the engine could not pull" in line and "connection refused" in line
