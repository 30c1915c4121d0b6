"""`diff A B C …`: many sides read at once, compared with the majority (driftcheck/fleet)."""

from __future__ import annotations

import sys
from dataclasses import replace

from driftcheck import api
from driftcheck.cli.progress import spinner
from driftcheck.errors import ExitCode
from driftcheck.redaction.rules import scrub_text
from driftcheck.terminal import visible


def run_fleet_diff(
    texts: list[str],
    *,
    output_format: str,
    fail_on: str,
    only: list[str],
    ignore: list[str],
    project: str | None,
    jobs: int,
) -> int:
    from driftcheck.cli.commands import _project_facts
    from driftcheck.diff.engine import compare
    from driftcheck.diff.filters import check_categories, filter_report
    from driftcheck.diff.model import DiffResult, Severity
    from driftcheck.fleet.gather import gather
    from driftcheck.fleet.matrix import compare_fleet
    from driftcheck.fleet.render import render_fleet_json, render_fleet_text
    from driftcheck.snapshot.model import Snapshot

    only = list(check_categories(only))  # before any live snapshot: a typo fails fast
    facts = _project_facts(project)
    key = api.fingerprint_key()
    gathered = gather(texts, lambda text: api.load_or_take(text, key=key), jobs=jobs)
    for failed in gathered.failed:
        message = visible(scrub_text(failed.message)[0])
        label = visible(scrub_text(failed.label)[0])
        print(f"driftcheck: error: {label}: {message}", file=sys.stderr)
    if len(gathered.sides) < 2:
        print(
            f"driftcheck: error: {len(gathered.sides)} of {len(texts)} sides could be read; "
            "nothing to compare",
            file=sys.stderr,
        )
        return gathered.failed[0].exit_code if gathered.failed else int(ExitCode.USAGE)

    def two_way(left: Snapshot, right: Snapshot, left_label: str, right_label: str) -> DiffResult:
        report = compare(left, right, left_label=left_label, right_label=right_label, project=facts)
        return filter_report(report, only=only, ignore=ignore)

    with spinner("comparing"):
        fleet = replace(compare_fleet(gathered.sides, two_way), failed=gathered.failed)
    render = render_fleet_json if output_format == "json" else render_fleet_text
    sys.stdout.write(render(fleet))
    if gathered.failed:
        return gathered.failed[0].exit_code
    if fail_on == "never":
        return 0
    return 1 if fleet.at_or_above(Severity.parse(fail_on)) else 0
