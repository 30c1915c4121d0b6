"""Golden files for the three report formats, on fixed pairs of snapshots: a small made-up
pair, and the recorded real snapshots of two Debian releases (test_explain_releases.py).

Regenerate after an intended change with DRIFTCHECK_UPDATE_GOLDEN=1 and read the
diff of the golden files in review: that diff is the change users will see.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest
from diff_scenarios import RELEASE_SNAPSHOTS

from driftcheck.diff.engine import compare
from driftcheck.project.model import ProjectFacts
from driftcheck.project.read import read_project
from driftcheck.render.formats import diff_renderer
from driftcheck.snapshot.files import load
from driftcheck.snapshot.model import Distribution, OsPackage, Redacted

from support import report_schema, small_snapshot

GOLDEN = Path(__file__).parent / "golden"
SUFFIX = {"text": "txt", "json": "json", "markdown": "md"}


def _pair():
    left = small_snapshot()
    right = replace(
        left,
        label="ci",
        distributions=(
            Distribution("six", "six", "1.17.0", "/site", "six-1.17.0.dist-info"),
            Distribution(
                "pandas",
                "pandas",
                "2.0.3",
                "/site",
                "pandas-2.0.3.dist-info",
                requires_dist=("six>=1.17,<2",),
            ),
        ),
        environment={
            "HOME": "/home/ci",
            "LANG": "C",
            "PYTHONPATH": "/work/src",
            "TOKEN": Redacted("name:token"),
        },
        os_packages=(OsPackage("dpkg", "libc6", "2.36-9+deb12u4", "amd64", "glibc"),),
    )
    return left, right


def _project(root: Path) -> ProjectFacts:
    """A project that declares pandas and imports six (its own module too)."""
    folder = root / "app"
    (folder / "app").mkdir(parents=True)
    (folder / "requirements.txt").write_text("pandas>=2\n")
    (folder / "app" / "__init__.py").write_text("import six\nfrom . import core\n")
    (folder / "app" / "core.py").write_text("import app\n")
    return read_project(str(folder))


def _releases():
    """Recorded real snapshots of the bullseye and bookworm venv images."""
    return load(RELEASE_SNAPSHOTS["bullseye"]), load(RELEASE_SNAPSHOTS["bookworm"])


PAIRS = {
    "pair": (_pair, "laptop.json", "ci.json", False),
    "pair-project": (_pair, "laptop.json", "ci.json", True),
    "releases": (_releases, "bullseye.json", "bookworm.json", False),
}


@pytest.mark.parametrize("pair", sorted(PAIRS))
@pytest.mark.parametrize("output_format", sorted(SUFFIX))
def test_report_matches_golden_file(output_format, pair, tmp_path):
    make, left_label, right_label, with_project = PAIRS[pair]
    left, right = make()
    project = _project(tmp_path) if with_project else None
    report = compare(left, right, left_label=left_label, right_label=right_label, project=project)
    rendered = diff_renderer(output_format)(report)
    golden = GOLDEN / f"{pair}.{SUFFIX[output_format]}"
    if os.environ.get("DRIFTCHECK_UPDATE_GOLDEN") == "1" or not golden.exists():
        golden.write_text(rendered)
        if not os.environ.get("DRIFTCHECK_UPDATE_GOLDEN"):
            pytest.fail(f"wrote missing golden file {golden.name}; review and commit it")
    assert rendered == golden.read_text()


def test_json_report_follows_its_shipped_schema():
    left, right = _pair()
    document = json.loads(diff_renderer("json")(compare(left, right)))
    jsonschema.validate(document, report_schema())
    fixes = [f["fix"] for f in document["findings"] if f["fix"]]
    assert any(f["command"] and f["on"] for f in fixes)
    assert any(f["advice"] and not f["command"] for f in fixes)


def test_the_schema_refuses_what_the_report_never_writes():
    left, right = _pair()
    document = json.loads(diff_renderer("json")(compare(left, right)))
    document["findings"][0]["fix"] = {"command": None, "advice": None, "on": None}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, report_schema())


@pytest.mark.parametrize("pair", sorted(PAIRS))
def test_the_text_report_of_a_typical_pair_fits_one_screen(pair, tmp_path):
    """At most 40 lines, the cause on top: the bookworm upgrade's 132 packages and its
    info findings are not listed one per line in the terminal (JSON and Markdown do)."""
    make, left_label, right_label, with_project = PAIRS[pair]
    left, right = make()
    project = _project(tmp_path) if with_project else None
    report = compare(left, right, left_label=left_label, right_label=right_label, project=project)
    lines = diff_renderer("text")(report).splitlines()
    assert len(lines) <= 40, len(lines)
    assert lines[lines.index("Likely causes") + 1].startswith("  1. ")
