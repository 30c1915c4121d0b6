"""Structural changes between two snapshots: the one module that runs deepdiff.

Snapshots are first viewed as sections of entries keyed by identity (a
distribution by canonical name, an OS package by manager, name and
architecture). A keyed pre-pass finds the entries that were added, removed or
differ; deepdiff then works only on the entries that differ, so a diff of two
5,000-distribution snapshots costs what actually changed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from driftcheck.diff.model import Change
from driftcheck.diff.runtime import static_runtime_changes
from driftcheck.diff.startup_changes import startup_changes
from driftcheck.lockfiles.side import only_what_a_lock_knows
from driftcheck.snapshot.codec import to_jsonable
from driftcheck.snapshot.model import (
    ContainerInfo,
    Distribution,
    NativeLibrary,
    NativeModule,
    OsInfo,
    OsPackage,
    Snapshot,
)

# Facts a live probe reads in full: with a static side, the runtime is compared on what
# both sides know (diff.runtime), and native libraries only between two static sides
# (both found by file name, the same walk).
RUNTIME_SECTIONS = ("python", "native_libraries")
DISTRIBUTION_FIELDS = (
    "version",
    "location",
    "installer",
    "requested",
    "editable",
    "direct_url",
    "vcs",
    "vcs_commit",
    "requires_dist",
    "requires_python",
    "wheel_tags",
    "top_level",
)


@dataclass(frozen=True)
class ChangeSet:
    changes: tuple[Change, ...]
    not_comparable: tuple[str, ...]


@dataclass(frozen=True)
class Section:
    """One part of a snapshot as entries keyed by identity.

    `entries` hold the model's own records, which compare cheaply (frozen
    dataclasses, strings); `project` turns one into the JSON-like entry that is
    diffed and reported, and runs only for entries that differ.
    """

    entries: Mapping[str, Any]
    project: Callable[[Any], Any] = to_jsonable


EMPTY = Section({})


def sections(snapshot: Snapshot) -> dict[str, Section]:
    out: dict[str, Section] = {
        "python": Section({"interpreter": snapshot.python} if snapshot.python else {}),
        "os": Section({"os": snapshot.os}, _os_entry),
        "distributions": Section(
            {d.canonical_name: d for d in snapshot.active_distributions}, _distribution_entry
        ),
        "shadowed": Section(
            {
                f"{d.canonical_name}@{d.location}": d
                for d in snapshot.distributions
                if d.shadowed_by is not None
            },
            _shadowed_entry,
        ),
        "environment": Section(dict(snapshot.environment)),
        "os_packages": Section({":".join(p.key): p for p in snapshot.os_packages}, _package_entry),
        "native_libraries": Section(
            {lib.name: lib for lib in snapshot.native_libraries}, _library_entry
        ),
    }
    if snapshot.container is not None:
        out["container"] = Section({"container": snapshot.container}, _container_entry)
    if snapshot.native_needs is not None:
        out["native_needs"] = Section({m.key: m for m in snapshot.native_needs}, _needs_entry)
    return out


def _needs_entry(module: NativeModule) -> dict[str, Any]:
    """What the loader finds, and in which system folder; folders under site-packages
    are machine paths (a venv's place), left out."""
    site = module.site.rstrip("/") + "/"
    return {
        need.soname: {
            "missing": need.path is None,
            "found_by": need.found_by,
            "real_name": need.real_name,
            "folder": None if (need.path or site).startswith(site) else library_folder(need.path),
        }
        for need in module.needed
    }


def library_folder(path: str | None) -> str:
    """The folder of a library file; /usr/lib/… and /lib/… are one folder (merged /usr)."""
    folder = (path or "").rsplit("/", 1)[0]
    return folder.removeprefix("/usr") if folder.startswith("/usr/lib") else folder


def _distribution_entry(dist: Distribution) -> dict[str, Any]:
    return {f: to_jsonable(getattr(dist, f)) for f in DISTRIBUTION_FIELDS}


def _shadowed_entry(dist: Distribution) -> dict[str, Any]:
    return {"version": dist.version, "shadowed_by": dist.shadowed_by}


def _package_entry(package: OsPackage) -> dict[str, Any]:
    return {"version": package.version, "source": package.source}


def _library_entry(library: NativeLibrary) -> dict[str, Any]:
    return {"version": library.version, "soname": library.soname}


def _container_entry(container: ContainerInfo) -> dict[str, Any]:
    entry: dict[str, Any] = to_jsonable(container)
    for volatile in ("container_id", "container_name", "created", "configured_env"):
        entry.pop(volatile, None)
    return entry


def _os_entry(os_info: OsInfo) -> dict[str, Any]:
    entry: dict[str, Any] = to_jsonable(os_info)
    entry.pop("hostname", None)  # a machine's name is not drift
    return entry


def compute_changes(left: Snapshot, right: Snapshot) -> ChangeSet:
    """The keyed pre-pass: records compared as they are; only those that differ are
    projected to JSON-like entries and handed to deepdiff."""
    from driftcheck.sbom.comparable import comparable_views  # an SBOM side: what both know

    left, right, not_comparable = comparable_views(left, right)
    left_sections, right_sections = sections(left), sections(right)
    modes = {left.target.mode, right.target.mode}
    static = "static" in modes
    changes: list[Change] = []
    names, unknowable = only_what_a_lock_knows(
        left, right, sorted(set(left_sections) | set(right_sections))
    )
    not_comparable.extend(unknowable)
    for name in names:
        if static and name == "python":
            runtime, unknown_runtime = static_runtime_changes(left, right)
            changes.extend(runtime)
            not_comparable.extend(unknown_runtime)
            not_comparable.append(
                "python: sys.path, flags, encodings and build details: a static snapshot "
                "reads only the version and ABI from files"
            )
            continue
        if name == "native_needs" and None in (left.native_needs, right.native_needs):
            not_comparable.append(
                "native_needs: one snapshot did not read what extension modules need "
                "(an image read as files, an older snapshot, or not Linux)"
            )
            continue
        if static and name in RUNTIME_SECTIONS and modes != {"static"}:
            not_comparable.append(f"{name}: a static snapshot cannot know it")
            continue
        a, b = left_sections.get(name, EMPTY), right_sections.get(name, EMPTY)
        project = (a if a.entries else b).project
        for key in sorted(a.entries.keys() | b.entries.keys()):
            if key not in b.entries:
                changes.append(Change(name, key, "", "removed", project(a.entries[key]), None))
            elif key not in a.entries:
                changes.append(Change(name, key, "", "added", None, project(b.entries[key])))
            elif name == "environment":
                left_value, right_value = project(a.entries[key]), project(b.entries[key])
                if _is_marker(left_value) or left_value != right_value:
                    # Two equal markers say nothing about the values behind them.
                    _environment_change(key, left_value, right_value, changes, not_comparable)
            elif a.entries[key] != b.entries[key]:
                left_entry, right_entry = project(a.entries[key]), project(b.entries[key])
                if left_entry != right_entry:
                    changes.extend(_entry_changes(name, key, left_entry, right_entry))
    startup, unread = startup_changes(left, right)
    changes.extend(startup)
    not_comparable.extend(unread)
    return ChangeSet(*_drop_unread_os_facts(left, right, changes, not_comparable))


def _drop_unread_os_facts(
    left: Snapshot, right: Snapshot, changes: list[Change], not_comparable: list[str]
) -> tuple[tuple[Change, ...], tuple[str, ...]]:
    """An OS fact one side lists in `unknowns` (the CPU, memory and kernel of an image read
    as files, a /proc the probe could not read) is not comparable: its empty value there
    says nothing about the target."""
    unread = {
        u.field.split(".")[1]
        for snapshot in (left, right)
        for u in snapshot.unknowns
        if u.field.startswith("os.") and u.field.count(".") >= 1
    }
    kept: list[Change] = []
    dropped: set[str] = set()
    for change in changes:
        fact = change.field.split(".")[0]
        if change.section == "os" and fact in unread:
            dropped.add(fact)
        else:
            kept.append(change)
    not_comparable.extend(f"os.{fact}: one snapshot could not read it" for fact in sorted(dropped))
    return tuple(kept), tuple(not_comparable)


def _environment_change(
    key: str, left: Any, right: Any, changes: list[Change], not_comparable: list[str]
) -> None:
    """Redacted values are compared only through keyed fingerprints, never by value."""
    left_redacted, right_redacted = _is_marker(left), _is_marker(right)
    if left_redacted and right_redacted:
        fingerprints = (left.get("fingerprint"), right.get("fingerprint"))
        if None in fingerprints:
            not_comparable.append(f"environment {key}: redacted without a fingerprint key")
            return
        if fingerprints[0] == fingerprints[1]:
            return
    elif left == right:
        return
    changes.append(Change("environment", key, "", "changed", left, right))


def _is_marker(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get("redacted") is True


def _entry_changes(section: str, key: str, left: Any, right: Any) -> list[Change]:
    if not isinstance(left, Mapping) or not isinstance(right, Mapping):
        return [Change(section, key, "", "changed", left, right)]
    from deepdiff import DeepDiff  # imported when two entries differ, not on every start-up

    # Lists are reported whole, so they are compared item by item, not aligned by difflib.
    diff = DeepDiff(left, right, verbose_level=2, zip_ordered_iterables=True, view="tree")
    fields: dict[tuple[str, ...], str] = {}
    for report_type, levels in diff.items():
        for level in levels:
            # The path as keys and indexes, never a string to parse back: a key may hold
            # any quote or bracket (a label "it's").
            parts: list[str | int] = level.path(output_format="list")
            # A list is compared whole: "requires_dist" changed, not its item 3.
            cut = next((i for i, p in enumerate(parts) if isinstance(p, int)), len(parts))
            name = tuple(str(p) for p in parts[:cut])
            kind = "changed"
            if cut == len(parts) and report_type.endswith("_added"):
                kind = "added"
            elif cut == len(parts) and report_type.endswith("_removed"):
                kind = "removed"
            fields.setdefault(name, kind)
    return [
        Change(section, key, ".".join(name), kind, _lookup(left, name), _lookup(right, name))
        for name, kind in sorted(fields.items())
    ]


def _lookup(entry: Mapping[str, Any], parts: tuple[str, ...]) -> Any:
    value: Any = entry
    for part in parts:
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value
