"""Where a container's Python lives, found as its own PATH and config would find it."""

from __future__ import annotations

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
# What the runtime answers when argv[0] does not exist or cannot be executed.
MISSING_EXECUTABLE_STATUSES = (126, 127)


def env_list_to_dict(items: Sequence[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or ():
        name, _, value = item.partition("=")
        out[name] = value
    return out


def interpreter_candidates(python: str | None, configured_env: Mapping[str, str]) -> list[str]:
    if python:
        return [python]
    found: list[str] = []
    venv = configured_env.get("VIRTUAL_ENV")
    if venv:
        found.append(venv.rstrip("/") + "/bin/python")
    found += ["python3", "python", *COMMON_LOCATIONS]
    return list(dict.fromkeys(found))


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
