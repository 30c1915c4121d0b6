"""Package URLs for the snapshot's records, and records from package URLs.

One mapping serves export and import, so that a snapshot exported and read back
names each package as it did. Versions keep the form the snapshot gives them:
dpkg's ``[epoch:]version`` in the purl version (as syft writes it); rpm's epoch
in the ``epoch`` qualifier (as the purl spec and trivy write it).
"""

from __future__ import annotations

from collections.abc import Mapping

from packageurl import PackageURL
from packaging.utils import canonicalize_name

from driftcheck.snapshot.model import Distribution, OsPackage

MAX_PURL_CHARS = 4096  # a real purl is under 300; parsing is not attempted past this
# Package-manager names in snapshots, by purl type.
MANAGERS = {"deb": "dpkg", "apk": "apk", "rpm": "rpm"}
PURL_TYPES = {manager: kind for kind, manager in MANAGERS.items()}
# The purl namespace of an OS package when os-release names no distribution.
DEFAULT_NAMESPACES = {"deb": "debian", "apk": "alpine", "rpm": "redhat"}


def distribution_purl(distribution: Distribution) -> str:
    return str(PackageURL(type="pypi", name=distribution.name, version=distribution.version))


def os_package_purl(package: OsPackage, os_release: Mapping[str, str]) -> str | None:
    """None for a package manager that has no purl type."""
    kind = PURL_TYPES.get(package.manager)
    if kind is None:
        return None
    distro_id = os_release.get("ID", "").lower() or DEFAULT_NAMESPACES[kind]
    version_id = os_release.get("VERSION_ID", "")
    qualifiers: dict[str, str] = {}
    if package.architecture:
        qualifiers["arch"] = package.architecture
    qualifiers["distro"] = f"{distro_id}-{version_id}" if version_id else distro_id
    if package.source:
        qualifiers["upstream"] = package.source
    version = package.version
    if kind == "rpm" and ":" in version:
        epoch, _, version = version.partition(":")
        qualifiers["epoch"] = epoch
    return str(
        PackageURL(
            type=kind,
            namespace=distro_id,
            name=package.name,
            version=version,
            qualifiers=qualifiers,
        )
    )


class PurlError(ValueError):
    """A package URL that cannot be read; the message says why."""


def parse_purl(text: str) -> PackageURL:
    if len(text) > MAX_PURL_CHARS:
        raise PurlError(f"a package URL of {len(text)} characters")
    try:
        return PackageURL.from_string(text)
    except ValueError as exc:
        raise PurlError(f"not a package URL ({str(exc)[:100]})") from None


def record_from_purl(purl: PackageURL) -> Distribution | OsPackage | None:
    """The distribution or OS package a purl names; None for other ecosystems."""
    if purl.type not in ("pypi", *MANAGERS):
        return None
    if not purl.version:
        raise PurlError(f"{purl.type} package {purl.name[:100]!r} has no version")
    if purl.type == "pypi":
        return Distribution(
            name=purl.name,
            canonical_name=canonicalize_name(purl.name),
            version=purl.version,
            location="",
            metadata_dir="",
        )
    qualifiers = purl.qualifiers if isinstance(purl.qualifiers, dict) else {}
    version = purl.version
    epoch = qualifiers.get("epoch")
    if epoch and ":" not in version:
        version = f"{epoch}:{version}"
    return OsPackage(
        manager=MANAGERS[purl.type],
        name=purl.name,
        version=version,
        architecture=qualifiers.get("arch") or None,
        source=qualifiers.get("upstream") or None,
    )
