"""The host target: a Python interpreter on this machine, or a running process."""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar

from driftcheck.parsers.result import ParseResult
from driftcheck.probe import ProbeRequest, parse_output
from driftcheck.redaction.sweep import prescrub
from driftcheck.snapshot.model import OsPackage, TargetInfo, Unknown
from driftcheck.targets.build import parse_package_databases
from driftcheck.targets.interface import ProbeAnswer, Target
from driftcheck.targets.local_run import PROBE_TIMEOUT_SECONDS, start_local_probe
from driftcheck.targets.prestart import claim


@dataclass(frozen=True)
class HostInterpreter(Target):
    """Probes an interpreter with a given environment (the user's, by default).

    The probe runs on this machine and sees its files: while it reads the
    interpreter's distributions, the host reads and parses the OS package
    databases (~25 ms for a Debian host) with the probe's own reader, so the
    probe need not send them.
    """

    reads_os_packages: ClassVar[bool] = True
    interpreter: Path
    chosen_by: str
    environ: Mapping[str, str] | None = None
    cwd: str | None = None
    pid: int | None = None
    extra: Mapping[str, str] = field(default_factory=dict)
    timeout: float = PROBE_TIMEOUT_SECONDS

    def describe(self) -> str:
        if self.pid is not None:
            return f"process {self.pid} ({self.interpreter})"
        return f"{self.interpreter} (chosen by {self.chosen_by})"

    def default_label(self) -> str:
        if self.pid is not None:
            return f"pid-{self.pid}"
        if self.chosen_by == "--python":
            return environment_label(self.interpreter)
        return "host"

    def run_probe(self, request: ProbeRequest) -> ProbeAnswer:
        started = claim(self.interpreter, self.environ, self.cwd, request)
        if started is None:
            probe = start_local_probe(self.interpreter, request, env=self.environ, cwd=self.cwd)
        else:
            probe, request = started  # started before the CLI's imports, with its own markers
        # A request that asks the probe for them (ProcessTarget's) gets them from the probe.
        os_packages = None if request.os_packages else read_os_packages()
        facts = parse_output(probe.answer(self.timeout), request, str(self.interpreter))
        info = TargetInfo(
            kind="process" if self.pid is not None else "host",
            description=self.describe(),
            interpreter=str(self.interpreter),
            pid=self.pid,
        )
        return ProbeAnswer(facts=facts, target=info, os_packages=os_packages)


def read_os_packages() -> ParseResult:
    """This machine's OS packages, read by the probe's own reader, parsed, and their
    strings scrubbed into the sweep's cache (build_snapshot's sweep then finds them)."""
    reader: Any = importlib.import_module("driftcheck.probe._probe")  # untyped, stdlib-only
    collector = reader.Collector()
    parsed = parse_package_databases(reader.os_package_databases(collector))
    names = [f.name for f in fields(OsPackage)]
    values = (getattr(package, name) for package in parsed.packages for name in names)
    prescrub(value for value in values if isinstance(value, str))
    problems = tuple(Unknown(str(u["field"]), str(u["reason"])) for u in collector.unknowns)
    return ParseResult(parsed.packages, parsed.unknowns + problems)


GENERIC_VENV_NAMES = frozenset({".venv", "venv", "env", ".env", "virtualenv", ".virtualenv"})


def environment_label(interpreter: Path) -> str:
    """A label after the environment an interpreter belongs to: a venv by its folder
    (``/work/shop/.venv/bin/python`` → ``shop-venv``), any other by its program name
    (``python3.12``). Only the characters a label may hold are kept."""
    bin_dir = interpreter.parent
    prefix = bin_dir.parent
    if (prefix / "pyvenv.cfg").is_file():
        name = prefix.name
        if name.lower() in GENERIC_VENV_NAMES and prefix.parent.name:
            name = f"{prefix.parent.name}-{name.lstrip('.')}"
    else:
        name = interpreter.name
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-._")
    return cleaned[:100] or "host"
