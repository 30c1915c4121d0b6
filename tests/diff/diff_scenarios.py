"""The scenario snapshots the diff tests share (built by fixtures in this folder's conftest)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from driftcheck.snapshot.model import Snapshot


@dataclass(frozen=True)
class NumpyScenarios:
    numpy1: Snapshot  # numpy 1.26.4 + pandas 2.0.3
    numpy2: Snapshot  # numpy 2.1.0 + pandas 2.0.3
    numpy1_contourpy: Snapshot  # numpy1 + contourpy 1.2.0
    numpy2_contourpy: Snapshot  # numpy2 + contourpy 1.2.0 forced in with --no-deps
    numpy2_python: Path


@dataclass(frozen=True)
class ProjectScenarios:
    base: Snapshot  # six, idna, attrs and myproject (editable), clean environment
    again: Snapshot  # the same venv and environment, snapshotted again
    env_changed: Snapshot  # the same venv with PYTHONPATH set and another LANG
    idna_missing: Snapshot  # idna uninstalled (myproject requires it)
    installed: Snapshot  # idna back, myproject installed from its folder, not editable
    pythonpath: str


DRIFT_A = ("six==1.16.0", "idna==3.7", "attrs==23.2.0")
DRIFT_B = ("six==1.17.0", "attrs==24.2.0", "packaging==24.1")


@dataclass(frozen=True)
class DriftPair:
    """Two venvs of small pure-Python wheels: A has six 1.16.0, idna 3.7 and attrs 23.2.0;
    B has six 1.17.0, attrs 24.2.0 and packaging 24.1 (no idna)."""

    a: Snapshot
    b: Snapshot
    a_python: Path
    b_python: Path
