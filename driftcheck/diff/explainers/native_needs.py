"""What extension modules need from the system: a soname missing on one side, or found
in another file (an older copy earlier on the path, through LD_LIBRARY_PATH or an RPATH).

The probe reads each shared object's DT_NEEDED entries and resolves them as the
dynamic loader would on that side (driftcheck/probe/_elf.py). A soname missing on
one side and found on the other is why `import x` fails there with "cannot open
shared object file"; the fix is the OS package that ships it on the other side, in
the missing side's package manager. Whether it matters is rated by the use of the
distribution that owns the module (diff/rating.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from packaging.utils import canonicalize_name

from driftcheck.diff.changes import library_folder
from driftcheck.diff.explainers.common import SIDES, Side, join_names, label, other, quote
from driftcheck.diff.explainers.interface import Context, in_section
from driftcheck.diff.model import Change, Finding, Fix, Severity
from driftcheck.numbers import DIGITS, compare_digits
from driftcheck.snapshot.model import NativeModule, NeededLibrary, Snapshot

#: How each package manager installs a package by name.
INSTALL_COMMANDS = {
    "dpkg": "apt-get install {}",
    "apk": "apk add {}",
    "rpm": "dnf install {}",
}
PACKAGE_KINDS = {"dpkg": "a Debian package", "apk": "an Alpine package", "rpm": "an RPM"}
# Where the loader found a library, in words.
FOUND_BY = {
    "rpath": "through the module's RPATH",
    "runpath": "through the module's RUNPATH",
    "LD_LIBRARY_PATH": "through LD_LIBRARY_PATH",
    "system": "in the system library folders",
    "path": "by its full path",
    "loaded": "already loaded by the interpreter",
}
EARLY_ROUTES = ("LD_LIBRARY_PATH", "rpath", "runpath")
MISSING_IMPACT = "native-missing"
OTHER_FILE_IMPACT = "native-other-file"


@dataclass(frozen=True)
class Need:
    """One module's need on one side."""

    module: NativeModule
    library: NeededLibrary
    owner: str | None  # the canonical name of the distribution that ships the module


class NativeNeedsExplainer:
    name = "native-needs"

    def explain(self, pending: Sequence[Change], context: Context) -> list[Finding]:
        changes = in_section(pending, "native_needs")
        if not changes:
            return []
        by_module: dict[str, list[Change]] = {}
        for change in changes:
            by_module.setdefault(change.key, []).append(change)
        modules = {
            side: {m.key: m for m in (_snapshot(context, side).native_needs or ())}
            for side in SIDES
        }
        found_anywhere = {side: _found_anywhere(context, side) for side in SIDES}
        missing: dict[tuple[Side, str], list[tuple[Need, Need | None]]] = {}
        elsewhere: dict[str, list[tuple[Need, Need]]] = {}
        for key in sorted(by_module):
            left, right = modules["left"].get(key), modules["right"].get(key)
            sides: tuple[tuple[Side, NativeModule | None, NativeModule | None], ...] = (
                ("right", right, left),
                ("left", left, right),
            )
            for side, here, there in sides:
                if here is None:
                    continue
                found_there = _libraries(there)
                for library in here.needed:
                    if library.path is not None:
                        continue
                    theirs = found_there.get(library.soname)
                    if theirs is not None and theirs.path is None:
                        continue  # missing on both sides: not drift
                    need = Need(here, library, _owner(_snapshot(context, side), here))
                    other_need = None
                    if theirs is not None and there is not None:
                        owner = _owner(_snapshot(context, other(side)), there)
                        other_need = Need(there, theirs, owner)
                    else:  # another module there may need and find it: its package
                        other_need = found_anywhere[other(side)].get(library.soname)
                    missing.setdefault((side, library.soname), []).append((need, other_need))
            if left is not None and right is not None:
                found_left = _libraries(left)
                for library in right.needed:
                    mine = found_left.get(library.soname)
                    if mine is None or None in (mine.path, library.path):
                        continue
                    if _another_file(mine, library):
                        owner = _owner(context.right, right)
                        pair = (Need(left, mine, owner), Need(right, library, owner))
                        elsewhere.setdefault(library.soname, []).append(pair)
        findings: list[Finding] = []
        claimed: set[str] = set()
        for (side, soname), needs in sorted(missing.items()):
            modules_here = {n.module.key for n, _ in needs}
            claim = [c for k in sorted(modules_here) for c in by_module.get(k, [])]
            claim += _package_changes(pending, [theirs for _, theirs in needs])
            claimed.update(modules_here)
            findings.append(_missing(side, soname, needs, claim, context))
        for soname, pairs in sorted(elsewhere.items()):
            keys = {b.module.key for _, b in pairs} - claimed
            claim = [c for k in sorted(keys) for c in by_module.get(k, [])]
            claimed.update(keys)
            findings.append(_other_file(soname, pairs, claim, context))
        rest = [c for k in sorted(set(by_module) - claimed) for c in by_module[k]]
        if rest:
            findings.append(_rest(rest, context))
        return findings


