"""What --project learned about a project, before it meets any snapshot."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from driftcheck.errors import DriftcheckError, ExitCode


class ProjectFileError(DriftcheckError):
    """A project file (pyproject.toml, setup.cfg) cannot be parsed."""

    exit_code = ExitCode.INVALID_INPUT


@dataclass(frozen=True)
class Declared:
    """Requirements a project declares: canonical name → where, in a few words."""

    names: Mapping[str, tuple[str, ...]]
    project_name: str | None  # the project's own distribution, canonical
    files: tuple[str, ...]  # the files read, relative to the project folder
    notes: tuple[str, ...] = ()
    # Extras the program's own requirements select (`requests[socks]`): name → extras.
    extras: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Imports:
    """Absolute imports found in the project's code: dotted module name → files."""

    modules: Mapping[str, tuple[str, ...]]
    local_modules: frozenset[str]  # top-level modules and packages the project itself holds
    files_scanned: int
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProjectFacts:
    root: Path
    declared: Declared
    imports: Imports = field(default_factory=lambda: Imports({}, frozenset(), 0))

    @property
    def notes(self) -> tuple[str, ...]:
        return self.declared.notes + self.imports.notes
