"""A baseline from another kind of target: the check warns that runtime facts may differ."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from gate_envs import GateEnvs

from driftcheck.gate.baseline import kind_warning
from driftcheck.snapshot.model import TargetInfo

from support import run_cli, small_snapshot


def with_target(kind: str, mode: str = "live"):
    snap = small_snapshot()
    return replace(snap, target=TargetInfo(kind=kind, description=kind, mode=mode))


@pytest.mark.parametrize(
    ("baseline", "current"),
    [
        (("host", "live"), ("host", "live")),
        (("host", "live"), ("process", "live")),
        (("container", "live"), ("container", "live")),
        (("image", "live"), ("image", "live")),
        (("image", "static"), ("archive", "static")),
    ],
)
def test_same_kind_of_target_is_comparable(baseline, current):
    assert kind_warning(with_target(*baseline), with_target(*current), Path("b.json")) is None


@pytest.mark.parametrize(
    ("baseline", "current", "words"),
    [
        (("container", "live"), ("host", "live"), ("a running container", "the host")),
        (("image", "live"), ("container", "live"), ("an image run in a container",)),
        (("image", "live"), ("image", "static"), ("an image read as files",)),
        (("archive", "static"), ("host", "live"), ("an image read as files", "the host")),
    ],
)
def test_another_kind_of_target_warns(baseline, current, words):
    message = kind_warning(with_target(*baseline), with_target(*current), Path("b.json"))
    assert message is not None
    assert "runtime facts may not be comparable" in message and "b.json" in message
    assert all(word in message for word in words)


@pytest.mark.docker
def test_image_baseline_checked_on_the_host_warns(
    bookworm_venv_image: str, gate_envs: GateEnvs, tmp_path
):
    baseline = tmp_path / "image.json"
    image = f"image:{bookworm_venv_image}"
    env = gate_envs.env
    made = run_cli("check", "--baseline", str(baseline), "--target", image, "--update-baseline",
                   env=env, cwd=tmp_path)  # fmt: skip
    assert made.returncode == 0, made.stderr
    same = run_cli("check", "--baseline", str(baseline), "--target", image, env=env, cwd=tmp_path)
    assert same.returncode == 0, same.stdout + same.stderr
    assert same.stderr == ""
    host = run_cli("check", "--baseline", str(baseline), "--target", gate_envs.base_ref,
                   "--fail-on", "never", env=env, cwd=tmp_path)  # fmt: skip
    assert host.returncode == 0
    warnings = [line for line in host.stderr.splitlines() if line.startswith("driftcheck: warn")]
    assert len(warnings) == 1, host.stderr
    assert "taken from an image run in a container and this check from the host" in warnings[0]