def _package_changes(pending: Sequence[Change], sources: list[Need | None]) -> list[Change]:
    """The OS package that ships the library on the other side, removed or changed on
    this one: the same cause, told once (here, with what needed it)."""
    keys = {
        f"{n.library.package_manager}:{n.library.os_package}"
        for n in sources
        if n is not None and n.library.os_package
    }
    return [
        c
        for c in in_section(pending, "os_packages")
        if c.key.rsplit(":", 1)[0] in keys or c.key in keys
    ]


def _snapshot(context: Context, side: Side) -> Snapshot:
    return context.left if side == "left" else context.right


def _found_anywhere(context: Context, side: Side) -> dict[str, Need]:
    """Each soname some module on SIDE finds, with the first module that finds it."""
    snapshot = _snapshot(context, side)
    found: dict[str, Need] = {}
    for module in snapshot.native_needs or ():
        for library in module.needed:
            if library.path is not None and library.soname not in found:
                found[library.soname] = Need(module, library, None)
    return found


def _libraries(module: NativeModule | None) -> dict[str, NeededLibrary]:
    return {} if module is None else {n.soname: n for n in module.needed}


def _owner(snapshot: Snapshot, module: NativeModule) -> str | None:
    """The distribution whose files hold the module: by the top-level name RECORD gave
    (numpy, numpy.libs, _cffi_backend), in the module's site folder first."""
    first = module.file.split("/", 1)[0]
    names = {first}
    if "/" not in module.file:
        names.add(first.split(".", 1)[0])  # _foo.cpython-311-x86_64-linux-gnu.so
    if first.endswith(".libs"):
        names.add(first[: -len(".libs")])
    dists = sorted(snapshot.active_distributions, key=lambda d: d.location != module.site)
    for dist in dists:
        if names & set(dist.top_level):
            return dist.canonical_name
    canonical = {canonicalize_name(n) for n in names}
    return next((d.canonical_name for d in dists if d.canonical_name in canonical), None)


def _shown(need: Need) -> str:
    owner = f" ({need.owner})" if need.owner else ""
    return f"{need.module.file}{owner}"


def _install_fix(soname: str, side: Side, source: Need | None, context: Context) -> Fix | None:
    """The OS package that ships SONAME on the other side, installed with SIDE's manager."""
    here = label(context, side)
    if source is None:
        return Fix.advise(f"install the OS package that provides {soname} on {here}")
    library = source.library
    there = label(context, other(side))
    managers = {p.manager for p in _snapshot(context, side).os_packages}
    manager, package = library.package_manager, library.os_package
    if manager and package and manager in INSTALL_COMMANDS and manager in managers:
        command = INSTALL_COMMANDS[manager].format(quote(package))
        return Fix.run(command, on=here)
    if manager and package:
        kind = PACKAGE_KINDS.get(manager, f"a {manager} package")
        return Fix.advise(
            f"install the package that provides {soname} on {here} ({there} has it from "
            f"{package}, {kind})"
        )
    how = FOUND_BY.get(library.found_by or "", "")
    return Fix.advise(
        f"{there} finds {soname} at {library.path} {how} (no OS package ships it there): "
        f"make the same library available on {here}"
    )


def _missing(
    side: Side,
    soname: str,
    needs: list[tuple[Need, Need | None]],
    claim: list[Change],
    context: Context,
) -> Finding:
    here, there = label(context, side), label(context, other(side))
    source = next((theirs for _, theirs in needs if theirs is not None), None)
    fix = _install_fix(soname, side, source, context)
    shown = join_names([_shown(n) for n, _ in needs], limit=2)
    verb = "needs" if len(needs) == 1 else "need"
    where = ""
    if source is not None:
        package = source.library.os_package
        where = f"; {there} loads {source.library.path}" + (f" from {package}" if package else "")
    owners = tuple(sorted({n.owner for n, _ in needs if n.owner}))
    return Finding(
        category="native-libraries",
        subject=soname,
        # Missing on A only: B, the side checked, has it; the trouble is A's (context).
        severity=Severity.LOW if side == "left" else Severity.HIGH,
        explanation=(
            f"{shown} {verb} {soname}, missing on {here}: importing it fails there with "
            f"'{soname}: cannot open shared object file'{where}."
        ),
        left="missing" if side == "left" else "found",
        right="missing" if side == "right" else "found",
        evidence=tuple(
            f"{n.module.file} needs {soname}: not found on {here} (RPATH, LD_LIBRARY_PATH, "
            "RUNPATH, ld.so.conf and the default folders searched)"
            for n, _ in needs[:4]
        )
        + tuple(
            f"OS package {c.key} {c.kind} on {here}" for c in claim if c.section == "os_packages"
        ),
        fix=fix,
        changes=tuple(claim),
        relevance=11 if side == "right" else 0,  # before LD_LIBRARY_PATH's finding
        packages=owners,
        impact=MISSING_IMPACT if side == "right" else "",
    )


