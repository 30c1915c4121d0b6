"""The library surface the CLI calls; no engine logic lives in command functions."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from driftcheck.probe import FINGERPRINT_KEY_VARIABLE
from driftcheck.targets.select import select_target

__all__ = ["fingerprint_key", "load_or_take", "select_target", "take_snapshot"]

if TYPE_CHECKING:  # the probe and the snapshot builder load only when a target is probed
    from driftcheck.snapshot.model import Snapshot
    from driftcheck.targets.interface import Target


def fingerprint_key(environ: Mapping[str, str] | None = None) -> bytes | None:
    value = (os.environ if environ is None else environ).get(FINGERPRINT_KEY_VARIABLE)
    return value.encode("utf-8") if value else None


def take_snapshot(
    target: Target,
    *,
    label: str | None = None,
    anonymize: bool = False,
    key: bytes | None = None,
) -> Snapshot:
    from driftcheck.probe import build_request
    from driftcheck.targets.build import build_snapshot

    request = build_request(
        key.decode("utf-8") if key else None,
        main_process_environ=target.main_process_environ,
        os_packages=not target.reads_os_packages,
    )
    answer = target.run_probe(request)
    return build_snapshot(
        answer.facts,
        target=answer.target,
        container=answer.container,
        os_packages=answer.os_packages,
        label=label or target.default_label(),
        fingerprint_key=key,
        anonymize=anonymize,
    )


def load_or_take(
    text: str, *, key: bytes | None = None, label: str | None = None, anonymize: bool = False
) -> Snapshot:
    """A snapshot file, a stored one (`@last-pass`), or a live reference (`host`,
    `container:web`, …) snapshotted now."""
    from driftcheck.report.readback import load_snapshot_file
    from driftcheck.targets.reference import parse_reference, target_for

    reference = parse_reference(text)
    if reference.kind == "store":  # @last-pass, @latest, @ID: label names the default label
        from driftcheck.store.references import load_stored

        snapshot = load_stored(reference.value, label=label)
    elif reference.kind != "file":
        return take_snapshot(target_for(reference), key=key, label=label, anonymize=anonymize)
    else:
        from driftcheck.lockfiles.side import side_for_file

        # A lockfile (uv.lock, pylock.toml, …): its markers are evaluated when it meets the
        # other side; else a snapshot file or a report embedding one (FILE.md#2).
        snapshot = side_for_file(reference.value) or load_snapshot_file(reference.value)
    if anonymize:
        from driftcheck.snapshot.anonymize import anonymize_snapshot

        snapshot = anonymize_snapshot(snapshot)
    return snapshot
