"""Applies a report's fix on B for real, then runs the program again.

The fix is the command the report prints (`pip install 'x==1'`, `unset NAME`,
`export NAME=value`), run in a copy of B's venv (the cached one stays as built) or in a
throwaway container of B's image, offline from the wheel cache.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from dataclasses import replace
from pathlib import Path

from build import BuiltPair, Ran, run_program
from diagnose import Finding


class CannotApply(Exception):
    """The fix is not a command this harness knows how to run."""


def _commands(fix: str) -> list[list[str]]:
    return [shlex.split(part) for part in fix.replace(";", "&&").split("&&") if part.strip()]


# B's snapshot was taken in a CI job: the fix is advice about its image, "pin x==1, y==2
# in the requirements the image installs and rebuild it"; rebuilt, B has those pins.
_CI_PINS = re.compile(
    r"in CI the job's image is the fix, not the job: pin (.+?) in the requirements"
)


def apply_fix_and_run(built: BuiltPair, finding: Finding, scratch: Path) -> Ran:
    pins = _CI_PINS.search(finding.fix_advice or "")
    if finding.fix_command is None and pins is not None:
        pinned = " ".join(shlex.quote(p.strip()) for p in pins.group(1).split(", "))
        finding = replace(finding, fix_command=f"pip install {pinned}", fix_on="B")
    if finding.fix_command is None or finding.fix_on != "B":
        raise CannotApply(f"the first finding has no command to run on B: {finding}")
    side = built.b
    env = dict(side.env)
    installs: list[list[str]] = []
    for words in _commands(finding.fix_command):
        if words[:2] == ["pip", "install"] or words[:4] == ["python", "-m", "pip", "install"]:
            installs.append(words[words.index("install") + 1 :])
        elif words[:1] == ["unset"] and len(words) == 2:
            env.pop(words[1], None)
        elif words[:1] == ["export"] and len(words) == 2 and "=" in words[1]:
            name, _, value = words[1].partition("=")
            env[name] = value
        else:
            raise CannotApply(f"not a command this test can run: {finding.fix_command!r}")
    if side.python is None:  # an image: a throwaway container, the wheels mounted read-only
        links = " ".join(f"--find-links /fix/{w.name}" for w in built.wheels)
        before = [
            f"{side.interpreter_in_image} -m pip install -q --no-index {links} "
            + " ".join(shlex.quote(a) for a in args)
            for args in installs
        ]
        changed = {k: v for k, v in env.items() if side.env.get(k) != v}
        return run_program(built, side, env=changed, before=before)
    venv = side.python.parent.parent
    copy = scratch / "venv"
    subprocess.run(["cp", "-a", str(venv), str(copy)], check=True)
    env = {k: v.replace(str(venv), str(copy)) for k, v in env.items()}
    python = copy / "bin" / "python"
    links = [arg for w in built.wheels for arg in ("--find-links", str(w))]
    for args in installs:
        done = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--no-index", *links, *args],
            capture_output=True, text=True, env={**env, "PIP_CONFIG_FILE": "/dev/null"},
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
    return run_program(built, replace(side, python=python, env=env))
