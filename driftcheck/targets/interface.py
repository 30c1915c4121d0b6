"""The one protocol every target follows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

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
    """A place to snapshot. Every target subclasses this protocol, so its abilities are
    members with a default, read as attributes (never with ``getattr``)."""

    # The application is PID 1 (containers, images run): PID 1's environment is what it
    # sees, and the probe reads it.
    main_process_environ: ClassVar[bool] = False
    # The probe runs on this machine: the host reads the OS package databases itself,
    # in parallel, and asks the probe not to send them.
    reads_os_packages: ClassVar[bool] = False

    def describe(self) -> str:
        """A short phrase naming the target, for messages and the snapshot."""
        ...

    def default_label(self) -> str: ...

    def run_probe(self, request: ProbeRequest) -> ProbeAnswer: ...
