"""The probe's ELF reader and loader search (probe/_elf.py) on real files.

Files compiled here with gcc, and files of every class and byte order written by
tests/native_builders.elf_image, are read by the probe's code and, where binutils is
installed, by readelf: the two readings must agree. The search order is checked on
real folders against what the real dynamic loader does when Python imports the module.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import native_builders as nb
import pytest

from driftcheck.probe import _elf
from driftcheck.probe._probe import open_regular

from support import run_cli


def _read(path: Path) -> dict[str, object]:
    result: dict[str, object] = _elf.elf_read_file(str(path), open_regular)
    return result


def _readelf(path: Path) -> dict[str, object]:
    """readelf -d's reading of the same fields (binutils: an independent implementation)."""
    readelf = shutil.which("readelf")
    if readelf is None:
        pytest.skip("binutils' readelf is not installed")
    text = subprocess.run([readelf, "-d", str(path)], capture_output=True, text=True).stdout
    values: dict[str, list[str]] = {}
    for kind, value in re.findall(r"\((NEEDED|SONAME|RPATH|RUNPATH)\)\s+[^\[]*\[(.*)\]", text):
        values.setdefault(kind, []).append(value)
    return {
        "needed": values.get("NEEDED", []),
        "soname": (values.get("SONAME") or [None])[0],
        "rpath": [p for v in values.get("RPATH", []) for p in v.split(":") if p],
        "runpath": [p for v in values.get("RUNPATH", []) for p in v.split(":") if p],
    }


@pytest.mark.parametrize("wide", [True, False], ids=["64-bit", "32-bit"])
@pytest.mark.parametrize("big_endian", [False, True], ids=["little-endian", "big-endian"])
def test_every_class_and_byte_order_reads_as_readelf_reads_it(tmp_path, wide, big_endian):
    data = nb.elf_image(
        wide=wide,
        big_endian=big_endian,
        needed=("libgfortran.so.5", "libc.so.6"),
        soname="libdemo.so.2",
        runpath="$ORIGIN/../demo.libs:/opt/demo/lib",
        machine=43 if big_endian else 62,
    )
    path = tmp_path / "demo.so"
    path.write_bytes(data)
    found = _read(path)
    assert found == {
        "needed": ["libgfortran.so.5", "libc.so.6"],
        "soname": "libdemo.so.2",
        "rpath": [],
        "runpath": ["$ORIGIN/../demo.libs", "/opt/demo/lib"],
    }
    assert found == _readelf(path)


def test_a_gcc_built_extension_reads_as_readelf_reads_it(tmp_path):
    library = nb.stub_library(tmp_path / "lib")
    module = nb.extension(tmp_path / "build", library, runpath="$ORIGIN/../needsdemo.libs")
    found = _read(module)
    assert nb.STUB_SONAME in found["needed"]  # type: ignore[operator]
    assert found["runpath"] == ["$ORIGIN/../needsdemo.libs"]
    assert found == _readelf(module)
    assert _read(library)["soname"] == nb.STUB_SONAME


def test_the_pythons_own_extension_modules_read_as_readelf_reads_them():
    import _ctypes  # a real extension module of this interpreter, linked against libffi

    path = Path(_ctypes.__file__)
    assert _read(path) == _readelf(path)


def _resolve(
    module: Path, environ: dict[str, str], system: list[str]
) -> tuple[str | None, str | None]:
    site = module.parent.parent
    modules = _elf.elf_native_needs([str(site)], environ, system, open_regular, lambda r: None)
    [entry] = [m for m in modules if m["file"] == str(module.relative_to(site))]
    [need] = [n for n in entry["needed"] if n["soname"] == nb.STUB_SONAME]
    return need["path"], need["found_by"]


def test_the_search_order_is_the_loaders(tmp_path):
    """RPATH before LD_LIBRARY_PATH; RUNPATH (which disables RPATH) after it; then the
    system folders; missing when none holds the soname."""
    new = nb.stub_library(tmp_path / "new", "1.2.0")
    old = nb.stub_library(tmp_path / "old", "1.0.0")
    site = tmp_path / "site"
    rpath_module = site / "with_rpath" / "_r.so"
    rpath_module.parent.mkdir(parents=True)
    subprocess.run(
        [
            nb.gcc(),
            "-shared",
            "-o",
            str(rpath_module),
            "-Wl,--no-as-needed,--disable-new-dtags",
            f"-Wl,-rpath,{new.parent}",
            str(new),
        ],
        check=True,
    )
    runpath_module = nb.extension(site / "with_runpath", new, runpath=str(new.parent))
    plain = nb.extension(site / "plain", new)
    through = {"LD_LIBRARY_PATH": str(old.parent)}
    assert _resolve(rpath_module, through, []) == (str(new.parent / nb.STUB_SONAME), "rpath")
    assert _resolve(runpath_module, through, []) == (
        str(old.parent / nb.STUB_SONAME),
        "LD_LIBRARY_PATH",
    )
    assert _resolve(runpath_module, {}, []) == (str(new.parent / nb.STUB_SONAME), "runpath")
    assert _resolve(plain, {}, [str(old.parent)]) == (str(old.parent / nb.STUB_SONAME), "system")
    assert _resolve(plain, {}, []) == (None, None)


def test_origin_is_the_modules_folder_and_the_real_loader_agrees(tmp_path):
    """$ORIGIN/../needsdemo.libs, as auditwheel writes it: the probe resolves the bundled
    copy, and Python really imports the module with nothing else on any path."""
    library = nb.stub_library(tmp_path / "lib")
    module = nb.extension(tmp_path / "build", library, runpath="$ORIGIN/../needsdemo.libs")
    python = nb.venv_with(
        tmp_path / "venv", nb.wheel(tmp_path / "dist", module, {nb.STUB_SONAME: library})
    )
    env = {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}
    ran = subprocess.run(
        [str(python), "-c", "import needsdemo; print(needsdemo.answer())"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert ran.stdout.strip() == "49", ran.stderr
    [site] = (tmp_path / "venv" / "lib").glob("python*/site-packages")
    installed = site / "needsdemo" / module.name
    path, how = _resolve(installed, env, [])
    assert (path, how) == (str(site / "needsdemo.libs" / nb.STUB_SONAME), "runpath")


def test_a_library_the_interpreter_has_loaded_counts_as_found(tmp_path):
    """LD_PRELOAD loads the library before Python starts, from a folder on no search
    path: the loader reuses it (matched by its DT_SONAME), the import works, and the
    probe, run by that interpreter, records it as loaded."""
    library = nb.stub_library(tmp_path / "private")
    module = nb.extension(tmp_path / "build", library)
    python = nb.venv_with(tmp_path / "venv", nb.wheel(tmp_path / "dist", module))
    env = {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}
    env["LD_PRELOAD"] = str(library)
    ran = subprocess.run([str(python), "-c", "import needsdemo; print(needsdemo.answer())"],
                         capture_output=True, text=True, env=env)  # fmt: skip
    assert ran.stdout.strip() == "49", ran.stderr
    out = tmp_path / "snap.json"
    result = run_cli("snapshot", "--python", str(python), "-o", str(out), env=env)
    assert result.returncode == 0, result.stderr
    [entry] = [m for m in json.loads(out.read_text())["native_needs"]
               if m["file"].startswith("needsdemo/")]  # fmt: skip
    [need] = [n for n in entry["needed"] if n["soname"] == nb.STUB_SONAME]
    assert (need["found_by"], need["path"]) == ("loaded", str(library))
