"""Test infrastructure shared by the whole suite (keep feature fixtures in sub-folder conftests).

The ``docker`` marker rule
--------------------------
A test marked ``docker`` gets the session fixture ``docker_client`` automatically.
When no engine answers (``docker.from_env()`` + ping, honouring ``DOCKER_HOST``):

* with ``CI=true`` the test FAILS (an engine is part of CI's contract);
* otherwise it is SKIPPED, with the reason, and a banner at the end of the run.

A test that uses ``docker_client`` (directly or through another fixture, such as
``bookworm_image``) but forgot the marker is marked ``docker`` automatically, so
``-m "not docker"`` and the CI rule always see it.

Images (see ``tests/images.py``; built once, cached by recipe hash, nothing pulled)
-------------------------------------------------------------------------------
* ``bookworm_image``: tag of a debootstrap'd Debian bookworm (minbase) with
  Debian's ``python3`` (3.11) and ``python3-venv``; runs as root; no CMD needed.
* ``bookworm_venv_image``: that image plus a virtualenv at ``/opt/venv`` holding
  real wheels (``images.VENV_WHEELS``), ``VIRTUAL_ENV``/``PATH`` set, ``USER 10001``
  with no passwd entry and the fake secret ``images.CANARY_ENV=images.CANARY_TOKEN``.
* ``bullseye_image`` / ``bullseye_venv_image``: the same two recipes on Debian bullseye
  (Python 3.9, glibc 2.31); the venv holds the same distributions, some at other
  versions (``images.BULLSEYE_VENV_WHEELS``): a second release to diff against.
* ``debian_no_python_image``: nothing but bookworm's dpkg database, os-release and
  debian_version (``FROM scratch``): no interpreter, no shell, as distroless images are.
* ``no_shell_image``: the bookworm venv image with every shell deleted.

Run containers with ``network_disabled=True``: nothing in them can reach a registry.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import docker  # type: ignore[import-untyped]
import pytest

_TESTS_DIR = str(Path(__file__).resolve().parent)
if _TESTS_DIR not in sys.path:  # so `import images` works under any --import-mode
    sys.path.insert(0, _TESTS_DIR)

import images  # noqa: E402
from engine_checks import leftover_probe_containers  # noqa: E402

DOCKER_MARK = "docker"
DOCKER_FIXTURE = "docker_client"

# Why the engine (or the image build) was unavailable, for the closing banner.
_unavailable: list[str] = []


def in_ci() -> bool:
    """True when CI=true (or 1/yes): docker tests must then fail instead of skipping."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _engine_address() -> str:
    return os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock (default)"


def _unavailable_outcome(what: str, reason: str, hint: str) -> NoReturn:
    message = f"{what}: {reason}. {hint}"
    if message not in _unavailable:
        _unavailable.append(message)
    if in_ci():
        pytest.fail(f"CI=true and {message}", pytrace=False)
    pytest.skip(f"SKIPPED (would FAIL under CI=true) - {message}")


# --------------------------------------------------------------------------- hooks


def pytest_report_header(config: pytest.Config) -> str:
    rule = "fail" if in_ci() else "skip"
    return f"docker: engine {_engine_address()}; docker tests {rule} when it does not answer"


