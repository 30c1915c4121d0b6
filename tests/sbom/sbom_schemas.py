"""The official CycloneDX 1.6 and SPDX 2.3 JSON schemas (vendored, see schemas/README.md)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource

SCHEMAS = Path(__file__).parent / "schemas"


def _load(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / name).read_text("utf-8"))  # type: ignore[no-any-return]


@cache
def cyclonedx_validator() -> jsonschema.Draft7Validator:
    """bom-1.6 with its two referenced schemas registered under their own $id: offline."""
    resources = [
        Resource.from_contents(_load(n)) for n in ("spdx.schema.json", "jsf-0.82.schema.json")
    ]
    registry: Registry[Any] = Registry().with_resources(
        (resource.id() or "", resource) for resource in resources
    )
    return jsonschema.Draft7Validator(_load("bom-1.6.schema.json"), registry=registry)


@cache
def spdx_validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(_load("spdx-2.3.schema.json"))
