"""Numbers no int() can take, and files nested thousands of levels deep, through the real CLI.

CPython refuses to turn more than 4,300 digits into an ``int``; ``'²'.isdigit()`` is
true but ``int('²')`` fails; ``tomllib`` recurses once per nested array. Each of these
ended as an internal error (exit 70). A snapshot holding such a number is otherwise
fine: the number is text (a version that is not PEP 440, a tag that names no libc),
compared as text, and the diff goes on. A policy or pyproject.toml nested 5,000 deep
is invalid input, one line naming the file.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hostile_support import Box
from static_builders import docker_archive, file, layer
from test_host_interpreter import make_venv, site_packages

from support import run_cli

HUGE = "9" * 5000  # over CPython's 4,300-digit limit
Edit = Callable[[dict[str, Any]], None]


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    out = tmp_path_factory.mktemp("good") / "snap.json"
    result = run_cli("snapshot", "--python", sys.executable, "-o", str(out))
    assert result.returncode == 0, result.stderr
    return out.read_bytes()


def _first(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["distributions"][0]


def _os_packages(manager: str, version: str) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        doc["os_packages"] = [
            {
                "manager": manager,
                "name": "libc6",
                "architecture": "amd64",
                "source": None,
                "version": version,
            },
            {
                "manager": manager,
                "name": "zlib",
                "architecture": "amd64",
                "source": None,
                "version": "1.2.13-r0",
            },
        ]

    return edit


NUMBERS: dict[str, Edit] = {
    "a 5,000-digit version": lambda d: _first(d).update(version=f"1.{HUGE}"),
    "a 5,000-digit epoch": lambda d: _first(d).update(version=f"{HUGE}!1.0"),
    "a 5,000-digit Requires-Dist specifier": lambda d: _first(d).update(
        requires_dist=[f"{d['distributions'][-1]['name']}>={HUGE}"]
    ),
    "a 5,000-digit number in a marker": lambda d: _first(d).update(
        requires_dist=[f"pip; python_version >= '{HUGE}'"]
    ),
    "a 5,000-digit Requires-Python": lambda d: _first(d).update(requires_python=f">={HUGE}"),
    "a 5,000-digit manylinux tag": lambda d: _first(d).update(
        wheel_tags=[f"cp311-cp311-manylinux_{HUGE}_17_x86_64"]
    ),
    "a 5,000-digit musllinux tag": lambda d: _first(d).update(
        wheel_tags=[f"cp311-cp311-musllinux_1_{HUGE}_x86_64"]
    ),
    "a 5,000-digit glibc version": lambda d: d["os"].update(
        libc={"family": "glibc", "version": f"2.{HUGE}"}
    ),
    "a 5,000-digit OpenSSL version": lambda d: d["python"]["build"].update(
        openssl=f"OpenSSL 3.{HUGE}.1 27 Jan 2026"
    ),
    "a 5,000-digit library version": lambda d: d.update(
        native_libraries=[
            {
                "name": "libstdc++",
                "path": "/usr/lib/libstdc++.so.6",
                "soname": "libstdc++.so.6",
                "version": f"6.0.{HUGE}",
            },
            {
                "name": "libcrypto",
                "path": "/usr/lib/libcrypto.so.3",
                "soname": "libcrypto.so.3",
                "version": f"3.{HUGE}",
            },
        ]
    ),
    "a 5,000-digit Python version": lambda d: d["python"].update(version=f"3.{HUGE}.2"),
    "a superscript in the Python version": lambda d: d["python"].update(version="3.¹²"),
    "a 5,000-digit dpkg version": _os_packages("dpkg", f"2.{HUGE}-1"),
    "a 5,000-digit dpkg epoch": _os_packages("dpkg", f"{HUGE}:2.36-1"),
    "a superscript in a dpkg version": _os_packages("dpkg", "2.³⁶-9"),
    "a superscript dpkg epoch": _os_packages("dpkg", "²:2.36-9"),
    "a 5,000-digit apk version": _os_packages("apk", f"1.{HUGE}_rc1-r0"),
    "a superscript in an apk version": _os_packages("apk", "1.²-r0"),
    "a 5,000-digit rpm version": _os_packages("rpm", f"{HUGE}:2.{HUGE}-1.el9"),
    "a superscript in an rpm version": _os_packages("rpm", "2.³⁴-1.el9"),
}


@pytest.mark.parametrize("case", NUMBERS)
def test_numbers_no_int_can_take_are_read_as_text(box: Box, good: bytes, case: str) -> None:
    doc = json.loads(good)
    NUMBERS[case](doc)
    hostile, baseline = box.work / "hostile.json", box.work / "good.json"
    hostile.write_text(json.dumps(doc))
    baseline.write_bytes(good)
    for args in (
        ("diff", str(baseline), str(hostile), "--format", "json"),
        ("diff", str(hostile), str(baseline)),
        ("check", "--baseline", str(baseline), "--target", str(hostile), "--fail-on", "never"),
        ("show", str(hostile)),
    ):
        outcome = box.run(*args, timeout=120)
        assert outcome.returncode in (0, 1), (args[0], outcome.returncode, outcome.stderr)
        assert "internal error" not in outcome.stderr and "Traceback" not in outcome.stderr
    report = json.loads(box.run("diff", str(baseline), str(hostile), "--format", "json").stdout)
    assert report["findings"], "the hostile side differs: the diff must say so"


def test_a_huge_version_is_not_pep_440_and_the_diff_says_so(box: Box, good: bytes) -> None:
    doc = json.loads(good)
    name = _first(doc)["name"]
    _first(doc)["version"] = f"1.{HUGE}"
    hostile = box.work / "hostile.json"
    hostile.write_text(json.dumps(doc))
    (box.work / "good.json").write_bytes(good)
    outcome = box.run("diff", str(box.work / "good.json"), str(hostile), "--format", "json")
    assert outcome.returncode in (0, 1), outcome.stderr  # 0: nothing uses it, below the threshold
    text = json.dumps(json.loads(outcome.stdout))
    assert f"{name} moved from" in text and "not PEP 440" in text


def test_an_alpine_pre_release_then_its_release_is_an_upgrade(box: Box, good: bytes) -> None:
    """apk's order: _alpha < _beta < _pre < _rc < (release) < _p; 1.2.3_rc1-r0 < 1.2.3-r0."""
    left, right = json.loads(good), json.loads(good)
    _os_packages("apk", "1.2.3_rc1-r0")(left)
    _os_packages("apk", "1.2.3-r0")(right)
    paths = box.work / "rc.json", box.work / "release.json"
    for path, doc in zip(paths, (left, right), strict=True):
        path.write_text(json.dumps(doc))
    outcome = box.run("diff", *map(str, paths), "--format", "json")
    assert outcome.returncode == 0, outcome.stderr  # an OS package alone stays below high
    text = json.dumps(json.loads(outcome.stdout))
    assert "libc6 upgraded (1.2.3_rc1-r0" in text and "downgraded" not in text
    back = box.run("diff", *map(str, reversed(paths)), "--format", "json")
    assert "libc6 downgraded (1.2.3-r0" in json.dumps(json.loads(back.stdout))


