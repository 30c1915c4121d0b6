"""Real native libraries and extension modules for the native-needs tests, built with gcc.

`stub_library` compiles a small shared library with a soname (libdcstub.so.1), in a
given version; `extension` compiles a real CPython extension module that calls into
it (so importing it really fails when the library is missing or too old); `wheel`
packs the module, and any libraries to bundle, into a wheel that pip installs.
Nothing here is mocked: the probe reads these files as it reads any site-packages.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import struct
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Mapping
from pathlib import Path

import pytest

STUB_SONAME = "libdcstub.so.1"
PACKAGE = "needsdemo"

_LIBRARY_C = """
int dc_answer(void) { return 42; }
#ifdef DC_NEW
int dc_new(void) { return 7; }
#endif
"""

_EXTENSION_C = """
#define PY_SSIZE_T_CLEAN
#include <Python.h>
extern int dc_answer(void);
#ifdef DC_NEW
extern int dc_new(void);
#endif
static PyObject *answer(PyObject *self, PyObject *args) {
#ifdef DC_NEW
    return PyLong_FromLong(dc_answer() + dc_new());
#else
    return PyLong_FromLong(dc_answer());
#endif
}
static PyMethodDef methods[] = {{"answer", answer, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_needs", NULL, -1, methods};
PyMODINIT_FUNC PyInit__needs(void) { return PyModule_Create(&module); }
"""


# A module whose answer is the text a library function returns (sqlite3_libversion).
_TEXT_EXTENSION_C = """
#define PY_SSIZE_T_CLEAN
#include <Python.h>
extern const char *FUNCTION(void);
static PyObject *answer(PyObject *self, PyObject *args) {
    return PyUnicode_FromString(FUNCTION());
}
static PyMethodDef methods[] = {{"answer", answer, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_needs", NULL, -1, methods};
PyMODINIT_FUNC PyInit__needs(void) { return PyModule_Create(&module); }
"""


def gcc() -> str:
    found = shutil.which("gcc")
    if found is None:
        pytest.skip("gcc is not installed: the native-needs tests compile real ELF files")
    return found


def stub_library(folder: Path, version: str = "1.2.0", *, with_new: bool = True) -> Path:
    """folder/libdcstub.so.<version> with soname libdcstub.so.1, and the soname link."""
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "dcstub.c"
    source.write_text(_LIBRARY_C)
    real = folder / f"libdcstub.so.{version}"
    defines = ["-DDC_NEW"] if with_new else []
    subprocess.run(
        [
            gcc(),
            "-shared",
            "-fPIC",
            *defines,
            f"-Wl,-soname,{STUB_SONAME}",
            "-o",
            str(real),
            str(source),
        ],
        check=True,
    )
    source.unlink()
    link = folder / STUB_SONAME
    link.unlink(missing_ok=True)
    link.symlink_to(real.name)
    return real


def extension(
    folder: Path, library: Path, *, runpath: str | None = None, text_from: str | None = None
) -> Path:
    """A real `_needs` extension module whose DT_NEEDED names LIBRARY's soname: the stub
    library's, or with TEXT_FROM, a system library whose function of that name returns
    text (sqlite3_libversion), which answer() returns."""
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "needs.c"
    code = _TEXT_EXTENSION_C.replace("FUNCTION", text_from) if text_from else _EXTENSION_C
    source.write_text(code)
    out = folder / ("_needs" + sysconfig.get_config_var("EXT_SUFFIX"))
    include = sysconfig.get_paths()["include"]
    flags = [f"-Wl,--enable-new-dtags,-rpath,{runpath}"] if runpath else []
    subprocess.run(
        [
            gcc(),
            "-shared",
            "-fPIC",
            "-DDC_NEW",
            f"-I{include}",
            "-o",
            str(out),
            str(source),
            str(library),
            *flags,
        ],
        check=True,
    )
    source.unlink()
    return out


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def wheel(folder: Path, module: Path, bundled: Mapping[str, Path] | None = None) -> Path:
    """needsdemo-1.0 as a wheel: the package with the module, and bundled libraries in
    needsdemo.libs/ under the given names (as auditwheel lays them out)."""
    tag = sys.implementation.cache_tag.replace("cpython-", "cp")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{PACKAGE}-1.0-{tag}-{tag}-linux_x86_64.whl"
    files = {
        f"{PACKAGE}/__init__.py": b"from ._needs import answer\n",
        f"{PACKAGE}/{module.name}": module.read_bytes(),
        **{f"{PACKAGE}.libs/{name}": lib.read_bytes() for name, lib in (bundled or {}).items()},
        f"{PACKAGE}-1.0.dist-info/METADATA": (
            f"Metadata-Version: 2.1\nName: {PACKAGE}\nVersion: 1.0\n"
        ).encode(),
        f"{PACKAGE}-1.0.dist-info/WHEEL": (
            f"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: false\nTag: {tag}-{tag}-"
            "linux_x86_64\n"
        ).encode(),
    }
    record = [_record_line(name, data) for name, data in files.items()]
    record.append(f"{PACKAGE}-1.0.dist-info/RECORD,,")
    files[f"{PACKAGE}-1.0.dist-info/RECORD"] = ("\n".join(record) + "\n").encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            # A fixed date: the same inputs make the same wheel, so the test images that
            # hold it are built once (their tag hashes the wheel).
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)
    return path


def venv_with(folder: Path, wheel_file: Path) -> Path:
    """A real venv with the wheel installed by pip; returns its interpreter."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-index",
            "--no-deps",
            str(wheel_file),
        ],
        check=True,
    )
    return python


def elf_image(
    *,
    wide: bool = True,
    big_endian: bool = False,
    needed: tuple[str, ...] = (),
    soname: str | None = None,
    rpath: str | None = None,
    runpath: str | None = None,
    machine: int = 62,
) -> bytes:
    """The bytes of a minimal shared object: an ELF header, one PT_LOAD mapping the whole
    file at address 0, a PT_DYNAMIC, the dynamic entries and their string table. Any
    class and byte order, so the reader is tested where no compiler here can build."""
    order = ">" if big_endian else "<"
    header_size, phent = (64, 56) if wide else (52, 32)
    strings = b"\0"
    offsets: dict[str, int] = {}
    for text in (*needed, soname, rpath, runpath):
        if text is not None and text not in offsets:
            offsets[text] = len(strings)
            strings += text.encode() + b"\0"
    table_at = header_size + 2 * phent
    dynamic_at = table_at + len(strings) + (-(table_at + len(strings)) % 8)
    entries = [(1, offsets[n]) for n in needed]
    for tag, text in ((14, soname), (15, rpath), (29, runpath)):
        if text is not None:
            entries.append((tag, offsets[text]))
    entries += [(5, table_at), (10, len(strings)), (0, 0)]
    pair = order + ("qQ" if wide else "iI")
    dynamic = b"".join(struct.pack(pair, tag, value) for tag, value in entries)
    total = dynamic_at + len(dynamic)
    ident = b"\x7fELF" + bytes([2 if wide else 1, 2 if big_endian else 1, 1]) + bytes(9)
    if wide:
        header = struct.pack(
            order + "HHIQQQIHHHHHH",
            3,
            machine,
            1,
            0,
            header_size,
            0,
            0,
            header_size,
            phent,
            2,
            64,
            0,
            0,
        )
        load = struct.pack(order + "IIQQQQQQ", 1, 5, 0, 0, 0, total, total, 4096)
        dyn = struct.pack(
            order + "IIQQQQQQ",
            2,
            6,
            dynamic_at,
            dynamic_at,
            dynamic_at,
            len(dynamic),
            len(dynamic),
            8,
        )
    else:
        header = struct.pack(
            order + "HHIIIIIHHHHHH",
            3,
            machine,
            1,
            0,
            header_size,
            0,
            0,
            header_size,
            phent,
            2,
            40,
            0,
            0,
        )
        load = struct.pack(order + "IIIIIIII", 1, 0, 0, 0, total, total, 5, 4096)
        dyn = struct.pack(
            order + "IIIIIIII",
            2,
            dynamic_at,
            dynamic_at,
            dynamic_at,
            len(dynamic),
            len(dynamic),
            6,
            4,
        )
    body = ident + header + load + dyn + strings
    return body + bytes(dynamic_at - len(body)) + dynamic
