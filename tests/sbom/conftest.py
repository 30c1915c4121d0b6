"""A real venv for the SBOM tests, filled from real wheels (downloaded once, then --no-index)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from support import Venv, wheelhouse

SBOM_WHEELS = ("idna==3.6", "idna==3.7", "certifi==2024.7.4")
sys.path.insert(0, str(Path(__file__).parent))  # sbom_schemas


@pytest.fixture(scope="session")
def sbom_wheels() -> Path:
    return wheelhouse("sbom-wheels", SBOM_WHEELS)


@pytest.fixture(scope="module")
def small_venv(tmp_path_factory: pytest.TempPathFactory, sbom_wheels: Path) -> Venv:
    venv = Venv(tmp_path_factory.mktemp("sbom") / "venv", sbom_wheels)
    venv.install("--no-deps", "idna==3.7", "certifi==2024.7.4")
    return venv
