"""compare_fleet's merging, on two-way reports written out by hand (the engine itself is
exercised on real snapshots in test_fleet_files.py and test_fleet_containers.py)."""

from __future__ import annotations

from driftcheck.diff.model import DiffResult, Finding, Severity
from driftcheck.fleet.matrix import Compare, compare_fleet
from driftcheck.snapshot.model import Snapshot

from support import small_snapshot


def sides(count: int) -> list[tuple[str, Snapshot]]:
    base = small_snapshot()
    return [(f"runner-{i}", base) for i in range(1, count + 1)]


def engine(
    findings_by_pair: dict[tuple[str, str], list[Finding]],
) -> tuple[Compare, list[tuple[str, str]]]:
    calls: list[tuple[str, str]] = []

    def compare(left: Snapshot, right: Snapshot, left_label: str, right_label: str) -> DiffResult:
        calls.append((left_label, right_label))
        found = findings_by_pair.get((left_label, right_label), [])
        return DiffResult(left_label, right_label, tuple(found))

    return compare, calls


def version(subject: str, left: str | None, right: str | None) -> Finding:
    return Finding("packages", subject, Severity.MEDIUM, "moved", left=left, right=right)


def test_a_missing_package_on_one_side_is_named_with_no_value() -> None:
    compare, _ = engine({("runner-1", "runner-3"): [version("urllib3", "2.2.1", None)]})
    report = compare_fleet(sides(4), compare)
    (row,) = report.rows
    assert row.values == ("2.2.1", "2.2.1", "(none)", "2.2.1") and row.outliers == (2,)
    assert row.summary == "only runner-3 has no urllib3; the 3 other(s) have urllib3 2.2.1"


def test_an_outlier_first_side_makes_the_modal_side_the_reference() -> None:
    moved = {("runner-1", f"runner-{i}"): [version("idna", "3.7", "3.10")] for i in (2, 3, 4)}
    compare, calls = engine(moved)
    report = compare_fleet(sides(4), compare)
    assert report.reference_side == 1  # runner-2: agrees with the majority, the first such
    assert ("runner-2", "runner-1") in calls
    # The stub's second pass finds nothing: what matters is who the reference is.


def test_a_finding_whose_values_read_the_same_still_marks_its_side() -> None:
    unmet = Finding("dependencies", "a requires b", Severity.HIGH, "b is missing", "no", "no")
    compare, _ = engine({("runner-1", "runner-2"): [unmet]})
    (row,) = compare_fleet(sides(3), compare).rows
    assert row.outliers == (1,) and row.severity == Severity.HIGH
    assert row.summary == "only runner-2 differs on a requires b; the 2 other(s) agree"


def test_rows_rank_by_severity_then_by_fewer_outliers() -> None:
    low = Finding("environment", "TZ", Severity.LOW, "tz", left="UTC", right="CET")
    pairs = {
        ("runner-1", "runner-2"): [version("six", "1.17.0", "1.16.0"), low],
        ("runner-1", "runner-3"): [version("six", "1.17.0", "1.16.0")],
        ("runner-1", "runner-4"): [version("idna", "3.10", "3.7")],
    }
    compare, _ = engine(pairs)
    rows = compare_fleet(sides(5), compare).rows
    assert [(r.subject, r.outliers) for r in rows] == [
        ("idna", (3,)),
        ("six", (1, 2)),
        ("TZ", (1,)),
    ]
    assert rows[1].summary.startswith("runner-2, runner-3 have six 1.16.0;")


def test_a_fact_with_two_findings_takes_the_most_severe_ones_value() -> None:
    """urllib3's major downgrade on runner-3 and the info 'asked for by name' finding
    about the same subject: the row shows the version, never the info finding's 'true'."""
    downgrade = Finding(
        "packages", "urllib3", Severity.HIGH, "went back", left="2.8.0", right="1.26.20"
    )
    asked = Finding("packages", "urllib3", Severity.INFO, "asked for", left="false", right="true")
    compare, _ = engine({("runner-1", "runner-3"): [downgrade, asked]})
    (row,) = compare_fleet(sides(3), compare).rows
    assert row.values == ("2.8.0", "2.8.0", "1.26.20") and row.severity == Severity.HIGH
