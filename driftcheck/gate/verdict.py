"""What a check decided about each finding, and whether the run fails.

Every finding of the diff stays in the result: failing, passing, or set aside
by the policy (ignored, or an allowed version step) with the reason. Reports
list the set-aside ones too, so a policy never hides drift silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from driftcheck.diff.model import DiffResult, Finding, Severity

DEFAULT_FAIL_ON = "high"


class Status(str, Enum):
    FAILING = "failing"  # at or above the threshold
    PASSING = "passing"  # below it
    IGNORED = "ignored"  # an ignore rule matched
    ALLOWED = "allowed"  # an allowed version step

    @property
    def set_aside(self) -> bool:
        return self in (Status.IGNORED, Status.ALLOWED)


@dataclass(frozen=True)
class Outcome:
    finding: Finding  # with the policy's severity, when a rule changed it
    status: Status
    reason: str | None = None  # why it was set aside
    original_severity: Severity | None = None  # the engine's, when a rule changed it


@dataclass(frozen=True)
class CheckResult:
    report: DiffResult  # the findings that count (failing and passing), ranked
    outcomes: tuple[Outcome, ...]  # every finding, in the report's order, set-aside ones last
    fail_on: str  # a FailOn value: "never" or a severity
    baseline: str
    target: str
    policy: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def threshold(self) -> Severity | None:
        return None if self.fail_on == "never" else Severity.parse(self.fail_on)

    @property
    def failing(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.status is Status.FAILING)

    @property
    def set_aside(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.status.set_aside)

    @property
    def passed(self) -> bool:
        return not self.failing

    def verdict(self) -> str:
        """The one line a CI log ends with."""
        ignored = len(self.set_aside)
        aside = f" ({ignored} set aside by the policy)" if ignored else ""
        if self.threshold is None:
            count = _findings(len(self.report.findings))
            return f"driftcheck: {count}; fail_on is never: not failing{aside}"
        if self.failing:
            count = _findings(len(self.failing))
            return f"driftcheck: {count} at or above {self.fail_on}: failing{aside}"
        return f"driftcheck: no drift at or above {self.fail_on}{aside}"


def resolve_fail_on(option: str | None, policy_fail_on: str | None) -> str:
    """--fail-on beats the policy's fail_on; `check` fails on high when neither says."""
    return option or policy_fail_on or DEFAULT_FAIL_ON


def _findings(count: int) -> str:
    return f"{count} finding" if count == 1 else f"{count} findings"