def test_a_real_venv_with_a_5000_digit_version(tmp_path: Path, box: Box, good: bytes) -> None:
    """The probe path: a real distribution whose METADATA Version has 5,000 digits."""
    venv = make_venv(tmp_path / "env")
    dist_info = site_packages(venv) / "hugever-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: hugever\nVersion: 1.{HUGE}\n"
        f"Requires-Dist: pip>={HUGE}\nRequires-Python: >=3.{HUGE}\n"
    )
    (dist_info / "INSTALLER").write_text("pip\n")
    out = box.work / "huge.json"
    taken = box.run(
        "snapshot",
        "--python",
        str(venv / "bin" / "python"),
        "-o",
        str(out),
        allowed=[out],
        timeout=120,
    )
    assert taken.returncode == 0, taken.stderr
    kept = [d for d in json.loads(out.read_text())["distributions"] if d["name"] == "hugever"]
    assert [d["version"] for d in kept] == [f"1.{HUGE}"]  # kept as written
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: hugever\nVersion: 1.0\n")
    small = box.work / "small.json"
    taken = box.run(
        "snapshot",
        "--python",
        str(venv / "bin" / "python"),
        "-o",
        str(small),
        allowed=[small],
        timeout=120,
    )
    assert taken.returncode == 0, taken.stderr
    for pair in ((small, out), (out, small)):
        outcome = box.run("diff", *map(str, pair), timeout=120)
        assert outcome.returncode == 0, outcome.stderr  # medium: below the default threshold
        assert "hugever" in outcome.stdout and "not PEP 440" in outcome.stdout
    live = box.run(
        "check",
        "--baseline",
        str(small),
        "--target",
        f"python:{venv / 'bin' / 'python'}",
        "--fail-on",
        "never",
        timeout=120,
    )
    assert live.returncode == 0, live.stderr


def _alpine_archive(path: Path, user: str, versions: dict[str, str]) -> Path:
    installed = "".join(
        f"P:{name}\nV:{version}\nA:x86_64\n\n" for name, version in versions.items()
    )
    image = layer(
        file("etc/os-release", 'ID=alpine\nVERSION_ID=3.19.0\nPRETTY_NAME="Alpine"\n'),
        file("lib/apk/db/installed", installed),
    )
    overrides = {"config": {"Env": ["PATH=/usr/bin:/bin"], "User": user}}
    return docker_archive(path, [(["alpine:hostile"], [image])], config_overrides=overrides)


