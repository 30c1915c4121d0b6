# driftcheck probe: the native libraries that extension modules need, and where the
# dynamic loader would find each one on this side.
#
# Part of the probe's text (concatenated before _probe.py), so: standard library only,
# CPython 3.8 syntax, every top-level name starts with "elf_" (or "Elf"). Files are opened
# through the probe's open_regular (passed in), never blocking; every read is bounded:
# an ELF file costs its header, its program headers, its dynamic section and the few
# strings it names, whatever sizes and offsets it claims. A truncated or hostile file
# raises ElfError inside elf_dynamic and becomes an unknown; it never loops.

import os
import struct
from typing import Any, Callable, Dict, FrozenSet, List, Mapping, Optional, Set, Tuple

ELF_MAGIC = b"\x7fELF"
ELF_PT_LOAD, ELF_PT_DYNAMIC = 1, 2
ELF_DT_NULL, ELF_DT_NEEDED, ELF_DT_STRTAB, ELF_DT_STRSZ = 0, 1, 5, 10
ELF_DT_SONAME, ELF_DT_RPATH, ELF_DT_RUNPATH = 14, 15, 29
ELF_MAX_PROGRAM_HEADERS = 256
ELF_MAX_DYNAMIC_ENTRIES = 4096
ELF_MAX_NEEDED = 128
ELF_MAX_STRING = 4096  # a soname or a search path longer than this is not a real one
ELF_STRING_CHUNK = 256
ELF_MAX_SEARCH_PATHS = 64  # folders in one DT_RPATH / DT_RUNPATH
# The walk of site-packages: entries looked at, ELF files read, folder depth, and the
# reasons kept when files cannot be read (one bad wheel must not flood the snapshot).
ELF_MAX_WALK_ENTRIES = 200000
ELF_MAX_OBJECTS = 4000
ELF_MAX_DEPTH = 16
ELF_MAX_NOTES = 20
ELF_MAX_LISTED_FOLDERS = 4096
# Names passed over in the walk without a stat: Python files, caches, metadata.
ELF_NOT_OBJECTS = (
    ".py",
    ".pyc",
    ".pyi",
    ".typed",
    ".txt",
    ".dist-info",
    ".egg-info",
    "__pycache__",
    ".pth",
    ".json",
    ".h",
    ".pxd",
    ".pyx",
    ".c",
    ".md",
)
ELF_MAX_MAPS = 8 * 1024 * 1024  # /proc/self/maps


#: What elf_dynamic reads of one object: needed, soname, rpath, runpath.
ElfInfo = Dict[str, Any]
#: Opens a path that must be a regular file, without blocking (the probe's open_regular).
ElfOpener = Callable[[str], int]


class ElfError(ValueError):
    """The file is not an ELF object the probe can read (truncated, hostile, over a bound)."""


