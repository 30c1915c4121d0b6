"""Container pairs captured from real containers of the suite's venv image.

Two containers of one image, started with another user, command, labels and
environment, and a container of a derived image (one more LABEL): snapshotted
through the real probe, then diffed.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from driftcheck.api import take_snapshot
from driftcheck.diff.changes import compute_changes
from driftcheck.diff.engine import compare
from driftcheck.diff.model import DiffResult, Finding, Severity
from driftcheck.snapshot.model import Snapshot
from driftcheck.targets.container import ContainerTarget

import images

pytestmark = pytest.mark.docker
SLEEP = ["sleep", "600"]


@pytest.fixture()
def container_snapshot(docker_client: Any) -> Iterator[Callable[..., Snapshot]]:
    """Starts a container (no network), snapshots it through the probe, removes it."""
    started: list[Any] = []

    def snap(image: str, label: str, command: list[str] = SLEEP, **kwargs: Any) -> Snapshot:
        name = f"driftcheck-test-{uuid.uuid4().hex[:10]}"
        container = docker_client.containers.run(
            image, command, name=name, detach=True, network_disabled=True, **kwargs
        )
        started.append(container)
        return take_snapshot(ContainerTarget(name), label=label)

    yield snap
    for container in started:
        container.remove(force=True)


@pytest.fixture()
def labelled_image(docker_client: Any, bookworm_venv_image: str) -> Iterator[str]:
    """The venv image plus one LABEL: another image id, the same files."""
    tag = f"driftcheck-test/labelled:{uuid.uuid4().hex[:10]}"
    dockerfile = f"FROM {bookworm_venv_image}\nLABEL org.example.release=2\n".encode()
    docker_client.images.build(fileobj=io.BytesIO(dockerfile), tag=tag, rm=True)
    yield tag
    docker_client.images.remove(tag, force=True)


def _compare(left: Snapshot, right: Snapshot) -> DiffResult:
    return compare(left, right, left_label="A", right_label="B")


def _container(report: DiffResult, subject: str) -> Finding:
    found = [f for f in report.findings if (f.category, f.subject) == ("container", subject)]
    assert len(found) == 1, [(f.category, f.subject) for f in report.findings]
    return found[0]


def test_another_user_command_and_labels(container_snapshot, bookworm_venv_image):
    a = container_snapshot(bookworm_venv_image, "A")
    b = container_snapshot(
        bookworm_venv_image,
        "B",
        command=["python3", "-c", "import time; time.sleep(600)"],
        user="root",
        labels={"team": "data", "tier": "web"},
    )
    report = _compare(a, b)
    top = report.findings[0]
    assert (top.category, top.subject, top.severity) == ("container", "user", Severity.MEDIUM)
    assert top.explanation.startswith(
        f"The container runs as {images.VENV_UID} on A but as root on B"
    )
    assert "HOME: / on A, /root on B" in top.evidence
    assert top.fix is not None and top.fix.command is None
    assert top.fix.advice is not None and f"as {images.VENV_UID}" in top.fix.advice
    start = _container(report, "start command")
    assert start.severity == Severity.LOW
    assert "sleep 600 → python3 -c import time; time.sleep(600)" in start.explanation
    labels = _container(report, "labels")
    assert labels.severity == Severity.INFO
    assert [(m.subject, m.left, m.right) for m in labels.members] == [
        ("team", None, "data"),
        ("tier", None, "web"),
    ]
    # The same image: no image finding, and nothing in the container section is unrated.
    assert not [f for f in report.findings if f.subject == "image"]
    assert not [f for f in report.findings if "no rule rates it" in f.explanation]


def test_a_derived_image_names_both_digests(
    container_snapshot, labelled_image, bookworm_venv_image
):
    a = container_snapshot(bookworm_venv_image, "A")
    b = container_snapshot(labelled_image, "B")
    assert a.container is not None and b.container is not None
    report = _compare(a, b)
    image = _container(report, "image")
    # A LABEL adds no layer: another image ID over the same files, and the diff_ids say so.
    assert a.container.diff_ids == b.container.diff_ids and a.container.diff_ids
    assert image.severity == Severity.INFO
    short_a, short_b = a.container.image_id[:19], b.container.image_id[:19]
    assert short_a != short_b
    assert (image.left, image.right) == (short_a, short_b)
    assert image.explanation.startswith("A and B hold the same files (the same ")
    assert f"under other config digests ({short_a} and {short_b})" in image.explanation
    assert "rebuilt" not in image.explanation and "files inside differ" not in image.explanation
    assert any(a.container.image_id in line for line in image.evidence)
    labels = _container(report, "labels")
    assert [m.subject for m in labels.members] == ["org.example.release"]
    changes = compute_changes(a, b).changes
    container_fields = {c.field for c in changes if c.section == "container"}
    assert {"image", "image_id", "labels.org.example.release"} <= container_fields
    assert not [f for f in report.findings if "no rule rates it" in f.explanation]


def test_an_environment_set_at_start_up_is_told_from_the_configured_one(
    container_snapshot, bookworm_venv_image
):
    a = container_snapshot(bookworm_venv_image, "A", environment={"APP_MODE": "x"})
    b = container_snapshot(
        bookworm_venv_image,
        "B",
        command=["env", "APP_MODE=y", "sleep", "600"],
        environment={"APP_MODE": "x"},
    )
    report = _compare(a, b)
    startup = _container(report, "start-up environment")
    assert startup.severity == Severity.INFO
    assert "(on B: APP_MODE)" in startup.explanation
    assert startup.evidence == ("B APP_MODE: configured x, process y",)
    # The value itself is the environment rule's finding.
    assert any(f.subject == "APP_MODE" for f in report.findings if f.category == "environment")
