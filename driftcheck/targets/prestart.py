"""A host snapshot's probe, started before the rest of driftcheck is imported.

`driftcheck snapshot` spends ~80 ms of CPU importing its command line and snapshot
code, none of which the probe needs. The console script (`driftcheck.cli.entry`)
starts the probe of a plain host snapshot first; `HostInterpreter.run_probe`
adopts it when it would start the very same run (interpreter, environment,
working folder, options), and starts its own otherwise. A probe nobody adopts is
killed at exit: it writes nothing, so nothing is left behind.
"""

from __future__ import annotations

import atexit

from driftcheck.probe import ProbeRequest, build_request
from driftcheck.targets.local_run import LocalProbe, start_local_probe

TYPE_CHECKING = False  # imported before the probe starts: types only for mypy
if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

_Key = tuple[str, "tuple[tuple[str, str], ...] | None", "str | None", "str | None", bool, bool]
_started: dict[_Key, tuple[LocalProbe, ProbeRequest]] = {}


def _key(
    interpreter: Path, environ: Mapping[str, str] | None, cwd: str | None, request: ProbeRequest
) -> _Key:
    env = tuple(sorted(environ.items())) if environ is not None else None
    options = request.fingerprint_key, request.main_process_environ, request.os_packages
    return (str(interpreter), env, cwd, *options)


def start(
    interpreter: Path, environ: Mapping[str, str], fingerprint_key: str | None = None
) -> None:
    """Starts the probe a host snapshot of INTERPRETER with ENVIRON will ask for."""
    request = build_request(fingerprint_key, os_packages=False)  # see HostInterpreter
    probe = start_local_probe(interpreter, request, env=environ)
    if not _started:
        atexit.register(discard_all)
    _started[_key(interpreter, environ, None, request)] = (probe, request)


def claim(
    interpreter: Path, environ: Mapping[str, str] | None, cwd: str | None, request: ProbeRequest
) -> tuple[LocalProbe, ProbeRequest] | None:
    """The probe started for exactly this run, with the request it was started with."""
    if not _started:
        return None
    return _started.pop(_key(interpreter, environ, cwd, request), None)


def discard_all() -> None:
    while _started:
        probe, _ = _started.popitem()[1]
        probe.discard()
