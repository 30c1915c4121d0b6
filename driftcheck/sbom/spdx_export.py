"""A snapshot as an SPDX 2.3 JSON document.

Written directly: the SPDX 2.3 JSON form is a flat list of packages and
relationships, and the reference library (spdx-tools) pulls in rdflib, ply,
beartype and five more for it. Tests validate the output against the official
SPDX 2.3 JSON schema.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime, timezone
from typing import Any

from driftcheck import __version__
from driftcheck.sbom.inventory import APPLICATION, CONTAINER, OPERATING_SYSTEM, Inventory, Item

PURPOSES = {
    APPLICATION: "APPLICATION",
    OPERATING_SYSTEM: "OPERATING_SYSTEM",
}  # the schema's spelling
NAMESPACE_BASE = "https://spdx.org/spdxdocs/driftcheck"
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")


def spdx_json(inventory: Inventory) -> str:
    name = inventory.root_name or "snapshot"
    root_id = "SPDXRef-Root"
    packages = [
        {
            "SPDXID": root_id,
            "name": name,
            "downloadLocation": "NOASSERTION",
            "filesAnalyzed": False,
            "primaryPackagePurpose": "CONTAINER" if inventory.root_kind == CONTAINER else "SOURCE",
        }
    ]
    relationships = [
        {
            "spdxElementId": "SPDXRef-DOCUMENT",
            "relationshipType": "DESCRIBES",
            "relatedSpdxElement": root_id,
        }
    ]
    for index, item in enumerate(inventory.items, 1):
        package_id = f"SPDXRef-Package-{index}-{_ID_UNSAFE.sub('-', item.name)[:60]}"
        packages.append(_package(item, package_id))
        relationships.append(
            {
                "spdxElementId": root_id,
                "relationshipType": "CONTAINS",
                "relatedSpdxElement": package_id,
            }
        )
    document = {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": name,
        "documentNamespace": f"{NAMESPACE_BASE}/{_ID_UNSAFE.sub('-', name)[:60]}-{uuid.uuid4()}",
        "creationInfo": {
            "created": _created(inventory.created_at),
            "creators": [f"Tool: driftcheck-{__version__}"],
        },
        "documentDescribes": [root_id],
        "packages": packages,
        "relationships": relationships,
    }
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"


def _package(item: Item, package_id: str) -> dict[str, Any]:
    package: dict[str, Any] = {
        "SPDXID": package_id,
        "name": item.name,
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": False,
        "primaryPackagePurpose": PURPOSES.get(item.kind, "LIBRARY"),
    }
    if item.version:
        package["versionInfo"] = item.version
    if item.description:
        package["description"] = item.description
    if item.purl:
        package["externalRefs"] = [
            {
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": item.purl,
            }
        ]
    if item.properties:  # SPDX 2.3 has no properties: annotations would need a reviewer
        package["comment"] = "; ".join(f"{k}={v}" for k, v in item.properties)
    return package


def _created(text: str) -> str:
    """SPDX wants UTC to the second, with a Z."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = datetime.now(timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
