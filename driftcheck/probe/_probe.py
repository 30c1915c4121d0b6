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
#     authority); the redaction rules (_secrets.py) are prepended to this text.
#   - the JSON result is framed between markers chosen by the host per run so
#     that output from sitecustomize or .pth files cannot corrupt it.
# The host interprets; the probe only reports what it read.

import json
import os
import platform
import re
import stat
import struct
import sys

if "redact_environment" not in globals():  # imported as a module on the host
    from driftcheck.probe._secrets import redact_environment, scrub_text
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


class Collector:
    """Holds the facts gathered so far and what could not be learned."""

    def __init__(self):
        self.unknowns = []

    def unknown(self, field, reason):
        self.unknowns.append({"field": field, "reason": str(reason)[:500]})

    def safely(self, field, func, default=None):
        try:
            return func()
        except Exception as exc:  # a partial snapshot beats no snapshot
            self.unknown(field, "%s: %s" % (type(exc).__name__, exc))
            return default


class NotRegularFileError(OSError):
    """A path the probe would read is a FIFO, a device, a socket or a folder: not opened
    (a FIFO with no writer would block the probe until its timeout)."""


def not_regular(path, mode):
    for is_kind, what in FILE_KINDS:
        if is_kind(mode):
            return NotRegularFileError("%s is %s, not a regular file: not read" % (path, what))
    return NotRegularFileError("%s is not a regular file: not read" % path)


def open_regular(path):
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


def read_bytes(path, limit=MAX_TEXT_FILE):
    """The bytes of PATH, a regular file; more than LIMIT is an error.

    Sized by fstat: a read(limit + 1) allocates the whole limit before reading
    (64 MiB for a 4-byte INSTALLER). Files in /proc report no size: read by chunks.
    """
    fd = open_regular(path)
    try:
        size = os.fstat(fd).st_size
        if size > limit:
            raise ValueError("%s is larger than %d bytes" % (path, limit))
        chunks, total, want = [], 0, size + 1 if size else 65536
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


def read_text(path, limit=MAX_TEXT_FILE):
    return read_bytes(path, limit).decode("utf-8", "replace")


def read_optional(path, limit=MAX_TEXT_FILE):
    try:
        return read_text(path, limit)
    except (FileNotFoundError, NotADirectoryError):
        return None


# --- interpreter -------------------------------------------------------------


def interpreter_facts(col):
    import sysconfig

    # The bootstrap has already removed the working folder that `-c` put first.
    sys_path = list(sys.path)
    flags = {}
    for name in dir(sys.flags):
        if name.startswith("_") or name in ("count", "index"):
            continue
        value = getattr(sys.flags, name)
        if isinstance(value, int) and not name.startswith("n_"):
            flags[name] = int(value)
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
    }


def read_pyvenv_cfg(prefix):
    text = read_optional(os.path.join(prefix, "pyvenv.cfg"), 1024 * 1024)
    values = {}
    for line in (text or "").splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip().lower()] = value.strip()
    return values


def locale_facts():
    import locale

    return {
        "preferred_encoding": locale.getpreferredencoding(False),
        "lc_ctype": locale.setlocale(locale.LC_CTYPE),  # a query: changes nothing
    }


def build_versions(col):
    versions = {"openssl": None, "sqlite": None, "zlib": None, "expat": None}

    # The C modules hold the same constants as ssl and sqlite3, whose Python halves
    # cost ~10 ms to import.
    def openssl():
        import _ssl

        versions["openssl"] = _ssl.OPENSSL_VERSION

    def sqlite():
        import _sqlite3

        versions["sqlite"] = _sqlite3.sqlite_version

    def zlib():
        import zlib as zlib_module

        versions["zlib"] = getattr(zlib_module, "ZLIB_RUNTIME_VERSION", zlib_module.ZLIB_VERSION)

    def expat():
        import pyexpat

        versions["expat"] = pyexpat.EXPAT_VERSION

    for name, func in (("openssl", openssl), ("sqlite", sqlite), ("zlib", zlib), ("expat", expat)):
        col.safely("python.build." + name, func)
    return versions


