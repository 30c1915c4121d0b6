# driftcheck probe: which OS package ships each library the extension modules need
# (elf_native_needs' answer, _elf.py), so that the side that lacks one can be told what
# to install. Part of the probe's text (after _elf.py, before _probe.py): standard
# library only, CPython 3.8 syntax, names prefixed "owner_". Reads dpkg's file lists
# (the lists whose names match the soname first: most lookups read a few) and apk's
# installed database, bounded in bytes; a list it cannot read is an unknown.

import os
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

if "elf_read_small" not in globals():  # imported as a module on the host
    from driftcheck.probe._elf import ElfOpener, elf_read_small

OWNER_DPKG_INFO = "/var/lib/dpkg/info"
OWNER_APK_INSTALLED = "/lib/apk/db/installed"
OWNER_MAX_LIST = 8 * 1024 * 1024  # one dpkg .list file
OWNER_MAX_BYTES = 128 * 1024 * 1024  # all dpkg lists read, or apk's database
OWNER_MAX_NOTES = 20
#: Spelling of a path in a package database -> the resolved paths it stands for.
OwnerWanted = Dict[str, Set[str]]


def owner_spellings(path: str) -> Set[str]:
    """The ways a package database can spell PATH: as found, resolved, and with or
    without /usr (merged-/usr systems list either)."""
    out = set()
    for candidate in (path, os.path.realpath(path)):
        out.add(candidate)
        if candidate.startswith("/usr/"):
            out.add(candidate[4:])
        else:
            out.add("/usr" + candidate)
    return out


def owner_add(
    modules: List[Dict[str, Any]],
    sites: List[str],
    open_file: ElfOpener,
    note: Callable[[str], None],
) -> None:
    """Sets os_package and package_manager on every need of MODULES (elf_native_needs'
    answer) resolved outside the site folders, from dpkg's or apk's database."""
    notes = [0]

    def bounded(reason: str) -> None:
        notes[0] += 1
        if notes[0] <= OWNER_MAX_NOTES:
            note(reason)

    wanted: OwnerWanted = {}
    paths = set(n["path"] for m in modules for n in m["needed"] if n["path"])
    for path in paths:
        if not any(path.startswith(site + "/") for site in sites):
            for spelling in owner_spellings(path):
                wanted.setdefault(spelling, set()).add(path)
    if not wanted:
        return
    owners: Dict[str, Tuple[str, str]] = {}
    for manager, find in (("dpkg", owner_dpkg), ("apk", owner_apk)):
        try:
            for spelling, package in find(wanted, open_file, bounded).items():
                for path in wanted[spelling]:
                    owners.setdefault(path, (manager, package))
        except (OSError, ValueError) as exc:
            bounded("%s: %s" % (manager, exc))
    for module in modules:
        for need in module["needed"]:
            owner = owners.get(need["path"]) if need["path"] else None
            need["package_manager"] = owner[0] if owner else None
            need["os_package"] = owner[1] if owner else None


def owner_debian_names(soname: str) -> List[str]:
    """Debian's names for the package of a soname (libgfortran.so.5 -> libgfortran5,
    libfoo-2.so.1 -> libfoo-2-1): read first, so that most lookups read a few lists."""
    base, _, version = soname.partition(".so")
    version = version.lstrip(".").split(".")[0]
    if not version:
        return [base]
    names = []
    for stem in (base, base.replace("_", "-")):  # libgcc_s.so.1 -> libgcc-s1
        names.extend([stem + ("-" if stem[-1:].isdigit() else "") + version, stem + version])
    names.append(base)
    return names


def owner_dpkg(
    wanted: OwnerWanted, open_file: ElfOpener, note: Callable[[str], None]
) -> Dict[str, str]:
    try:
        names = [n for n in os.listdir(OWNER_DPKG_INFO) if n.endswith(".list")]
    except OSError:
        return {}
    guesses: Set[str] = set()
    for spelling in wanted:
        guesses.update(owner_debian_names(os.path.basename(spelling)))
    names.sort(key=lambda n: (n[: -len(".list")].split(":")[0] not in guesses, n))
    found: Dict[str, str] = {}
    total = 0
    covered: Set[str] = set()
    paths = set(p for originals in wanted.values() for p in originals)
    for name in names:
        if covered == paths:
            break
        path = os.path.join(OWNER_DPKG_INFO, name)
        try:
            data = elf_read_small(path, OWNER_MAX_LIST, open_file)
        except (OSError, ValueError) as exc:
            note("%s: %s" % (path, exc))
            continue
        total += len(data)
        if total > OWNER_MAX_BYTES:
            note("dpkg file lists over %d bytes; the rest is not read" % OWNER_MAX_BYTES)
            break
        package = name[: -len(".list")].split(":")[0]
        for line in data.decode("utf-8", "replace").splitlines():
            if line in wanted and line not in found:
                found[line] = package
                covered.update(wanted[line])
    return found


def owner_apk(
    wanted: OwnerWanted, open_file: ElfOpener, note: Callable[[str], None]
) -> Dict[str, str]:
    try:
        data = elf_read_small(OWNER_APK_INSTALLED, OWNER_MAX_BYTES, open_file)
    except FileNotFoundError:
        return {}
    found: Dict[str, str] = {}
    package: Optional[str] = None
    folder = ""
    for line in data.decode("utf-8", "replace").splitlines():
        if line.startswith("P:"):
            package, folder = line[2:], ""
        elif line.startswith("F:"):
            folder = line[2:]
        elif line.startswith("R:") and package:
            path = "/" + folder + "/" + line[2:] if folder else "/" + line[2:]
            if path in wanted:
                found.setdefault(path, package)
    return found
