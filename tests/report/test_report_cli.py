"""`driftcheck report` through the real CLI: outputs, round trips, --preview, --anonymize."""

from __future__ import annotations

import json
import os
from pathlib import Path

from driftcheck import api
from driftcheck.snapshot import files as snapshot_files
from driftcheck.snapshot.anonymize import anonymize_snapshot
from driftcheck.snapshot.codec import to_jsonable

from inspect_outputs import assert_inert_html, assert_inert_markdown
from report_builders import USER, install_distribution, make_venv
from support import assert_one_line_error, run_cli, small_snapshot


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "CONDA_PREFIX")}


def _ok(*args: str, cwd: Path):
    result = run_cli(*args, env=_env(), cwd=cwd)
    assert result.returncode == 0, result.stderr
    return result


def _facts(report: str) -> list[tuple[str, ...]]:
    keys = ("category", "subject", "severity", "left", "right")
    return [tuple(str(f[k]) for k in keys) for f in json.loads(report)["findings"]]


def test_report_round_trips_through_diff_and_show(tmp_path: Path, secret_venv) -> None:
    python = str(secret_venv.python)
    _ok("snapshot", "--python", python, "-o", "mine.json", cwd=tmp_path)
    other = make_venv(tmp_path / "other")
    install_distribution(other.site, "privatepkg", "2.0")
    _ok("snapshot", "--python", str(other.python), "-o", "theirs.json", cwd=tmp_path)

    _ok("report", "mine.json", "-o", "ticket.md", cwd=tmp_path)
    ticket = (tmp_path / "ticket.md").read_text()
    assert ticket.startswith("<!-- driftcheck-report v1 -->")
    assert_inert_markdown(ticket)
    shown = _ok("show", "ticket.md", cwd=tmp_path).stdout
    assert "venv" in shown and "distributions" in shown
    # The ticket reads back as the very snapshot it was made from.
    read_back = api.load_or_take(str(tmp_path / "ticket.md"))
    assert to_jsonable(snapshot_files.load(tmp_path / "mine.json")) == to_jsonable(read_back)
    direct = _ok("diff", "mine.json", "theirs.json", "--format", "json", cwd=tmp_path).stdout
    via = _ok("diff", "ticket.md", "theirs.json", "--format", "json", cwd=tmp_path).stdout
    assert _facts(direct) == _facts(via)  # the labels (file names) differ, nothing else
    assert any(f["subject"] == "privatepkg" for f in json.loads(via)["findings"])

    _ok("report", "mine.json", "theirs.json", "-o", "drift.md", cwd=tmp_path)
    drift = (tmp_path / "drift.md").read_text()
    assert "## driftcheck: `mine.json` → `theirs.json`" in drift
    assert "privatepkg" in drift
    assert_inert_markdown(drift)
    none = _ok("diff", "drift.md#2", "theirs.json", "--format", "json", cwd=tmp_path).stdout
    assert json.loads(none)["findings"] == []
    none = _ok("diff", "drift.md", "mine.json", "--format", "json", cwd=tmp_path).stdout
    assert json.loads(none)["findings"] == []

    _ok("report", "mine.json", "theirs.json", "-o", "drift.html", cwd=tmp_path)
    page = (tmp_path / "drift.html").read_text()
    assert_inert_html(page)
    none = _ok("diff", "drift.html#2", "theirs.json", "--format", "json", cwd=tmp_path).stdout
    assert json.loads(none)["findings"] == []


def test_output_choices(tmp_path: Path) -> None:
    snapshot_files.save(small_snapshot(), tmp_path / "s.json")
    stdout = _ok("report", "s.json", cwd=tmp_path)
    assert stdout.stdout.startswith("<!-- driftcheck-report v1 -->")
    assert "Wrote the report to standard output" in stdout.stderr
    dash = _ok("report", "s.json", "-o", "-", cwd=tmp_path)
    assert dash.stdout == stdout.stdout
    html = _ok("report", "s.json", "-o", "-", "--format", "html", cwd=tmp_path)
    assert html.stdout.startswith("<!DOCTYPE html>")
    _ok("report", "s.json", "-o", "page.HTML", cwd=tmp_path)
    assert (tmp_path / "page.HTML").read_text().startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.HTML", "s.json"]


