"""The host interpreter is hostile: start-up files, a removed base Python, damaged metadata.

Every environment here is a real virtual environment made by ``python -m venv``;
the start-up files are real ``.pth`` and ``sitecustomize`` files that Python itself
runs before the probe; the damaged distributions are folders in its site-packages.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_support import HEADER_BOUND, Box, long_headers

from support import assert_valid_snapshot

BASE_PYTHON = Path(getattr(sys, "_base_executable", sys.executable))


def make_venv(root: Path, *, python: Path = BASE_PYTHON, pip: bool = False) -> Path:
    command = [str(python), "-m", "venv", *(() if pip else ("--without-pip",)), str(root)]
    subprocess.run(command, check=True, capture_output=True)
    return root


def site_packages(venv: Path) -> Path:
    found = sorted(venv.glob("lib/python3*/site-packages"))
    assert len(found) == 1, found
    return found[0]


def snapshot(box: Box, *args: str, env: dict[str, str] | None = None):
    out = box.work / "snap.json"
    result = box.run("snapshot", *args, "-o", str(out), allowed=[out], env=env, timeout=120)
    return result, out


# --- start-up files -----------------------------------------------------------------

STARTUP_FILES = {
    "a .pth that prints": ("zz_noisy.pth", "import sys; print('hello from a .pth', flush=True)"),
    "a .pth that prints to stderr": (
        "zz_err.pth",
        "import sys; sys.stderr.write('pth says hi\\n')",
    ),
    "a .pth that raises": ("zz_raise.pth", "import sys; raise RuntimeError('broken .pth')"),
    "a .pth that sleeps": ("zz_sleep.pth", "import time; time.sleep(2)"),
    "a sitecustomize that prints, markers included": (
        "sitecustomize.py",
        "print('--driftcheck-begin-0--\\n{not json\\n--driftcheck-end-0--')\n"
        "print('\\x1b[2J\\x1b]52;c;aGk=\\x07 banner', flush=True)\n",
    ),
    "a sitecustomize that raises": ("sitecustomize.py", "raise RuntimeError('broken hook')\n"),
    "a sitecustomize that sleeps": ("sitecustomize.py", "import time\ntime.sleep(2)\n"),
    "a sitecustomize that replaces sys.stdout": (
        "sitecustomize.py",
        "import io, sys\nsys.stdout = io.StringIO()\n",
    ),
}


@pytest.mark.parametrize("case", list(STARTUP_FILES))
def test_start_up_files_that_print_raise_or_sleep(tmp_path, box, case):
    venv = make_venv(tmp_path / "env")
    name, content = STARTUP_FILES[case]
    (site_packages(venv) / name).write_text(content + "\n")
    result, out = snapshot(box, "--python", str(venv / "bin" / "python"))
    assert result.returncode == 0, result.stderr
    doc = json.loads(out.read_text())
    assert_valid_snapshot(doc)
    assert doc["python"]["prefix"] == str(venv)
    assert "\x1b" not in result.stdout + result.stderr
    if name.endswith(".pth"):
        (pth,) = doc["pth_files"]
        assert pth["path"].endswith(name) and pth["code_lines"] == [content]


def test_a_start_up_file_that_hangs_ends_at_the_deadline(tmp_path, box):
    venv = make_venv(tmp_path / "env")
    (site_packages(venv) / "sitecustomize.py").write_text("import time\ntime.sleep(600)\n")
    out = box.work / "snap.json"
    result = box.run("snapshot", "--python", str(venv / "bin" / "python"), "--timeout", "3")
    assert "did not finish within 3 s" in result.error_line(5)
    assert not out.exists()


def test_a_start_up_file_that_starts_a_lingering_process(tmp_path, box):
    venv = make_venv(tmp_path / "env")
    pid_file = tmp_path / "agent.pid"
    (site_packages(venv) / "sitecustomize.py").write_text(
        "import subprocess\n"
        "agent = subprocess.Popen(['sleep', '600'], stdin=subprocess.DEVNULL)\n"
        f"open({str(pid_file)!r}, 'w').write(str(agent.pid))\n"
    )
    try:
        result, out = snapshot(box, "--python", str(venv / "bin" / "python"))
    finally:
        if pid_file.exists():
            os.kill(int(pid_file.read_text()), signal.SIGKILL)
    assert result.returncode == 0, result.stderr
    assert_valid_snapshot(json.loads(out.read_text()))


@pytest.mark.parametrize(
    ("hook", "reason"),
    [
        ("import os\nos._exit(0)\n", "gave no answer"),
        ("import sys\nsys.stdin.read()\n", "the probe failed in"),  # eats the probe
        ("import os\nos.close(1)\n", "Bad file descriptor"),
    ],
)
def test_a_start_up_file_that_stops_the_probe(tmp_path, box, hook, reason):
    venv = make_venv(tmp_path / "env")
    (site_packages(venv) / "sitecustomize.py").write_text(hook)
    result = box.run("snapshot", "--python", str(venv / "bin" / "python"), "-o", "-")
    assert reason in result.error_line(5)


# --- a virtual environment whose base Python was removed ----------------------------


@pytest.fixture()
def orphaned_venv(tmp_path: Path) -> Path:
    """A venv made from a copy of this machine's Python; the copy is then deleted."""
    base = tmp_path / "base-python" / "bin"
    base.mkdir(parents=True)
    copy = base / BASE_PYTHON.resolve().name
    shutil.copy2(BASE_PYTHON.resolve(), copy)  # still finds its standard library
    venv = make_venv(tmp_path / "env", python=copy)
    assert (venv / "bin" / "python").resolve() == copy
    shutil.rmtree(tmp_path / "base-python")
    return venv