def elf_dynamic(read_at: Callable[[int, int], bytes], size: int) -> ElfInfo:
    """DT_NEEDED, DT_SONAME, DT_RPATH and DT_RUNPATH of an ELF file, 32 or 64 bit, either
    byte order. READ_AT(offset, count) returns at most COUNT bytes; SIZE is the file's size.
    Raises ElfError when the file is not one the probe can read within its bounds."""
    ident = read_at(0, 64)
    if len(ident) < 16 or ident[:4] != ELF_MAGIC:
        raise ElfError("not an ELF file")
    wide = {1: False, 2: True}.get(ident[4])
    order = {1: "<", 2: ">"}.get(ident[5])
    if wide is None or order is None:
        raise ElfError("unknown ELF class or byte order")
    header = order + ("HHIQQQIHHH" if wide else "HHIIIIIHHH")
    if len(ident) < 16 + struct.calcsize(header):
        raise ElfError("truncated ELF header")
    fields = struct.unpack_from(header, ident, 16)
    phoff, phentsize, phnum = fields[4], fields[8], fields[9]
    if phnum > ELF_MAX_PROGRAM_HEADERS:
        raise ElfError("more than %d program headers" % ELF_MAX_PROGRAM_HEADERS)
    entry = order + ("IIQQQQQQ" if wide else "IIIIIIII")
    if phentsize < struct.calcsize(entry):
        raise ElfError("program header entries too small")
    table = elf_read_exactly(read_at, size, phoff, phnum * phentsize, "the program header table")
    loads: List[Tuple[int, int, int]] = []
    dynamic: Optional[Tuple[int, int]] = None
    for index in range(phnum):
        values = struct.unpack_from(entry, table, index * phentsize)
        if wide:  # p_type, p_flags, p_offset, p_vaddr, p_paddr, p_filesz, ...
            kind, offset, vaddr, filesz = values[0], values[2], values[3], values[5]
        else:  # p_type, p_offset, p_vaddr, p_paddr, p_filesz, ...
            kind, offset, vaddr, filesz = values[0], values[1], values[2], values[4]
        if kind == ELF_PT_LOAD:
            loads.append((vaddr, offset, filesz))
        elif kind == ELF_PT_DYNAMIC and dynamic is None:
            dynamic = (offset, filesz)
    found: ElfInfo = {"needed": [], "soname": None, "rpath": [], "runpath": []}
    if dynamic is None:
        return found  # a static object needs nothing
    step = 16 if wide else 8
    count = dynamic[1] // step
    if count > ELF_MAX_DYNAMIC_ENTRIES:
        raise ElfError("a dynamic section of more than %d entries" % ELF_MAX_DYNAMIC_ENTRIES)
    data = elf_read_exactly(read_at, size, dynamic[0], count * step, "the dynamic section")
    pair = order + ("qQ" if wide else "iI")
    tags: Dict[int, int] = {}
    needed: List[int] = []
    for index in range(count):
        tag, value = struct.unpack_from(pair, data, index * step)
        if tag == ELF_DT_NULL:
            break
        if tag == ELF_DT_NEEDED:
            if len(needed) >= ELF_MAX_NEEDED:
                raise ElfError("more than %d needed libraries" % ELF_MAX_NEEDED)
            needed.append(value)
        elif tag not in tags:
            tags[tag] = value
    if not needed and not any(t in tags for t in (ELF_DT_SONAME, ELF_DT_RPATH, ELF_DT_RUNPATH)):
        return found
    if ELF_DT_STRTAB not in tags:
        raise ElfError("no string table")
    table_at = elf_file_offset(loads, tags[ELF_DT_STRTAB], size)
    limit = tags.get(ELF_DT_STRSZ, size - table_at)
    limit = min(limit, size - table_at)

    def string(index: int) -> str:
        return elf_string(read_at, table_at, limit, index)

    found["needed"] = [string(n) for n in needed]
    if ELF_DT_SONAME in tags:
        found["soname"] = string(tags[ELF_DT_SONAME])
    for tag, name in ((ELF_DT_RPATH, "rpath"), (ELF_DT_RUNPATH, "runpath")):
        if tag in tags:
            paths = [p for p in string(tags[tag]).split(":") if p]
            if len(paths) > ELF_MAX_SEARCH_PATHS:
                raise ElfError("a %s of more than %d folders" % (name, ELF_MAX_SEARCH_PATHS))
            found[name] = paths
    return found


def elf_read_exactly(
    read_at: Callable[[int, int], bytes], size: int, offset: int, count: int, what: str
) -> bytes:
    if offset < 0 or count < 0 or offset + count > size:
        raise ElfError("%s lies outside the file" % what)
    data = read_at(offset, count)
    if len(data) != count:
        raise ElfError("%s is cut short" % what)
    return data


def elf_file_offset(loads: List[Tuple[int, int, int]], address: int, size: int) -> int:
    """Where a virtual address lies in the file, through the PT_LOAD segments."""
    for vaddr, offset, filesz in loads:
        if vaddr <= address < vaddr + filesz:
            found = offset + (address - vaddr)
            if found < size:
                return found
    raise ElfError("the string table lies in no loaded segment")


def elf_string(read_at: Callable[[int, int], bytes], table_at: int, limit: int, index: int) -> str:
    """The NUL-terminated string at INDEX of the string table, read a chunk at a time."""
    if index < 0 or index >= limit:
        raise ElfError("a string index past the string table")
    chunks: List[bytes] = []
    read = 0
    while read < ELF_MAX_STRING:
        want = min(ELF_STRING_CHUNK, limit - index - read, ELF_MAX_STRING - read)
        if want <= 0:
            break
        chunk = read_at(table_at + index + read, want)
        if not chunk:
            break
        end = chunk.find(b"\0")
        if end >= 0:
            chunks.append(chunk[:end])
            return b"".join(chunks).decode("utf-8", "replace")
        chunks.append(chunk)
        read += len(chunk)
    raise ElfError("a string with no end within %d bytes" % ELF_MAX_STRING)


