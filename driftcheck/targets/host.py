"""The host target: a Python interpreter on this machine, or a running process."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from driftcheck.probe import ProbeRequest, parse_output
from driftcheck.snapshot.model import TargetInfo
from driftcheck.targets.interface import ProbeAnswer
from driftcheck.targets.local_run import start_local_probe
from driftcheck.targets.prestart import claim


@dataclass(frozen=True)
class HostInterpreter:
    """Probes an interpreter with a given environment (the user's, by default)."""

    interpreter: Path
    chosen_by: str
    environ: Mapping[str, str] | None = None
    cwd: str | None = None
    pid: int | None = None
    extra: Mapping[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        if self.pid is not None:
            return f"process {self.pid} ({self.interpreter})"
        return f"{self.interpreter} (chosen by {self.chosen_by})"

    def default_label(self) -> str:
        return f"pid-{self.pid}" if self.pid is not None else "host"

    def run_probe(self, request: ProbeRequest) -> ProbeAnswer:
        started = claim(self.interpreter, self.environ, self.cwd, request)
        if started is None:
            probe = start_local_probe(self.interpreter, request, env=self.environ, cwd=self.cwd)
        else:
            probe, request = started  # started before the CLI's imports, with its own markers
        facts = parse_output(probe.answer(), request, str(self.interpreter))
        info = TargetInfo(
            kind="process" if self.pid is not None else "host",
            description=self.describe(),
            interpreter=str(self.interpreter),
            pid=self.pid,
        )
        return ProbeAnswer(facts=facts, target=info)
