"""The probe runs on CPython 3.8+: checked statically (vermin) and by running it for real."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from driftcheck.probe import BOOTSTRAP, build_request, parse_output, probe_source
from driftcheck.snapshot.files import dumps
from driftcheck.snapshot.model import TargetInfo
from driftcheck.targets.build import build_snapshot

from support import assert_valid_snapshot, run_cli

PYENV_38 = sorted(Path.home().glob(".pyenv/versions/3.8.*/bin/python3"))


def test_probe_script_needs_nothing_newer_than_3_8(tmp_path):
    script = tmp_path / "probe.py"
    script.write_text(probe_source())
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("vermin")),
            "--target=3.8-",
            "--no-tips",
            "--violations",
            "--eval-annotations",
            str(script),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_probe_script_imports_only_the_standard_library():
    tree = ast.parse(probe_source())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    # The one driftcheck import is the host-side fallback, never reached in a target.
    assert imported - {"driftcheck"} <= set(sys.stdlib_module_names)


def test_bootstrap_parses_on_python_2_syntax_rules():
    # Only ancient-compatible syntax, so old interpreters reach the version check.
    assert "f'" not in BOOTSTRAP and 'f"' not in BOOTSTRAP


@pytest.mark.skipif(not PYENV_38, reason="no CPython 3.8 on this machine (pyenv)")
def test_snapshot_of_python_3_8(tmp_path):
    out = tmp_path / "py38.json"
    result = run_cli("snapshot", "--python", str(PYENV_38[0]), "-o", str(out))
    assert result.returncode == 0, result.stderr
    doc = json.loads(out.read_text())
    assert_valid_snapshot(doc)
    assert doc["python"]["version"].startswith("3.8.")


def _probe_in_container(image: str, *docker_args: str) -> tuple[dict, str]:
    request = build_request()
    result = subprocess.run(
        [
            "docker",
            "run",
            "--rm",
            "-i",
            "--network",
            "none",
            *docker_args,
            image,
            "python3",
            "-c",
            BOOTSTRAP,
        ],
        input=request.stdin,
        capture_output=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr.decode()
    facts = parse_output(result.stdout, request, image)
    snap = build_snapshot(facts, target=TargetInfo(kind="container", description=image), label="c")
    text = dumps(snap)
    return json.loads(text), text


@pytest.mark.docker
def test_probe_in_a_debian_bookworm_image(bookworm_image):
    doc, _ = _probe_in_container(bookworm_image, "--read-only")
    assert_valid_snapshot(doc)
    assert doc["python"]["version"].startswith("3.11.")
    assert doc["python"]["environment_kind"] == "system"
    assert doc["os"]["os_release"]["VERSION_CODENAME"] == "bookworm"
    assert doc["os"]["libc"]["family"] == "glibc"
    dpkg = {p["name"]: p for p in doc["os_packages"] if p["manager"] == "dpkg"}
    assert "python3" in dpkg and "libc6" in dpkg
    assert any(lib["name"] == "libc" for lib in doc["native_libraries"])


@pytest.mark.docker
def test_probe_in_a_venv_image_as_a_uid_without_passwd_entry(bookworm_venv_image):
    import images  # type: ignore[import-not-found]

    doc, text = _probe_in_container(bookworm_venv_image, "--read-only", "--env", "HOME")
    assert_valid_snapshot(doc)
    assert doc["python"]["environment_kind"] == "venv"
    assert doc["python"]["prefix"] == images.VENV_PATH
    names = {d["canonical_name"] for d in doc["distributions"]}
    assert names >= {"six"}
    env = doc["environment"]
    assert env[images.CANARY_ENV]["redacted"] is True
    assert images.CANARY_TOKEN not in text
    assert not any(u["field"] == "identity" for u in doc["unknowns"])
