"""Where a container's Python lives, found as its own PATH and config would find it."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping, Sequence

from driftcheck.errors import ProbeError
from driftcheck.probe import status_error

COMMON_LOCATIONS = (
    "/opt/venv/bin/python",
    "/venv/bin/python",
    "/app/.venv/bin/python",
    "/usr/local/bin/python3",
    "/usr/bin/python3",
)
# An entrypoint that runs Python itself: python, python3, python3.12, python3.13t.
PYTHON_PROGRAM = re.compile(r"^python(\d(\.\d+)?t?)?$")
# What the runtime answers when argv[0] does not exist or cannot be executed.
MISSING_EXECUTABLE_STATUSES = (126, 127)


def env_list_to_dict(items: Sequence[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or ():
        name, _, value = item.partition("=")
        out[name] = value
    return out


def interpreter_candidates(
    python: str | None, configured_env: Mapping[str, str], program: Sequence[str] = ()
) -> list[str]:
    """Where to look for the image's Python, in order. PROGRAM is the configured command
    (entrypoint, then cmd): an interpreter it names by path is the one the image runs,
    whatever $VIRTUAL_ENV says; one it names by name is looked up along PATH."""
    if python:
        return [python]
    found: list[str] = []
    argv0 = program[0] if program else ""
    runs_python = bool(PYTHON_PROGRAM.match(posixpath.basename(argv0)))
    if runs_python and argv0.startswith("/"):
        found.append(argv0)
    venv = configured_env.get("VIRTUAL_ENV")
    if venv:
        found.append(venv.rstrip("/") + "/bin/python")
    if runs_python and "/" not in argv0:
        found.append(argv0)
    found += ["python3", "python", *COMMON_LOCATIONS]
    return list(dict.fromkeys(found))


def configured_program(
    entrypoint: Sequence[str] | None, command: Sequence[str] | None
) -> list[str]:
    """The argv a container of the image starts with: the entrypoint, then the command."""
    return [*(entrypoint or []), *(command or [])]


def is_missing_interpreter(status: int | None, has_answer: bool) -> bool:
    return status in MISSING_EXECUTABLE_STATUSES and not has_answer


def check_status(status: int | None, stderr: bytes, where: str) -> None:
    error = status_error(status, stderr, where)
    if error is not None:
        raise error


def no_interpreter(where: str, tried: Sequence[str]) -> ProbeError:
    return ProbeError(
        f"no Python interpreter in {where} (tried {', '.join(tried)}); name one with --python PATH"
    )