# --- .pth files ----------------------------------------------------------------


def site_directories():
    import site

    dirs = []
    if hasattr(site, "getsitepackages"):
        dirs.extend(site.getsitepackages())
    if getattr(site, "ENABLE_USER_SITE", False) and hasattr(site, "getusersitepackages"):
        dirs.append(site.getusersitepackages())
    seen = []
    for directory in dirs:
        if directory not in seen and os.path.isdir(directory):
            seen.append(directory)
    return seen


def pth_files(col, directories):
    found = []
    for directory in directories:
        try:
            names = sorted(n for n in os.listdir(directory) if n.endswith(".pth"))
        except OSError as exc:
            col.unknown("pth_files", "%s: %s" % (directory, exc))
            continue
        for name in names:
            path = os.path.join(directory, name)
            try:
                text = read_text(path, 1024 * 1024)
            except NotRegularFileError as exc:
                col.unknown("pth_files", str(exc))  # names the file already
                continue
            except (OSError, ValueError) as exc:
                col.unknown("pth_files", "%s: %s" % (path, exc))
                continue
            path_lines, code_lines = [], []
            for line in text.splitlines():
                stripped = line.strip()
                if not stripped or stripped.startswith("#"):
                    continue
                # Executable lines can carry credentials (os.environ['DB_PW'] = '...'):
                # scrubbed here already, and again on the host.
                if line.startswith(("import ", "import\t")):
                    code_lines.append(scrub_text(line)[0])  # site.py would exec() this line
                else:
                    path_lines.append(scrub_text(line.rstrip())[0])
            found.append({"path": path, "path_lines": path_lines, "code_lines": code_lines})
    return found


# --- distributions -----------------------------------------------------------


def metadata_headers(path):
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


def parse_metadata_headers(chunks):
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
    headers = {}
    last = None
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


def join_name(folder, name):
    """os.path.join(FOLDER, NAME) for a NAME without separators, in a third of the time
    (called five times per distribution)."""
    if not folder or folder[-1] == os.sep:
        return folder + name
    return folder + os.sep + name


class LocalFiles(object):
    """The files a distribution record is read from: here, the real filesystem.

    The static reader passes its own object with the same methods, backed by an
    image's layers, so that both paths build distribution records the same way.
    """

    join = staticmethod(join_name if os.sep == "/" and not os.altsep else os.path.join)
    isdir = staticmethod(os.path.isdir)
    exists = staticmethod(os.path.exists)
    metadata_headers = staticmethod(metadata_headers)

    @staticmethod
    def read_optional(path, limit):
        return read_optional(path, limit)

    @staticmethod
    def names(path):
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

    def __init__(self, files, folder):
        self.files, self.folder = files, folder

    def __contains__(self, name):
        return self.files.exists(self.files.join(self.folder, name))


def folder_names(files, folder):
    """FOLDER's names (a container), or None when it is not a folder; readers without
    a listing (the static one) answer name by name."""
    if hasattr(files, "names"):
        return files.names(folder)
    return Unlisted(files, folder) if files.isdir(folder) else None


LOCAL_FILES = LocalFiles()


def top_level_from_record(meta_dir, files=LOCAL_FILES, note=None):
    try:
        text = files.read_optional(files.join(meta_dir, "RECORD"), MAX_RECORD_FILE)
    except NotRegularFileError as exc:
        if note is None:
            raise
        note(str(exc))
        return None
    if text is None:
        return None
    names = set()
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


def read_distribution(location, entry, files=LOCAL_FILES, note=None):
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
    record = {
        "location": location,
        "metadata_dir": entry,
        "kind": "dist-info" if is_dist_info else "egg-info",
        "name": (headers.get("name") or [None])[0],
        "version": (headers.get("version") or [None])[0],
        "requires_dist": headers.get("requires-dist", []),
        "requires_python": (headers.get("requires-python") or [None])[0],
    }
    if cut and note is not None:
        note(metadata_cut_reason(meta_dir, record))
    if names is None:
        return record

    def optional(name, limit):
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


