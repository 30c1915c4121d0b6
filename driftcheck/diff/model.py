"""What the diff engine produces: typed changes, findings that explain them, a report."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

LOW_CAUSES = 3  # likely causes shown when nothing is rated medium or above
EVIDENCE_PREFIX = "use: "  # the evidence line that says who imports or requires what changed


class Severity(IntEnum):
    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.upper()]


@dataclass(frozen=True)
class Change:
    """One structural difference between two snapshots.

    `section` is the part of the snapshot (python, distributions, environment,
    os, os_packages, native_libraries, container); `key` the entry within it (a
    distribution's canonical name, a variable's name); `field` the attribute
    that differs, or "" when the whole entry was added or removed.
    """

    section: str
    key: str
    field: str
    kind: str  # "added", "removed" or "changed"
    left: Any = None
    right: Any = None

    @property
    def ident(self) -> tuple[str, str, str]:
        return (self.section, self.key, self.field)


@dataclass(frozen=True)
class Fix:
    """What to do about a finding: a command to run, advice for a person, or both.

    `command` is exact shell text, safe to paste (values from a target are
    quoted), run on the side labelled `on`. `advice` is prose. Renderers show a
    command as code and advice as text, so that a sentence never poses as
    something to paste and a command never loses its quoting.
    """

    command: str | None = None
    advice: str | None = None
    on: str | None = None

    @classmethod
    def run(cls, command: str, on: str, advice: str | None = None) -> Fix:
        return cls(command=command, advice=advice, on=on)

    @classmethod
    def advise(cls, advice: str) -> Fix:
        return cls(advice=advice)


@dataclass(frozen=True)
class ProjectUse:
    """Why a finding matters to the project given with --project.

    `direct`: the project declares or imports a distribution the finding is
    about; otherwise one of those depends on it. `notes` say so in words
    ("numpy is imported by your code (app.py)").
    """

    direct: bool
    notes: tuple[str, ...]


@dataclass(frozen=True)
class SymptomLink:
    """The error a finding explains, from --symptom or --log (diff/symptom/)."""

    line: int | None  # the log's line number; None: the --symptom text
    quote: str  # the error as the log has it, redacted and shortened
    strength: int  # 3: names what the error names; 2: a mechanism that raises it; 1: a part

    @property
    def words(self) -> str:
        where = "the symptom" if self.line is None else f"line {self.line}"
        return f"explains {where}: {self.quote}"


@dataclass(frozen=True)
class SymptomSummary:
    """What the error text held, in lines a report prints as they are."""

    read: str  # "--log ci.log: 812 lines"
    errors: int  # errors recognised
    explained: tuple[str, ...] = ()  # "line 42: … (explained by packages:pyyaml)"
    unexplained: tuple[str, ...] = ()  # "nothing here explains line 7: … (it points at …)"

    @property
    def headline(self) -> str:
        if not self.errors:
            return f"No error driftcheck recognises in {self.read}."
        return f"Error text: {self.read}, {self.errors} error(s) recognised."


@dataclass(frozen=True)
class Finding:
    category: str
    subject: str
    severity: Severity
    explanation: str
    left: str | None = None
    right: str | None = None
    evidence: tuple[str, ...] = ()
    fix: Fix | None = None
    members: tuple[Finding, ...] = ()
    changes: tuple[Change, ...] = field(default=(), compare=False, repr=False)
    relevance: int = 0  # higher ranks first among equal severities
    # Canonical names of the distributions the finding is about, beyond those its
    # changes name (a requirement found unmet on one side claims no change).
    packages: tuple[str, ...] = ()
    project: ProjectUse | None = None
    # What the change does, for the rating by evidence of use (diff/rating.py): "missing"
    # (imports fail on the right), "version", "install", "unmet" … ; "" leaves it alone.
    impact: str = field(default="", compare=False, repr=False)
    # The error of --symptom/--log this finding explains; such findings rank first.
    symptom: SymptomLink | None = None


@dataclass(frozen=True)
class DiffResult:
    left_label: str
    right_label: str
    findings: tuple[Finding, ...]
    not_comparable: tuple[str, ...] = ()
    project: str | None = None  # what --project read, in a few words; None without it
    symptom: SymptomSummary | None = None  # with --symptom/--log only

    @property
    def drift(self) -> bool:
        """Info findings (paths that differ per machine, session variables) are not drift."""
        return bool(self.at_or_above(Severity.LOW))

    def likely_causes(self, limit: int = 5) -> tuple[Finding, ...]:
        """What every report shows first: the ranked findings that can break a program;
        when none is rated medium or above, the likeliest low ones (a thread count, a
        warnings filter), since the cause is among them if it is anywhere. Findings that
        explain the error given with --symptom/--log come first, whatever their severity."""
        explaining = tuple(f for f in self.findings if f.symptom is not None)
        serious = self.at_or_above(Severity.MEDIUM)
        if not serious:
            serious = self.at_or_above(Severity.LOW)[:LOW_CAUSES]
        rest = tuple(f for f in serious if f.symptom is None)
        return (*explaining, *rest)[:limit]

    @property
    def causes_are_low(self) -> bool:
        causes = [f for f in self.likely_causes() if f.symptom is None]
        return bool(causes) and causes[0].severity < Severity.MEDIUM

    def at_or_above(self, threshold: Severity) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity >= threshold)
