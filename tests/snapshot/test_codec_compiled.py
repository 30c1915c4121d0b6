"""The one snapshot decoder: a sound document round-trips, and a refusal names the
exact place and the problem."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from driftcheck.snapshot.codec import ShapeError, from_jsonable, to_jsonable
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


def test_a_sound_document_round_trips():
    document = _document()
    decoded = from_jsonable(Snapshot, copy.deepcopy(document))
    assert to_jsonable(decoded) == document
    assert decoded.container is not None and decoded.container.labels == {"a": "b"}


BROKEN = [
    (
        lambda d: d["distributions"][0].update(version=3),
        "distributions[0].version: expected a string, found an integer",
    ),
    (
        lambda d: d["distributions"][0].update(requires_dist=["a", 1]),
        "distributions[0].requires_dist[1]: expected a string, found an integer",
    ),
    (lambda d: d.update(unknowns=[{"field": "x"}]), "unknowns[0].reason: missing"),
    (lambda d: d["os"]["os_release"].update(ID=[]), "os.os_release.ID: expected a string"),
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
