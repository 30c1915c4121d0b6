"""The one protocol every target follows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from driftcheck.parsers.result import ParseResult
from driftcheck.probe import ProbeRequest
from driftcheck.snapshot.model import TargetInfo


@dataclass(frozen=True)
class ProbeAnswer:
    """The probe's raw answer and the description of where it came from."""

    facts: Mapping[str, Any]
    target: TargetInfo
    container: Mapping[str, Any] | None = None  # engine metadata, untrusted like facts
    # OS packages a local target's host read and parsed itself while the probe ran;
    # None: they are parsed from the probe's facts["os_packages_raw"].
    os_packages: ParseResult | None = None


class Target(Protocol):
    """A place to snapshot. Targets whose application is PID 1 (containers) also set
    a class attribute ``main_process_environ = True``: PID 1's environment is what
    the application sees. Targets whose probe runs on this machine set
    ``reads_os_packages = True``: they read the OS package databases themselves, in
    parallel with the probe, which is then asked not to send them."""

    def describe(self) -> str:
        """A short phrase naming the target, for messages and the snapshot."""
        ...

    def default_label(self) -> str: ...

    def run_probe(self, request: ProbeRequest) -> ProbeAnswer: ...