def metadata_cut_reason(meta_dir, record):
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


def parse_direct_url(text):
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
    vcs_info = value.get("vcs_info") if isinstance(value.get("vcs_info"), dict) else {}
    dir_info = value.get("dir_info") if isinstance(value.get("dir_info"), dict) else {}
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


def distributions(col, path_entries):
    found = []

    def note(reason):
        col.unknown("distributions", reason)

    for location in path_entries:
        if not location or not os.path.isdir(location):
            continue  # zip files and missing folders hold nothing we read here
        try:
            entries = sorted(os.listdir(location))
        except OSError as exc:
            col.unknown("distributions", "%s: %s" % (location, exc))
            continue
        for entry in entries:
            if not entry.endswith((".dist-info", ".egg-info")):
                continue
            try:
                found.append(read_distribution(location, entry, LOCAL_FILES, note))
            except (OSError, ValueError) as exc:
                col.unknown("distributions", "%s: %s" % (os.path.join(location, entry), exc))
    return found


# --- operating system --------------------------------------------------------


def os_facts(col):
    system = platform.system()
    facts = {
        "system": system,
        "kernel": platform.release() or None,
        "machine": platform.machine(),
        "hostname": platform.node() or None,
        "os_release_text": None,
        "platform_version": None,
        "libc": col.safely("os.libc", libc_facts, {"family": "unknown", "version": None}),
        "cpu": col.safely("os.cpu", cpu_facts, {}),
        "memory_bytes": col.safely("os.memory_bytes", memory_bytes),
    }
    if system == "Darwin":
        facts["platform_version"] = "macOS " + platform.mac_ver()[0]
    elif system == "Windows":
        facts["platform_version"] = "Windows " + " ".join(platform.win32_ver()[:2])
    else:
        for path in ("/etc/os-release", "/usr/lib/os-release"):
            try:
                facts["os_release_text"] = read_optional(path)
            except (OSError, ValueError) as exc:
                col.unknown(
                    "os.os_release", str(exc) if path in str(exc) else "%s: %s" % (path, exc)
                )
            if facts["os_release_text"]:
                break
        if facts["os_release_text"] is None:
            col.unknown("os.os_release", "neither /etc/os-release nor /usr/lib/os-release exists")
    return facts


def libc_facts():
    if platform.system() != "Linux":
        return {"family": "none", "version": None}
    try:
        confstr = os.confstr("CS_GNU_LIBC_VERSION")
    except (ValueError, OSError, AttributeError):
        confstr = None
    if confstr and confstr.startswith("glibc "):
        return {"family": "glibc", "version": confstr.split(" ", 1)[1]}
    for directory in ("/lib", "/usr/lib"):
        try:
            loaders = [n for n in os.listdir(directory) if n.startswith("ld-musl-")]
        except OSError:
            continue
        if loaders:
            return {"family": "musl", "version": musl_version(os.path.join(directory, loaders[0]))}
    name, version = platform.libc_ver()
    return {"family": name or "unknown", "version": version or None}


def musl_version(loader):
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


def cpu_facts():
    model, flags = None, []
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


def memory_bytes():
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def identity_facts():
    facts = {"uid": None, "gid": None, "user": None, "home": os.environ.get("HOME")}
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


def os_package_databases(col):
    raw = {"dpkg": None, "apk": None, "rpm": None}
    raw["dpkg"] = col.safely("os_packages.dpkg", lambda: read_optional("/var/lib/dpkg/status"))
    raw["apk"] = col.safely("os_packages.apk", lambda: read_optional("/lib/apk/db/installed"))
    raw["rpm"] = col.safely("os_packages.rpm", rpm_query)
    return raw


def rpm_query():
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


