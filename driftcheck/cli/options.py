"""Option types shared by several commands (diff, check, report)."""

from __future__ import annotations

from enum import Enum


class ReportFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


class FailOn(str, Enum):
    never = "never"
    info = "info"
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


class ReportFileFormat(str, Enum):
    """The formats of `driftcheck report` (a ticket body, or a page to attach)."""

    markdown = "markdown"
    html = "html"


class SbomFormat(str, Enum):
    """The SBOM formats of `driftcheck export`."""

    cyclonedx = "cyclonedx"
    spdx = "spdx"
