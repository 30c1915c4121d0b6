"""Markdown reports fit an issue body: least important detail dropped first, and said."""

from __future__ import annotations

import random
import string
from dataclasses import replace

from driftcheck.report.build import Side, build_report
from driftcheck.report.embed import extract
from driftcheck.report.fit import ISSUE_BODY_LIMIT
from driftcheck.snapshot.codec import to_jsonable
from driftcheck.snapshot.files import loads
from driftcheck.snapshot.model import Distribution, OsPackage, Snapshot

from support import small_snapshot

RNG = random.Random(6)


def _word(n: int) -> str:
    return "".join(RNG.choice(string.ascii_lowercase) for _ in range(n))


def _big(distributions: int, packages: int, variables: int) -> Snapshot:
    base = small_snapshot()
    site = "/opt/" + _word(12) + "/lib/python3.11/site-packages"
    return replace(
        base,
        distributions=tuple(
            Distribution(n, n, f"{RNG.randint(0, 40)}.{RNG.randint(0, 99)}", site, f"{n}.dist-info")
            for n in sorted({_word(10) for _ in range(distributions)})
        ),
        os_packages=tuple(
            OsPackage("dpkg", n, f"{RNG.randint(1, 9)}.{RNG.randint(0, 99)}-{RNG.randint(1, 9)}")
            for n in sorted({_word(9) for _ in range(packages)})
        ),
        environment={f"VAR_{i}": _word(300) for i in range(variables)},
    )


def test_a_small_report_keeps_everything() -> None:
    built = build_report([Side(small_snapshot(), "unit")], "markdown")
    assert built.left_out == () and built.embedded == 1
    assert "Shortened" not in built.text
    assert "`libc6`" in built.text  # the OS package list is there


def test_a_large_environment_drops_detail_first_and_keeps_its_snapshot() -> None:
    snapshot = _big(distributions=400, packages=1500, variables=60)
    built = build_report([Side(snapshot, "big")], "markdown")
    assert len(built.text) <= ISSUE_BODY_LIMIT
    assert built.left_out[0] == "the list of OS packages (their counts remain)"
    assert "the embedded snapshot" not in built.left_out
    assert "Left out: the list of OS packages" in built.text
    assert "embedded snapshot below still holds everything" in built.text
    assert built.text.index("Shortened") < built.text.index("<details>")  # said up front
    read = loads(extract(built.text, 1, "big"), "big")
    assert len(read.os_packages) == len(snapshot.os_packages)  # nothing lost for driftcheck


def test_a_huge_environment_is_written_without_its_snapshot_and_says_so() -> None:
    snapshot = _big(distributions=3000, packages=6000, variables=300)
    built = build_report([Side(snapshot, "huge")], "markdown")
    assert len(built.text) <= ISSUE_BODY_LIMIT
    assert built.embedded == 0
    assert "the embedded snapshot" in built.left_out
    assert "Ask the reporter for the snapshot file" in built.text
    assert "driftcheck-snapshot v1" not in built.text
    assert "## driftcheck environment report" in built.text  # the headline always stays


def test_a_large_drift_keeps_its_likely_causes_first() -> None:
    left = _big(distributions=600, packages=2500, variables=40)
    changed = tuple(replace(d, version=d.version + ".1") for d in left.distributions)
    right = replace(left, distributions=changed[:-50], os_packages=left.os_packages[100:])
    built = build_report([Side(left, "a.json"), Side(right, "b.json")], "markdown")
    assert len(built.text) <= ISSUE_BODY_LIMIT
    assert built.left_out, "this drift cannot fit whole"
    text = built.text
    assert text.index("## driftcheck: `a.json` → `b.json`") < text.index("Shortened")
    if "### Likely causes" in text:
        assert text.index("### Likely causes") < text.index("<details>")
    for index in range(1, built.embedded + 1):
        loads(extract(text, index, "drift"), "drift")


def test_html_is_never_shortened() -> None:
    snapshot = _big(distributions=400, packages=1500, variables=60)
    built = build_report([Side(snapshot, "big")], "html")
    assert len(built.text) > ISSUE_BODY_LIMIT and built.left_out == ()
    read = loads(extract(built.text, 1, "big"), "big")
    assert to_jsonable(read)["os_packages"] == to_jsonable(snapshot)["os_packages"]
