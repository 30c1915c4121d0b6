"""Stops a probe left running in a container after driftcheck gave up on it.

The engine does not end an exec'd process when its client goes away (a probe
past its deadline, over its output limit, or interrupted by Ctrl-C), and its API
has no call to kill one. So every probe carries a random tag in its argv, and a
second exec of the same interpreter, isolated from the target's start-up hooks
(``-I -S``: no ``PYTHON*`` variables, no ``site``, no ``.pth`` files, no
``sitecustomize``), kills the processes carrying that tag and their descendants.
"""

from __future__ import annotations

import secrets

from driftcheck.errors import DriftcheckError
from driftcheck.targets.exec_engine import ExecEngine

REAPER_TIMEOUT_SECONDS = 10.0
REAPER_MAX_OUTPUT = 64 * 1024

# Runs in the target: stdlib only, CPython 3.8 syntax. Prints how many it killed.
REAPER_SCRIPT = """\
import os, signal, sys
tag = sys.argv[1].encode()
me = os.getpid()
parents, tagged = {}, set()
for name in os.listdir('/proc'):
    if not name.isdigit():
        continue
    pid = int(name)
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as handle:
            argv = handle.read().split(b'\\0')
        with open('/proc/%d/stat' % pid, 'rb') as handle:
            parents[pid] = int(handle.read().rsplit(b')', 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        continue
    if pid != me and tag in argv:
        tagged.add(pid)
grown = True
while grown:
    children = {p for p, parent in parents.items() if parent in tagged and p != me}
    grown = not children <= tagged
    tagged |= children
for pid in tagged:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
print(len(tagged))
"""


def new_tag() -> str:
    """A tag no other process in the container has in its argv."""
    return f"driftcheck-probe-{secrets.token_hex(8)}"


def kill_tagged(engine: ExecEngine, container_id: str, interpreter: str, tag: str) -> int:
    """Kills the probe processes carrying *tag*; returns how many, or -1 if it could not tell.

    Best effort: the container may be gone or stopping, which ends the probe anyway.
    """
    argv = [interpreter, "-I", "-S", "-c", REAPER_SCRIPT, tag]
    try:
        result = engine.exec_with_stdin(
            container_id, argv, b"", timeout=REAPER_TIMEOUT_SECONDS, max_bytes=REAPER_MAX_OUTPUT
        )
    except DriftcheckError:
        return -1
    try:
        return int(result.stdout.strip() or b"-1") if result.exit_code == 0 else -1
    except ValueError:
        return -1
