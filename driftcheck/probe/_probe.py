# driftcheck probe: collects raw facts about the interpreter that runs it.
#
# This one file runs unchanged in the host interpreter, in a container and in
# a throwaway container. Rules it keeps, because targets are hostile places:
#   - standard library only, syntax of CPython 3.8 (checked by vermin in tests);
#   - imports nothing from the target's site-packages, writes nothing, needs no
#     shell, no HOME and no passwd entry;
#   - .pth files are read as data, never executed;
#   - every section is collected on its own: what fails becomes an "unknown"
#     with its reason, never a crash;
#   - secrets are redacted here already (the host redacts again and is the
#     authority); the redaction rules (redaction/rules.py) are prepended to this text.
#   - the JSON result is framed between markers chosen by the host per run so
#     that output from sitecustomize or .pth files cannot corrupt it.
# The host interprets; the probe only reports what it read.

import functools
import json
import os
import platform
import re
import stat
import struct
import sys
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Set, Tuple

if "ProbeFiles" not in globals():  # imported as a module on the host
    from driftcheck.probe._protocols import (
        ProbeCollector,
        ProbeConfFiles,
        ProbeFiles,
        ProbeNames,
        ProbeUnknowns,
    )
if "redact_environment" not in globals():  # imported as a module on the host
    from driftcheck.redaction.rules import redact_environment, scrub_text
if "elf_native_needs" not in globals():
    from driftcheck.probe._elf import elf_native_needs
    from driftcheck.probe._owners import owner_add
if "startup_facts" not in globals():
    from driftcheck.probe._startup import startup_facts

PROBE_VERSION = 1
MAX_TEXT_FILE = 64 * 1024 * 1024
MAX_METADATA_HEADER = 512 * 1024
MAX_RECORD_FILE = 4 * 1024 * 1024
RPM_QUERY_FORMAT = "%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\n"
NATIVE_LIBRARY_PATTERNS = (
    ("libc", "libc.so."),
    ("libstdc++", "libstdc++.so."),
    ("libssl", "libssl.so."),
    ("libcrypto", "libcrypto.so."),
    ("libgomp", "libgomp.so."),
    ("openblas", "libopenblas"),
    ("mkl", "libmkl_rt.so"),
)
# A RECORD line's path up to its first "/" (the top-level name) or "," (a file at the top).
RECORD_FIRST_COMPONENT = re.compile(r"^[^/,\r\n]*", re.MULTILINE)
WHEEL_LIBRARY_HINTS = ("openblas", "mkl", "gomp", "gfortran", "stdc++", "omp", "blas")
# Flags for opening a file that should be regular: O_NONBLOCK so that a FIFO put where a
# file belongs cannot hold the open (the fstat check then refuses it), O_NOCTTY so that a
# terminal never becomes the probe's. Windows has neither (and wants O_BINARY).
OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_BINARY", 0)
)
FILE_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
# ld.so.conf and its includes: files read in one walk, and include nesting. ldconfig
# bounds neither; an image can hold a file that includes itself.
MAX_LD_SO_CONF_FILES = 100
MAX_LD_SO_CONF_DEPTH = 8
MAX_LD_SO_CONF_BYTES = 1024 * 1024
LD_SO_CONF = "/etc/ld.so.conf"
DPKG_STATUS = "/var/lib/dpkg/status"
DPKG_STATUS_D = "/var/lib/dpkg/status.d"
DPKG_STATUS_LINE = re.compile(r"(?im)^status:")
APK_INSTALLED = "/lib/apk/db/installed"
RPM_DATABASES = ("/var/lib/rpm", "/usr/lib/sysimage/rpm")
LIBRARY_BASES = ("/lib", "/usr/lib", "/lib64", "/usr/lib64", "/usr/local/lib")
OS_RELEASE_FILES = ("/etc/os-release", "/usr/lib/os-release")
MAX_OS_RELEASE = 1024 * 1024
MAX_PTH = 1024 * 1024
MAX_PYVENV_CFG = 1024 * 1024
MAX_LIBRARY_SCAN = 32 * 1024 * 1024  # what is searched of a library for its version string
GLIBC_RELEASE = re.compile(rb"GNU C Library[^\n\x00]{0,200}?release version (\d+\.\d+(?:\.\d+)?)")
GLIBC_FILE = re.compile(r"^libc-(\d+\.\d+(?:\.\d+)?)\.so$")
OPENSSL_VERSION = re.compile(rb"OpenSSL (\d+\.\d+\.\d+[a-z]?)[ -]")
#: A record of the answer (JSON): a distribution, a .pth file, a library...
JsonRecord = Dict[str, Any]
#: Hears the reason something was left out or could not be read.
Note = Callable[[str], None]


class Collector:
    """Holds the facts gathered so far and what could not be learned."""

    def __init__(self) -> None:
        self.unknowns: List[Dict[str, str]] = []

    def unknown(self, field: str, reason: str) -> None:
        self.unknowns.append({"field": field, "reason": str(reason)[:500]})

    def safely(self, field: str, func: Callable[[], Any], default: Any = None) -> Any:
        try:
            return func()
        except Exception as exc:  # a partial snapshot beats no snapshot
            self.unknown(field, "%s: %s" % (type(exc).__name__, exc))
            return default


class NotRegularFileError(OSError):
    """A path the probe would read is a FIFO, a device, a socket or a folder: not opened
    (a FIFO with no writer would block the probe until its timeout)."""


def not_regular(path: str, mode: int) -> NotRegularFileError:
    what = file_kind(mode)
    if what is None:
        return NotRegularFileError("%s is not a regular file: not read" % path)
    return NotRegularFileError("%s is %s, not a regular file: not read" % (path, what))


def file_kind(mode: int) -> Optional[str]:
    """What a file of MODE is, in words ("a FIFO"), for one that is not regular."""
    for is_kind, what in FILE_KINDS:
        if is_kind(mode):
            return what
    return None


