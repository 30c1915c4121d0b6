"""The gate's real environments (see conftest.py): what the base and the drifted venv hold."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from support import Venv

GATE_WHEELS = (
    "requests==2.32.3",
    "certifi==2024.7.4",
    "idna==3.6",
    "idna==3.7",
    "urllib3==1.26.18",
    "urllib3==2.2.2",
    "charset-normalizer==3.3.1",
    "charset-normalizer==3.3.2",
)
BASE = ("requests==2.32.3", "certifi==2024.7.4", "idna==3.7", "urllib3==2.2.2")
BASE_CHARSET = "charset-normalizer==3.3.2"
DRIFTED = ("requests==2.32.3", "certifi==2024.7.4", "idna==3.6", "urllib3==1.26.18")
DRIFTED_CHARSET = "charset-normalizer==3.3.1"


@dataclass(frozen=True)
class GateEnvs:
    base: Venv
    drifted: Venv
    baseline: Path  # a snapshot of `base`, written by `check --update-baseline`
    env: dict[str, str]  # the environment every check runs with

    @property
    def base_ref(self) -> str:
        return f"python:{self.base.python}"

    @property
    def drifted_ref(self) -> str:
        return f"python:{self.drifted.python}"

    def baseline_copy(self, folder: Path) -> Path:
        copy = folder / "baseline.json"
        shutil.copyfile(self.baseline, copy)
        return copy


def make_venv(root: Path, wheels: Path, drifted: bool = False) -> Venv:
    venv = Venv(root, wheels)
    venv.install("--no-deps", *(DRIFTED if drifted else BASE))
    venv.install("--no-deps", DRIFTED_CHARSET if drifted else BASE_CHARSET)
    return venv
