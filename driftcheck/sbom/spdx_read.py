"""What an SPDX 2.x JSON document (syft, trivy, docker buildx) lists.

A package's purl is in its externalRefs (referenceType "purl"); the OS is the
package whose primaryPackagePurpose is OPERATING_SYSTEM (older trivy names it
SPDXRef-OperatingSystem-… instead).
"""

from __future__ import annotations

from typing import Any

from driftcheck.sbom.document import (
    MAX_COMPONENTS,
    Component,
    OsRelease,
    SbomContent,
    SbomShapeError,
    object_list,
    text_field,
)

# The package a document describes: syft's and driftcheck's (by purpose), trivy's (by id).
ROOT_PURPOSES = ("CONTAINER", "SOURCE")
OS_PURPOSES = ("OPERATING_SYSTEM", "OPERATING-SYSTEM")  # the schema's spelling, and trivy's
ROOT_IDS = ("SPDXRef-ContainerImage", "SPDXRef-DocumentRoot", "SPDXRef-Filesystem")


def is_spdx(data: dict[str, Any]) -> bool:
    version = data.get("spdxVersion")
    return isinstance(version, str) and version.startswith("SPDX-")


def read_spdx(data: dict[str, Any]) -> SbomContent:
    content = SbomContent(format=(text_field(data, "spdxVersion") or "SPDX")[:12])
    content.subject = text_field(data, "name")
    info = data.get("creationInfo")
    if isinstance(info, dict):
        content.created = text_field(info, "created")
        creators = info.get("creators")
        if isinstance(creators, list):
            tools = [c for c in creators if isinstance(c, str) and c.startswith("Tool:")]
            content.tool = tools[0].removeprefix("Tool:").strip()[:100] if tools else None
    packages = object_list(data, "packages", "")
    if len(packages) > MAX_COMPONENTS:
        raise SbomShapeError(f"more than {MAX_COMPONENTS:,} packages")
    for index, package in enumerate(packages):
        _read_package(f"packages[{index}]", package, content)
    return content


def _read_package(where: str, package: dict[str, Any], content: SbomContent) -> None:
    purpose = package.get("primaryPackagePurpose")
    spdx_id = text_field(package, "SPDXID") or ""
    if purpose in ROOT_PURPOSES or spdx_id.startswith(ROOT_IDS):
        return  # the image or folder the document describes, not a package in it
    if purpose in OS_PURPOSES or spdx_id.startswith("SPDXRef-OperatingSystem"):
        name = text_field(package, "name")
        if name and content.operating_system is None:
            content.operating_system = OsRelease(
                id=name.lower(),
                version_id=text_field(package, "versionInfo"),
                pretty_name=text_field(package, "description"),
            )
        return
    purls = [
        ref.get("referenceLocator")
        for ref in object_list(package, "externalRefs", f"{where}.")
        if ref.get("referenceType") == "purl"
    ]
    if not purls:
        content.without_purl += 1
    elif isinstance(purls[0], str):
        content.components.append(Component(where, purls[0]))
    else:
        content.problem(f"{where}: its purl is {type(purls[0]).__name__}, not a string")
