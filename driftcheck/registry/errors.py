"""Registry failures, each mapped to the exit code of its cause.

A registry that cannot be reached (unknown host, refused, timed out, TLS
failure, a 5xx answer) is a remote that does not answer, like a Docker engine:
exit 4. A name the registry does not know, or access it refuses, is the user's
to fix: exit 2. A manifest or blob that is malformed or fails its digest is
invalid input: the static reader's ``InvalidArchiveError`` (exit 3).
"""

from __future__ import annotations

from driftcheck.errors import DriftcheckError, ExitCode, UsageError


class RegistryUnreachableError(DriftcheckError):
    """The registry (or its token service, or its blob storage) did not answer usefully."""

    exit_code = ExitCode.ENGINE_UNREACHABLE


class RegistryAccessError(UsageError):
    """The registry wants credentials driftcheck does not have, or refuses the ones it has."""


class ImageNotFoundError(UsageError):
    """The repository, tag or digest is unknown to the registry, or has no such platform."""
