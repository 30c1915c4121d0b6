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
    if folder in ("var/lib/dpkg/status.d", "etc/ld.so.conf.d") and not base.endswith(".md5sums"):
        return Keep(1 * MiB)
    if base.startswith("lib") and LIBRARY_BINARY.match(base) and LIBRARY_FOLDER.match(folder):
        return Keep(BINARY_PREFIX, prefix=True)
    return None
