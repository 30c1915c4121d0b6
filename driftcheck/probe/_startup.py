# driftcheck probe, start-up mechanisms: which file `import x` would load, the
# sitecustomize / usercustomize modules site.py imports, and the venv and user-site
# settings. Part of the probe's text (prepended to _probe.py): standard library only,
# CPython 3.8 syntax, names prefixed `startup_`, nothing imported from the target, every
# name resolved by reading folder listings the way importlib's PathFinder would, never
# by importing. The host interprets; this only reports what it read.

import os
import sys
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

if "ProbeCollector" not in globals():  # imported as a module on the host
    from driftcheck.probe._protocols import ProbeCollector, ProbeUnknowns

STARTUP_MAX_NAMES = 10000  # top-level names resolved; past it, an unknown says so
STARTUP_MAX_HOOK_BYTES = 4 * 1024 * 1024  # a sitecustomize.py larger than this is not hashed
STARTUP_HOOKS = ("sitecustomize", "usercustomize")
# Folder names in site-packages that are never importable names.
STARTUP_NOT_MODULES = ("__pycache__",)
#: (origin, kind, sys.path entry) of one copy of a top-level name.
StartupHit = Tuple[str, str, str]
#: A distribution record as the probe reads it (read_distribution in _probe.py).
StartupDistribution = Dict[str, Any]


def startup_suffixes() -> List[Tuple[str, str]]:
    """(suffix, kind) in the order FileFinder tries them: extensions, sources, bytecode."""
    import importlib.machinery as machinery  # already loaded by the import system

    out = [(s, "extension") for s in machinery.EXTENSION_SUFFIXES]
    out += [(s, "module") for s in machinery.SOURCE_SUFFIXES]
    out += [(s, "bytecode") for s in machinery.BYTECODE_SUFFIXES]
    return out


class StartupPath(object):
    """sys.path as PathFinder walks it, each folder listed once."""

    def __init__(self, entries: List[str]) -> None:
        self.entries = [e for e in entries if e]
        self.suffixes = startup_suffixes()
        self.listings: Dict[str, Optional[Set[str]]] = {}

    def names(self, entry: str) -> Optional[Set[str]]:
        if entry not in self.listings:
            try:
                self.listings[entry] = set(os.listdir(entry)) if os.path.isdir(entry) else None
            except OSError:
                self.listings[entry] = None
        return self.listings[entry]

    def in_entry(self, entry: str, name: str) -> Optional[Tuple[str, str]]:
        """(origin, kind) of NAME found in folder ENTRY, ("namespace", folder) for a
        portion of a namespace package, or None."""
        names = self.names(entry)
        if names is None:
            return None
        portion = None
        if name in names:
            folder = os.path.join(entry, name)
            if os.path.isdir(folder):
                for suffix, _ in self.suffixes:
                    init = os.path.join(folder, "__init__" + suffix)
                    if os.path.isfile(init):
                        return init, "package"
                portion = folder
        for suffix, kind in self.suffixes:
            if name + suffix in names:
                path = os.path.join(entry, name + suffix)
                if os.path.isfile(path):
                    return path, kind
        return (portion, "namespace") if portion else None

    def resolve(self, name: str) -> List[StartupHit]:
        """The first copy along sys.path, the copy it hides (or None), and the sys.path
        entry of each: [(origin, kind, entry), ...] at most two long."""
        found: List[StartupHit] = []
        portions: List[StartupHit] = []
        for entry in self.entries:
            hit = self.in_entry(entry, name)
            if hit is None:
                continue
            if hit[1] == "namespace":
                portions.append((hit[0], "namespace", entry))
                continue
            found.append((hit[0], hit[1], entry))
            if len(found) == 2:
                break
        if not found and portions:
            return portions[:1]
        return found


def startup_owners(
    distributions: List[StartupDistribution],
) -> Tuple[Dict[Tuple[str, str], str], List[Tuple[str, str]]]:
    """(folder, top-level name) -> distribution name, and the editable projects' folders."""
    owners: Dict[Tuple[str, str], str] = {}
    editable: List[Tuple[str, str]] = []
    for dist in distributions:
        name, location = dist.get("name"), dist.get("location")
        if not name or not location:
            continue
        for top in dist.get("top_level") or ():
            owners.setdefault((location, top), name)
        if not dist.get("top_level"):  # no top_level.txt and no RECORD: the name is a guess
            owners.setdefault((location, name.lower().replace("-", "_")), name)
        direct = dist.get("direct_url") or {}
        url = direct.get("url") or ""
        if (direct.get("dir_info") or {}).get("editable") and url.startswith("file://"):
            from urllib.parse import unquote, urlsplit

            editable.append((unquote(urlsplit(url).path).rstrip("/"), name))
    return owners, editable


def startup_owner(
    owners: Dict[Tuple[str, str], str],
    editable: List[Tuple[str, str]],
    name: str,
    origin: str,
    entry: str,
) -> Optional[str]:
    owner = owners.get((entry, name))
    if owner is not None:
        return owner
    for folder, dist_name in editable:
        if folder and (origin == folder or origin.startswith(folder + os.sep)):
            return dist_name
    return None


