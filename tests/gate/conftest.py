"""Real environments for the gate: a baseline venv, a drifted one, and the baseline file.

Both venvs hold requests and its dependencies from real wheels (downloaded once
into the test cache, then installed with --no-index). The drifted one differs
by three versions, one of each kind a policy can talk about: urllib3 2.2.2 ->
1.26.18 (a major step of a package requests uses: high), idna 3.7 -> 3.6 (a
minor downgrade: medium) and charset-normalizer 3.3.2 -> 3.3.1 (a patch step).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from gate_envs import GATE_WHEELS, GateEnvs, make_venv

from support import run_cli, wheelhouse


@pytest.fixture(scope="session")
def gate_wheels() -> Path:
    return wheelhouse("gate-wheels", GATE_WHEELS)


@pytest.fixture(scope="session")
def gate_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A small, fixed environment: what the probe sees is what the test set."""
    home = tmp_path_factory.mktemp("gate-home")
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(home)}


@pytest.fixture(scope="session")
def gate_envs(
    tmp_path_factory: pytest.TempPathFactory, gate_wheels: Path, gate_env: dict[str, str]
) -> GateEnvs:
    root = tmp_path_factory.mktemp("gate")
    base = make_venv(root / "base", gate_wheels)
    drifted = make_venv(root / "drifted", gate_wheels, drifted=True)
    baseline = root / "baselines" / "ci.json"
    result = run_cli(
        "check",
        "--baseline",
        str(baseline),
        "--target",
        f"python:{base.python}",
        "--update-baseline",
        env=gate_env,
        cwd=root,
    )
    assert result.returncode == 0, result.stderr
    return GateEnvs(base, drifted, baseline, gate_env)
