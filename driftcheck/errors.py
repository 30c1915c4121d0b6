"""One error hierarchy; the CLI maps each class to an exit code in one place.

Every message is a single line that names what failed and what to do next.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    DRIFT = 1
    USAGE = 2
    INVALID_INPUT = 3
    ENGINE_UNREACHABLE = 4
    PROBE_FAILED = 5
    SCHEMA_TOO_NEW = 6
    INTERNAL_ERROR = 70  # a bug in driftcheck: one line, the traceback with --debug
    INTERRUPTED = 130


class DriftcheckError(Exception):
    """Base for every error driftcheck reports to a user."""

    exit_code: ExitCode = ExitCode.USAGE


class UsageError(DriftcheckError):
    exit_code = ExitCode.USAGE


class InvalidSnapshotError(DriftcheckError):
    """A snapshot file is truncated, not JSON, or not shaped like a snapshot."""

    exit_code = ExitCode.INVALID_INPUT


class SchemaTooNewError(DriftcheckError):
    exit_code = ExitCode.SCHEMA_TOO_NEW


class EngineUnreachableError(DriftcheckError):
    exit_code = ExitCode.ENGINE_UNREACHABLE


class ProbeError(DriftcheckError):
    """The probe could not run in the target, or its output was unusable."""

    exit_code = ExitCode.PROBE_FAILED


class OutputError(DriftcheckError):
    """A snapshot could not be written; whatever was there before is intact."""

    exit_code = ExitCode.USAGE
