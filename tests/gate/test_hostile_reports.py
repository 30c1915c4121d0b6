"""Hostile strings through every CI sink: JUnit, Code Quality, annotations, Markdown, text, JSON.

The snapshots are built in memory (the strings no real installer would accept),
the check itself is the real one: diff engine, policy, renderers.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree
from markdown_it import MarkdownIt

from driftcheck.gate.check import check
from driftcheck.gate.policy import IgnoreRule, Policy
from driftcheck.gate.verdict import CheckResult
from driftcheck.render.check_report import check_json, check_markdown, check_text
from driftcheck.render.codequality import render_codequality
from driftcheck.render.github import annotation_lines, escape_data, escape_property
from driftcheck.render.junit import render_junit
from driftcheck.snapshot.model import Distribution

from support import small_snapshot

HOSTILE = [
    "]]>",
    "<script>alert(1)</script>",
    "".join(chr(c) for c in range(0x20)),
    "\x1b[31mred\x1b[0m\x1b]52;c;ZXZpbA==\x07",
    "\u202eevil\u2066",
    "lone \ud800 high and \udfff low",
    "non-characters \ufffe \uffff",
    "quotes \" ' & amp; &#0; &#x1b;",
    "a,b:c%25%0A\r\nsecond line",
    "::error title=pwn::injected",
    "\x85NEL \u2028LS \u2029PS \x7fDEL \x9bCSI",
]
# What XML 1.0 forbids outright, and what a terminal or CI log must never receive raw.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202e\u2066]")


def hostile_result(hostile: str) -> CheckResult:
    left = small_snapshot()
    right = replace(
        left,
        environment={"HOME": hostile, hostile: "x", "LANG": hostile},
        distributions=(
            Distribution(hostile, hostile, "2.0", "/site", "x.dist-info", top_level=(hostile,)),
            Distribution("six", "six", "1.16.0", "/site", "six-1.16.0.dist-info"),
        ),
    )
    policy = Policy(
        source="driftcheck.toml",
        ignore=(IgnoreRule("driftcheck.toml: ignore[1]", "environment", "LANG", hostile),),
    )
    return check(
        left, right, baseline_path=Path(hostile), target_label=hostile, policy=policy,
        fail_on="low",
    )  # fmt: skip


@pytest.fixture(params=range(len(HOSTILE)), ids=lambda n: f"hostile{n}")
def hostile(request: pytest.FixtureRequest) -> str:
    return HOSTILE[request.param]


def test_junit_is_xml_1_0_for_strict_parsers(hostile):
    result = hostile_result(hostile)
    assert result.failing and result.set_aside
    xml = render_junit(result)
    assert not FORBIDDEN.search(xml), FORBIDDEN.search(xml)
    data = xml.encode("utf-8")  # strict: a lone surrogate would raise here
    root = ET.fromstring(data)
    strict = etree.fromstring(data, etree.XMLParser(recover=False, resolve_entities=False))
    assert strict.tag == "testsuites"
    suite = root.find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert len(cases) == len(result.outcomes) == int(suite.get("tests", "0"))
    assert len(suite.findall("testcase/failure")) == int(suite.get("failures", "0")) > 0
    skipped = suite.findall("testcase/skipped")
    assert len(skipped) == int(suite.get("skipped", "0")) == 1
    assert "ignored by the policy" in (skipped[0].get("message") or "")
    # Nothing hostile became markup: every element is one the renderer wrote.
    tags = {element.tag for element in root.iter()}
    assert tags <= {"testsuites", "testsuite", "properties", "property", "testcase", "failure",
                    "skipped", "system-out", "system-err"}  # fmt: skip
    assert root.find(".//script") is None


def test_codequality_is_strict_json_with_stable_fingerprints(hostile):
    result = hostile_result(hostile)
    text = render_codequality(result, location="snapshots/ci.json")
    assert not FORBIDDEN.search(text)
    text.encode("utf-8")
    issues = json.loads(text)
    assert len(issues) == len(result.report.findings)
    fingerprints = [i["fingerprint"] for i in issues]
    assert len(set(fingerprints)) == len(fingerprints)
    assert fingerprints == [i["fingerprint"] for i in json.loads(render_codequality(
        hostile_result(hostile), location="snapshots/ci.json"))]  # fmt: skip
    # Another baseline (another job): other issues, never a collision.
    elsewhere = [i["fingerprint"] for i in json.loads(render_codequality(
        hostile_result(hostile), location="elsewhere.json"))]  # fmt: skip
    assert not set(fingerprints) & set(elsewhere)
    for issue in issues:
        assert set(issue) >= {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"] == {"path": "snapshots/ci.json", "lines": {"begin": 1}}
        assert not FORBIDDEN.search(issue["description"])


COMMAND = re.compile(r"^::(error|warning|notice)( (?P<props>[^:]*))?::(?P<data>[^\r\n]*)$")
PROPERTY = re.compile(r"^[a-z]+=[^,:]*$")


def test_annotations_cannot_be_broken_or_injected(hostile):
    result = hostile_result(hostile)
    text = annotation_lines(result, file="snapshots/ci.json")
    lines = text.split("\n")
    assert lines[-1] == ""
    assert len(lines) - 1 == len(result.failing) > 0
    for line in lines[:-1]:
        match = COMMAND.match(line)
        assert match, line
        for prop in (match["props"] or "").split(","):
            assert PROPERTY.match(prop), prop
        assert not FORBIDDEN.search(line)
        assert "\r" not in line and "\x1b" not in line


def test_annotation_escaping_follows_the_runner():
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_markdown_text_and_json_stay_inert(hostile):
    result = hostile_result(hostile)
    markdown = check_markdown(result)
    assert not FORBIDDEN.search(markdown)
    parser = MarkdownIt("commonmark").enable("table")
    stack = parser.parse(markdown)
    while stack:
        token = stack.pop()
        stack.extend(token.children or [])
        assert token.type not in ("link_open", "image", "html_inline"), token
        if token.type == "html_block":
            assert token.content.startswith(("<details>", "</details>", "<summary>"))
    assert not FORBIDDEN.search(check_text(result))
    document = json.loads(check_json(result))
    assert document["set_aside"][0]["reason"] == hostile  # JSON escapes, it need not rewrite
    assert document["check"]["passed"] is False
