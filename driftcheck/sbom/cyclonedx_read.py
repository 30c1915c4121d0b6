"""What a CycloneDX JSON document (syft, trivy, cdxgen, driftcheck export) lists.

Components may nest (a container's components, an application's); they are
walked breadth first, without recursion, and counted against MAX_COMPONENTS.
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


def is_cyclonedx(data: dict[str, Any]) -> bool:
    return data.get("bomFormat") == "CycloneDX"


def read_cyclonedx(data: dict[str, Any]) -> SbomContent:
    version = text_field(data, "specVersion") or "?"
    content = SbomContent(format=f"CycloneDX {version[:10]}")
    metadata = data.get("metadata")
    if isinstance(metadata, dict):
        subject = metadata.get("component")
        if isinstance(subject, dict):
            content.subject = text_field(subject, "name")
        content.created = text_field(metadata, "timestamp")
        content.tool = _tool(metadata.get("tools"))
    pending = [(f"components[{i}]", c) for i, c in enumerate(object_list(data, "components", ""))]
    seen = 0
    while pending:
        seen += len(pending)
        if seen > MAX_COMPONENTS:
            raise SbomShapeError(f"more than {MAX_COMPONENTS:,} components")
        deeper: list[tuple[str, dict[str, Any]]] = []
        for where, component in pending:
            _read_component(where, component, content)
            nested = component.get("components")
            if isinstance(nested, list):
                deeper.extend(
                    (f"{where}.components[{i}]", c)
                    for i, c in enumerate(nested)
                    if isinstance(c, dict)
                )
        pending = deeper
    return content


def _read_component(where: str, component: dict[str, Any], content: SbomContent) -> None:
    if component.get("type") == "operating-system":
        if content.operating_system is None:
            content.operating_system = _operating_system(component)
        return
    purl = component.get("purl")
    if purl is None:
        content.without_purl += 1
    elif isinstance(purl, str):
        content.components.append(Component(where, purl))
    else:
        content.problem(f"{where}: purl is {type(purl).__name__}, not a string")


def _operating_system(component: dict[str, Any]) -> OsRelease | None:
    """syft adds the os-release fields as properties; trivy gives name and version."""
    properties: dict[str, str] = {}
    for item in object_list(component, "properties", ""):
        name, value = text_field(item, "name"), text_field(item, "value")
        if name and value:
            properties.setdefault(name, value)
    name = properties.get("syft:distro:id") or text_field(component, "name")
    if not name:
        return None
    return OsRelease(
        id=name.lower(),
        version_id=properties.get("syft:distro:versionID") or text_field(component, "version"),
        pretty_name=properties.get("syft:distro:prettyName")
        or text_field(component, "description"),
    )


def _tool(tools: Any) -> str | None:
    """`tools` is a list of tools up to CycloneDX 1.4, {"components": [...]} from 1.5."""
    if isinstance(tools, dict):
        tools = tools.get("components")
    if not isinstance(tools, list) or not tools or not isinstance(tools[0], dict):
        return None
    name, version = text_field(tools[0], "name"), text_field(tools[0], "version")
    return " ".join(filter(None, (name, version))) or None