@pytest.mark.parametrize("user", ["²", "²:³", f"{HUGE}:{HUGE}", "1000:²"])
def test_an_image_read_as_files_with_hostile_numbers(box: Box, user: str) -> None:
    """An image's USER with superscript digits or 5,000 digits, and its apk database with
    such versions: read as files, the snapshot is taken and two of them diff."""
    versions = {"musl": "1.2.4_rc1-r0", "zlib": f"1.{HUGE}-r0", "odd": "1.²-r³"}
    first = _alpine_archive(box.work / "a.tar", user, versions)
    later = dict(versions, musl="1.2.4-r0", zlib=f"1.{HUGE}-r1", odd="1.²-r⁴")
    second = _alpine_archive(box.work / "b.tar", "", later)
    outputs = box.work / "a.json", box.work / "b.json"
    for archive, out in zip((first, second), outputs, strict=True):
        taken = box.run("snapshot", "--archive", str(archive), "-o", str(out), allowed=[out])
        assert taken.returncode == 0, taken.stderr
    doc = json.loads(outputs[0].read_text())
    assert {p["name"]: p["version"] for p in doc["os_packages"]} == versions  # as written
    assert doc["container"]["user"] == user
    outcome = box.run("diff", *map(str, outputs), "--format", "json")
    assert outcome.returncode in (0, 1), outcome.stderr
    text = json.dumps(json.loads(outcome.stdout))
    assert "musl upgraded (1.2.4_rc1-r0" in text and "zlib upgraded" in text


DEEP_TOML = {
    "arrays 5,000 deep": "fail_on = " + "[" * 5000 + "]" * 5000 + "\n",
    "inline tables 5,000 deep": "fail_on = " + "{a = " * 5000 + "1" + "}" * 5000 + "\n",
    "dotted keys 5,000 deep": "ignore" + ".a" * 5000 + " = 1\n",
    "table headers 5,000 deep": "[" + "a." * 5000 + "a]\nx = 1\n",
}


@pytest.mark.parametrize("case", DEEP_TOML)
def test_a_policy_nested_thousands_deep_is_a_usage_error(box: Box, good: bytes, case: str) -> None:
    baseline = box.work / "good.json"
    baseline.write_bytes(good)
    (box.work / "driftcheck.toml").write_text(DEEP_TOML[case])
    outcome = box.run("check", "--baseline", str(baseline), "--target", str(baseline))
    line = outcome.error_line(2)
    assert "driftcheck.toml: not valid TOML (nested deeper than 64 levels)" in line
    (box.work / "driftcheck.toml").unlink()
    (box.work / "pyproject.toml").write_text("[tool.driftcheck]\n" + DEEP_TOML[case])
    outcome = box.run("check", "--baseline", str(baseline), "--target", str(baseline))
    assert "pyproject.toml: not valid TOML (nested deeper than 64 levels)" in outcome.error_line(2)


@pytest.mark.parametrize("case", DEEP_TOML)
def test_a_pyproject_nested_thousands_deep_is_invalid_project_input(
    box: Box, good: bytes, case: str
) -> None:
    baseline = box.work / "good.json"
    baseline.write_bytes(good)
    project = box.work / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n' + DEEP_TOML[case])
    outcome = box.run("diff", str(baseline), str(baseline), "--project", str(project))
    line = outcome.error_line(3)
    assert "pyproject.toml: not valid TOML (nested deeper than 64 levels)" in line
    assert "leave out --project" in line


def test_a_pid_in_superscript_digits_is_a_usage_error(box: Box, good: bytes) -> None:
    baseline = box.work / "good.json"
    baseline.write_bytes(good)
    for pid in ("²", "¹²³", HUGE):
        outcome = box.run("diff", str(baseline), f"pid:{pid}")
        assert "is not a process id" in outcome.error_line(2)


def test_the_guard_sees_an_internal_error() -> None:
    """The checks above would see exit 70: an unguarded int() of 5,000 digits still fails."""
    result = subprocess.run(
        [sys.executable, "-c", f"int('{HUGE}')"], capture_output=True, text=True, check=False
    )
    assert result.returncode != 0 and "Exceeds the limit" in result.stderr


def test_a_requirer_with_huge_numbers_is_read_as_text_when_its_requirement_moves(
    box: Box, good: bytes
) -> None:
    """The rating follows Requires-Dist from each side's roots and asks whether each
    requirer accepts the version there: a 5,000-digit marker or specifier on a requirer
    of a distribution that moved is an unreadable requirement, not an internal error."""
    doc = json.loads(good)
    requirer, moved = doc["distributions"][0], doc["distributions"][-1]
    requirer["requires_dist"] = [
        f"{moved['name']}>={HUGE}",
        f"{moved['name']}; python_version > '{HUGE}'",
    ]
    baseline, hostile = box.work / "a.json", box.work / "b.json"
    baseline.write_text(json.dumps(doc))
    moved["version"] = "9999.0"
    hostile.write_text(json.dumps(doc))
    for args in (
        ("diff", str(baseline), str(hostile)),
        ("check", "--baseline", str(baseline), "--target", str(hostile), "--fail-on", "never"),
    ):
        outcome = box.run(*args, timeout=120)
        assert outcome.returncode in (0, 1), (args[0], outcome.returncode, outcome.stderr)
        assert "internal error" not in outcome.stderr and "Traceback" not in outcome.stderr
        assert moved["name"] in outcome.stdout
