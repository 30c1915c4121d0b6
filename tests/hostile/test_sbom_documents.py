"""SBOMs are input like snapshot files: crafted CycloneDX and SPDX documents, read by the
real CLI wherever a snapshot goes (`show`, `diff`).

A document whose shape is wrong as a whole is refused with exit 3 and one line; one
bad component is an unknown with its place, and the rest is read; everything read
from it goes through the host's redaction sweep and the renderers' escaping.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hostile_support import Box

from driftcheck.sbom.document import MAX_COMPONENTS, MAX_PROBLEMS
from driftcheck.sbom.read import snapshot_document
from driftcheck.snapshot import files as snapshot_files

from canaries import CANARIES, CANARY_SUBSTRINGS
from support import small_snapshot


def cyclonedx(components: Any, **extra: Any) -> dict[str, Any]:
    return {"bomFormat": "CycloneDX", "specVersion": "1.6", "components": components, **extra}


def library(purl: Any, name: str = "x") -> dict[str, Any]:
    return {"type": "library", "name": name, "purl": purl}


def write(box: Box, document: Any, name: str = "sbom.json") -> Path:
    path = box.work / name
    path.write_text(json.dumps(document))
    return path


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (cyclonedx("not a list"), "components is str, not a list"),
        ({"spdxVersion": "SPDX-2.3", "packages": {"a": 1}}, "packages is dict, not a list"),
        (
            {"spdxVersion": "SPDX-2.3", "packages": [{"externalRefs": 7}]},
            "packages[0].externalRefs is int, not a list",
        ),
    ],
    ids=["cyclonedx-components", "spdx-packages", "spdx-external-refs"],
)
def test_an_sbom_of_the_wrong_shape_is_refused_in_one_line(
    box: Box, document: dict[str, Any], message: str
) -> None:
    path = write(box, document, "bom.txt")  # recognised by content, refused by shape
    line = box.run("show", str(path)).error_line(3)
    assert f"{path}: not a valid SBOM ({message})" in line, line


@pytest.mark.parametrize("nested", [False, True], ids=["flat", "nested"])
def test_more_components_than_the_limit_are_refused(box: Box, nested: bool) -> None:
    many = [{}] * (MAX_COMPONENTS + 1)
    document = cyclonedx([{"type": "application", "components": many}] if nested else many)
    line = box.run("show", str(write(box, document))).error_line(3)
    assert f"more than {MAX_COMPONENTS:,} components" in line, line


def test_components_nested_past_the_json_depth_limit_are_refused(box: Box) -> None:
    component: dict[str, Any] = library("pkg:pypi/deep@1")
    for _ in range(40):  # two levels each: 80 levels
        component = {"type": "application", "name": "n", "components": [component]}
    line = box.run("show", str(write(box, cyclonedx([component])))).error_line(3)
    assert "nested deeper than 64 levels" in line, line


def test_bad_components_are_unknowns_and_the_rest_is_read(box: Box) -> None:
    document = cyclonedx(
        [
            library("pkg:pypi/" + "a" * 5000 + "@1"),
            library(12),
            library("pkg:pypi/noversion"),
            library("not a purl at all"),
            library(f"pkg:pypi/{'n' * 2000}@1.0"),
            library("pkg:pypi/requests@2.32.3"),
            library("pkg:pypi/requests@2.31.0"),  # a second environment in the image
            library("pkg:npm/left-pad@1.3.0"),
            library("pkg:deb/debian/libc6@2.36-9?arch=amd64&distro=debian-12"),
        ]
    )
    path = write(box, document)
    result = box.run("show", str(path))
    assert result.returncode == 0, result.stderr
    snapshot = snapshot_files.load(path, other_format=snapshot_document)
    assert [(d.name, d.version) for d in snapshot.distributions] == [("requests", "2.32.3")]
    assert [p.name for p in snapshot.os_packages] == ["libc6"]
    reasons = [u.reason for u in snapshot.unknowns if u.field == "sbom"]
    assert any("components[0]: a package URL of 5011 characters" in r for r in reasons)
    assert any("components[1]: purl is int, not a string" in r for r in reasons)
    assert any("components[2]: pypi package 'noversion' has no version" in r for r in reasons)
    assert any(r.startswith("components[3]: not a package URL") for r in reasons)
    assert any(r.startswith("components[4]: a name or version longer than") for r in reasons)
    assert any("requests 2.31.0 is listed again (first 2.32.3" in r for r in reasons)
    assert "1 component of other kinds not compared" in reasons


def test_the_unknowns_of_one_sbom_are_capped(box: Box) -> None:
    path = write(box, cyclonedx([library(f"bad purl {i}") for i in range(1000)]))
    snapshot = snapshot_files.load(path, other_format=snapshot_document)
    reasons = [u.reason for u in snapshot.unknowns if u.field == "sbom"]
    assert len(reasons) == MAX_PROBLEMS + 1
    assert reasons[-1] == f"and {1000 - MAX_PROBLEMS} more components that could not be read"


HOSTILE = "evil\x1b[2J\x1b]52;c;cHduZWQ=\x07\u202e"


def test_terminal_escapes_in_an_sbom_reach_every_sink_inert(box: Box) -> None:
    from packageurl import PackageURL

    purl = str(PackageURL(type="pypi", name="pkg", version="1.0" + HOSTILE))
    document = cyclonedx(
        [library(purl), {"type": "operating-system", "name": "debian" + HOSTILE}],
        metadata={"component": {"type": "container", "name": "image" + HOSTILE}},
    )
    path = write(box, document)
    other = box.work / "other.json"
    snapshot_files.save(small_snapshot(), other)
    outputs = [box.run("show", str(path))]
    outputs += [box.run("diff", str(path), str(other), "--format", f) for f in ("text", "markdown")]
    for outcome in outputs:
        assert outcome.returncode == 0, outcome.stderr
        text = outcome.stdout + outcome.stderr
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "\\x1b[2J" in outputs[0].stdout  # shown, inert


def test_a_secret_in_an_sbom_never_reaches_an_output(box: Box) -> None:
    from packageurl import PackageURL

    token, aws, jwt = (
        CANARIES["GITHUB_TOKEN"],
        CANARIES["AWS_ACCESS_KEY_ID"],
        CANARIES["SESSION_JWT"],
    )
    components = [
        library(str(PackageURL(type="pypi", name="app", version=token))),
        library(str(PackageURL(type="pypi", name=aws, version="1.0"))),
        library(f"pkg:deb/debian/libc6@2.36?arch=amd64&upstream={jwt}"),
        {"type": "operating-system", "name": "debian", "version": token},
    ]
    document = cyclonedx(
        components,
        metadata={
            "component": {"type": "container", "name": CANARIES["PIP_INDEX_URL"]},
            "tools": {"components": [{"name": "syft", "version": jwt}]},
        },
    )
    path = write(box, document)
    other = box.work / "other.json"
    snapshot_files.save(small_snapshot(), other)
    outputs = [box.run("show", str(path))]
    outputs += [box.run("diff", str(path), str(other), "--format", f) for f in ("text", "json")]
    outputs.append(box.run("report", str(path), str(other), "-o", "-"))
    baseline = box.work / "baseline.json"
    outputs.append(
        box.run(
            "check",
            "--baseline",
            str(baseline),
            "--target",
            str(path),
            "--update-baseline",
            allowed=[baseline],
        )
    )
    for outcome in outputs:
        assert outcome.returncode == 0, outcome.stderr
        for secret in CANARY_SUBSTRINGS:
            assert secret not in outcome.stdout + outcome.stderr
    written = baseline.read_text()
    for secret in CANARY_SUBSTRINGS:
        assert secret not in written
