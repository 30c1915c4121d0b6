"""What a diff with an SBOM side compares: what both sides know.

An SBOM says which Python distributions and OS packages are installed, with
their versions, and sometimes which OS. The other side knows more (locations,
requirements, sources, the interpreter, variables); comparing that with an SBOM's
silence would report every package as drift. So when either side was read from
an SBOM, the diff sees both sides cut down to those facts, and names everything
else not comparable. The explainers still see the full snapshots.
"""

from __future__ import annotations

import dataclasses

from driftcheck.sbom.document import SBOM_MODE  # not sbom.read: no purl parser on every diff
from driftcheck.snapshot.model import (
    CpuInfo,
    Distribution,
    LibcInfo,
    OsInfo,
    OsPackage,
    Snapshot,
)

NOT_COMPARABLE = (
    "python: an SBOM does not describe the interpreter",
    "environment: an SBOM does not record variables",
    "native_libraries: an SBOM does not say which libraries the loader finds",
    "distributions: an SBOM gives names and versions only (no location, requirements, "
    "installer or wheel tags)",
    "os: an SBOM gives the OS name and version at most (no kernel, libc, CPU or machine)",
    "os_packages: an SBOM's source packages are not compared",
)


def comparable_views(left: Snapshot, right: Snapshot) -> tuple[Snapshot, Snapshot, list[str]]:
    """Both snapshots as they are when neither came from an SBOM; else both cut down
    to what an SBOM knows, with what was left out."""
    if SBOM_MODE not in (left.target.mode, right.target.mode):
        return left, right, []
    notes = list(NOT_COMPARABLE)
    left_release, right_release, release_note = _releases(left, right)
    if release_note:
        notes.append(release_note)
    left_view = _view(left, left_release, _architectures(right))
    right_view = _view(right, right_release, _architectures(left))
    # A scan limited to OS packages (trivy --pkg-types os), or to Python ones.
    if any(_sbom(side) and not side.distributions for side in (left, right)):
        notes.append("distributions: the SBOM lists no Python distribution (pkg:pypi)")
        left_view = dataclasses.replace(left_view, distributions=())
        right_view = dataclasses.replace(right_view, distributions=())
    if any(_sbom(side) and not side.os_packages for side in (left, right)):
        notes.append("os_packages: the SBOM lists no OS package (pkg:deb, pkg:apk, pkg:rpm)")
        left_view = dataclasses.replace(left_view, os_packages=())
        right_view = dataclasses.replace(right_view, os_packages=())
    return left_view, right_view, notes


def _sbom(snapshot: Snapshot) -> bool:
    return snapshot.target.mode == SBOM_MODE


def _view(
    snapshot: Snapshot,
    release: dict[str, str],
    other_architectures: dict[tuple[str, str], str | None],
) -> Snapshot:
    return dataclasses.replace(
        snapshot,
        target=dataclasses.replace(snapshot.target, mode=SBOM_MODE),
        python=None,
        static_python=None,
        pth_files=(),
        environment={},
        native_libraries=(),
        container=None,
        os=OsInfo(
            "", None, "", release, LibcInfo("", None), CpuInfo(None, (), None, None), None, None
        ),
        distributions=tuple(_distribution(d) for d in snapshot.active_distributions),
        os_packages=tuple(_package(p, other_architectures) for p in snapshot.os_packages),
        unknowns=(),
    )


def _distribution(distribution: Distribution) -> Distribution:
    return Distribution(
        name=distribution.name,
        canonical_name=distribution.canonical_name,
        version=distribution.version,
        location="",
        metadata_dir="",
    )


def _architectures(snapshot: Snapshot) -> dict[tuple[str, str], str | None]:
    """Each package's architecture on a side, None when it has several copies."""
    found: dict[tuple[str, str], str | None] = {}
    for package in snapshot.os_packages:
        key = (package.manager, package.name)
        found[key] = package.architecture if key not in found else None
    return found


def _package(package: OsPackage, other: dict[tuple[str, str], str | None]) -> OsPackage:
    """An SBOM may give no architecture: the package then stands for the other side's
    only copy of it, so that an unknown is not reported as a change of architecture."""
    architecture = package.architecture
    if architecture is None:
        architecture = other.get((package.manager, package.name))
    return OsPackage(package.manager, package.name, package.version, architecture)


def _releases(left: Snapshot, right: Snapshot) -> tuple[dict[str, str], dict[str, str], str]:
    """ID and VERSION_ID where both sides name the OS. trivy gives Debian's point release
    (12.5) where os-release says 12: a version that extends the other's is the same."""
    a, b = left.os.os_release, right.os.os_release
    if not a.get("ID") or not b.get("ID"):
        return {}, {}, "os: one side does not name the OS"
    a_release = {"ID": a["ID"].lower()}
    b_release = {"ID": b["ID"].lower()}
    a_version, b_version = a.get("VERSION_ID", ""), b.get("VERSION_ID", "")
    if a_version and b_version:
        if _extends(a_version, b_version) or _extends(b_version, a_version):
            a_version = b_version = min(a_version, b_version, key=len)
        a_release["VERSION_ID"], b_release["VERSION_ID"] = a_version, b_version
    return a_release, b_release, ""


def _extends(longer: str, shorter: str) -> bool:
    return longer == shorter or longer.startswith(shorter + ".")
