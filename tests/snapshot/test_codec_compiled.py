"""The compiled decoders accept exactly what the checked walk accepts, and errors keep
naming the exact place (the checked walk runs again when the compiled one refuses)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from driftcheck.snapshot.codec import ShapeError, _checked, from_jsonable, to_jsonable
from driftcheck.snapshot.model import ContainerInfo, Redacted, Snapshot

from support import small_snapshot


def _document() -> dict[str, Any]:
    snap = small_snapshot()
    container = ContainerInfo(
        "img", "sha256:1", "linux/amd64", labels={"a": "b"}, configured_env={"T": Redacted("r")}
    )
    snap = Snapshot(**{**snap.__dict__, "container": container})
    document: dict[str, Any] = to_jsonable(snap)
    return document


def test_a_sound_document_decodes_the_same_both_ways():
    document = _document()
    assert from_jsonable(Snapshot, document) == _checked(Snapshot, copy.deepcopy(document), "")


BROKEN = [
    (lambda d: d["distributions"][0].update(version=3), "distributions[0].version"),
    (lambda d: d["distributions"][0].update(requires_dist=["a", 1]), "requires_dist[1]"),
    (lambda d: d["distributions"][0].pop("name"), "distributions[0].name: missing"),
    (lambda d: d["os"].update(memory_bytes=True), "os.memory_bytes"),
    (lambda d: d["os"]["libc"].update(version=["2.36"]), "os.libc.version"),
    (lambda d: d["environment"].update(HOME=5), "environment.HOME"),
    (lambda d: d["container"]["configured_env"].update(T={"rule": 1}), "container: an object"),
    (lambda d: d.update(os_packages={}), "os_packages: expected a list"),
    (lambda d: d["target"].update(pid="1"), "target.pid"),
]


@pytest.mark.parametrize(("break_it", "where"), BROKEN)
def test_a_broken_document_is_refused_with_its_place(break_it, where):
    document = _document()
    break_it(document)
    with pytest.raises(ShapeError) as caught:
        from_jsonable(Snapshot, document)
    assert where in str(caught.value)
