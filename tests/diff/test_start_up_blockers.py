"""A .pth file Python blocks on at start-up, on one side only: the critical cause.

Live sides carry it on the interpreter, static sides on static_python (only where the
sys.path was modelled: elsewhere the side cannot know, and nothing is said)."""

from __future__ import annotations

from dataclasses import replace

from driftcheck.diff.engine import compare
from driftcheck.snapshot.model import Interpreter, Snapshot, StaticPython, TargetInfo, Unknown

from support import small_snapshot

FIFO = "/opt/venv/lib/python3.11/site-packages/zz_fifo.pth"
MODELLED = Unknown("python.sys_path", "modelled, not run: ...")


def live(blockers: tuple[str, ...] = ()) -> Snapshot:
    python = Interpreter(
        implementation="cpython", version="3.11.2", cache_tag="cpython-311",
        soabi="cpython-311-x86_64-linux-gnu", ext_suffix=".cpython-311-x86_64-linux-gnu.so",
        executable="/opt/venv/bin/python", prefix="/opt/venv", base_prefix="/usr",
        environment_kind="venv", sys_path=("/usr/lib/python3.11",), flags={"no_site": 0},
        free_threaded=False, debug_build=False, pointer_bits=64, default_encoding="utf-8",
        filesystem_encoding="utf-8", locale={}, build={}, start_up_blockers=blockers,
    )  # fmt: skip
    return replace(small_snapshot(), python=python)


def static(blockers: tuple[str, ...] = (), *, modelled: bool = True) -> Snapshot:
    base = small_snapshot()
    return replace(
        base,
        target=TargetInfo(kind="archive", description="image.tar", mode="static"),
        static_python=StaticPython(
            "/opt/venv/bin/python", "cpython", "3.11.2", start_up_blockers=blockers
        ),
        unknowns=(*base.unknowns, *((MODELLED,) if modelled else ())),
    )


def startup_findings(left: Snapshot, right: Snapshot) -> list[tuple[str, str, str]]:
    report = compare(left, right, left_label="A", right_label="B")
    return [
        (f.subject, f.severity.label, f.explanation)
        for f in report.findings
        if f.category == "startup"
    ]


def test_a_blocker_on_one_live_side_is_the_critical_cause_and_claims_its_change():
    report = compare(live(), live((FIFO,)), left_label="A", right_label="B")
    first = report.findings[0]
    assert (first.category, first.subject, first.severity.label) == (
        "startup",
        "zz_fifo.pth",
        "critical",
    )
    assert first.explanation.startswith(f"On B, Python blocks at start-up reading {FIFO}")
    assert first.fix is not None and first.fix.command == f"rm {FIFO}" and first.fix.on == "B"
    assert [c.field for c in first.changes] == ["start_up_blockers"]
    others = [c for f in report.findings[1:] for c in f.changes if c.field == "start_up_blockers"]
    assert others == []  # claimed once: no fallback "python interpreter differs" beside it


def test_the_same_blocker_on_both_sides_is_no_finding_live_or_static():
    assert startup_findings(live((FIFO,)), live((FIFO,))) == []
    assert startup_findings(live((FIFO,)), static((FIFO,))) == []


def test_a_static_side_compares_blockers_only_where_its_sys_path_was_modelled():
    assert startup_findings(live((FIFO,)), static(modelled=False)) == []
    ((subject, severity, explanation),) = startup_findings(static(), static((FIFO,)))
    assert (subject, severity) == ("zz_fifo.pth", "critical")
    assert explanation.startswith("On B, Python blocks at start-up")
    # On A only, the baseline: B starts, and A's trouble is context (a fixed target).
    ((_, severity, explanation),) = startup_findings(static((FIFO,)), static())
    assert severity == "low" and explanation.startswith("On A, Python blocks at start-up")