@pytest.hookimpl(tryfirst=True)  # before -m deselection sees the items
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        names: list[str] | None = getattr(item, "fixturenames", None)
        if names is None:
            continue
        marked = item.get_closest_marker(DOCKER_MARK) is not None
        if not marked and DOCKER_FIXTURE in names:
            item.add_marker(DOCKER_MARK)
            marked = True
        if marked and DOCKER_FIXTURE not in names:
            names.insert(0, DOCKER_FIXTURE)  # set up first: fail/skip before anything else


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    for message in _unavailable:
        verdict = "FAILED (CI=true)" if in_ci() else "SKIPPED"
        terminalreporter.write_sep("!", f"docker tests {verdict}", red=in_ci(), yellow=not in_ci())
        terminalreporter.write_line(message)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def docker_client() -> Iterator[Any]:
    """A ``docker.DockerClient`` whose engine answered a ping (else fail under CI / skip)."""
    client: Any = None
    error = ""
    try:
        client = docker.from_env()
        client.ping()
    except Exception as exc:  # any failure to reach the engine counts as "no engine"
        error = f"{type(exc).__name__}: {exc}"
        if client is not None:
            client.close()
    if error:  # outside the except block: no chained traceback in the report
        _unavailable_outcome(
            f"no Docker engine answers at {_engine_address()}",
            error,
            "Run the suite with `bash scripts/test.sh` (it starts dockerd) or set DOCKER_HOST.",
        )
    yield client
    client.close()


def _build(what: str, build: Callable[[], str]) -> str:
    try:
        return build()
    except images.ImageBuildUnavailable as exc:
        reason = str(exc)
    _unavailable_outcome(
        f"cannot build the {what} test image",
        reason,
        "`bash scripts/test.sh` installs what the build needs.",
    )


@pytest.fixture(scope="session")
def bookworm_image(docker_client: Any) -> str:
    """Tag of the debootstrap'd Debian bookworm image with Debian's python3 (root user)."""
    return _build("bookworm", images.ensure_base_image)


@pytest.fixture(scope="session")
def bookworm_venv_image(docker_client: Any, bookworm_image: str) -> str:
    """Tag of the bookworm image + /opt/venv with real wheels, USER 10001, canary secret."""
    return _build("bookworm venv", images.ensure_venv_image)


@pytest.fixture()
def run_container(docker_client: Any) -> Iterator[Callable[..., Any]]:
    """Starts containers (``sleep 600``, no network) and removes them after the test."""
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


@pytest.fixture(scope="session")
def bullseye_image(docker_client: Any) -> str:
    """Tag of the debootstrap'd Debian bullseye image with Debian's python3 3.9 (root user)."""
    return _build("bullseye", lambda: images.ensure_base_image(recipe=images.BULLSEYE_RECIPE))


@pytest.fixture(scope="session")
def bullseye_venv_image(docker_client: Any, bullseye_image: str) -> str:
    """Tag of the bullseye image + /opt/venv (BULLSEYE_VENV_WHEELS), USER 10001, canary."""
    return _build(
        "bullseye venv", lambda: images.ensure_venv_image(recipe=images.BULLSEYE_VENV_RECIPE)
    )


@pytest.fixture(scope="session")
def trixie_image(docker_client: Any) -> str:
    """Tag of the debootstrap'd Debian trixie image with Debian's python3 3.13 (root user)."""
    return _build("trixie", lambda: images.ensure_base_image(recipe=images.TRIXIE_RECIPE))


@pytest.fixture(scope="session")
def debian_no_python_image(docker_client: Any, bookworm_image: str) -> str:
    """Tag of an image holding only bookworm's dpkg database and os-release."""
    return _build("no-Python", images.ensure_no_python_image)


@pytest.fixture(scope="session")
def no_shell_image(docker_client: Any, bookworm_venv_image: str) -> str:
    """Tag of the bookworm venv image with sh, bash, dash and rbash deleted."""
    return _build("no-shell", images.ensure_no_shell_image)


@pytest.fixture(scope="session", autouse=True)
def no_probe_container_is_left_behind(request: pytest.FixtureRequest) -> Iterator[None]:
    """After the whole run, no container labelled by driftcheck that this run created remains."""
    started = time.time() - 1.0  # the engine's clock is this machine's; allow rounding
    yield
    if not any(item.get_closest_marker(DOCKER_MARK) for item in request.session.items):
        return
    try:
        client = docker.from_env()
        client.ping()
    except Exception:  # no engine: the docker tests already failed or skipped loudly
        return
    try:
        left = leftover_probe_containers(client, started)
    finally:
        client.close()
    assert not left, f"driftcheck left containers behind: {left}"
