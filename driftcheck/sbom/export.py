"""`driftcheck export`: a snapshot as the SBOM format asked for."""

from __future__ import annotations

from collections.abc import Callable

from driftcheck.sbom.inventory import Inventory, inventory
from driftcheck.snapshot.model import Snapshot


def writers() -> dict[str, Callable[[Inventory], str]]:
    from driftcheck.sbom.cyclonedx_export import cyclonedx_json
    from driftcheck.sbom.spdx_export import spdx_json

    return {"cyclonedx": cyclonedx_json, "spdx": spdx_json}


def export_text(snapshot: Snapshot, sbom_format: str) -> str:
    return writers()[sbom_format](inventory(snapshot))
