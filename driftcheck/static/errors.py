"""Errors of the static reader, all "invalid input" (exit 3) to the CLI.

An image archive is input like a snapshot file: truncated, corrupt or hostile,
it is refused with one line naming the archive part (layer, blob, manifest)
that failed, never with a traceback. Choosing among several images is the
user's job, so an ambiguous or unknown tag is a usage error (exit 2).
"""

from __future__ import annotations

from driftcheck.errors import InvalidSnapshotError, UsageError


class InvalidArchiveError(InvalidSnapshotError):
    """An image archive is malformed: bad manifest, missing blob, digest mismatch, truncated."""


class HostileArchiveError(InvalidArchiveError):
    """An archive tried to escape the image root or to exhaust memory, disk or time."""


class ImageChoiceError(UsageError):
    """An archive holds several images (or none with the tag asked for); names the tags."""
