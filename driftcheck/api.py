"""The library surface the CLI calls; no engine logic lives in command functions."""

from __future__ import annotations

import os
from collections.abc import Mapping

from driftcheck.probe import build_request
from driftcheck.snapshot.build import build_snapshot
from driftcheck.snapshot.model import Snapshot
from driftcheck.targets.host import HostInterpreter
from driftcheck.targets.interface import Target
from driftcheck.targets.interpreter import resolve_interpreter
from driftcheck.targets.process import ProcessTarget

FINGERPRINT_KEY_VARIABLE = "DRIFTCHECK_FINGERPRINT_KEY"


def host_target(
    python: str | None = None, pid: int | None = None, environ: Mapping[str, str] | None = None
) -> Target:
    if pid is not None:
        return ProcessTarget(pid)
    environ = os.environ if environ is None else environ
    interpreter, chosen_by = resolve_interpreter(python, environ)
    # driftcheck's own key is configuration of the tool, not of the user's program.
    probed = {k: v for k, v in environ.items() if k != FINGERPRINT_KEY_VARIABLE}
    return HostInterpreter(interpreter, chosen_by, environ=probed)


def fingerprint_key(environ: Mapping[str, str] | None = None) -> bytes | None:
    value = (os.environ if environ is None else environ).get(FINGERPRINT_KEY_VARIABLE)
    return value.encode("utf-8") if value else None


def take_snapshot(
    target: Target,
    *,
    label: str | None = None,
    anonymize: bool = False,
    key: bytes | None = None,
) -> Snapshot:
    request = build_request(key.decode("utf-8") if key else None)
    answer = target.run_probe(request)
    return build_snapshot(
        answer.facts,
        target=answer.target,
        label=label or target.default_label(),
        fingerprint_key=key,
        anonymize=anonymize,
    )