def test_a_venv_whose_base_python_was_removed(box, orphaned_venv):
    python = orphaned_venv / "bin" / "python"
    line = box.run("snapshot", "--python", str(python), "-o", "-").error_line(5)
    assert str(python) in line and "no longer exists" in line and "recreate" in line


def test_an_active_venv_whose_base_python_was_removed(box, orphaned_venv):
    env = {"VIRTUAL_ENV": str(orphaned_venv)}
    line = box.run("snapshot", "-o", "-", env=env).error_line(5)
    assert str(orphaned_venv) in line and "no longer exists" in line


# --- damaged distribution metadata ----------------------------------------------------


@pytest.fixture(scope="module")
def venv_with_pip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One real distribution (pip, installed by ensurepip) beside the damaged ones."""
    return make_venv(tmp_path_factory.mktemp("pipvenv") / "env", pip=True)


DAMAGED = {
    "missing-1.0.dist-info": {"RECORD": "missing/__init__.py,,\n"},  # no METADATA at all
    "garbage-1.0.dist-info": {"METADATA": bytes(range(256)) * 64},
    "noversion-1.0.dist-info": {"METADATA": "Metadata-Version: 2.1\nName: noversion\n"},
    "nameless-1.0.dist-info": {"METADATA": "Metadata-Version: 2.1\nVersion: 1.0\n"},
    "folder-1.0.dist-info": {"METADATA/": ""},  # a folder where the file should be
    "badurl-1.0.dist-info": {
        "METADATA": "Name: badurl\nVersion: 1.0\n",
        "direct_url.json": "[" * 5000 + "]" * 5000,
    },
    "listurl-1.0.dist-info": {
        "METADATA": "Name: listurl\nVersion: 1.0\n",
        "direct_url.json": '["https://example.invalid"]',
    },
}


def test_damaged_metadata_is_an_unknown_and_the_rest_is_captured(tmp_path, box, venv_with_pip):
    site = site_packages(venv_with_pip)
    for folder, files in DAMAGED.items():
        (site / folder).mkdir(exist_ok=True)
        for name, content in files.items():
            if name.endswith("/"):
                (site / folder / name).mkdir(exist_ok=True)
            elif isinstance(content, bytes):
                (site / folder / name).write_bytes(content)
            else:
                (site / folder / name).write_text(content)
    (site / "loop-1.0.dist-info").mkdir(exist_ok=True)
    loop = site / "loop-1.0.dist-info" / "METADATA"
    if not loop.is_symlink():
        loop.symlink_to("METADATA")  # ELOOP
    (site / "legacy.egg-info").write_bytes(b"\x00\xff binary, no headers")

    result, out = snapshot(box, "--python", str(venv_with_pip / "bin" / "python"))
    assert result.returncode == 0, result.stderr
    doc = json.loads(out.read_text())
    assert_valid_snapshot(doc)
    names = {d["canonical_name"]: d for d in doc["distributions"]}
    assert "pip" in names and names["pip"]["version"]  # the rest is captured
    reasons = " | ".join(u["reason"] for u in doc["unknowns"] if u["field"] == "distributions")
    for folder in [*DAMAGED, "loop-1.0.dist-info", "legacy.egg-info"]:
        assert folder in reasons, (folder, reasons)
    assert not {"garbage", "noversion", "nameless", "badurl", "listurl"} & set(names)


# --- METADATA headers past the bound (issue 12, item 9) --------------------------------


def test_metadata_headers_past_the_bound_are_an_unknown_naming_the_distribution(tmp_path, box):
    venv = make_venv(tmp_path / "venv")
    site = site_packages(venv)
    for name, size in (
        ("longheaders", HEADER_BOUND + 100 * 1024),
        ("justfits", HEADER_BOUND - 8192),
    ):
        folder = site / f"{name}-1.0.dist-info"
        folder.mkdir()
        (folder / "METADATA").write_bytes(long_headers(name, size))
    result, out = snapshot(box, "--python", str(venv / "bin" / "python"))
    assert result.returncode == 0, result.stderr
    doc = json.loads(out.read_text())
    assert_valid_snapshot(doc)
    by_name = {d["canonical_name"]: d for d in doc["distributions"]}
    assert by_name["longheaders"]["requires_dist"] == ["early-dep"]  # what was read is kept
    assert by_name["justfits"]["requires_dist"] == ["early-dep", "late-dep"]
    cut = [u for u in doc["unknowns"] if "longer than the 512 KiB" in u["reason"]]
    assert len(cut) == 1, doc["unknowns"]
    assert cut[0]["field"] == "distributions"
    assert "longheaders-1.0.dist-info" in cut[0]["reason"]
    assert "longheaders 1.0" in cut[0]["reason"] and "Requires-Dist" in cut[0]["reason"]


# --- FIFOs where files belong (issue 13, one reader) ------------------------------------


def test_fifos_in_site_packages_are_unknowns_not_a_wait(tmp_path, box):
    """A FIFO with no writer blocks whoever opens it for reading: the probe opens only
    regular files (and never blocks opening), so each one is an unknown naming it."""
    venv = make_venv(tmp_path / "venv")
    site = site_packages(venv)
    (site / "fifometa-1.0.dist-info").mkdir()
    os.mkfifo(site / "fifometa-1.0.dist-info" / "METADATA")
    kept = site / "fiforecord-2.0.dist-info"  # METADATA fine, RECORD and INSTALLER FIFOs
    kept.mkdir()
    (kept / "METADATA").write_text("Metadata-Version: 2.1\nName: fiforecord\nVersion: 2.0\n")
    os.mkfifo(kept / "RECORD")
    os.mkfifo(kept / "INSTALLER")

    out = box.work / "snap.json"
    # The guard: a probe that blocks is killed here, and the run fails.
    result = box.run("snapshot", "--python", str(venv / "bin" / "python"), "-o", str(out),
                     allowed=[out], timeout=90)  # fmt: skip
    assert result.returncode == 0, result.stderr
    doc = json.loads(out.read_text())
    assert_valid_snapshot(doc)
    reasons = [u["reason"] for u in doc["unknowns"] if u["field"] == "distributions"]
    assert any(f"{site}/fifometa-1.0.dist-info/METADATA is a FIFO" in r for r in reasons), reasons
    assert f"{kept}/RECORD is a FIFO, not a regular file: not read" in reasons
    assert f"{kept}/INSTALLER is a FIFO, not a regular file: not read" in reasons
    names = {d["canonical_name"]: d for d in doc["distributions"]}
    assert "fifometa" not in names
    assert names["fiforecord"]["version"] == "2.0"  # a FIFO costs that file, not the record
    assert names["fiforecord"]["installer"] is None


def test_a_fifo_pth_is_an_unknown_and_a_start_up_blocker_not_a_wait(tmp_path, box):
    """CPython's site.py opens every .pth file at start-up and blocks on a FIFO for good.
    The probe starts the interpreter with -S and runs site.py itself, skipping such a file:
    the run ends promptly, the other .pth files still apply, and the FIFO is an unknown
    and a fact that the diff reports as the reason nothing starts there."""
    venv = make_venv(tmp_path / "env")
    site = site_packages(venv)
    python = str(venv / "bin" / "python")
    (tmp_path / "extra").mkdir()
    (site / "aa_extra.pth").write_text(f"{tmp_path / 'extra'}\n")
    clean, _ = snapshot(box, "--python", python)
    assert clean.returncode == 0, clean.stderr
    (box.work / "snap.json").rename(box.work / "clean.json")
    os.mkfifo(site / "zz_fifo.pth")
    result, out = snapshot(box, "--python", python)  # the guard: a run that blocks is killed
    assert result.returncode == 0, result.stderr
    doc = json.loads(out.read_text())
    assert_valid_snapshot(doc)
    blocker = f"{site}/zz_fifo.pth"
    assert doc["python"]["start_up_blockers"] == [blocker]
    assert doc["python"]["flags"]["no_site"] == 0  # as a normal start: site.py did run
    assert str(tmp_path / "extra") in doc["python"]["sys_path"]  # the other .pth applied
    assert [u["reason"] for u in doc["unknowns"] if u["field"] == "python.start_up"] == [
        f"{blocker} is a FIFO: Python's site.py blocks reading it at start-up, so a program "
        "this interpreter starts never runs (the probe skipped it); remove it"
    ]
    assert f"{blocker} is a FIFO, not a regular file: not read" in [
        u["reason"] for u in doc["unknowns"] if u["field"] == "pth_files"
    ]
    report = box.run("diff", "--format", "json", str(box.work / "clean.json"), str(out))
    assert report.returncode == 0, report.stderr
    first = json.loads(report.stdout)["findings"][0]
    assert (first["category"], first["subject"], first["severity"]) == (
        "startup",
        "zz_fifo.pth",
        "critical",
    )
    assert blocker in first["explanation"] and "blocks at start-up" in first["explanation"]


def test_many_stray_modules_and_a_huge_usercustomize_are_bounded(tmp_path, box):
    """A PYTHONPATH folder with 10,050 stray modules and a 5 MiB usercustomize.py: the
    import resolution stops at its bound and says so, the hook is listed unhashed with an
    unknown naming it; a FIFO named like a module is not one, as importlib sees it."""
    venv = make_venv(tmp_path / "venv")
    tools = tmp_path / "tools"
    tools.mkdir()
    for i in range(10050):
        (tools / f"stray_{i:05d}.py").touch()
    os.mkfifo(tools / "fifo_module.py")
    hook = tools / "usercustomize.py"  # a venv turns the user site off: site.py skips it
    hook.write_bytes(b"#" * (5 * 1024 * 1024) + b"\n")
    env = {**os.environ, "PYTHONPATH": str(tools)}
    result, out = snapshot(box, "--python", str(venv / "bin" / "python"), env=env)
    assert result.returncode == 0, result.stderr
    doc = json.loads(out.read_text())
    assert_valid_snapshot(doc)
    imports = doc["startup"]["imports"]
    assert len(imports) == 10000
    by_name = {r["name"]: r for r in imports}
    assert by_name["fifo_module"]["kind"] == "unresolved"  # not a regular file: not a module
    reasons = {u["field"]: u["reason"] for u in doc["unknowns"]}
    assert "only the first 10000 are resolved" in reasons["startup.imports"]
    assert f"{hook} is larger than" in reasons["startup.hooks"]
    (listed,) = doc["startup"]["hooks"]
    assert (listed["path"], listed["sha256"], listed["loaded"]) == (str(hook), None, False)
