"""Runs `driftcheck diff` on a built pair as a user would, and reads where the cause ranks.

Through the installed command, not the library: `--project` and `--log` are options of
the command, and the corpus measures what a user gets. driftcheck's own environment is
a plain one (no CI variables: with CI=true its fixes speak of the image, not of pip).
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from support import cli_command

#: The variables driftcheck itself runs with (not the sides' variables: those are in
#: the snapshots).
CLI_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": os.environ.get("HOME", "/root"),
    "LANG": "C.UTF-8",
    **{k: v for k, v in os.environ.items() if k in ("DOCKER_HOST", "DRIFTCHECK_TEST_CACHE")},
}


@dataclass(frozen=True)
class Finding:
    category: str
    subject: str
    fix_command: str | None
    fix_on: str | None
    fix_advice: str | None = None

    @property
    def name(self) -> str:
        return f"{self.category}:{self.subject}"

    def names(self, expected: str) -> bool:
        """True when this finding names the expected cause. A dependency finding
        ("contourpy requires numpy") names the distribution it requires."""
        if self.name == expected:
            return True
        category, _, subject = expected.partition(":")
        return (
            category == "packages"
            and self.category == "dependencies"
            and self.subject.endswith(f" requires {subject}")
        )


@dataclass(frozen=True)
class Diagnosis:
    findings: tuple[Finding, ...]

    def rank_of(self, expected: str) -> int | None:
        """0 when the first finding names the cause; None when no finding does."""
        return next((i for i, f in enumerate(self.findings) if f.names(expected)), None)

    @property
    def first(self) -> str:
        return self.findings[0].name if self.findings else "(no finding)"


@cache
def diff_options() -> frozenset[str]:
    """The options `driftcheck diff` has in this checkout (--log and --symptom are new)."""
    done = subprocess.run(
        [*cli_command(), "diff", "--help"], capture_output=True, text=True, env=CLI_ENV
    )
    return frozenset(w.strip(",") for w in done.stdout.split() if w.startswith("--"))


def last_error_line(log: Path) -> str:
    """What a user pastes as --symptom: the last line of the error."""
    lines = [line.strip() for line in log.read_text().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def diff_args(
    a: Path,
    b: Path,
    *,
    project: Path | None = None,
    log: Path | None = None,
    symptom: str | None = None,
) -> list[str]:
    args = [*cli_command(), "diff", str(a), str(b)]
    if symptom is not None:
        args += ["--symptom", symptom]
    if project is not None:
        args += ["--project", str(project)]
    if log is not None:
        args += ["--log", str(log)]
    return args


def diagnose(
    a: Path,
    b: Path,
    *,
    project: Path | None = None,
    log: Path | None = None,
    symptom: str | None = None,
) -> Diagnosis:
    done = subprocess.run(
        [*diff_args(a, b, project=project, log=log, symptom=symptom), "--format", "json"],
        capture_output=True, text=True, env=CLI_ENV, timeout=300,
    )  # fmt: skip
    assert done.returncode in (0, 1), (done.returncode, done.stderr[-2000:])
    report: dict[str, Any] = json.loads(done.stdout)
    sides = {str(a): "A", str(b): "B"}  # a fix says where it applies by the side's label
    return Diagnosis(tuple(_finding(f, sides) for f in report["findings"]))


def text_lines(a: Path, b: Path, *, project: Path | None = None) -> int:
    """How many lines the text report of the pair has (what a user reads)."""
    done = subprocess.run(
        diff_args(a, b, project=project), capture_output=True, text=True, env=CLI_ENV,
        timeout=300,
    )  # fmt: skip
    assert done.returncode in (0, 1), (done.returncode, done.stderr[-2000:])
    return len(done.stdout.splitlines())


def _finding(raw: dict[str, Any], sides: dict[str, str]) -> Finding:
    fix = raw.get("fix") or {}
    on = fix.get("on")
    return Finding(
        raw["category"], raw["subject"], fix.get("command"), sides.get(on, on), fix.get("advice")
    )
