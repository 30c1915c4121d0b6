"""Fixtures of the container-target tests (containers themselves: tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture()
def test_interpreter() -> str:
    import sys

    return sys.executable
