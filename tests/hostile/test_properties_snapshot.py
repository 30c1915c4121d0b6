"""The snapshot loader, the report read-back and the probe-answer reader on hostile input.

Whatever the bytes, loading a snapshot either gives a Snapshot or raises one of the
two errors the CLI maps to exit codes (InvalidSnapshotError: 3, SchemaTooNewError:
6); reading a probe's answer either gives a Snapshot or raises ProbeError (5).
Inputs are arbitrary JSON and bytes, and, more to the point, real documents (a real
snapshot, a real probe answer from this interpreter) with a few values replaced,
removed or added at random depths.
"""

from __future__ import annotations

import copy
import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

import properties  # loads the ci, dev or thorough profile
from hypothesis import given
from hypothesis import strategies as st

from driftcheck.errors import InvalidSnapshotError, ProbeError, SchemaTooNewError
from driftcheck.probe import build_request, parse_output
from driftcheck.report import embed
from driftcheck.snapshot import files as snapshot_files
from driftcheck.snapshot.model import Snapshot, TargetInfo
from driftcheck.targets.build import build_snapshot
from driftcheck.targets.local_run import start_local_probe

from support import small_snapshot

EXAMPLES = properties.examples(200)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(["", "1.0", "2.0", "1.99", "driftcheck-snapshot", "redacted", "sha256:"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=12), inner, max_size=4),
        st.fixed_dictionaries({"redacted": st.just(True), "rule": st.text(max_size=10)}),
    ),
    max_leaves=12,
)


@st.composite
def mutated(draw: st.DrawFn, document: Any) -> Any:
    """A deep copy of document with 1-4 values replaced, removed or added."""
    document = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, 4))):
        node = document
        while True:
            keys = sorted(node) if isinstance(node, dict) else range(len(node))
            if not keys:
                break
            key = draw(st.sampled_from(list(keys)))
            child = node[key]
            if isinstance(child, dict | list) and child and draw(st.integers(0, 2)):
                node = child
                continue
            action = draw(st.sampled_from(["replace", "remove", "add"]))
            if action == "replace":
                node[key] = draw(json_values)
            elif action == "remove" and isinstance(node, dict):
                del node[key]
            elif isinstance(node, dict):
                node[draw(st.text(max_size=12))] = draw(json_values)
            else:
                node.append(draw(json_values))
            break
    return document


# --- snapshot files -------------------------------------------------------------------


@cache
def snapshot_document() -> dict[str, Any]:
    return json.loads(snapshot_files.dumps(small_snapshot()))  # type: ignore[no-any-return]


def load_or_refuse(raw: bytes) -> None:
    try:
        assert isinstance(snapshot_files.loads(raw, "generated.json"), Snapshot)
    except (InvalidSnapshotError, SchemaTooNewError) as exc:
        assert "\n" not in str(exc) and str(exc).startswith("generated.json: ")


@EXAMPLES
@given(st.deferred(lambda: mutated(snapshot_document())))
def test_a_damaged_snapshot_loads_or_is_refused_cleanly(document: Any) -> None:
    load_or_refuse(json.dumps(document).encode())


@EXAMPLES
@given(json_values)
def test_any_json_loads_or_is_refused_cleanly(document: Any) -> None:
    load_or_refuse(json.dumps(document).encode())


@EXAMPLES
@given(st.binary(max_size=200))
def test_any_bytes_load_or_are_refused_cleanly(raw: bytes) -> None:
    load_or_refuse(raw)


# --- probe answers --------------------------------------------------------------------


@cache
def probe_answer() -> dict[str, Any]:
    """A real answer of the real probe, from the interpreter running these tests."""
    request = build_request()
    stdout = start_local_probe(Path(sys.executable), request).answer(60)
    return parse_output(stdout, request, "this interpreter")


def read_answer(answer: Any) -> None:
    request = build_request()
    payload = json.dumps(answer).encode()
    stdout = f"{request.begin}\n".encode() + payload + f"\n{request.end}\n".encode()
    target = TargetInfo(kind="host", description="generated", interpreter=sys.executable)
    try:
        facts = parse_output(stdout, request, "generated")
        snapshot = build_snapshot(facts, target=target, label="generated")
    except ProbeError as exc:
        assert "\n" not in str(exc)
        return
    assert isinstance(snapshot, Snapshot)
    snapshot_files.loads(
        snapshot_files.dumps(snapshot), "written"
    )  # what is built can be written and read back


@properties.examples(150)
@given(st.deferred(lambda: mutated(probe_answer())))
def test_a_tampered_probe_answer_is_read_or_refused_cleanly(answer: Any) -> None:
    read_answer(answer)


@EXAMPLES
@given(json_values)
def test_any_json_answer_is_read_or_refused_cleanly(answer: Any) -> None:
    read_answer(answer)


# --- reports read back ------------------------------------------------------------------


@cache
def block_lines() -> list[str]:
    """The lines of a real embedded block: shuffled, cut and repeated by the tests below."""
    return embed.embed_block(small_snapshot(), 1, 1).splitlines()


header_variants = st.builds(
    "driftcheck-snapshot v{} {}/{} {} bytes={} sha256={}{}".format,
    st.sampled_from(["1", "0", "2", "9999", "12345", ""]),
    st.sampled_from(["1", "2", "0", "999", "1000"]),
    st.sampled_from(["1", "2", "999"]),
    st.sampled_from(["zlib+base64", "zlib+base32", ""]),
    st.sampled_from(["0", "100", "99999999999999"]),
    st.sampled_from(["0" * 64, "f" * 63, "A" * 64]),
    st.sampled_from(["", " ", "\r", "\t\x0b", " x"]),
)
report_lines = st.one_of(
    st.text(max_size=40),
    header_variants,
    st.sampled_from(["end driftcheck-snapshot 1/1", "QUJD", "=", "```", "> ", "", "\u2028"]),
    st.deferred(lambda: st.sampled_from(block_lines())),
)
quotes = st.sampled_from(["", "> ", ">>", " \t> "])
newlines = st.sampled_from(["\n", "\r\n"])


@EXAMPLES
@given(st.lists(report_lines, max_size=30), quotes, newlines, st.integers(1, 3))
def test_any_report_is_read_back_or_refused_cleanly(
    lines: list[str], quote: str, newline: str, index: int
) -> None:
    text = newline.join(quote + line for line in lines)
    try:
        json_text = embed.extract(text, index, "ticket.md")
    except (InvalidSnapshotError, SchemaTooNewError) as exc:
        assert "\n" not in str(exc) and "ticket.md" in str(exc)
        return
    load_or_refuse(json_text.encode())  # verified by its checksum: a real snapshot's JSON


@EXAMPLES
@given(st.text(), st.text(), quotes, newlines)
def test_an_embedded_snapshot_reads_back_exactly_whatever_surrounds_it(
    before: str, after: str, quote: str, newline: str
) -> None:
    block = newline.join(quote + line for line in block_lines())
    text = f"{before}\n{block}{newline}{after}"
    if embed.has_blocks(before + "\n") or embed.has_blocks(after):
        return  # text that holds a header of its own is another report
    assert embed.extract(text, 1, "ticket.md") == embed.pack(small_snapshot())
