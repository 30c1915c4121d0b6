"""Secrets in an image's or a container's configuration: labels, Entrypoint and Cmd.

Environment variables are judged by name and value (`sweep.host_redact_environment`);
labels and command lines need more than a sweep of each string, which cannot see that
``org.example.db.password`` names a password, nor that the word after
``--db-password`` is one. Applied where the configuration is read (the engine's and
the archive's readers) and again by the host when it builds or reads a snapshot.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from driftcheck.probe._secrets import redact_argv, redact_labels

COMMAND_FIELDS = ("entrypoint", "command")


def redact_image_config(metadata: Mapping[str, Any]) -> tuple[dict[str, Any], int]:
    """A copy of METADATA (shaped like `targets.image_metadata.image_metadata()`) with
    secret label values and option values replaced, and how many values changed.

    Anything not shaped as expected is left for the snapshot's decoder to refuse.
    """
    out = dict(metadata)
    count = 0
    labels = metadata.get("labels")
    if isinstance(labels, Mapping):
        out["labels"], count = redact_labels(labels)
    for field in COMMAND_FIELDS:
        argv = metadata.get(field)
        if isinstance(argv, list | tuple) and all(isinstance(word, str) for word in argv):
            out[field], changed = redact_argv(argv)
            count += changed
    return out, count