class LocalConfFiles(object):
    """ld_so_conf_directories' view of the real filesystem (the static reader passes
    one backed by an image's layers)."""

    @staticmethod
    def read_conf(path):
        """PATH's text, None when it does not exist; raises NotRegularFileError for a
        FIFO or a device, OSError or ValueError when it cannot be read."""
        return read_optional(path, MAX_LD_SO_CONF_BYTES)

    @staticmethod
    def listdir(folder):
        try:
            return os.listdir(folder)
        except OSError:
            return []  # no such folder, as glob(3) sees it


def ld_so_conf_directories(files, note, conf=LD_SO_CONF):
    """The folders CONF names, in ldconfig's order: an include's folders stand where the
    include line stands. Every file is read once: a file that includes itself (directly or
    through others) is an unknown, a second include elsewhere adds nothing. At most
    MAX_LD_SO_CONF_FILES files, MAX_LD_SO_CONF_DEPTH includes deep. NOTE(reason) hears
    each file skipped or unreadable. Shared, unchanged, by the live probe (LocalConfFiles)
    and the static reader (an image's files), so both readings say the same.
    """
    import fnmatch

    dirs, seen, reported, reading = [], set(), set(), set()
    budget = [MAX_LD_SO_CONF_FILES]

    def skipped(path, reason):
        if path not in reported:  # N files including one glob of N: N notes, not N * N
            reported.add(path)
            note("%s: %s" % (path, reason))

    def included(pattern, parent):
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

    def walk(path, depth):
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


def library_directories(note):
    import sysconfig

    dirs = [d for d in os.environ.get("LD_LIBRARY_PATH", "").split(":") if d]
    dirs.extend(ld_so_conf_directories(LocalConfFiles, note))
    multiarch = sysconfig.get_config_var("MULTIARCH")
    for base in ("/lib", "/usr/lib", "/lib64", "/usr/lib64", "/usr/local/lib"):
        if multiarch:
            dirs.append(os.path.join(base, multiarch))
        dirs.append(base)
    unique = []
    for directory in dirs:
        if directory not in unique and os.path.isdir(directory):
            unique.append(directory)
    return unique


def soname_version(real_name, prefix):
    """libstdc++.so.6.0.30 -> 6.0.30; libssl.so.3 -> 3."""
    marker = ".so."
    if marker in real_name:
        return real_name.split(marker, 1)[1] or None
    return None


def native_libraries(col, site_dirs):
    found = []
    if platform.system() != "Linux":
        col.unknown("native_libraries", "only read on Linux")
        return found
    listings = {}
    listed = set()
    for directory in library_directories(lambda reason: col.unknown("native_libraries", reason)):
        real = os.path.realpath(directory)
        if real in listed:
            continue  # /lib is /usr/lib on merged-/usr systems: the same names, found first
        listed.add(real)
        try:
            listings[directory] = sorted(os.listdir(directory))
        except OSError:
            continue
    for name, prefix in NATIVE_LIBRARY_PATTERNS:
        for directory, names in listings.items():
            matches = [n for n in names if n.startswith(prefix) and ".so" in n]
            if not matches:
                continue
            soname = sorted(matches, key=len)[0]
            path = os.path.realpath(os.path.join(directory, soname))
            version = soname_version(os.path.basename(path), prefix)
            if name == "libc":
                version = libc_facts().get("version") or version
            elif name in ("libssl", "libcrypto"):
                version = col.safely("native_libraries." + name, lambda p=path: openssl_version(p))
            found.append({"name": name, "soname": soname, "path": path, "version": version})
            break
    by_name = dict((lib["name"], lib) for lib in found)
    ssl, crypto = by_name.get("libssl"), by_name.get("libcrypto")
    if ssl and crypto and not ssl["version"]:
        ssl["version"] = crypto["version"]  # one OpenSSL release ships both libraries
    for site_dir in site_dirs:
        found.extend(wheel_libraries(site_dir))
    return found


