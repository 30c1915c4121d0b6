"""Hostile strings from a target stay inert in every renderer, asserted on raw output.

Names, versions, environment values and labels carry backtick runs, pipes, HTML and
script, Markdown links and images, @-mentions, ESC / CSI / OSC 8 / OSC 52 sequences,
carriage returns, C1 controls, bidi overrides and Rich markup. First on snapshots
built in memory through every renderer, then end to end: a real venv holding a
distribution with such a name, reported, diffed and shown through the real CLI.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree

from driftcheck.diff.engine import compare
from driftcheck.render.diff_json import render_json
from driftcheck.render.diff_markdown import render_markdown
from driftcheck.render.diff_text import render_text
from driftcheck.render.summary import snapshot_summary
from driftcheck.report.build import Side, build_report
from driftcheck.report.preview import preview
from driftcheck.snapshot import files as snapshot_files
from driftcheck.snapshot.model import ContainerInfo, Distribution, Redacted, Unknown

from inspect_outputs import assert_inert_html, assert_inert_markdown, assert_no_raw_controls
from report_builders import install_distribution, make_venv
from support import run_cli, small_snapshot

HOSTILE = {
    "backticks": "``` `` ` fence ``` ````",
    "pipes": "a | b || c |",
    "script": "<script>alert(1)</script>",
    "js-link": "[click](javascript:alert(1))",
    "link-tail": "x](javascript:alert(1)",
    "image": "![x](http://evil.example/p.png)",
    "autolink": "<http://evil.example> www.evil.example",
    "mention": "@maintainer please look",
    "esc-clear": "\x1b[2J\x1b[1;1Hcleared",
    "osc8": "\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\",
    "osc52": "\x1b]52;c;ZXZpbA==\x07",
    "carriage": "safe\roverwritten",
    "c1": "\x9b31mred\x85next",
    "bidi": "abc\u202edcba\u2066x\u2069",
    "rich": "[red]alarm[/red] [link=http://evil.example]x[/link]",
    "html-attr": '"><img src=x onerror=alert(1)>',
    "separator": "line\u2028break",
}
RAW_MARKERS = ("\x1b", "\x9b", "\r", "\u202e", "\u2028")


def _hostile_pair(text: str):
    left = small_snapshot()
    right = replace(
        left,
        label=text,
        environment={"HOME": text, text: text, "TOKEN": Redacted("name:token", None, text)},
        distributions=(
            Distribution(text, "evil-pkg", text, text, "e.dist-info", direct_url=text),
            *left.distributions,
        ),
        unknowns=(Unknown(text, text),),
        os=replace(left.os, os_release={"PRETTY_NAME": text}, hostname=text),
        container=ContainerInfo(
            image=text, image_id="sha256:0", platform=text, labels={text: text}
        ),
    )
    return left, right


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_every_renderer_keeps_hostile_text_inert(name: str) -> None:
    text = HOSTILE[name]
    left, right = _hostile_pair(text)
    report = compare(left, right, left_label=text, right_label="b")
    for where, out in (
        ("summary", snapshot_summary(right, details=True)),
        ("text", render_text(report)),
        ("json", render_json(report)),
        ("snapshot json", snapshot_files.dumps(right)),
    ):
        assert_no_raw_controls(out, where)
    assert json.loads(render_json(report))["left"] == text  # escaped, not lost
    assert_inert_markdown(render_markdown(report))
    for sides in ([Side(right, text)], [Side(left, text), Side(right, text)]):
        markdown = build_report(sides, "markdown").text
        assert_inert_markdown(markdown)
        assert_no_raw_controls(preview(markdown, terminal=False).text, "preview")
        assert_inert_html(build_report(sides, "html").text)


def test_rich_markup_is_shown_as_written() -> None:
    left, right = _hostile_pair(HOSTILE["rich"])
    text = render_text(compare(left, right))
    assert "[red]alarm[/red]" in text  # never interpreted: no style, no link


def test_hostile_table_cells_never_split_a_row() -> None:
    left, right = _hostile_pair(HOSTILE["pipes"] + HOSTILE["backticks"])
    for sides in ([Side(right, "x")], [Side(left, "a"), Side(right, "b")]):
        width = None
        rows = 0
        for line in build_report(sides, "markdown").text.splitlines():
            if not line.startswith("|"):
                width = None
                continue
            bars = line.replace("\\|", "").count("|")
            width = width or bars
            assert bars == width, line
            rows += 1
        assert rows > 5


@pytest.fixture(scope="module")
def hostile_venv(tmp_path_factory: pytest.TempPathFactory):
    venv = make_venv(tmp_path_factory.mktemp("hostile") / "venv")
    for index, text in enumerate(HOSTILE.values()):
        name = f"evil{index}-" + text.replace("\n", " ")
        install_distribution(venv.site, name, f"1.{index}{text}")
    return venv


def test_hostile_names_through_the_real_cli(tmp_path: Path, hostile_venv) -> None:
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env.update({f"HOSTILE_{i}": v.replace("\x00", "") for i, v in enumerate(HOSTILE.values())})
    target = f"python:{hostile_venv.python}"
    snap = tmp_path / "s.json"
    outputs: list[tuple[str, str]] = []

    def run(*args: str) -> None:
        result = run_cli(*args, env=env, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        outputs.extend([(f"{args[0]} stdout", result.stdout), (f"{args[0]} stderr", result.stderr)])

    run("snapshot", "--python", str(hostile_venv.python), "-o", str(snap))
    assert sum("evil" in d["name"] for d in json.loads(snap.read_text())["distributions"]) >= 10
    run("report", target, "-o", str(tmp_path / "r.md"))
    run("report", str(snap), target, "-o", str(tmp_path / "d.md"))
    run("report", str(snap), "-o", str(tmp_path / "r.html"))
    run("report", str(snap), str(tmp_path / "r.md"), "-o", str(tmp_path / "d.html"))
    run("report", str(snap), "--preview")
    run("show", str(tmp_path / "r.md"))
    for fmt in ("text", "json", "markdown"):
        run("diff", str(snap), str(tmp_path / "d.md#2"), "--format", fmt)
    snapshot_files.save(small_snapshot(), tmp_path / "base.json")
    gate = ["--baseline", "base.json", "--target", target, "--fail-on", "never"]
    run("check", *gate, "--junit", "j.xml", "--markdown", "c.md", "--json", "c.json")
    junit = (tmp_path / "j.xml").read_bytes()
    assert b"evil" in junit
    etree.fromstring(junit, etree.XMLParser(resolve_entities=False))  # strict XML 1.0
    outputs += [(name, (tmp_path / name).read_text()) for name in ("j.xml", "c.json")]
    assert_inert_markdown((tmp_path / "c.md").read_text())
    assert "evil" in (tmp_path / "r.md").read_text()
    for name in ("r.md", "d.md"):
        assert_inert_markdown((tmp_path / name).read_text())
    for name in ("r.html", "d.html"):
        assert_inert_html((tmp_path / name).read_text())
    for where, text in outputs:
        assert_no_raw_controls(text, where)
        assert not any(marker in text for marker in RAW_MARKERS), where
