"""The one protocol every target follows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from driftcheck.probe import ProbeRequest
from driftcheck.snapshot.model import TargetInfo


@dataclass(frozen=True)
class ProbeAnswer:
    """The probe's raw answer and the description of where it came from."""

    facts: Mapping[str, Any]
    target: TargetInfo
    container: Mapping[str, Any] | None = None  # engine metadata, untrusted like facts


class Target(Protocol):
    """A place to snapshot. Targets whose application is PID 1 (containers) also set
    a class attribute ``main_process_environ = True``: PID 1's environment is what
    the application sees."""

    def describe(self) -> str:
        """A short phrase naming the target, for messages and the snapshot."""
        ...

    def default_label(self) -> str: ...

    def run_probe(self, request: ProbeRequest) -> ProbeAnswer: ...