def _other_file(
    soname: str, pairs: list[tuple[Need, Need]], claim: list[Change], context: Context
) -> Finding:
    """The same soname found in another file on B: earlier on B's search path (through
    LD_LIBRARY_PATH or an RPATH), or an older release of it."""
    a, b = context.left_label, context.right_label
    left, right = pairs[0]
    mine, theirs = left.library, right.library
    if _bundled(left) and _bundled(right):
        return _bundled_copy(soname, pairs, claim, context)
    early = theirs.found_by in EARLY_ROUTES
    earlier = early and theirs.found_by != mine.found_by
    order = _release_order(mine.real_name, theirs.real_name)
    older = order is not None and order > 0
    how_b = FOUND_BY.get(theirs.found_by or "", theirs.found_by or "")
    how_a = FOUND_BY.get(mine.found_by or "", mine.found_by or "")
    what = "an older copy" if older else "another file"
    explanation = (
        f"{_shown(right)} needs {soname}: {b} loads {what}, {theirs.path} {how_b}"
        + (f", earlier on the search path than the copy {a} loads" if earlier else "")
        + f" ({a}: {mine.path} {how_a}; {mine.real_name} on {a}, {theirs.real_name} on {b})"
        + ": symbols the module needs can be missing there ('undefined symbol' on import)."
    )
    fix = None
    if theirs.found_by == "LD_LIBRARY_PATH":
        folder = theirs.path.rsplit("/", 1)[0] if theirs.path else ""
        fix = Fix.advise(f"take {folder} out of LD_LIBRARY_PATH on {b}, or update the copy there")
    owners = tuple(sorted({p.owner for _, p in pairs if p.owner}))
    # An older copy in the system folders is an OS package's version, which the OS
    # findings rate; one put first on the path by LD_LIBRARY_PATH or an RPATH is this,
    # and so is a copy no OS package ships (put in /usr/local/lib by hand) found instead
    # of the one A loads: no other finding names it.
    by_hand = theirs.os_package is None and library_folder(theirs.path) != library_folder(mine.path)
    serious = earlier or (older and early) or by_hand
    return Finding(
        category="native-libraries",
        subject=soname,
        # What the loader really maps, module by module: more specific than the variable
        # (LD_LIBRARY_PATH) that caused it, so it ranks before that finding.
        severity=Severity.HIGH if serious else Severity.LOW,
        explanation=explanation,
        left=mine.real_name,
        right=theirs.real_name,
        evidence=tuple(f"{p.module.file} needs {soname}" for _, p in pairs[:4]),
        fix=fix,
        changes=tuple(claim),
        relevance=11 if serious else 0,
        packages=owners,
        impact=OTHER_FILE_IMPACT,
    )


def _another_file(mine: NeededLibrary, theirs: NeededLibrary) -> bool:
    """B maps another file for the soname: found another way, another release, or in
    another folder (/lib and /usr/lib are one folder on merged-/usr systems)."""
    if (mine.found_by, mine.real_name) != (theirs.found_by, theirs.real_name):
        return True
    return library_folder(mine.path) != library_folder(theirs.path)


def _bundled(need: Need) -> bool:
    """The library is a copy a wheel ships inside site-packages (numpy.libs/…): it comes
    and goes with its distribution's version, which the package findings rate."""
    path, site = need.library.path or "", need.module.site.rstrip("/") + "/"
    return path.startswith(site)


def _bundled_copy(
    soname: str, pairs: list[tuple[Need, Need]], claim: list[Change], context: Context
) -> Finding:
    left, right = pairs[0]
    owners = tuple(sorted({p.owner for _, p in pairs if p.owner}))
    shipped = f" ships with {', '.join(owners)}" if owners else " is shipped in site-packages"
    return Finding(
        category="native-libraries",
        subject=soname,
        severity=Severity.INFO,
        explanation=(
            f"{soname}{shipped}: its own copy ({left.library.real_name} on "
            f"{context.left_label}, {right.library.real_name} on {context.right_label}) "
            "changes with the distribution's version, which the package findings rate."
        ),
        left=left.library.real_name,
        right=right.library.real_name,
        changes=tuple(claim),
        packages=owners,
    )


def _release_order(left: str | None, right: str | None) -> int | None:
    """> 0 when RIGHT's file is an older release than LEFT's (libfoo.so.1.2.0 vs
    libfoo.so.1.0.0); None when either name carries too little to compare."""
    numbers = []
    for name in (left, right):
        found = DIGITS.findall(name.partition(".so.")[2]) if name and ".so." in name else []
        if len(found) < 2:
            return None
        numbers.append(found)
    for x, y in zip(numbers[0], numbers[1], strict=False):
        if order := compare_digits(x, y):
            return order
    return None


def _rest(changes: list[Change], context: Context) -> Finding:
    files = sorted({c.key for c in changes})
    return Finding(
        category="native-libraries",
        subject="extension modules",
        severity=Severity.INFO,
        explanation=(
            f"{len(files)} shared object(s) differ in what they need, or exist on one side "
            f"only ({join_names(files, limit=3)}); none of them misses on "
            f"{context.left_label} or {context.right_label} a library the other side finds."
        ),
        changes=tuple(changes),
    )
