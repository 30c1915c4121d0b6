"""A running process on this machine: the environment the broken program really had."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import psutil

from driftcheck.errors import ProbeError, UsageError
from driftcheck.probe import ProbeRequest
from driftcheck.targets.host import HostInterpreter
from driftcheck.targets.interface import ProbeAnswer, Target
from driftcheck.targets.interpreter import resolve_interpreter


@dataclass(frozen=True)
class ProcessTarget(Target):
    pid: int

    def describe(self) -> str:
        return f"process {self.pid}"

    def default_label(self) -> str:
        return f"pid-{self.pid}"

    def run_probe(self, request: ProbeRequest) -> ProbeAnswer:
        exe, environ, cwd = self._inspect()
        if _looks_like_python(exe):
            target = HostInterpreter(Path(exe), "--pid", environ=environ, cwd=cwd, pid=self.pid)
            return target.run_probe(request)
        # Not a Python process: its environment and OS facts are still worth having.
        python, _ = resolve_interpreter(None, os.environ)
        answer = HostInterpreter(python, "PATH", environ=environ, cwd=cwd, pid=self.pid).run_probe(
            request
        )
        facts = dict(answer.facts)
        facts["python"], facts["distributions"], facts["pth_files"] = None, [], []
        facts["startup"] = None  # another interpreter's start-up, not this process's
        reason = f"process {self.pid} runs {exe}, which is not a Python interpreter"
        facts["unknowns"] = [*facts.get("unknowns", []), {"field": "python", "reason": reason}]
        info = replace(
            answer.target, description=f"process {self.pid} ({exe}, not Python)", interpreter=None
        )
        return ProbeAnswer(facts=facts, target=info)

    def _inspect(self) -> tuple[str, dict[str, str], str | None]:
        try:
            proc = psutil.Process(self.pid)
            with proc.oneshot():
                environ = proc.environ()
                try:
                    cwd: str | None = proc.cwd()
                except (psutil.AccessDenied, FileNotFoundError):
                    cwd = None
                exe = _as_invoked(proc.exe(), proc.cmdline(), environ, cwd or "/")
        except psutil.NoSuchProcess as exc:
            raise UsageError(f"no process with pid {self.pid}; check `ps` for it") from exc
        except psutil.AccessDenied as exc:
            raise ProbeError(
                f"permission denied reading process {self.pid}; run driftcheck as its user"
            ) from exc
        if not exe:
            raise ProbeError(f"process {self.pid} has no readable executable (a kernel thread?)")
        return exe, environ, cwd if cwd and os.path.isdir(cwd) else None


def _as_invoked(exe: str, cmdline: list[str], environ: dict[str, str], cwd: str) -> str:
    """The path the process was started with: a venv's bin/python, not the binary it links to.

    /proc/PID/exe resolves symlinks, which loses the virtual environment (Python
    finds pyvenv.cfg next to the path it was invoked as).
    """
    if not cmdline:
        return exe
    first = cmdline[0]
    if os.sep in first:
        candidate = first if os.path.isabs(first) else os.path.join(cwd, first)
    else:
        candidate = shutil.which(first, path=environ.get("PATH", os.defpath)) or ""
    try:
        if candidate and os.path.samefile(candidate, exe):
            return candidate
    except OSError:
        pass
    return exe


def _looks_like_python(exe: str) -> bool:
    name = os.path.basename(exe).lower()
    return name.startswith(("python", "pypy"))
