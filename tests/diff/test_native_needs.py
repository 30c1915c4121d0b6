"""Native needs diffed on real host venvs: a soname missing on B, and an older copy of it
earlier on B's search path, each the first finding, rated by the use of its distribution.

The library (libdcstub.so.1) and the extension module that needs it are compiled here
with gcc (tests/native_builders.py) and installed by pip from a wheel; each side is
the same venv probed with another LD_LIBRARY_PATH, so the environment is what differs,
as it is when a job forgets a library folder. Every scenario first checks that the
program really fails on B and works on A: the finding names a real cause.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import native_builders as nb
import pytest

from support import run_cli

IMPORT = "import needsdemo; print(needsdemo.answer())"


@dataclass(frozen=True)
class Built:
    root: Path
    linked: Path  # venv: the module has no RPATH; its library is in lib/ only
    bundled: Path  # venv: RUNPATH $ORIGIN/../needsdemo.libs, where the new copy is
    new: Path  # folder of libdcstub 1.2.0 (exports dc_new)
    old: Path  # folder of libdcstub 1.0.0 (no dc_new)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("native")
    new = nb.stub_library(root / "lib", "1.2.0")
    old = nb.stub_library(root / "old", "1.0.0", with_new=False)
    plain = nb.extension(root / "build-plain", new)
    linked = nb.venv_with(root / "linked", nb.wheel(root / "dist-plain", plain))
    runpath = nb.extension(root / "build-runpath", new, runpath="$ORIGIN/../needsdemo.libs")
    wheel = nb.wheel(root / "dist-runpath", runpath, {nb.STUB_SONAME: new})
    bundled = nb.venv_with(root / "bundled", wheel)
    return Built(root, linked, bundled, new.parent, old.parent)


def _env(clean_env: dict[str, str], library_path: Path | None) -> dict[str, str]:
    env = dict(clean_env)
    if library_path is not None:
        env["LD_LIBRARY_PATH"] = str(library_path)
    return env


def _run(python: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(python), "-c", IMPORT], capture_output=True, text=True, env=env)


def _snapshot(python: Path, env: dict[str, str], out: Path, says: str = "") -> Path:
    result = run_cli("snapshot", "--python", str(python), "-o", str(out), env=env)
    assert result.returncode == 0, result.stderr
    assert says in result.stdout
    return out


def _diff(a: Path, b: Path, *extra: str) -> dict:
    """The JSON report; run beside A, so that the sides are labelled A.json, B.json."""
    names = [os.path.relpath(p, a.parent) for p in (a, b)]
    result = run_cli("diff", *names, "--format", "json", *extra, cwd=a.parent)
    assert result.returncode == 0, result.stderr
    report: dict = json.loads(result.stdout)
    return report


@pytest.fixture(scope="module")
def missing_pair(built: Built, clean_env: dict[str, str]) -> tuple[Path, Path]:
    a_env, b_env = _env(clean_env, built.new), _env(clean_env, None)
    assert _run(built.linked, a_env).stdout.strip() == "49"
    failed = _run(built.linked, b_env)
    assert "libdcstub.so.1: cannot open shared object file" in failed.stderr
    return (
        _snapshot(
            built.linked,
            a_env,
            built.root / "A.json",
            "Needs     1 shared object(s), every library they need found",
        ),
        _snapshot(
            built.linked,
            b_env,
            built.root / "B.json",
            "Needs     1 shared object(s); not found: libdcstub.so.1",
        ),
    )


def test_a_soname_missing_on_b_is_the_first_finding(missing_pair):
    a, b = missing_pair
    report = _diff(a, b)
    first = report["findings"][0]
    assert (first["category"], first["subject"]) == ("native-libraries", "libdcstub.so.1")
    assert first["severity"] == "high"  # pip recorded needsdemo as REQUESTED: asked for
    assert first["explanation"].startswith(
        "needsdemo/_needs.cpython-311-x86_64-linux-gnu.so (needsdemo) needs libdcstub.so.1, "
        "missing on B.json"
    )
    # No OS package ships it on A: the fix says where A finds it, not a made-up package.
    assert "through LD_LIBRARY_PATH (no OS package ships it there)" in first["fix"]["advice"]
    assert first["fix"]["command"] is None
    check = run_cli("check", "--baseline", str(a), "--target", str(b), cwd=a.parent)
    assert check.returncode == 1, check.stdout + check.stderr


def test_the_rating_follows_the_projects_use_of_the_distribution(missing_pair, tmp_path):
    a, b = missing_pair
    uses = tmp_path / "uses"
    uses.mkdir()
    (uses / "app.py").write_text("import needsdemo\n")
    (uses / "pyproject.toml").write_text('[project]\nname = "app"\nversion = "1"\n')
    ignores = tmp_path / "ignores"
    ignores.mkdir()
    (ignores / "app.py").write_text("import json\n")
    (ignores / "pyproject.toml").write_text('[project]\nname = "app"\nversion = "1"\n')
    rated = {}
    for name, project in (("uses", uses), ("ignores", ignores)):
        findings = _diff(a, b, "--project", str(project))["findings"]
        [finding] = [f for f in findings if f["subject"] == "libdcstub.so.1"]
        rated[name] = finding["severity"]
    assert rated == {"uses": "critical", "ignores": "low"}


def test_a_side_that_did_not_read_native_needs_is_not_comparable(missing_pair, tmp_path):
    a, b = missing_pair
    old = json.loads(b.read_text())
    del old["native_needs"]  # what a snapshot written before schema 1.2 holds
    older = tmp_path / "older.json"
    older.write_text(json.dumps(old))
    report = _diff(a, older)
    assert not [f for f in report["findings"] if f["subject"] == "libdcstub.so.1"]
    assert any(n.startswith("native_needs:") for n in report["not_comparable"])


def test_an_older_copy_earlier_on_bs_path_is_the_first_finding(built, clean_env):
    a_env, b_env = _env(clean_env, None), _env(clean_env, built.old)
    assert _run(built.bundled, a_env).stdout.strip() == "49"
    failed = _run(built.bundled, b_env)
    assert "undefined symbol: dc_new" in failed.stderr
    a = _snapshot(built.bundled, a_env, built.root / "C.json")
    b = _snapshot(built.bundled, b_env, built.root / "D.json")
    recorded = {m["file"]: m for m in json.loads(a.read_text())["native_needs"]}
    module = next(m for f, m in recorded.items() if f.startswith("needsdemo/_needs"))
    assert (module["runpath"], module["rpath"]) == (["$ORIGIN/../needsdemo.libs"], [])
    assert recorded[f"needsdemo.libs/{nb.STUB_SONAME}"]["soname"] == nb.STUB_SONAME
    first = _diff(a, b)["findings"][0]
    assert (first["category"], first["subject"]) == ("native-libraries", "libdcstub.so.1")
    assert first["severity"] == "high"
    assert (
        f"D.json loads another file, {built.old}/libdcstub.so.1 through LD_LIBRARY_PATH, "
        in (first["explanation"])
    )
    assert "earlier on the search path than the copy C.json loads" in first["explanation"]
    assert first["right"] == "libdcstub.so.1.0.0"
    assert first["fix"]["advice"].startswith(f"take {built.old} out of LD_LIBRARY_PATH on D.json")


def test_an_older_release_on_the_same_route_is_named_older(built, clean_env):
    """Both sides find it through LD_LIBRARY_PATH, B's folder holds 1.0.0, A's 1.2.0."""
    a_env, b_env = _env(clean_env, built.new), _env(clean_env, built.old)
    assert "undefined symbol: dc_new" in _run(built.linked, b_env).stderr
    a = _snapshot(built.linked, a_env, built.root / "E.json")
    b = _snapshot(built.linked, b_env, built.root / "F.json")
    first = _diff(a, b)["findings"][0]
    assert (first["subject"], first["severity"]) == ("libdcstub.so.1", "high")
    assert "F.json loads an older copy" in first["explanation"]
    assert (first["left"], first["right"]) == ("libdcstub.so.1.2.0", "libdcstub.so.1.0.0")
