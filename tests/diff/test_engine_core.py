"""The engine's contract: every change claimed, redacted values never compared by value."""

from __future__ import annotations

import json
from dataclasses import replace

from driftcheck.cli.options import ReportFormat
from driftcheck.diff.changes import compute_changes
from driftcheck.diff.engine import compare
from driftcheck.diff.filters import filter_report
from driftcheck.diff.model import Severity
from driftcheck.render.formats import DIFF_FORMATS, diff_renderer
from driftcheck.snapshot import files as snapshot_files
from driftcheck.snapshot.model import Distribution, Redacted, Unknown

from support import assert_one_line_error, run_cli, small_snapshot


def _pair():
    left = small_snapshot()
    right = replace(
        left,
        label="right",
        distributions=(
            Distribution("six", "six", "1.17.0", "/site", "six-1.17.0.dist-info"),
            Distribution("idna", "idna", "3.10", "/site", "idna-3.10.dist-info"),
        ),
        environment={"HOME": "/home/ci", "LANG": "C"},
    )
    return left, right


def test_identical_snapshots_have_no_drift():
    snap = small_snapshot()
    report = compare(snap, snap)
    assert report.findings == ()
    assert not report.drift


def test_every_change_is_claimed_by_a_finding():
    left, right = _pair()
    changes = compute_changes(left, right).changes
    assert changes
    report = compare(left, right)
    claimed = set()
    stack = list(report.findings)
    while stack:
        finding = stack.pop()
        claimed.update(c.ident for c in finding.changes)
        stack.extend(finding.members)
    assert {c.ident for c in changes} <= claimed


def test_redacted_values_are_compared_only_by_fingerprint():
    base = small_snapshot()

    def with_token(fingerprint):
        return replace(base, environment={"TOKEN": Redacted("name:token", fingerprint)})

    same = compute_changes(
        with_token("hmac-sha256:" + "a" * 32), with_token("hmac-sha256:" + "a" * 32)
    )
    assert same.changes == ()
    differ = compute_changes(
        with_token("hmac-sha256:" + "a" * 32), with_token("hmac-sha256:" + "b" * 32)
    )
    assert [c.key for c in differ.changes] == ["TOKEN"]
    unknown = compute_changes(with_token(None), with_token(None))
    assert unknown.changes == () and "TOKEN" in unknown.not_comparable[0]


def test_static_snapshot_runtime_facts_are_not_comparable():
    live = small_snapshot()
    static = replace(live, target=replace(live.target, mode="static"))
    result = compute_changes(live, static)
    assert any(item.startswith("python") for item in result.not_comparable)


def test_filters_keep_and_drop():
    left, right = _pair()
    report = compare(left, right)
    only_env = filter_report(report, only=["environment"], ignore=[])
    assert only_env.findings and {f.category for f in only_env.findings} == {"environment"}
    no_lang = filter_report(report, only=[], ignore=["environment:LANG"])
    assert all(f.subject != "LANG" for f in no_lang.findings)


def test_every_report_format_has_a_renderer():
    assert set(DIFF_FORMATS) == {f.value for f in ReportFormat}


def test_cli_diff_exit_codes_and_json(tmp_path):
    left, right = _pair()
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    snapshot_files.save(left, a)
    snapshot_files.save(right, b)
    same = run_cli("diff", str(a), str(a), "--fail-on", "low")
    assert same.returncode == 0 and "No drift." in same.stdout
    drift = run_cli("diff", str(a), str(b), "--format", "json", "--fail-on", "info")
    assert drift.returncode == 1, drift.stderr
    doc = json.loads(drift.stdout)
    assert doc["format"] == "driftcheck-report" and doc["findings"]
    never = run_cli("diff", str(a), str(b))
    assert never.returncode == 0


def test_hostile_strings_are_escaped_in_the_text_report(tmp_path):
    left, _ = _pair()
    hostile = replace(left, environment={"HOME": "\x1b[2J\x1b]52;c;aGk=\x07\u202e"})
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    snapshot_files.save(left, a)
    snapshot_files.save(hostile, b)
    result = run_cli("diff", str(a), str(b))
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
    assert Severity.parse("high") is Severity.HIGH


def test_an_unknown_only_category_is_a_usage_error(tmp_path):
    left, right = _pair()
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    snapshot_files.save(left, a)
    snapshot_files.save(right, b)
    kept = run_cli("diff", str(a), str(b), "--only", "packages", "--fail-on", "low")
    assert kept.returncode == 1, kept.stderr
    line = assert_one_line_error(run_cli("diff", str(a), str(b), "--only", "package"), 2)
    assert "'package' is not a category" in line and "packages" in line


def test_os_facts_one_side_could_not_read_are_not_comparable():
    live = small_snapshot()
    flags = ("avx", "avx2", "fma", "sse4_2")
    live = replace(live, os=replace(live.os, cpu=replace(live.os.cpu, flags=flags)), unknowns=())
    unread = replace(
        live,
        target=replace(live.target, mode="static"),
        os=replace(live.os, cpu=replace(live.os.cpu, flags=())),
        unknowns=(Unknown("os.cpu", "the CPU is the host's at run time"),),
    )
    result = compute_changes(live, unread)
    assert not [c for c in result.changes if c.section == "os" and c.field.startswith("cpu")]
    assert "os.cpu: one snapshot could not read it" in result.not_comparable
    assert not [f for f in compare(live, unread).findings if f.subject == "CPU flags"]
    # Read on both sides, the same difference is still drift.
    known = replace(unread, unknowns=())
    assert [c.field for c in compute_changes(live, known).changes] == ["cpu.flags"]


def test_the_text_totals_count_one_finding_in_the_singular():
    left, right = _pair()
    report = compare(left, right)
    one = replace(report, findings=report.findings[:1])
    text = diff_renderer("text")(one)
    assert f"\n1 finding: 1 {one.findings[0].severity.label}.\n" in text
    assert f"\n{len(report.findings)} findings: " in diff_renderer("text")(report)