def openssl_version(path):
    """OpenSSL 3 keeps its version only inside the binary, as "OpenSSL 3.0.19 27 Jan 2026".

    The library is mapped, not read, and searched for its literal prefix first: a
    regular expression scanning 5 MB of libcrypto costs ~10 ms, this ~1 ms.
    """
    import mmap

    pattern = re.compile(rb"OpenSSL (\d+\.\d+\.\d+[a-z]?)[ -]")
    fd = open_regular(path)
    try:
        size = min(os.fstat(fd).st_size, 32 * 1024 * 1024)
        if not size:
            return None
        with mmap.mmap(fd, size, access=mmap.ACCESS_READ) as data:
            start = data.find(b"OpenSSL ")
            while start >= 0:
                match = pattern.match(data, start)
                if match:
                    return match.group(1).decode("ascii")
                start = data.find(b"OpenSSL ", start + 1)
    finally:
        os.close(fd)
    return None


def wheel_libraries(site_dir):
    """Native libraries vendored by wheels (auditwheel's <pkg>.libs folders)."""
    found = []
    try:
        entries = sorted(os.listdir(site_dir))
    except OSError:
        return found
    for entry in entries:
        if not entry.endswith((".libs", ".dylibs")):
            continue
        folder = os.path.join(site_dir, entry)
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for lib in names:
            lowered = lib.lower()
            if any(hint in lowered for hint in WHEEL_LIBRARY_HINTS):
                found.append(
                    {
                        "name": entry[: -len(".libs")] + ":" + lib.split(".so", 1)[0],
                        "soname": lib,
                        "path": os.path.join(folder, lib),
                        "version": None,
                    }
                )
    return found


# --- entry point ------------------------------------------------------------


def collect(options):
    col = Collector()
    key = options.get("fingerprint_key_hex")
    key_bytes = bytes.fromhex(key) if key else None
    python = col.safely("python", lambda: interpreter_facts(col))
    sites = col.safely("pth_files", site_directories, [])
    env, redacted = redact_environment(dict(os.environ), key_bytes)
    dists = col.safely(
        "distributions", lambda: distributions(col, python["sys_path"] if python else []), []
    )
    result = {
        "probe_version": PROBE_VERSION,
        "python": python,
        "pth_files": col.safely("pth_files", lambda: pth_files(col, sites), []),
        "distributions": dists,
        "startup": col.safely("startup", lambda: startup_facts(col, python, dists)),
        "environment": env,
        "redacted_count": redacted,
        "os": os_facts(col),
        "identity": col.safely("identity", identity_facts, {}),
        # A local probe's host reads these itself meanwhile (same machine, same files).
        "os_packages_raw": os_package_databases(col) if options.get("os_packages", True) else None,
        "native_libraries": col.safely(
            "native_libraries", lambda: native_libraries(col, sites), []
        ),
    }
    if options.get("main_process_environ"):
        main_env = col.safely("main_process_environment", read_main_process_environ)
        if main_env is not None:
            result["main_process_environment"] = redact_environment(main_env, key_bytes)[0]
    result["unknowns"] = col.unknowns
    return result


def read_main_process_environ():
    """In a container, PID 1 is the application (or its init): its environment is the truth.

    When the probe itself is PID 1 (a throwaway container), its own start-up
    environment is read instead: CPython's locale coercion has since changed os.environ.
    """
    source = "/proc/self/environ" if os.getpid() == 1 else "/proc/1/environ"
    data = read_bytes(source, MAX_TEXT_FILE)
    env = {}
    for item in data.split(b"\0"):
        name, sep, value = item.decode("utf-8", "replace").partition("=")
        if sep and name:
            env[name] = value
    return env


def emit(payload, begin, end):
    data = (begin + "\n" + payload + "\n" + end + "\n").encode("ascii")
    view = memoryview(data)
    while view:
        written = os.write(1, view)  # fd 1: sitecustomize may have replaced sys.stdout
        view = view[written:]


def main(options_line):
    sys.dont_write_bytecode = True
    options = json.loads(options_line)
    try:
        result = collect(options)
        payload = json.dumps(result, ensure_ascii=True, sort_keys=True, default=str)
    except Exception as exc:  # last resort: still say what happened, framed
        payload = json.dumps({"probe_error": "%s: %s" % (type(exc).__name__, exc)})
    emit(payload, options["begin"], options["end"])
