"""The format-neutral content of an SBOM document, as the readers find it.

A reader (cyclonedx_read, spdx_read) walks an untrusted JSON document and keeps
only what driftcheck can compare: package URLs, and the OS where the document
says so. Anything malformed in one component is a problem noted with its
place, never an abort; only a document whose shape is wrong as a whole is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SBOM_MODE = "sbom"  # the target mode of a snapshot read from an SBOM
MAX_COMPONENTS = 200_000  # syft lists ~5,000 for a large image
MAX_TEXT = 1024  # a name, version or label longer than this is not one
MAX_PROBLEMS = 20  # the rest are counted


class SbomShapeError(ValueError):
    """The document as a whole is not the SBOM it claims to be; the message says why."""


@dataclass(frozen=True)
class Component:
    where: str  # "components[3]", "packages[12]"
    purl: str


@dataclass(frozen=True)
class OsRelease:
    id: str
    version_id: str | None = None
    pretty_name: str | None = None


@dataclass
class SbomContent:
    format: str  # "CycloneDX 1.6", "SPDX-2.3"
    subject: str | None = None
    created: str | None = None
    tool: str | None = None
    operating_system: OsRelease | None = None
    components: list[Component] = field(default_factory=list)
    without_purl: int = 0
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0

    def problem(self, text: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(text)


def text_field(item: Mapping[str, Any], key: str) -> str | None:
    """A short string, or None: a value of another type or length is not used."""
    value = item.get(key)
    if isinstance(value, str) and 0 < len(value) <= MAX_TEXT:
        return value
    return None


def object_list(item: Mapping[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    """The objects of a list field; the field missing is an empty list, another type an
    error, and non-object items are left out."""
    value = item.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise SbomShapeError(f"{where}{key} is {type(value).__name__}, not a list")
    return [entry for entry in value if isinstance(entry, dict)]