def open_regular(path: str) -> int:
    """A read-only descriptor on PATH, which must be a regular file (or a symlink to one).

    Checked before opening (opening a device can act on it) and again on the open
    descriptor (the path can be swapped in between); the open itself never blocks.
    Every file the probe reads is opened here.
    """
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise not_regular(path, mode)
    fd = os.open(path, OPEN_FLAGS)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise not_regular(path, mode)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_bytes(path: str, limit: int = MAX_TEXT_FILE) -> bytes:
    """The bytes of PATH, a regular file; more than LIMIT is an error.

    Sized by fstat: a read(limit + 1) allocates the whole limit before reading
    (64 MiB for a 4-byte INSTALLER). Files in /proc report no size: read by chunks.
    """
    fd = open_regular(path)
    try:
        size = os.fstat(fd).st_size
        if size > limit:
            raise ValueError("%s is larger than %d bytes" % (path, limit))
        chunks: List[bytes] = []
        total, want = 0, size + 1 if size else 65536
        while True:
            chunk = os.read(fd, min(want, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise ValueError("%s is larger than %d bytes" % (path, limit))
            if size and len(chunk) < want:
                break  # a file with a size ends where a read comes back short
            want = 65536
    finally:
        os.close(fd)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def read_text(path: str, limit: int = MAX_TEXT_FILE) -> str:
    return read_bytes(path, limit).decode("utf-8", "replace")


def read_optional(path: str, limit: int = MAX_TEXT_FILE) -> Optional[str]:
    try:
        return read_text(path, limit)
    except (FileNotFoundError, NotADirectoryError):
        return None


# --- interpreter -------------------------------------------------------------


def interpreter_facts(col: ProbeCollector) -> JsonRecord:
    import sysconfig

    # The bootstrap has already removed the working folder that `-c` put first.
    sys_path = list(sys.path)
    flags: Dict[str, int] = {}
    for name in dir(sys.flags):
        if name.startswith("_") or name in ("count", "index"):
            continue
        value = getattr(sys.flags, name)
        if isinstance(value, int) and not name.startswith("n_"):
            flags[name] = int(value)
    if globals().get("SITE_RUN_BY_BOOTSTRAP"):
        flags["no_site"] = 0  # -S only deferred site.py to the bootstrap, which ran it
    pyvenv_cfg = col.safely("python.pyvenv_cfg", lambda: read_pyvenv_cfg(sys.prefix), {})
    return {
        "implementation": sys.implementation.name,
        "version": platform.python_version(),
        "cache_tag": sys.implementation.cache_tag,
        "soabi": sysconfig.get_config_var("SOABI"),
        "ext_suffix": sysconfig.get_config_var("EXT_SUFFIX"),
        "executable": sys.executable,
        "prefix": sys.prefix,
        "base_prefix": getattr(sys, "base_prefix", sys.prefix),
        "real_prefix": getattr(sys, "real_prefix", None),
        "pyvenv_cfg": pyvenv_cfg,
        "conda_meta": os.path.isdir(os.path.join(sys.prefix, "conda-meta")),
        "sys_path": sys_path,
        "flags": flags,
        "free_threaded": sysconfig.get_config_var("Py_GIL_DISABLED") == 1,
        "debug_build": hasattr(sys, "gettotalrefcount"),
        "pointer_bits": struct.calcsize("P") * 8,
        "default_encoding": sys.getdefaultencoding(),
        "filesystem_encoding": sys.getfilesystemencoding(),
        "locale": col.safely("python.locale", locale_facts, {}),
        "build": build_versions(col),
        "compiler": platform.python_compiler(),
        "start_up_blockers": start_up_blockers(col),
    }


def read_pyvenv_cfg(prefix: str, files: Optional[ProbeFiles] = None) -> Dict[str, str]:
    """PREFIX/pyvenv.cfg's values ({} when there is none), read through FILES."""
    files = files or LOCAL_FILES
    return parse_pyvenv_cfg(files.read_optional(files.join(prefix, "pyvenv.cfg"), MAX_PYVENV_CFG))


def parse_pyvenv_cfg(text: Optional[str]) -> Dict[str, str]:
    """pyvenv.cfg's values as site.py's venv() reads them: KEY = VALUE lines, keys lowered."""
    values: Dict[str, str] = {}
    for line in (text or "").splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip().lower()] = value.strip()
    return values


def locale_facts() -> Dict[str, str]:
    import locale

    return {
        "preferred_encoding": locale.getpreferredencoding(False),
        "lc_ctype": locale.setlocale(locale.LC_CTYPE),  # a query: changes nothing
    }


def build_versions(col: ProbeCollector) -> Dict[str, Optional[str]]:
    versions: Dict[str, Optional[str]] = {
        "openssl": None,
        "sqlite": None,
        "zlib": None,
        "expat": None,
    }

    # The C modules hold the same constants as ssl and sqlite3, whose Python halves
    # cost ~10 ms to import.
    def openssl() -> None:
        import _ssl

        versions["openssl"] = _ssl.OPENSSL_VERSION

    def sqlite() -> None:
        import _sqlite3

        versions["sqlite"] = _sqlite3.sqlite_version

    def zlib() -> None:
        import zlib as zlib_module

        versions["zlib"] = getattr(zlib_module, "ZLIB_RUNTIME_VERSION", zlib_module.ZLIB_VERSION)

    def expat() -> None:
        import pyexpat

        versions["expat"] = pyexpat.EXPAT_VERSION

    for name, func in (("openssl", openssl), ("sqlite", sqlite), ("zlib", zlib), ("expat", expat)):
        col.safely("python.build." + name, func)
    return versions


# --- .pth files ----------------------------------------------------------------


def start_up_blockers(col: ProbeUnknowns) -> List[str]:
    """The .pth files the bootstrap's site.py run skipped (bootstrap SITE_SKIPPED_PTH):
    not regular files, which CPython's own site.py blocks on (a FIFO) at every start.
    Each is an unknown too: a normal start of this interpreter hangs there."""
    found: List[str] = []
    for path in globals().get("SITE_SKIPPED_PTH") or ():
        if path in found:
            continue  # a site folder seen twice (a venv's and the user site are one)
        try:
            what = file_kind(os.stat(path).st_mode) or "not a regular file"
        except OSError:
            what = "not a regular file"
        col.unknown("python.start_up", start_up_blocker_reason(path, what))
        found.append(path)
    return found


def start_up_blocker_reason(path: str, what: str) -> str:
    """The unknown for a .pth file site.py blocks on; the static reader words it alike."""
    return (
        "%s is %s: Python's site.py blocks reading it at start-up, so a program this "
        "interpreter starts never runs (the probe skipped it); remove it" % (path, what)
    )


def site_directories() -> List[str]:
    import site

    dirs: List[str] = []
    if hasattr(site, "getsitepackages"):
        dirs.extend(site.getsitepackages())
    if getattr(site, "ENABLE_USER_SITE", False) and hasattr(site, "getusersitepackages"):
        dirs.append(site.getusersitepackages())
    seen: List[str] = []
    for directory in dirs:
        if directory not in seen and os.path.isdir(directory):
            seen.append(directory)
    return seen


def pth_files(
    col: ProbeUnknowns, directories: List[str], files: Optional[ProbeFiles] = None
) -> List[JsonRecord]:
    """The .pth files of DIRECTORIES (site folders), read as data through FILES."""
    files = files or LOCAL_FILES
    found: List[JsonRecord] = []
    for directory in directories:
        try:
            names = sorted(n for n in files.list_folder(directory) if n.endswith(".pth"))
        except OSError as exc:
            col.unknown("pth_files", "%s: %s" % (directory, exc))
            continue
        for name in names:
            path = files.join(directory, name)
            try:
                text = files.read_optional(path, MAX_PTH)
            except NotRegularFileError as exc:
                col.unknown("pth_files", str(exc))  # names the file already
                continue
            except (OSError, ValueError) as exc:
                col.unknown("pth_files", "%s: %s" % (path, exc))
                continue
            if text is None:
                continue  # gone since the listing
            path_lines, code_lines = parse_pth(text)
            # Executable lines can carry credentials (os.environ['DB_PW'] = '...'):
            # scrubbed here already, and again on the host.
            found.append(
                {
                    "path": path,
                    "path_lines": [scrub_text(line)[0] for line in path_lines],
                    "code_lines": [scrub_text(line)[0] for line in code_lines],
                }
            )
    return found


def parse_pth(text: str) -> Tuple[List[str], List[str]]:
    """A .pth file's (path lines, code lines) by site.py's addpackage() rules: a line
    starting with "#" and a blank line are skipped, one starting with "import " or
    "import\t" is code site.py would exec(), any other names a folder (right-stripped)."""
    path_lines: List[str] = []
    code_lines: List[str] = []
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        if line.startswith(("import ", "import\t")):
            code_lines.append(line)
        else:
            path_lines.append(line.rstrip())
    return path_lines, code_lines


# --- distributions -----------------------------------------------------------


def metadata_headers(path: str) -> Tuple[Dict[str, List[str]], bool]:
    """Reads only the header block of METADATA / PKG-INFO: everything we need is there.

    Returns (headers, cut), as parse_metadata_headers does.
    """
    fd = open_regular(path)
    try:
        data = os.read(fd, 16384)  # the headers of nearly every distribution
        while b"\n\n" not in data and b"\n\r\n" not in data and len(data) <= MAX_METADATA_HEADER:
            more = os.read(fd, 65536)
            if not more:
                break
            data += more
    finally:
        os.close(fd)
    return parse_metadata_headers([data])


# Only these headers are kept: the rest (classifiers, descriptions) is never used.
WANTED_HEADERS = ("name", "version", "requires-dist", "requires-python")
# No character but these lower-cases to the first letter of a wanted header (checked
# over all of Unicode): a line starting with another letter or digit is not wanted.
UNWANTED_INITIALS = frozenset(
    c for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" if c not in "nNvVrR"
)


def parse_metadata_headers(chunks: Iterable[bytes]) -> Tuple[Dict[str, List[str]], bool]:
    """Parses the header block (bytes, in chunks or lines) up to the first blank line.

    Returns (headers, cut). Only MAX_METADATA_HEADER bytes of headers are read: cut is
    True when the block runs past them (the data goes on without a blank line), so
    that the caller records what was left out; a header line cut in two is dropped.
    Decoded once, not line by line: this runs for every distribution. Shared with
    the static reader, which hands it the bytes it kept from an image (one more
    than the bound, to know whether the file goes on).
    """
    data = b"".join(chunks)
    window = data[: MAX_METADATA_HEADER + 1]
    # The header block ends at the first blank line ("\n\n", or "\n\r\n" with CRLF):
    # cut there before decoding, the description after it can be 100 times longer.
    end = window.find(b"\n\n")
    crlf = window.find(b"\n\r\n")
    if crlf >= 0 and (end < 0 or crlf < end):
        end = crlf
    cut = False
    if end >= 0:
        data = window[:end]
    else:
        cut = len(data) > MAX_METADATA_HEADER
        data = window[:MAX_METADATA_HEADER]
        if cut:
            data = data[: data.rfind(b"\n") + 1]
    text = data.decode("utf-8", "replace")
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    headers: Dict[str, List[str]] = {}
    last: Optional[str] = None
    for line in text.split("\n"):
        if not line:
            break
        first = line[0]
        if first in " \t":
            if last is not None:
                headers[last][-1] += "\n" + line.strip()
            continue
        last = None
        if first in UNWANTED_INITIALS:
            continue  # Classifier, Summary, Author...: most lines, not wanted
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key = key.strip().lower()
        if key in WANTED_HEADERS:
            last = key
            headers.setdefault(key, []).append(value.strip())
    return headers, cut


def join_name(folder: str, name: str) -> str:
    """os.path.join(FOLDER, NAME) for a NAME without separators, in a third of the time
    (called five times per distribution)."""
    if not folder or folder[-1] == os.sep:
        return folder + name
    return folder + os.sep + name


class LocalFiles(object):
    """The files every shared reader reads through: here, the real filesystem.

    The static reader passes its own object with the same methods, backed by an
    image's layers (driftcheck/static/files.py), so that both readings of a fact
    (distributions, .pth files, pyvenv.cfg, os-release, libc, ld.so.conf, library
    folders, native libraries) are made by the same code. Reads open regular files
    only (open_regular), never blocking, each bounded.
    """

    join = staticmethod(join_name if os.sep == "/" and not os.altsep else os.path.join)
    isdir = staticmethod(os.path.isdir)
    exists = staticmethod(os.path.exists)
    metadata_headers = staticmethod(metadata_headers)
    list_folder = staticmethod(os.listdir)  # raises OSError: the caller says why
    runs_programs = True  # a live target can run musl's loader to learn its version

    @staticmethod
    def realpath(path: str) -> str:
        return os.path.realpath(path)

    @staticmethod
    def read_optional(path: str, limit: int) -> Optional[str]:
        return read_optional(path, limit)

    @staticmethod
    def read_conf(path: str) -> Optional[str]:
        """PATH's text, None when it does not exist; raises NotRegularFileError for a
        FIFO or a device, OSError or ValueError when it cannot be read."""
        return read_optional(path, MAX_LD_SO_CONF_BYTES)

    @staticmethod
    def listdir(folder: str) -> List[str]:
        """FOLDER's names; none when it is missing or unreadable, as glob(3) sees it."""
        try:
            return os.listdir(folder)
        except OSError:
            return []

    @staticmethod
    def link_target(path: str) -> Optional[str]:
        """What the symbolic link PATH points to, as written; None when it is no link."""
        try:
            return os.readlink(path)
        except (OSError, ValueError):
            return None

    @staticmethod
    def system() -> str:
        return platform.system()

    @staticmethod
    def running_libc() -> Optional[Dict[str, Optional[str]]]:
        """The C library this very process runs on, when it says (glibc's confstr)."""
        try:
            confstr = os.confstr("CS_GNU_LIBC_VERSION")
        except (ValueError, OSError, AttributeError):
            return None
        if confstr and confstr.startswith("glibc "):
            return {"family": "glibc", "version": confstr.split(" ", 1)[1]}
        return None

    @staticmethod
    def musl_version(loader: str) -> Optional[str]:
        return musl_version(loader)

    @staticmethod
    def other_libc() -> Dict[str, Optional[str]]:
        name, version = platform.libc_ver()
        return {"family": name or "unknown", "version": version or None}

    @staticmethod
    def find_version(path: str, literal: bytes, pattern: "re.Pattern[bytes]") -> Optional[str]:
        """The first group of PATTERN where it matches at an occurrence of LITERAL in the
        first MAX_LIBRARY_SCAN bytes of PATH. Mapped, not read: a regular expression
        scanning 5 MB of libcrypto costs ~10 ms, a literal find ~1 ms."""
        import mmap

        fd = open_regular(path)
        try:
            size = min(os.fstat(fd).st_size, MAX_LIBRARY_SCAN)
            if not size:
                return None
            with mmap.mmap(fd, size, access=mmap.ACCESS_READ) as data:
                return search_version(data, literal, pattern)
        finally:
            os.close(fd)

    @staticmethod
    def names(path: str) -> Optional[ProbeNames]:
        """The names in folder PATH (one listing instead of a stat or a failed open
        per file), or None when PATH is a file."""
        try:
            return set(os.listdir(path))
        except NotADirectoryError:
            return None
        except PermissionError:
            return Unlisted(LOCAL_FILES, path)  # searchable, not listable: ask file by file


class Unlisted(object):
    """The names of a folder that cannot be listed: each one asked for on its own."""

    def __init__(self, files: ProbeFiles, folder: str) -> None:
        self.files, self.folder = files, folder

    def __contains__(self, name: str) -> bool:
        return self.files.exists(self.files.join(self.folder, name))


def folder_names(files: ProbeFiles, folder: str) -> Optional[ProbeNames]:
    """FOLDER's names (a container), or None when it is not a folder; readers without
    a listing (the static one) answer name by name."""
    if hasattr(files, "names"):
        names: Optional[ProbeNames] = files.names(folder)
        return names
    return Unlisted(files, folder) if files.isdir(folder) else None


LOCAL_FILES = LocalFiles()
LocalConfFiles = LocalFiles  # ld_so_conf_directories' view of the real filesystem (its old name)


def search_version(data: Any, literal: bytes, pattern: "re.Pattern[bytes]") -> Optional[str]:
    """The first group of PATTERN matched at an occurrence of LITERAL in DATA (bytes or a
    mmap), searched for the literal first: the version strings of binaries."""
    start = data.find(literal)
    while start >= 0:
        match = pattern.match(data, start)
        if match:
            return match.group(1).decode("ascii")
        start = data.find(literal, start + 1)
    return None


def top_level_from_record(
    meta_dir: str, files: ProbeFiles = LOCAL_FILES, note: Optional[Note] = None
) -> Optional[List[str]]:
    try:
        text = files.read_optional(files.join(meta_dir, "RECORD"), MAX_RECORD_FILE)
    except NotRegularFileError as exc:
        if note is None:
            raise
        note(str(exc))
        return None
    if text is None:
        return None
    names: Set[str] = set()
    # Only the first path component of each line counts: collected by one regular
    # expression, then judged once per distinct value rather than once per line.
    for first in set(RECORD_FIRST_COMPONENT.findall(text)):
        first = first.strip().strip('"')
        if not first or first.startswith(".") or first.endswith((".dist-info", ".data")):
            continue
        if first == "__pycache__" or first.endswith(".pth"):
            continue
        if first.endswith(".py"):
            first = first[:-3]
        elif "." in first:
            if first.endswith((".so", ".pyd")):
                first = first.split(".", 1)[0]
            else:
                continue
        names.add(first)
    return sorted(names)


def read_distribution(
    location: str, entry: str, files: ProbeFiles = LOCAL_FILES, note: Optional[Note] = None
) -> JsonRecord:
    """The record of one distribution; NOTE(reason), if given, hears what was left out."""
    meta_dir = files.join(location, entry)
    is_dist_info = entry.endswith(".dist-info")
    names = folder_names(files, meta_dir)
    if is_dist_info:
        metadata_file = files.join(meta_dir, "METADATA")
    elif names is not None:
        metadata_file = files.join(meta_dir, "PKG-INFO")
    else:
        metadata_file = meta_dir  # a single-file .egg-info
    headers, cut = files.metadata_headers(metadata_file)
    record: JsonRecord = {
        "location": location,
        "metadata_dir": entry,
        "kind": "dist-info" if is_dist_info else "egg-info",
        "name": (headers.get("name") or (None,))[0],
        "version": (headers.get("version") or (None,))[0],
        "requires_dist": headers.get("requires-dist", []),
        "requires_python": (headers.get("requires-python") or (None,))[0],
    }
    if cut and note is not None:
        note(metadata_cut_reason(meta_dir, record))
    if names is None:
        return record

    def optional(name: str, limit: int) -> Optional[str]:
        if name not in names:
            return None  # no open() that fails, and no exception, per absent file
        try:
            return files.read_optional(files.join(meta_dir, name), limit)
        except NotRegularFileError as exc:
            if note is None:
                raise
            note(str(exc))  # one FIFO costs that file, not the whole record
            return None

    installer = optional("INSTALLER", 4096)
    record["installer"] = installer.strip() if installer else None
    record["requested"] = "REQUESTED" in names if is_dist_info else None
    direct_url = optional("direct_url.json", 1024 * 1024)
    record["direct_url"] = parse_direct_url(direct_url) if direct_url else None
    wheel = optional("WHEEL", 64 * 1024)
    record["wheel_tags"] = [
        line.split(":", 1)[1].strip()
        for line in (wheel or "").splitlines()
        if line.lower().startswith("tag:")
    ]
    top_level = optional("top_level.txt", 1024 * 1024)
    if top_level is not None:
        record["top_level"] = sorted(set(n.strip() for n in top_level.splitlines() if n.strip()))
    elif is_dist_info:
        record["top_level"] = (
            top_level_from_record(meta_dir, files, note) if "RECORD" in names else None
        )
    if not is_dist_info:
        record["requires_txt"] = optional("requires.txt", 1024 * 1024)
    return record


def metadata_cut_reason(meta_dir: str, record: JsonRecord) -> str:
    """The unknown for headers past MAX_METADATA_HEADER: which distribution, what is missing."""
    return (
        "%s: the METADATA headers of %s %s are longer than the %d KiB driftcheck reads; "
        "headers after them (Requires-Dist, Requires-Python) are missing from this snapshot"
        % (
            meta_dir,
            record["name"] or "(no Name in what was read)",
            record["version"] or "(no Version in what was read)",
            MAX_METADATA_HEADER // 1024,
        )
    )


def parse_direct_url(text: str) -> JsonRecord:
    """direct_url.json (PEP 610), kept to the fields the host reads, all scalars.

    The file is the target's: whatever its shape (a list, nesting 10,000 deep), one
    damaged file costs one distribution (an unknown), never the whole answer.
    """
    try:
        value = json.loads(text)
    except RecursionError:
        raise ValueError("direct_url.json is nested too deeply") from None
    if not isinstance(value, dict):
        raise ValueError("direct_url.json is not a JSON object")
    url = value.get("url")
    vcs_info = value.get("vcs_info")
    if not isinstance(vcs_info, dict):
        vcs_info = {}
    dir_info = value.get("dir_info")
    if not isinstance(dir_info, dict):
        dir_info = {}
    return {
        # https://TOKEN@host/...: the credentials are masked here already, and on the host.
        "url": scrub_text(url)[0] if isinstance(url, str) else None,
        "vcs_info": dict(
            (key, vcs_info[key])
            for key in ("vcs", "commit_id")
            if isinstance(vcs_info.get(key), str)
        ),
        "dir_info": {"editable": dir_info.get("editable") is True},
    }


def distributions(
    col: ProbeUnknowns, path_entries: List[str], files: Optional[ProbeFiles] = None
) -> List[JsonRecord]:
    """The distribution records found along PATH_ENTRIES, read through FILES."""
    files = files or LOCAL_FILES
    found: List[JsonRecord] = []

    def note(reason: str) -> None:
        col.unknown("distributions", reason)

    for location in path_entries:
        if not location or not files.isdir(location):
            continue  # zip files and missing folders hold nothing we read here
        try:
            entries = sorted(files.list_folder(location))
        except OSError as exc:
            col.unknown("distributions", "%s: %s" % (location, exc))
            continue
        for entry in entries:
            if not entry.endswith((".dist-info", ".egg-info")):
                continue
            try:
                found.append(read_distribution(location, entry, files, note))
            except (OSError, ValueError) as exc:
                col.unknown("distributions", "%s: %s" % (files.join(location, entry), exc))
    return found


# --- operating system --------------------------------------------------------


def os_facts(col: ProbeCollector) -> JsonRecord:
    system = platform.system()
    facts: JsonRecord = {
        "system": system,
        "kernel": platform.release() or None,
        "machine": platform.machine(),
        "hostname": platform.node() or None,
        "os_release_text": None,
        "platform_version": None,
        "libc": col.safely(
            "os.libc", lambda: libc_facts(LOCAL_FILES, col), {"family": "unknown", "version": None}
        ),
        "cpu": col.safely("os.cpu", cpu_facts, {}),
        "memory_bytes": col.safely("os.memory_bytes", memory_bytes),
    }
    if system == "Darwin":
        facts["platform_version"] = "macOS " + platform.mac_ver()[0]
    elif system == "Windows":
        facts["platform_version"] = "Windows " + " ".join(platform.win32_ver()[:2])
    else:
        facts["os_release_text"] = os_release_text(col)
    return facts


def os_release_text(col: ProbeUnknowns, files: Optional[ProbeFiles] = None) -> Optional[str]:
    """/etc/os-release, else /usr/lib/os-release (os-release(5)'s order), read through FILES."""
    files = files or LOCAL_FILES
    for path in OS_RELEASE_FILES:
        try:
            text = files.read_optional(path, MAX_OS_RELEASE)
        except (OSError, ValueError) as exc:
            col.unknown("os.os_release", str(exc) if path in str(exc) else "%s: %s" % (path, exc))
            continue
        if text:
            return text
    col.unknown("os.os_release", "neither /etc/os-release nor /usr/lib/os-release exists")
    return None


def libc_facts(
    files: Optional[ProbeFiles] = None,
    col: Optional[ProbeUnknowns] = None,
    library_dirs: Optional[Callable[[], List[str]]] = None,
) -> Dict[str, Optional[str]]:
    """The C library: what the running process says (glibc's confstr), else the files:
    libc.so.6 in the library folders (the version in its link name, libc-2.31.so, else
    the release string inside it), else musl's loader (which says its version only when
    it runs). LIBRARY_DIRS: a function giving the folders, called only when needed."""
    files = files or LOCAL_FILES
    if files.system() != "Linux":
        return {"family": "none", "version": None}
    running = files.running_libc()
    if running:
        return running

    def note(reason: str) -> None:
        if col is not None:
            col.unknown("os.libc", reason)

    for folder in library_dirs() if library_dirs else (d for d in LIBRARY_BASES):
        path = files.join(folder, "libc.so.6")
        if not files.exists(path):
            continue
        named = GLIBC_FILE.match(os.path.basename(files.link_target(path) or ""))
        if named:
            return {"family": "glibc", "version": named.group(1)}
        try:
            version = files.find_version(path, b"GNU C Library", GLIBC_RELEASE)
        except (OSError, ValueError) as exc:
            note("%s: %s" % (path, exc))
            return {"family": "glibc", "version": None}
        if version is None:
            note("%s: no glibc release string in what was read" % path)
        return {"family": "glibc", "version": version}
    for folder in ("/lib", "/usr/lib"):
        loaders = sorted(n for n in files.listdir(folder) if n.startswith("ld-musl-"))
        if loaders:
            version = files.musl_version(files.join(folder, loaders[0]))
            if version is None and not files.runs_programs:
                note("musl prints its version only when its loader runs")
            return {"family": "musl", "version": version}
    found = files.other_libc()
    if found["family"] == "unknown":
        note("no glibc (libc.so.6) or musl loader found")
    return found


def musl_version(loader: str) -> Optional[str]:
    import subprocess

    # The musl loader prints its version on stderr when run with no arguments.
    try:
        result = subprocess.run([loader], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    for line in result.stderr.decode("utf-8", "replace").splitlines():
        if line.startswith("Version "):
            return line.split(" ", 1)[1].strip()
    return None


def cpu_facts() -> JsonRecord:
    model: Optional[str] = None
    flags: List[str] = []
    text = read_optional("/proc/cpuinfo", 16 * 1024 * 1024) if os.path.exists("/proc") else None
    for line in (text or "").splitlines():
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key in ("model name", "cpu model", "hardware") and model is None:
            model = value.strip()
        elif key in ("flags", "features") and not flags:
            flags = sorted(set(value.split()))
        elif not line.strip() and model is not None and flags:
            break  # the first processor tells us enough
    if model is None and platform.system() != "Linux":
        model = platform.processor() or None
    usable = None
    if hasattr(os, "sched_getaffinity"):
        usable = len(os.sched_getaffinity(0))
    return {"model": model, "flags": flags, "count": os.cpu_count(), "usable": usable}


def memory_bytes() -> int:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def identity_facts() -> JsonRecord:
    facts: JsonRecord = {"uid": None, "gid": None, "user": None, "home": os.environ.get("HOME")}
    if hasattr(os, "getuid"):
        facts["uid"], facts["gid"] = os.getuid(), os.getgid()
    for name in ("USER", "LOGNAME", "USERNAME"):
        if os.environ.get(name):
            facts["user"] = os.environ[name]
            break
    if facts["user"] is None and facts["uid"] is not None:
        try:
            import pwd

            entry = pwd.getpwuid(facts["uid"])
            facts["user"], facts["home"] = entry.pw_name, facts["home"] or entry.pw_dir
        except (ImportError, KeyError):
            pass  # an arbitrary UID with no passwd entry: numbers are enough
    return facts


# --- OS packages and native libraries ----------------------------------------


def os_package_databases(
    col: ProbeCollector, files: Optional[ProbeFiles] = None
) -> Dict[str, Optional[str]]:
    """The OS package databases as text: dpkg's status (and status.d, where distroless
    images keep one file per package), apk's installed, and rpm's answer where rpm can
    run (an RPM database is read only by running rpm), read through FILES."""
    files = files or LOCAL_FILES
    raw: Dict[str, Optional[str]] = {"dpkg": None, "apk": None, "rpm": None}
    dpkg = col.safely("os_packages.dpkg", lambda: files.read_optional(DPKG_STATUS, MAX_TEXT_FILE))
    extra = dpkg_status_d(col, files)
    raw["dpkg"] = (dpkg or "") + "\n\n" + extra if extra else dpkg
    raw["apk"] = col.safely(
        "os_packages.apk", lambda: files.read_optional(APK_INSTALLED, MAX_TEXT_FILE)
    )
    if files.runs_programs:
        raw["rpm"] = col.safely("os_packages.rpm", rpm_query)
    elif any(files.isdir(path) for path in RPM_DATABASES):
        col.unknown("os_packages.rpm", "an RPM database is present; it is read only by running rpm")
    return raw


def dpkg_status_d(col: ProbeCollector, files: ProbeFiles) -> str:
    """/var/lib/dpkg/status.d/NAME holds one package's control fields and no Status line."""
    paragraphs: List[str] = []
    for name in sorted(files.listdir(DPKG_STATUS_D)):
        if name.endswith(".md5sums"):
            continue
        path = files.join(DPKG_STATUS_D, name)
        text = col.safely("os_packages.dpkg", functools.partial(files.read_optional, path, MAX_PTH))
        for paragraph in (text or "").replace("\r\n", "\n").split("\n\n"):
            if not paragraph.strip():
                continue
            if not DPKG_STATUS_LINE.search(paragraph):
                paragraph = "Status: install ok installed\n" + paragraph.strip("\n")
            paragraphs.append(paragraph.strip("\n"))
    return "\n\n".join(paragraphs)


def rpm_query() -> Optional[str]:
    if not os.path.isdir("/var/lib/rpm"):
        return None  # before the imports: subprocess and shutil cost ~5 ms
    import shutil
    import subprocess

    rpm = shutil.which("rpm")
    if rpm is None:
        return None
    result = subprocess.run(
        [rpm, "-qa", "--qf", RPM_QUERY_FORMAT.replace("\\t", "\t").replace("\\n", "\n")],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        timeout=60,
    )
    return result.stdout.decode("utf-8", "replace")


def ld_so_conf_directories(files: ProbeConfFiles, note: Note, conf: str = LD_SO_CONF) -> List[str]:
    """The folders CONF names, in ldconfig's order: an include's folders stand where the
    include line stands. Every file is read once: a file that includes itself (directly or
    through others) is an unknown, a second include elsewhere adds nothing. At most
    MAX_LD_SO_CONF_FILES files, MAX_LD_SO_CONF_DEPTH includes deep. NOTE(reason) hears
    each file skipped or unreadable. Shared, unchanged, by the live probe (LocalConfFiles)
    and the static reader (an image's files), so both readings say the same.
    """
    import fnmatch

    dirs: List[str] = []
    seen: Set[str] = set()
    reported: Set[str] = set()
    reading: Set[str] = set()
    budget = [MAX_LD_SO_CONF_FILES]

    def skipped(path: str, reason: str) -> None:
        if path not in reported:  # N files including one glob of N: N notes, not N * N
            reported.add(path)
            note("%s: %s" % (path, reason))

    def included(pattern: str, parent: str) -> List[str]:
        if not pattern.startswith("/"):
            pattern = parent.rsplit("/", 1)[0] + "/" + pattern  # as ldconfig does
        folder, name = pattern.rsplit("/", 1)
        if any(c in folder for c in "*?["):
            skipped(pattern, "wildcards in folder names are not followed; not read")
            return []
        if not any(c in name for c in "*?["):
            return [pattern]
        return [
            folder + "/" + entry
            for entry in sorted(files.listdir(folder or "/"))
            if fnmatch.fnmatchcase(entry, name) and (name[0] == "." or entry[0] != ".")
        ]

    def walk(path: str, depth: int) -> None:
        if path in reading:
            skipped(path, "includes itself (an include cycle); read once")
            return
        if path in seen:
            return  # included again elsewhere: its folders are listed already
        if depth > MAX_LD_SO_CONF_DEPTH:
            skipped(path, "included more than %d deep; not read" % MAX_LD_SO_CONF_DEPTH)
            return
        if budget[0] <= 0:
            skipped(
                conf, "includes more than %d files; the rest is not read" % MAX_LD_SO_CONF_FILES
            )
            return
        seen.add(path)
        budget[0] -= 1
        try:
            text = files.read_conf(path)
        except NotRegularFileError:
            skipped(path, "not a regular file (a FIFO, a device or a folder); not read")
            return
        except (OSError, ValueError) as exc:
            skipped(path, "not read: %s: %s" % (type(exc).__name__, exc))
            return
        reading.add(path)
        for line in (text or "").splitlines():
            line = line.split("#", 1)[0].strip()
            words = line.split()
            if len(words) > 1 and words[0] == "include":
                for pattern in words[1:]:
                    for child in included(pattern, path):
                        walk(child, depth + 1)
            elif line.startswith("/"):
                dirs.append(line)
        reading.discard(path)

    walk(conf, 0)
    return dirs


def library_directories(
    note: Note,
    files: Optional[ProbeFiles] = None,
    environ: Optional[Mapping[str, str]] = None,
    multiarch: Optional[str] = None,
    conf_dirs: Optional[List[str]] = None,
) -> List[str]:
    """The folders the dynamic loader searches, in its order: LD_LIBRARY_PATH (ENVIRON's,
    else this process's), ld.so.conf and its includes (CONF_DIRS when walked already),
    then the default folders, each with MULTIARCH's sub-folder first (the interpreter's
    sysconfig MULTIARCH when not given; "" for none). Only folders that exist, once."""
    files = files or LOCAL_FILES
    if environ is None:
        environ = os.environ
    if multiarch is None:
        import sysconfig

        multiarch = sysconfig.get_config_var("MULTIARCH") or ""
    dirs = [d for d in environ.get("LD_LIBRARY_PATH", "").split(":") if d]
    if conf_dirs is None:
        conf_dirs = ld_so_conf_directories(files, note)
    dirs.extend(conf_dirs)
    for base in LIBRARY_BASES:
        if multiarch:
            dirs.append(base + "/" + multiarch)
        dirs.append(base)
    unique: List[str] = []
    for directory in dirs:
        if directory not in unique and files.isdir(directory):
            unique.append(directory)
    return unique


def soname_version(real_name: str, prefix: str) -> Optional[str]:
    """libstdc++.so.6.0.30 -> 6.0.30; libssl.so.3 -> 3."""
    marker = ".so."
    if marker in real_name:
        return real_name.split(marker, 1)[1] or None
    return None


def native_libraries(
    col: ProbeCollector,
    site_dirs: List[str],
    files: Optional[ProbeFiles] = None,
    library_dirs: Optional[List[str]] = None,
    libc: Optional[Dict[str, Any]] = None,
) -> List[JsonRecord]:
    """The libraries of NATIVE_LIBRARY_PATTERNS as the loader would find them (the first
    library folder holding one wins), with their versions, then the libraries wheels
    vendor in SITE_DIRS. LIBRARY_DIRS: the folders (library_directories' answer) when
    known; LIBC: libc_facts' answer when known."""
    files = files or LOCAL_FILES
    found: List[JsonRecord] = []
    if files.system() != "Linux":
        col.unknown("native_libraries", "only read on Linux")
        return found
    if library_dirs is None:
        library_dirs = library_directories(
            lambda reason: col.unknown("native_libraries", reason), files
        )
    listings: Dict[str, List[str]] = {}
    listed: Set[str] = set()
    for directory in library_dirs:
        real = files.realpath(directory) or directory
        if real in listed:
            continue  # /lib is /usr/lib on merged-/usr systems: the same names, found first
        listed.add(real)
        listings[directory] = sorted(files.listdir(directory))
    for name, prefix in NATIVE_LIBRARY_PATTERNS:
        for directory, names in listings.items():
            matches = [n for n in names if n.startswith(prefix) and ".so" in n]
            if not matches:
                continue
            soname = sorted(matches, key=len)[0]
            joined = files.join(directory, soname)
            path = files.realpath(joined) or joined
            version = soname_version(os.path.basename(path), prefix)
            if name == "libc":
                if libc is None:
                    libc = libc_facts(files)
                version = libc.get("version") or version
            elif name in ("libssl", "libcrypto"):
                version = col.safely(
                    "native_libraries." + name, functools.partial(openssl_version, path, files)
                )
            found.append({"name": name, "soname": soname, "path": path, "version": version})
            break
    by_name = dict((lib["name"], lib) for lib in found)
    ssl, crypto = by_name.get("libssl"), by_name.get("libcrypto")
    if ssl and crypto and not ssl["version"]:
        ssl["version"] = crypto["version"]  # one OpenSSL release ships both libraries
    for site_dir in site_dirs:
        found.extend(wheel_libraries(site_dir, files))
    return found


def native_needs(
    col: ProbeUnknowns, site_dirs: List[str], dirs: Optional[List[str]] = None
) -> Optional[List[JsonRecord]]:
    """What each extension module needs, where it resolves (_elf.py) and which OS
    package ships it (_owners.py); None off Linux. DIRS: library_directories' answer
    when known (collect reads it once for this and native_libraries)."""
    if platform.system() != "Linux":
        col.unknown("native_needs", "only read on Linux")
        return None
    if dirs is None:
        dirs = library_directories(lambda reason: None)  # native_libraries notes these

    def note(reason: str) -> None:
        col.unknown("native_needs", reason)

    modules = elf_native_needs(site_dirs, os.environ, dirs, open_regular, note)
    owner_add(modules, site_dirs, open_regular, note)
    return modules


def openssl_version(path: str, files: Optional[ProbeFiles] = None) -> Optional[str]:
    """OpenSSL 3 keeps its version only inside the binary, as "OpenSSL 3.0.19 27 Jan 2026"."""
    return (files or LOCAL_FILES).find_version(path, b"OpenSSL ", OPENSSL_VERSION)


def wheel_libraries(site_dir: str, files: Optional[ProbeFiles] = None) -> List[JsonRecord]:
    """Native libraries vendored by wheels (auditwheel's <pkg>.libs folders)."""
    files = files or LOCAL_FILES
    found: List[JsonRecord] = []
    for entry in sorted(files.listdir(site_dir)):
        if not entry.endswith((".libs", ".dylibs")):
            continue
        folder = files.join(site_dir, entry)
        for lib in sorted(files.listdir(folder)):
            lowered = lib.lower()
            if any(hint in lowered for hint in WHEEL_LIBRARY_HINTS):
                found.append(
                    {
                        "name": entry[: -len(".libs")] + ":" + lib.split(".so", 1)[0],
                        "soname": lib,
                        "path": files.join(folder, lib),
                        "version": None,
                    }
                )
    return found


# --- entry point ------------------------------------------------------------


def collect(options: Dict[str, Any]) -> JsonRecord:
    col = Collector()
    key = options.get("fingerprint_key_hex")
    key_bytes = bytes.fromhex(key) if key else None
    python = col.safely("python", lambda: interpreter_facts(col))
    sites = col.safely("pth_files", site_directories, [])
    env, redacted = redact_environment(dict(os.environ), key_bytes)
    os_info = os_facts(col)
    # The loader's folders, read once (ld.so.conf walked once) for the native libraries
    # and the native needs; off Linux neither reads them.
    dirs: Optional[List[str]] = None
    if platform.system() == "Linux":
        try:
            dirs = library_directories(lambda reason: col.unknown("native_libraries", reason))
        except Exception:  # native_libraries reads them again and names the failure
            dirs = None
    dists = col.safely(
        "distributions", lambda: distributions(col, python["sys_path"] if python else []), []
    )
    result: JsonRecord = {
        "probe_version": PROBE_VERSION,
        "python": python,
        "pth_files": col.safely("pth_files", lambda: pth_files(col, sites), []),
        "distributions": dists,
        "startup": col.safely("startup", lambda: startup_facts(col, python, dists)),
        "environment": env,
        "redacted_count": redacted,
        "os": os_info,
        "identity": col.safely("identity", identity_facts, {}),
        # A local probe's host reads these itself meanwhile (same machine, same files).
        "os_packages_raw": os_package_databases(col) if options.get("os_packages", True) else None,
        "native_libraries": col.safely(
            "native_libraries",
            lambda: native_libraries(col, sites, library_dirs=dirs, libc=os_info.get("libc")),
            [],
        ),
        "native_needs": col.safely("native_needs", lambda: native_needs(col, sites, dirs)),
    }
    if options.get("main_process_environ"):
        main_env = col.safely("main_process_environment", read_main_process_environ)
        if main_env is not None:
            result["main_process_environment"] = redact_environment(main_env, key_bytes)[0]
    result["unknowns"] = col.unknowns
    return result


def read_main_process_environ() -> Dict[str, str]:
    """In a container, PID 1 is the application (or its init): its environment is the truth.

    When the probe itself is PID 1 (a throwaway container), its own start-up
    environment is read instead: CPython's locale coercion has since changed os.environ.
    """
    source = "/proc/self/environ" if os.getpid() == 1 else "/proc/1/environ"
    data = read_bytes(source, MAX_TEXT_FILE)
    env: Dict[str, str] = {}
    for item in data.split(b"\0"):
        name, sep, value = item.decode("utf-8", "replace").partition("=")
        if sep and name:
            env[name] = value
    return env


def emit(payload: str, begin: str, end: str) -> None:
    data = (begin + "\n" + payload + "\n" + end + "\n").encode("ascii")
    view = memoryview(data)
    while view:
        written = os.write(1, view)  # fd 1: sitecustomize may have replaced sys.stdout
        view = view[written:]


def main(options_line: str) -> None:
    sys.dont_write_bytecode = True
    options = json.loads(options_line)
    try:
        result = collect(options)
        payload = json.dumps(result, ensure_ascii=True, sort_keys=True, default=str)
    except Exception as exc:  # last resort: still say what happened, framed
        payload = json.dumps({"probe_error": "%s: %s" % (type(exc).__name__, exc)})
    emit(payload, options["begin"], options["end"])
