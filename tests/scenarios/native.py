"""A real compiled extension and the shared library it needs, built with this machine's gcc.

``libfastcalc.so.1`` comes in two releases: 1.0 exports ``fastcalc_add`` only, 2.0 also
``fastcalc_scale``. The ``fastcalc`` 1.0.0 wheel ships ``fastcalc/_fastcalc.cpython-311-…so``,
whose DT_NEEDED names libfastcalc.so.1 and which calls ``fastcalc_scale``: it imports
where 2.0 is found first, fails with "cannot open shared object file" where none is
found, and with "undefined symbol: fastcalc_scale" where 1.0 is found first.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import zipfile
from pathlib import Path

from unavailable import Unavailable

SONAME = "libfastcalc.so.1"

_LIB_V1 = "int fastcalc_add(int a, int b) { return a + b; }\n"
_LIB_V2 = _LIB_V1 + "int fastcalc_scale(int a, int k) { return a * k; }\n"
_EXTENSION = """\
#define PY_SSIZE_T_CLEAN
#include <Python.h>
int fastcalc_scale(int a, int k);
static PyObject *scale(PyObject *self, PyObject *args) {
    int a, k;
    if (!PyArg_ParseTuple(args, "ii", &a, &k)) return NULL;
    return PyLong_FromLong(fastcalc_scale(a, k));
}
static PyMethodDef methods[] = {{"scale", scale, METH_VARARGS, "a * k"}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_fastcalc", NULL, -1, methods};
PyMODINIT_FUNC PyInit__fastcalc(void) { return PyModule_Create(&module); }
"""
_TAG = "cp311-cp311-linux_x86_64"
_EXT_NAME = "_fastcalc.cpython-311-x86_64-linux-gnu.so"


def _gcc(*args: str | Path) -> None:
    gcc = shutil.which("gcc")
    if gcc is None:
        raise Unavailable("the native-library pairs need gcc (apt-get install gcc)")
    done = subprocess.run([gcc, *map(str, args)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def _write_wheel(path: Path, files: dict[str, bytes]) -> None:
    info = "fastcalc-1.0.0.dist-info"
    files = {
        **files,
        f"{info}/METADATA": b"Metadata-Version: 2.1\nName: fastcalc\nVersion: 1.0.0\n"
        b"Summary: Fast arithmetic on libfastcalc\n",
        f"{info}/WHEEL": f"Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: false\n"
        f"Tag: {_TAG}\n".encode(),
        f"{info}/top_level.txt": b"fastcalc\n",
    }
    record = [_record_line(n, d) for n, d in files.items()] + [f"{info}/RECORD,,"]
    files[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, data in files.items():
            wheel.writestr(name, data)


def build_native(folder: Path, python311: Path) -> Path:
    """libfastcalc 1.0 (``old/``), 2.0 (``new/``) and the fastcalc wheel (``wheels/``),
    built once into *folder*; returns it."""
    stamp = folder / ".complete"
    if stamp.is_file():
        return folder
    src = folder / "src"
    for sub in ("src", "old", "new", "wheels", "build"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    (src / "v1.c").write_text(_LIB_V1)
    (src / "v2.c").write_text(_LIB_V2)
    (src / "ext.c").write_text(_EXTENSION)
    for version, target in (("v1", "old"), ("v2", "new")):
        _gcc("-shared", "-fPIC", "-O2", f"-Wl,-soname,{SONAME}", "-o",
             folder / target / SONAME, src / f"{version}.c")  # fmt: skip
    include = subprocess.run(
        [str(python311), "-c", "import sysconfig; print(sysconfig.get_paths()['include'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    if not (Path(include) / "Python.h").is_file():
        raise Unavailable(f"the native-library pairs need {include}/Python.h (python3-dev)")
    extension = folder / "build" / _EXT_NAME
    _gcc("-shared", "-fPIC", "-O2", f"-I{include}", "-o", extension, src / "ext.c",
         f"-L{folder / 'new'}", "-l:" + SONAME)  # fmt: skip
    _write_wheel(
        folder / "wheels" / f"fastcalc-1.0.0-{_TAG}.whl",
        {
            "fastcalc/__init__.py": b"from fastcalc._fastcalc import scale\n",
            f"fastcalc/{_EXT_NAME}": extension.read_bytes(),
        },
    )
    stamp.write_text("built\n")
    return folder
