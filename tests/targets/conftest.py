"""Fixtures of the container-target tests (containers themselves: tests/conftest.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sshd_server import SshdUnavailable, SshServer, running_sshd


@pytest.fixture()
def test_interpreter() -> str:
    import sys

    return sys.executable


@pytest.fixture(scope="session")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshServer]:
    """A real sshd on a loopback port with throwaway keys, started once per session."""
    try:
        with running_sshd(tmp_path_factory.mktemp("sshd")) as server:
            yield server
    except SshdUnavailable as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"cannot start sshd: {exc}; `bash scripts/test.sh` installs openssh-server")
        pytest.skip(f"cannot start sshd: {exc}; `bash scripts/test.sh` installs openssh-server")