def test_bad_input_is_one_line(tmp_path: Path) -> None:
    snapshot_files.save(small_snapshot(), tmp_path / "s.json")
    assert_one_line_error(run_cli("report", "a", "b", "c", cwd=tmp_path), 2)
    assert_one_line_error(run_cli("report", "nope.json", cwd=tmp_path), 3)
    line = assert_one_line_error(
        run_cli("report", "s.json", "-o", "no/such/folder/r.md", cwd=tmp_path), 2
    )
    assert "does not exist" in line
    (tmp_path / "junk.md").write_text("# just a page\n")
    assert_one_line_error(run_cli("diff", "junk.md", "s.json", cwd=tmp_path), 3)


def test_preview_marks_every_redaction_and_writes_nothing(tmp_path: Path) -> None:
    snapshot = small_snapshot()
    snapshot_files.save(snapshot, tmp_path / "s.json")
    before = sorted(tmp_path.iterdir())
    result = _ok("report", "s.json", "--preview", cwd=tmp_path)
    assert sorted(tmp_path.iterdir()) == before
    assert "[[<redacted by name:token>]]" in result.stdout
    assert "\x1b" not in result.stdout  # not a terminal: plain brackets
    assert "lines of base64" in result.stdout
    assert "nothing was written" in result.stderr
    assert "driftcheck report s.json -o report.md" in result.stderr
    written = _ok("report", "s.json", "-o", "r.md", cwd=tmp_path)
    markdown = (tmp_path / "r.md").read_text()
    # Apart from the marks and the folded base64, the preview is the report.
    unmarked = result.stdout.replace("[[", "").replace("]]", "")
    assert unmarked.splitlines()[:20] == markdown.splitlines()[:20]
    assert written.returncode == 0


def test_anonymize_is_token_aware_and_consistent(tmp_path: Path) -> None:
    from dataclasses import replace

    from driftcheck.snapshot.model import Distribution, OsInfo

    base = small_snapshot()
    os_info: OsInfo = replace(base.os, hostname="al-box")
    snapshot = replace(
        base,
        os=os_info,
        environment={"HOME": "/home/al", "USER": "al", "PATH": "/home/al/bin:/usr/local/bin"},
        distributions=(
            Distribution("alpha", "alpha", "1.0", "/home/al/.local/lib/site", "a.dist-info"),
            Distribution("al", "al", "2.0", "/usr/local/lib/site", "al.dist-info"),
        ),
    )
    anonymized = anonymize_snapshot(snapshot)
    assert anonymized.redaction.anonymized is True
    assert anonymized.environment["PATH"] == "<home>/bin:/usr/local/bin"
    assert anonymized.environment["HOME"] == "<home>"
    assert anonymized.environment["USER"] == "<user>"
    assert anonymized.os.hostname == "<host>"
    assert [d.name for d in anonymized.distributions] == ["alpha", "<user>"]
    assert anonymized.distributions[0].location == "<home>/.local/lib/site"
    assert anonymized.distributions[1].location == "/usr/local/lib/site"
    assert anonymize_snapshot(anonymized) is anonymized
    # Through the CLI, from a file: the label (a file name) is anonymized too.
    snapshot_files.save(snapshot, tmp_path / "al-laptop.json")
    _ok("report", "al-laptop.json", "--anonymize", "-o", "r.md", cwd=tmp_path)
    markdown = (tmp_path / "r.md").read_text()
    assert "`<user>-laptop.json`" in markdown
    assert "/usr/local/bin" in markdown and "`alpha`" in markdown
    assert "/home/al" not in markdown
    assert USER not in markdown


def test_preview_on_a_terminal_uses_reverse_video_and_nothing_else() -> None:
    from test_hostile import HOSTILE, _hostile_pair

    from driftcheck.report.build import Side, build_report
    from driftcheck.report.preview import OFF, ON, preview

    _, right = _hostile_pair(HOSTILE["osc52"] + HOSTILE["esc-clear"])
    markdown = build_report([Side(right, "x")], "markdown").text
    shown = preview(markdown, terminal=True)
    assert f"{ON}<redacted by name:token>{OFF}" in shown.text
    assert shown.marked >= 1
    assert "\x1b" not in shown.text.replace(ON, "").replace(OFF, "")  # only our own
