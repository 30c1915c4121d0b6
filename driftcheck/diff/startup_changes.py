"""Changes in start-up mechanisms: which file an import loads, .pth files, sitecustomize and
usercustomize, a venv's system site packages and the user site.

Machine paths differ on every pair of sides, so entries are compared on what does
not depend on them: the distribution that owns a module (not its path), a hook's
hash (not its folder), a .pth file by name. A fact one side did not record (an older
snapshot, an image read as files) is not comparable, never a change.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import Any

from packaging.utils import canonicalize_name

from driftcheck.diff.model import Change
from driftcheck.snapshot.codec import to_jsonable
from driftcheck.snapshot.model import ImportOrigin, Snapshot

# Kinds that name a file an import loads; the others (a namespace shared by several
# distributions, a builtin, nothing found) say nothing about who owns the module.
FILE_KINDS = frozenset({"package", "module", "extension", "bytecode"})


def startup_changes(left: Snapshot, right: Snapshot) -> tuple[list[Change], list[str]]:
    changes: list[Change] = _pth_changes(left, right)
    not_comparable: list[str] = []
    a, b = left.startup, right.startup
    if a is None and b is None:
        return changes, not_comparable  # neither recorded them: nothing to say
    if a is None or b is None:
        not_comparable.append(
            "startup: which file each import loads, sitecustomize and the site settings "
            "were not recorded on one side (an older snapshot or an image read as files)"
        )
        return changes, not_comparable
    if a.imports is not None and b.imports is not None:
        changes.extend(_import_changes(a.imports, b.imports))
    else:
        not_comparable.append("imports: which file each import loads was not read on both sides")
    if a.hooks is not None and b.hooks is not None:
        changes.extend(_hook_changes(left, right))
    else:
        not_comparable.append("startup: sitecustomize, usercustomize were not read on both sides")
    if a.site is not None and b.site is not None:
        changes.extend(_site_changes(left, right))
    else:
        not_comparable.append("startup: the site settings were not read on both sides")
    return changes, not_comparable


def owner(record: ImportOrigin) -> str | None:
    return canonicalize_name(record.distribution) if record.distribution else None


def is_stray(record: ImportOrigin) -> bool:
    """A file an import loads that no distribution installed."""
    return record.kind in FILE_KINDS and record.distribution is None


def _import_changes(
    left: tuple[ImportOrigin, ...], right: tuple[ImportOrigin, ...]
) -> list[Change]:
    a = {r.name: r for r in left}
    b = {r.name: r for r in right}
    out = []
    for name in sorted(a.keys() | b.keys()):
        x, y = a.get(name), b.get(name)
        if x is not None and y is not None:
            if x.kind in FILE_KINDS and y.kind in FILE_KINDS and owner(x) != owner(y):
                out.append(Change("imports", name, "distribution", "changed", _e(x), _e(y)))
        elif x is not None and is_stray(x):
            out.append(Change("imports", name, "", "removed", _e(x), None))
        elif y is not None and is_stray(y):
            out.append(Change("imports", name, "", "added", None, _e(y)))
    return out


def _e(record: Any) -> Any:
    return to_jsonable(record)


def _hook_changes(left: Snapshot, right: Snapshot) -> list[Change]:
    a = {h.name: h for h in (left.startup.hooks if left.startup else None) or ()}
    b = {h.name: h for h in (right.startup.hooks if right.startup else None) or ()}
    out = []
    for name in sorted(a.keys() | b.keys()):
        x, y = a.get(name), b.get(name)
        if x is None:
            out.append(Change("startup", name, "", "added", None, _e(y)))
        elif y is None:
            out.append(Change("startup", name, "", "removed", _e(x), None))
        elif x.sha256 != y.sha256 or (x.loaded, y.loaded) in ((True, False), (False, True)):
            out.append(Change("startup", name, "sha256", "changed", _e(x), _e(y)))
    return out


def _pth_entries(snapshot: Snapshot) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for pth in snapshot.pth_files:
        key = posixpath.basename(pth.path)
        while key in out:  # the same name in two site folders
            key += "+"
        out[key] = {
            "path": pth.path,
            "path_lines": list(pth.path_lines),
            "code_lines": list(pth.code_lines),
        }
    return out


def _pth_changes(left: Snapshot, right: Snapshot) -> list[Change]:
    a, b = _pth_entries(left), _pth_entries(right)
    out = []
    for name in sorted(a.keys() | b.keys()):
        x, y = a.get(name), b.get(name)
        if x is None:
            out.append(Change("startup", name, "", "added", None, y))
        elif y is None:
            out.append(Change("startup", name, "", "removed", x, None))
        elif x["code_lines"] != y["code_lines"] or x["path_lines"] != y["path_lines"]:
            out.append(Change("startup", name, "lines", "changed", x, y))
    return out


def site_entry(snapshot: Snapshot) -> Mapping[str, Any]:
    """What the site settings make importable: the system site packages of a venv that
    includes them, the distributions in an enabled user site."""
    site = snapshot.startup.site if snapshot.startup else None
    if site is None:
        return {}
    user = user_site_names(snapshot) if site.user_site_enabled else []
    return {
        "system_site_packages": site.system_site_packages,
        "user_site": {"enabled": bool(site.user_site_enabled), "distributions": user},
    }


def user_site_names(snapshot: Snapshot) -> list[str]:
    site = snapshot.startup.site if snapshot.startup else None
    folder = site.user_site if site else None
    if not folder:
        return []
    return sorted(d.canonical_name for d in snapshot.distributions if d.location == folder)


def system_site_names(snapshot: Snapshot) -> list[str]:
    """Active distributions a venv sees from its base installation's site folders."""
    py = snapshot.python
    if py is None or py.prefix == py.base_prefix:
        return []
    prefix, base = py.prefix.rstrip("/") + "/", py.base_prefix.rstrip("/") + "/"
    return sorted(
        d.canonical_name
        for d in snapshot.active_distributions
        if not d.location.startswith(prefix) and d.location.startswith(base)
    )


def _site_changes(left: Snapshot, right: Snapshot) -> list[Change]:
    a, b = site_entry(left), site_entry(right)
    out = []
    x, y = a.get("system_site_packages"), b.get("system_site_packages")
    if isinstance(x, bool) and isinstance(y, bool) and x != y:
        out.append(Change("startup", "system-site-packages", "", "changed", x, y))
    ux, uy = a.get("user_site"), b.get("user_site")
    if ux is not None and uy is not None and ux["distributions"] != uy["distributions"]:
        out.append(Change("startup", "user-site", "", "changed", ux, uy))
    return out
