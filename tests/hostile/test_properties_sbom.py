"""SBOMs read as sides, on generated hostile input: the syft and trivy documents of
tests/sbom/fixtures and a driftcheck export, each with a few values replaced, removed
or added at random depths, load as a snapshot or are refused with exit 3's error,
in one line naming the file; never another exception."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import properties  # loads the ci, dev or thorough profile
from hypothesis import given
from hypothesis import strategies as st
from test_properties_snapshot import mutated

from driftcheck.errors import InvalidSnapshotError
from driftcheck.sbom.export import export_text
from driftcheck.sbom.read import snapshot_document
from driftcheck.snapshot import files as snapshot_files
from driftcheck.snapshot.model import Snapshot

from support import small_snapshot

EXAMPLES = properties.examples(200)
FIXTURES = Path(__file__).parents[1] / "sbom" / "fixtures"


@cache
def documents() -> tuple[Any, ...]:
    found = [json.loads(p.read_text()) for p in sorted(FIXTURES.iterdir()) if p.suffix != ".md"
             and not p.name.startswith("LICENSE")]  # fmt: skip
    found += [json.loads(export_text(small_snapshot(), f)) for f in ("cyclonedx", "spdx")]
    return tuple(found)


@EXAMPLES
@given(st.integers(0, 7).flatmap(lambda i: mutated(documents()[i])))
def test_a_damaged_sbom_loads_or_is_refused_cleanly(document: Any) -> None:
    try:
        snapshot = snapshot_files.loads(
            json.dumps(document).encode(), "generated.json", other_format=snapshot_document
        )
    except InvalidSnapshotError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("generated.json: ")
        return
    assert isinstance(snapshot, Snapshot)
    snapshot_files.dumps(snapshot)  # and it can be written back (check --update-baseline)
