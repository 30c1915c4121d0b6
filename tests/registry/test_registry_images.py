"""Engine-built images pushed to a real loopback registry, read back with no engine at all."""

from __future__ import annotations

import json
from typing import Any

import pytest
from local_registry import cli_snapshot as snapshot_json

from driftcheck.api import take_snapshot
from driftcheck.snapshot.files import dumps
from driftcheck.targets.image import ImageTarget

import images
from support import assert_static_agrees_with_live, assert_valid_snapshot, dists, run_cli

pytestmark = pytest.mark.docker


def cli_snapshot(*args: str) -> dict[str, Any]:
    doc = snapshot_json(*args)
    assert images.CANARY_TOKEN not in json.dumps(doc)
    return doc


@pytest.fixture(scope="module")
def registry_venv_doc(pushed_venv) -> dict[str, Any]:
    return cli_snapshot("--registry", pushed_venv.ref)


@pytest.fixture(scope="module")
def live_venv_doc(bookworm_venv_image: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(dumps(take_snapshot(ImageTarget(bookworm_venv_image))))
    assert_valid_snapshot(doc)
    return doc


def test_registry_snapshot_agrees_with_the_live_image(registry_venv_doc, live_venv_doc):
    static = registry_venv_doc
    assert_static_agrees_with_live(static, live_venv_doc)
    assert {"six", "idna", "attrs", "markupsafe", "packaging"} <= {n for _, n, _ in dists(static)}
    assert static["environment"][images.CANARY_ENV]["redacted"] is True


def test_the_snapshot_records_the_reference_and_the_manifest_digest(registry_venv_doc, pushed_venv):
    target = registry_venv_doc["target"]
    assert target["kind"] == "registry" and target["mode"] == "static"
    assert target["description"] == (
        f"registry {pushed_venv.ref} (manifest {pushed_venv.digest}, read statically)"
    )
    container = registry_venv_doc["container"]
    assert container["image"] == pushed_venv.ref
    repository = pushed_venv.ref.rsplit(":", 1)[0]
    assert container["repo_digests"] == [f"{repository}@{pushed_venv.digest}"]
    assert registry_venv_doc["label"] == "registry-bookworm-venv"


def test_a_digest_reference_reads_the_same_image(registry_venv_doc, pushed_venv):
    repository = pushed_venv.ref.rsplit(":", 1)[0]
    doc = cli_snapshot("--registry", f"{repository}@{pushed_venv.digest}")
    assert doc["target"]["description"] == (
        f"registry {repository}@{pushed_venv.digest} (read statically)"
    )
    skip = {"created_at", "label", "target", "container"}
    assert {k: v for k, v in doc.items() if k not in skip} == {
        k: v for k, v in registry_venv_doc.items() if k not in skip
    }


def test_show_reads_a_registry_reference(pushed_base):
    result = run_cli("show", f"registry:{pushed_base.ref}")
    assert result.returncode == 0, result.stderr
    assert "Debian GNU/Linux 12" in result.stdout
    assert f"registry {pushed_base.ref}" in result.stdout


def test_diff_between_two_registry_references(pushed_base, pushed_venv):
    result = run_cli(
        "diff", f"registry:{pushed_base.ref}", f"registry:{pushed_venv.ref}", "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    added = {
        f["subject"]: f["right"]
        for f in json.loads(result.stdout)["findings"]
        if f["category"] == "packages" and f["left"] is None
    }
    for wheel in images.VENV_WHEELS:  # the venv's wheels are the drift
        name, version = wheel.split("==")
        assert added[name.lower()] == version
    assert images.CANARY_TOKEN not in result.stdout + result.stderr


def test_diff_of_a_snapshot_file_against_the_registry(tmp_path, pushed_venv, registry_venv_doc):
    saved = tmp_path / "saved.json"
    saved.write_text(json.dumps(registry_venv_doc))
    result = run_cli("diff", str(saved), f"registry:{pushed_venv.ref}", "--fail-on", "info")
    assert result.returncode == 0, result.stdout + result.stderr  # the same image: no drift
