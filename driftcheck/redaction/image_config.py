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

from driftcheck.redaction.rules import redact_argv, redact_labels

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
    # The engine runs Entrypoint then Cmd as one command line: an option at the end of
    # one takes its value from the other, and the program the Entrypoint names gives
    # meaning to the Cmd's short options (redis-cli -a SECRET). Judged as one, cut back.
    argvs = [metadata.get(field) for field in COMMAND_FIELDS]
    if all(_is_argv(argv) for argv in argvs):
        entrypoint, command = (list(argv or ()) for argv in argvs)
        words, count_argv = redact_argv(entrypoint + command)
        out["entrypoint"] = words[: len(entrypoint)] if argvs[0] is not None else None
        out["command"] = words[len(entrypoint) :] if argvs[1] is not None else None
        count += count_argv
    else:
        for field, argv in zip(COMMAND_FIELDS, argvs, strict=True):
            if _is_argv(argv) and argv is not None:
                out[field], changed = redact_argv(argv)
                count += changed
    return out, count


def _is_argv(value: Any) -> bool:
    """None (not set), or a list of words: what the snapshot's model accepts."""
    return value is None or (
        isinstance(value, list | tuple) and all(isinstance(word, str) for word in value)
    )
