"""Structural changes between two snapshots: the one module that runs deepdiff.

Snapshots are first viewed as sections of entries keyed by identity (a
distribution by canonical name, an OS package by manager, name and
architecture). A keyed pre-pass finds the entries that were added, removed or
differ; deepdiff then works only on the entries that differ, so a diff of two
5,000-distribution snapshots costs what actually changed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from deepdiff import DeepDiff

from driftcheck.diff.model import Change
from driftcheck.snapshot.codec import to_jsonable
from driftcheck.snapshot.model import Snapshot

# Facts that only a live probe can know: a static snapshot cannot be compared on them.
RUNTIME_SECTIONS = ("python", "native_libraries")
_PATH_PART = re.compile(r"\['((?:[^'\\]|\\.)*)'\]|\[(\d+)\]")
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


def sections(snapshot: Snapshot) -> dict[str, dict[str, Any]]:
    """The snapshot as keyed sections of JSON-like entries."""
    out: dict[str, dict[str, Any]] = {
        "python": {"interpreter": to_jsonable(snapshot.python)} if snapshot.python else {},
        "os": {"os": _os_entry(snapshot)},
        "distributions": {
            d.canonical_name: {f: to_jsonable(getattr(d, f)) for f in DISTRIBUTION_FIELDS}
            for d in snapshot.active_distributions
        },
        "shadowed": {
            f"{d.canonical_name}@{d.location}": {"version": d.version, "shadowed_by": d.shadowed_by}
            for d in snapshot.distributions
            if d.shadowed_by is not None
        },
        "environment": {k: to_jsonable(v) for k, v in snapshot.environment.items()},
        "os_packages": {
            ":".join(p.key): {"version": p.version, "source": p.source}
            for p in snapshot.os_packages
        },
        "native_libraries": {
            lib.name: {"version": lib.version, "soname": lib.soname}
            for lib in snapshot.native_libraries
        },
    }
    if snapshot.container is not None:
        container = to_jsonable(snapshot.container)
        for volatile in ("container_id", "container_name", "created", "configured_env"):
            container.pop(volatile, None)
        out["container"] = {"container": container}
    return out


def _os_entry(snapshot: Snapshot) -> dict[str, Any]:
    os_info = to_jsonable(snapshot.os)
    os_info.pop("hostname", None)  # a machine's name is not drift
    return dict(os_info)


def compute_changes(left: Snapshot, right: Snapshot) -> ChangeSet:
    left_sections, right_sections = sections(left), sections(right)
    static = "static" in (left.target.mode, right.target.mode)
    changes: list[Change] = []
    not_comparable: list[str] = []
    for name in sorted(set(left_sections) | set(right_sections)):
        if static and name in RUNTIME_SECTIONS:
            not_comparable.append(f"{name}: a static snapshot cannot know it")
            continue
        a, b = left_sections.get(name, {}), right_sections.get(name, {})
        for key in sorted(set(a) | set(b)):
            if key not in b:
                changes.append(Change(name, key, "", "removed", a[key], None))
            elif key not in a:
                changes.append(Change(name, key, "", "added", None, b[key]))
            elif name == "environment" and (_is_marker(a[key]) or a[key] != b[key]):
                # Two equal markers say nothing about the values behind them.
                _environment_change(key, a[key], b[key], changes, not_comparable)
            elif a[key] != b[key]:
                changes.extend(_entry_changes(name, key, a[key], b[key]))
    return ChangeSet(tuple(changes), tuple(not_comparable))


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
    diff = DeepDiff(left, right, verbose_level=2)
    fields: dict[tuple[str, ...], str] = {}
    for report_type, items in diff.items():
        for path in items:
            parts = _path_parts(path)
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


def _path_parts(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for quoted, index in _PATH_PART.findall(path.removeprefix("root")):
        parts.append(int(index) if index else quoted.replace("\\'", "'"))
    return parts


def _lookup(entry: Mapping[str, Any], parts: tuple[str, ...]) -> Any:
    value: Any = entry
    for part in parts:
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value