def elf_read_file(path: str, open_file: ElfOpener) -> ElfInfo:
    """elf_dynamic of the file at PATH, opened with OPEN_FILE (the probe's open_regular)."""
    fd = open_file(path)
    try:
        size = os.fstat(fd).st_size

        def read_at(offset: int, count: int) -> bytes:
            return os.pread(fd, count, offset)

        return elf_dynamic(read_at, size)
    finally:
        os.close(fd)


def elf_read_small(path: str, limit: int, open_file: ElfOpener) -> bytes:
    """The bytes of PATH, a regular file of at most LIMIT bytes (ValueError past it)."""
    fd = open_file(path)
    try:
        if os.fstat(fd).st_size > limit:
            raise ValueError("%s is larger than %d bytes" % (path, limit))
        chunks: List[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(1024 * 1024, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise ValueError("%s is larger than %d bytes" % (path, limit))
    finally:
        os.close(fd)
    return b"".join(chunks)


def elf_site_objects(site: str, budget: List[int], note: Callable[[str], None]) -> List[str]:
    """Paths (relative to SITE) of the shared objects under it: extension modules (*.so)
    and the libraries wheels bundle (numpy.libs/libgfortran-….so.5.0.0). Symlinks are not
    followed; BUDGET is a one-item list of entries left to look at. Names that are Python
    files or metadata are passed over without a stat (most of a site folder)."""
    found: List[str] = []
    stack = [("", 0)]
    while stack:
        relative, depth = stack.pop()
        try:
            with os.scandir(os.path.join(site, relative) if relative else site) as it:
                entries = list(it)
        except OSError:
            continue
        budget[0] -= len(entries)
        if budget[0] < 0:
            reason = "%s: more than %d entries; the rest is not read"
            note(reason % (site, ELF_MAX_WALK_ENTRIES))
            return sorted(found)
        for entry in entries:
            name = entry.name
            if name.endswith(ELF_NOT_OBJECTS):
                continue
            try:
                if ".so" in name and (name.endswith(".so") or ".so." in name):
                    if entry.is_file(follow_symlinks=False):
                        found.append(relative + "/" + name if relative else name)
                elif depth < ELF_MAX_DEPTH and entry.is_dir(follow_symlinks=False):
                    stack.append((relative + "/" + name if relative else name, depth + 1))
            except OSError:
                continue
    return sorted(found)


def elf_expand(paths: List[str], origin: str) -> List[str]:
    """RPATH / RUNPATH entries as folders: $ORIGIN is the object's folder; relative
    entries (relative to the working folder) and other tokens ($LIB, $PLATFORM) are left out."""
    out = []
    for path in paths:
        path = path.replace("${ORIGIN}", origin).replace("$ORIGIN", origin)
        if path.startswith("/") and "$" not in path:
            out.append(os.path.normpath(path))
    return out


class ElfFolders(object):
    """Folder listings, read once each (hundreds of extensions share a few folders)."""

    def __init__(self) -> None:
        self.listed: Dict[str, FrozenSet[str]] = {}

    def holds(self, folder: str, name: str) -> bool:
        names = self.listed.get(folder)
        if names is None:
            if len(self.listed) >= ELF_MAX_LISTED_FOLDERS:
                return os.path.isfile(os.path.join(folder, name))
            try:
                names = frozenset(os.listdir(folder))
            except OSError:
                names = frozenset()
            self.listed[folder] = names
        return name in names and os.path.isfile(os.path.join(folder, name))


def elf_resolve(
    soname: str,
    info: ElfInfo,
    origin: str,
    ld_library_path: List[str],
    system_dirs: List[str],
    folders: ElfFolders,
) -> Tuple[Optional[str], Optional[str]]:
    """(path, how) of the file the loader would map for SONAME, as glibc searches: the
    object's DT_RPATH (only when it has no DT_RUNPATH), LD_LIBRARY_PATH, its DT_RUNPATH,
    then the ld.so.conf folders and the defaults. (None, None): missing."""
    if "/" in soname:
        return (soname, "path") if os.path.isfile(soname) else (None, None)
    search: List[Tuple[str, str]] = []
    if not info["runpath"]:
        search.extend(("rpath", d) for d in elf_expand(info["rpath"], origin))
    search.extend(("LD_LIBRARY_PATH", d) for d in ld_library_path)
    search.extend(("runpath", d) for d in elf_expand(info["runpath"], origin))
    search.extend(("system", d) for d in system_dirs)
    for how, folder in search:
        if folders.holds(folder, soname):
            return os.path.join(folder, soname), how
    return None, None


def elf_native_needs(
    sites: List[str],
    environ: Mapping[str, str],
    library_dirs: List[str],
    open_file: ElfOpener,
    note: Callable[[str], None],
) -> List[Dict[str, Any]]:
    """Every shared object under the site folders, what it needs, and where each need
    resolves here (or that it is missing). _owners.py then adds the OS packages."""
    ld_library_path = [d for d in environ.get("LD_LIBRARY_PATH", "").split(":") if d]
    system_dirs = [d for d in library_dirs if d not in ld_library_path]
    folders = ElfFolders()
    budget = [ELF_MAX_WALK_ENTRIES]
    notes = [0]

    def bounded_note(reason: str) -> None:
        notes[0] += 1
        if notes[0] <= ELF_MAX_NOTES:
            note(reason)

    read: List[Tuple[str, str, str, ElfInfo]] = []
    seen: Set[str] = set()
    for site in sites:
        for relative in elf_site_objects(site, budget, bounded_note):
            if relative in seen:
                continue  # an earlier site folder holds the copy an import loads
            if len(read) >= ELF_MAX_OBJECTS:
                bounded_note("more than %d shared objects; the rest is not read" % ELF_MAX_OBJECTS)
                break
            seen.add(relative)
            path = os.path.join(site, relative)
            try:
                info = elf_read_file(path, open_file)
            except (OSError, ValueError) as exc:
                said = str(exc)
                bounded_note(said if path in said else "%s: %s" % (path, said))
                continue
            read.append((site, relative, path, info))
    # glibc applies an object's DT_RPATH to everything loaded on its behalf, down the
    # chain: a library a wheel bundles (numpy.libs/libopenblas…so) finds its siblings
    # through the RPATH of the extension module that loads it ($ORIGIN/../numpy.libs).
    chain: Set[str] = set()
    for _site, _relative, path, info in read:
        if not info["runpath"]:
            chain.update(elf_expand(info["rpath"], os.path.dirname(path)))
    modules: List[Dict[str, Any]] = []
    resolved: Dict[Tuple[str, str, Tuple[Tuple[str, ...], Tuple[str, ...]]], Dict[str, Any]] = {}
    loaded: List[Dict[str, str]] = []
    for site, relative, path, info in read:
        origin = os.path.dirname(path)
        searched = (tuple(info["rpath"]), tuple(info["runpath"]))
        from_origin = any("ORIGIN" in p for p in info["rpath"] + info["runpath"])
        in_chain = origin in chain
        needed = []
        for soname in info["needed"]:
            # Hundreds of modules need libc.so.6 the same way: resolved once.
            key = (soname, origin if from_origin or in_chain else "", searched)
            if key not in resolved:
                found, how = elf_resolve(
                    soname, info, origin, ld_library_path, system_dirs, folders
                )
                if found is None and in_chain and folders.holds(origin, soname):
                    found, how = os.path.join(origin, soname), "rpath"
                if found is None:
                    found, how = elf_loaded(loaded, open_file).get(soname), "loaded"
                    how = how if found else None
                real = os.path.basename(os.path.realpath(found)) if found else None
                resolved[key] = {"path": found, "found_by": how, "real_name": real}
            need = {"soname": soname}
            need.update(resolved[key])
            needed.append(need)
        modules.append(
            {
                "site": site,
                "file": relative,
                "needed": needed,
                "soname": info["soname"],
                "rpath": info["rpath"],
                "runpath": info["runpath"],
            }
        )
    return modules


def elf_loaded(cache: List[Dict[str, str]], open_file: ElfOpener) -> Dict[str, str]:
    """The libraries the interpreter has loaded already (/proc/self/maps), by soname:
    the loader reuses a loaded object of that soname (a --enable-shared Python's
    libpython found through the interpreter's own RUNPATH, an LD_PRELOAD), wherever it
    came from. Read once, when a need is not found on the search path."""
    if not cache:
        found: Dict[str, str] = {}
        try:
            data = elf_read_small("/proc/self/maps", ELF_MAX_MAPS, open_file)
        except (OSError, ValueError):
            data = b""
        paths: List[str] = []
        for line in data.decode("utf-8", "replace").splitlines():
            fields = line.split(None, 5)
            path = fields[5] if len(fields) == 6 else ""
            if path.startswith("/") and ".so" in path and path not in paths:
                paths.append(path)
        for path in paths[:ELF_MAX_NEEDED]:
            try:  # the loader matches loaded objects by DT_SONAME, not by file name
                soname = elf_read_file(path, open_file)["soname"]
            except (OSError, ValueError):
                soname = None
            found.setdefault(soname or os.path.basename(path), path)
        cache.append(found)
    return cache[0]
