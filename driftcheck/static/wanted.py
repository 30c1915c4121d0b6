"""Which files' content the static reader keeps, and how much of each.

Layers stream by once; everything else is only indexed. This list is what the
collectors read, with the probe's own size limits, so a file a live probe
would refuse as too large is refused here too (as an unknown, not an error).
"""

from __future__ import annotations

import re

from driftcheck.static.rootfs import Keep, KiB, MiB
from driftcheck.static.shared import MAX_METADATA_HEADER, MAX_RECORD_FILE, MAX_TEXT_FILE

# A file at one of these exact paths (keys: no leading "/").
EXACT = {
    "etc/os-release": Keep(1 * MiB),
    "usr/lib/os-release": Keep(1 * MiB),
    "var/lib/dpkg/status": Keep(MAX_TEXT_FILE),
    "lib/apk/db/installed": Keep(MAX_TEXT_FILE),
    "usr/lib/apk/db/installed": Keep(MAX_TEXT_FILE),
    "etc/ld.so.conf": Keep(1 * MiB),
    "etc/passwd": Keep(1 * MiB),  # the image user's home: where its user site is
}
# Files inside a *.dist-info or *.egg-info folder, with the probe's limits.
METADATA_FILES = {
    # Only the header block is parsed; one byte more tells headers that go on past the bound.
    "METADATA": Keep(MAX_METADATA_HEADER + 1, prefix=True),
    "PKG-INFO": Keep(MAX_METADATA_HEADER + 1, prefix=True),
    "INSTALLER": Keep(4096),
    "WHEEL": Keep(64 * 1024),
    "top_level.txt": Keep(1 * MiB),
    "direct_url.json": Keep(1 * MiB),
    "requires.txt": Keep(1 * MiB),
}
# A standard library folder (usr/lib/python3.11, opt/conda/lib64/python3.13t), for its site.py.
STDLIB_FOLDER = re.compile(r"(^|/)lib(64)?/python\d\.\d+t?$")

# libc.so.6, libssl.so.*, libcrypto.so.* directly in a library folder: versions live inside.
LIBRARY_FOLDER = re.compile(r"^(usr/(local/)?)?lib(32|64)?(/[^/]+)?$")
LIBRARY_BINARY = re.compile(r"^(libc\.so\.6|libssl\.so\.[0-9.]+|libcrypto\.so\.[0-9.]+)$")
BINARY_PREFIX = 32 * MiB  # what the probe reads of a library to find its version
# A Python interpreter in a bin folder, and libpython in a library folder: the version
# string compiled into them is searched for while the layer streams by (only it is kept).
PYTHON_BINARY = re.compile(r"^python(3(?:\.[0-9]{1,3})?)t?$")
LIBPYTHON = re.compile(r"^libpython(3\.[0-9]{1,3})t?d?\.so(\.[0-9.]+)?$")
PYTHON_SCAN_LIMIT = 64 * MiB
# The file lists of the OS packages that can own an interpreter (dpkg's info/NAME.list).
PYTHON_DPKG_LIST = re.compile(r"^(lib)?python3[^/]*\.list$")


def reduce_record(data: bytes) -> bytes:
    """RECORD lists every installed file; only the first path part of each line matters.

    Keeps one line per distinct top name (exactly as the probe derives it), so a
    large RECORD costs a few hundred bytes of memory instead of megabytes.
    """
    seen: set[str] = set()
    kept: list[str] = []
    for line in data.decode("utf-8", "replace").splitlines():
        field = line.split(",", 1)[0]
        first = field.strip().strip('"').split("/", 1)[0]
        if first not in seen:
            seen.add(first)
            kept.append(field)
    return "\n".join(kept).encode("utf-8")


RECORD = Keep(MAX_RECORD_FILE, reduce=reduce_record)


def python_version_pattern(major_minor: str) -> re.Pattern[bytes]:
    """CPython's PY_VERSION as it sits in the binary: "\\x003.11.2\\x00" ("3.13.0rc1",
    "3.12.4+"); the file's name gives the minor version when it has one, as syft's
    python-binary classifier templates its pattern on the name."""
    minor = re.escape(major_minor).encode() if "." in major_minor else rb"3\.[0-9]{1,3}"
    return re.compile(rb"\x00(" + minor + rb"\.[0-9]{1,3}(?:(?:a|b|rc)[0-9]{1,3})?\+?)\x00")


def _python_binary(folder: str, base: str) -> Keep | None:
    named = PYTHON_BINARY.match(base)
    if named and (folder == "bin" or folder.endswith("/bin")):
        return Keep(PYTHON_SCAN_LIMIT, scan=python_version_pattern(named.group(1)))
    library = LIBPYTHON.match(base)
    if library and (LIBRARY_FOLDER.match(folder) or folder.endswith("/lib")):
        return Keep(PYTHON_SCAN_LIMIT, scan=python_version_pattern(library.group(1)))
    return None


def wanted(path: str) -> Keep | None:
    """How much of the file at ``path`` (a key, no leading "/") to keep; None: nothing."""
    exact = EXACT.get(path)
    if exact is not None:
        return exact
    folder, _, base = path.rpartition("/")
    if folder.endswith((".dist-info", ".egg-info")):
        return RECORD if base == "RECORD" else METADATA_FILES.get(base)
    if base.endswith(".egg-info"):
        return METADATA_FILES["PKG-INFO"]  # a single-file egg-info is its own PKG-INFO
    if base == "pyvenv.cfg":
        return Keep(1 * MiB)
    if base == "site.py" and STDLIB_FOLDER.search(folder):
        return Keep(512 * KiB, prefix=True)  # Debian's patched one says "dist-packages"
    if base.endswith(".pth") and folder.endswith(("site-packages", "dist-packages")):
        return Keep(1 * MiB)
    if folder == "var/lib/dpkg/status.d" and not base.endswith(".md5sums"):
        return Keep(1 * MiB)
    if folder == "etc/ld.so.conf.d" or folder.startswith("etc/ld.so.conf.d/"):
        return Keep(1 * MiB)  # includes nest there (sub-folders); elsewhere: an unknown
    if base.startswith("lib") and LIBRARY_BINARY.match(base) and LIBRARY_FOLDER.match(folder):
        return Keep(BINARY_PREFIX, prefix=True)
    if folder == "var/lib/dpkg/info" and PYTHON_DPKG_LIST.match(base):
        return Keep(1 * MiB)
    if "python" in base:
        return _python_binary(folder, base)
    return None
