"""Fixtures for the hostile-input suite: a contained folder per run, fake interpreters."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile_support import Box


@pytest.fixture()
def box(tmp_path: Path) -> Box:
    """A working folder, TMPDIR and HOME for one CLI run, inside the test's tmp_path."""
    return Box(tmp_path / "box")