def startup_stdlib_entries() -> Callable[[str], bool]:
    import sysconfig

    paths = sysconfig.get_paths()
    stdlib = [paths.get("stdlib"), paths.get("platstdlib")]
    roots = [os.path.normpath(p) for p in stdlib if p]
    return lambda entry: (
        any(
            os.path.normpath(entry) == r or os.path.normpath(entry).startswith(r + os.sep)
            for r in roots
        )
        and "site-packages" not in entry
        and "dist-packages" not in entry
    )


def startup_candidate_names(
    col: ProbeUnknowns, path: StartupPath, distributions: List[StartupDistribution]
) -> List[str]:
    """Every top-level name of every distribution, then the names in non-stdlib sys.path
    folders that no distribution owns; at most STARTUP_MAX_NAMES."""
    names: List[str] = []
    seen: Set[str] = set()
    for dist in distributions:
        for top in dist.get("top_level") or ():
            if top not in seen and top.isidentifier():
                seen.add(top)
                names.append(top)
    is_stdlib = startup_stdlib_entries()
    for entry in path.entries:
        if is_stdlib(entry):
            continue
        for item in sorted(path.names(entry) or ()):
            base = item
            for suffix, _ in path.suffixes:
                if item.endswith(suffix):
                    base = item[: -len(suffix)]
                    break
            if (
                base in seen
                or not base.isidentifier()
                or base in STARTUP_NOT_MODULES + STARTUP_HOOKS
            ):
                continue
            if base == item and not os.path.isdir(os.path.join(entry, item)):
                continue  # a file with no module suffix
            seen.add(base)
            names.append(base)
    if len(names) > STARTUP_MAX_NAMES:
        col.unknown(
            "startup.imports",
            "%d top-level names found on sys.path; only the first %d are resolved "
            "(distributions' names first)" % (len(names), STARTUP_MAX_NAMES),
        )
        names = names[:STARTUP_MAX_NAMES]
    return names


def startup_imports(
    col: ProbeUnknowns, path: StartupPath, distributions: List[StartupDistribution]
) -> List[Dict[str, Any]]:
    """Which file `import NAME` would load, for every candidate name, and who owns it;
    PATH: a StartupPath over sys.path."""
    import _imp

    owners, editable = startup_owners(distributions)
    found = []
    for name in startup_candidate_names(col, path, distributions):
        record: Dict[str, Any] = {"name": name}
        if name in sys.builtin_module_names or _imp.is_frozen(name):
            record["kind"] = "builtin" if name in sys.builtin_module_names else "frozen"
            found.append(record)
            continue
        hits = path.resolve(name)
        if not hits:
            record["kind"] = "unresolved"
            found.append(record)
            continue
        origin, kind, entry = hits[0]
        record.update(
            origin=origin,
            kind=kind,
            distribution=startup_owner(owners, editable, name, origin, entry),
        )
        if len(hits) > 1:
            hidden, _, hidden_entry = hits[1]
            record["hidden_origin"] = hidden
            record["hidden_distribution"] = startup_owner(
                owners, editable, name, hidden, hidden_entry
            )
        found.append(record)
    return found


def startup_hooks(col: ProbeUnknowns, path: StartupPath) -> List[Dict[str, Any]]:
    """sitecustomize and usercustomize: the file an import would load, its sha256, and
    whether site.py imported it in this interpreter; PATH: a StartupPath over sys.path."""
    import hashlib

    read = globals().get("read_bytes")
    if read is None:  # imported as a module on the host, not run as the probe's text
        import importlib

        read = importlib.import_module("driftcheck.probe._probe").read_bytes

    hooks = []
    for name in STARTUP_HOOKS:
        hits = path.resolve(name)
        if not hits or hits[0][1] == "namespace":
            continue
        origin = hits[0][0]
        record = {"name": name, "path": origin, "loaded": name in sys.modules, "sha256": None}
        try:
            record["sha256"] = hashlib.sha256(read(origin, STARTUP_MAX_HOOK_BYTES)).hexdigest()
        except (OSError, ValueError) as exc:
            col.unknown("startup.hooks", "%s: %s" % (origin, exc))
        hooks.append(record)
    return hooks


def startup_site(python: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """The venv's include-system-site-packages (None outside a venv) and the user site."""
    import site

    in_venv = sys.prefix != getattr(sys, "base_prefix", sys.prefix)
    cfg = (python or {}).get("pyvenv_cfg") or {}
    system = None
    if in_venv:
        system = str(cfg.get("include-system-site-packages", "false")).lower() == "true"
    user_site = None
    if hasattr(site, "getusersitepackages"):
        try:
            user_site = site.getusersitepackages()
        except Exception:  # no HOME and no passwd entry: no user site either
            user_site = None
    return {
        "system_site_packages": system,
        "user_site_enabled": bool(getattr(site, "ENABLE_USER_SITE", False)),
        "user_site": user_site,
    }


def startup_facts(
    col: ProbeCollector,
    python: Optional[Dict[str, Any]],
    distributions: List[StartupDistribution],
) -> Dict[str, Any]:
    path = StartupPath(python["sys_path"] if python else list(sys.path))  # each folder listed once
    return {
        "site": col.safely("startup.site", lambda: startup_site(python), None),
        "hooks": col.safely("startup.hooks", lambda: startup_hooks(col, path), None),
        "imports": col.safely(
            "startup.imports", lambda: startup_imports(col, path, distributions), None
        ),
    }
