"""What a snapshot exports as SBOM components, whatever the format.

An SBOM is made to be shared, so only software is exported: the OS, the
interpreter, the distributions an import finds (shadowed copies left out) and the
OS packages. Environment variables are never exported: they are settings, not
software, and a value the secret rules miss would leave the machine in clear.
Paths (the interpreter, a venv, a home folder) are left out for the same reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from packageurl import PackageURL

from driftcheck.sbom.purls import distribution_purl, os_package_purl
from driftcheck.snapshot.model import Snapshot

LIBRARY = "library"
OPERATING_SYSTEM = "operating-system"
APPLICATION = "application"
CONTAINER = "container"
PROPERTY_PREFIX = "driftcheck:"


@dataclass(frozen=True)
class Item:
    kind: str  # LIBRARY, OPERATING_SYSTEM or APPLICATION
    name: str
    version: str | None
    purl: str | None = None
    description: str | None = None
    properties: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Inventory:
    root_name: str
    root_kind: str  # CONTAINER or APPLICATION
    created_at: str
    items: tuple[Item, ...]


def inventory(snapshot: Snapshot) -> Inventory:
    items = [*_operating_system(snapshot), *_interpreter(snapshot)]
    items.extend(
        Item(LIBRARY, d.name, d.version, distribution_purl(d))
        for d in sorted(snapshot.active_distributions, key=lambda d: d.canonical_name)
    )
    release = snapshot.os.os_release
    for package in snapshot.os_packages:
        purl = os_package_purl(package, release)
        properties = (("driftcheck:os-package:manager", package.manager),)
        items.append(Item(LIBRARY, package.name, package.version, purl, properties=properties))
    kind = CONTAINER if snapshot.container is not None else APPLICATION
    return Inventory(snapshot.label, kind, snapshot.created_at, tuple(items))


def _operating_system(snapshot: Snapshot) -> list[Item]:
    os_info, release = snapshot.os, snapshot.os.os_release
    name = release.get("ID") or os_info.system.lower()
    if not name:
        return []
    properties = [("driftcheck:os:system", os_info.system)] if os_info.system else []
    if os_info.machine:
        properties.append(("driftcheck:os:machine", os_info.machine))
    if os_info.libc.family and os_info.libc.family != "unknown":
        libc = " ".join(filter(None, (os_info.libc.family, os_info.libc.version)))
        properties.append(("driftcheck:os:libc", libc))
    version = release.get("VERSION_ID") or os_info.platform_version
    return [
        Item(
            OPERATING_SYSTEM,
            name,
            version or None,
            description=release.get("PRETTY_NAME") or None,
            properties=tuple(properties),
        )
    ]


def _interpreter(snapshot: Snapshot) -> list[Item]:
    python, static = snapshot.python, snapshot.static_python
    if python is not None:
        implementation, version = python.implementation, python.version
        facts = {"soabi": python.soabi, "cache-tag": python.cache_tag}
        facts["free-threaded"] = str(python.free_threaded).lower()
    elif static is not None and static.version:
        implementation, version = static.implementation or "python", static.version
        facts = {"soabi": static.soabi, "cache-tag": static.cache_tag}
    else:
        return []
    name = implementation.lower()
    properties = tuple((f"driftcheck:python:{key}", value) for key, value in facts.items() if value)
    purl = str(PackageURL(type="generic", name=name, version=version))
    return [Item(APPLICATION, name, version, purl, "the Python interpreter", properties)]
