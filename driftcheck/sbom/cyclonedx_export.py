"""A snapshot as a CycloneDX 1.6 JSON document, written by cyclonedx-python-lib.

The library owns the format (field names, ordering, the serial number); this
module only says which components there are.
"""

from __future__ import annotations

import warnings
from datetime import datetime

from cyclonedx.model import Property
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.output.json import JsonV1Dot6
from packageurl import PackageURL

from driftcheck import __version__
from driftcheck.sbom.inventory import Inventory, Item


def cyclonedx_json(inventory: Inventory) -> str:
    bom = Bom()
    root = Component(
        name=inventory.root_name or "snapshot",
        type=ComponentType(inventory.root_kind),
        bom_ref="root",
    )
    bom.metadata.component = root
    bom.metadata.tools.components.add(
        Component(name="driftcheck", version=__version__, type=ComponentType.APPLICATION)
    )
    created = _timestamp(inventory.created_at)
    if created is not None:
        bom.metadata.timestamp = created
    components = [_component(item, index) for index, item in enumerate(inventory.items, 1)]
    for component in components:
        bom.components.add(component)
    bom.register_dependency(root, components)
    with warnings.catch_warnings():  # the library warns about unrelated BOM features
        warnings.simplefilter("ignore")
        return JsonV1Dot6(bom).output_as_string(indent=2) + "\n"


def _component(item: Item, index: int) -> Component:
    return Component(
        name=item.name,
        version=item.version,
        type=ComponentType(item.kind),
        purl=PackageURL.from_string(item.purl) if item.purl else None,
        bom_ref=f"{index}-{item.purl or item.name}",
        description=item.description,
        properties=[Property(name=k, value=v) for k, v in item.properties],
    )


def _timestamp(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None
