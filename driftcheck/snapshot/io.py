"""Reading and writing snapshot files: atomic writes, versioned reads.

Reader policy: the same MODEL is read (unknown fields are ignored with a
warning when the file comes from a newer REVISION); an older MODEL is migrated
in memory, never rewritten; a newer MODEL is refused with an upgrade hint.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from driftcheck import __version__
from driftcheck.errors import InvalidSnapshotError, OutputError, SchemaTooNewError
from driftcheck.snapshot.codec import ShapeError, field_names, from_jsonable
from driftcheck.snapshot.model import FORMAT, SCHEMA_VERSION, Snapshot

MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024
CURRENT_MODEL = int(SCHEMA_VERSION.split(".")[0])
# MODEL n -> function turning a dict of MODEL n into one of MODEL n + 1.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def dumps(snapshot: Snapshot) -> str:
    """One entry per line: snapshots are committed, and a line per distribution, package
    or variable makes their git diffs readable. It also keeps to json's fast C encoder
    (indent= falls back to the slow pure-Python one), which meets the model's
    dataclasses through its `default` hook instead of a converted copy of the whole
    snapshot. ASCII only: a value holding terminal escapes stays escaped in the file."""
    document = _shallow(snapshot)
    fields = [f"  {_compact(key)}: {_block(_shallow(document[key]))}" for key in sorted(document)]
    return "{\n" + ",\n".join(fields) + "\n}\n"


def _block(value: Any) -> str:
    if isinstance(value, list | tuple) and value:
        return "[\n" + ",\n".join(f"    {_compact(item)}" for item in value) + "\n  ]"
    if isinstance(value, dict) and value:
        items = [f"    {_compact(k)}: {_compact(value[k])}" for k in sorted(value)]
        return "{\n" + ",\n".join(items) + "\n  }"
    return _compact(value)


def _shallow(value: Any) -> Any:
    """A dataclass or mapping as a dict of its fields, left unconverted below that."""
    names = field_names(type(value))  # type: ignore[arg-type]
    if names is not None:
        out: dict[str, Any] = {"redacted": True} if type(value).__name__ == "Redacted" else {}
        for name in names:
            out[name] = getattr(value, name)
        return out
    if isinstance(value, Mapping) and not isinstance(value, dict):
        return {str(k): v for k, v in value.items()}
    return value


_ENCODER = json.JSONEncoder(
    sort_keys=True, ensure_ascii=True, separators=(", ", ": "), default=_shallow
)


def _compact(value: Any) -> str:
    return _ENCODER.encode(value)


def write_atomic(path: Path, text: str, *, create_folder: bool = False) -> None:
    """Temp file in the same folder, fsync, rename: the old file survives any failure."""
    folder = path.parent
    if not create_folder and not folder.is_dir():
        raise OutputError(f"cannot write {path}: folder {folder} does not exist; create it first")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}; choose another -o") from exc
    try:
        _set_mode(fd, path)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        if isinstance(exc, OSError):
            raise OutputError(
                f"cannot write {path}: {exc.strerror or exc}; the previous file is intact"
            ) from exc
        raise
    _fsync_folder(folder)


def _set_mode(fd: int, path: Path) -> None:
    """mkstemp makes 0600 files: keep the mode of the file replaced, else the umask's."""
    if os.name != "posix":
        return
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.fchmod(fd, mode)


def _fsync_folder(folder: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def save(snapshot: Snapshot, path: Path, *, create_folder: bool = False) -> None:
    write_atomic(path, dumps(snapshot), create_folder=create_folder)


def load(path: Path) -> Snapshot:
    if path.exists() and not path.is_file():
        raise InvalidSnapshotError(f"{path}: not a regular file; pass a snapshot file")
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_SNAPSHOT_BYTES + 1)
    except FileNotFoundError as exc:
        raise InvalidSnapshotError(f"{path}: no such file") from exc
    except OSError as exc:
        raise InvalidSnapshotError(f"{path}: cannot read it ({exc.strerror or exc})") from exc
    if len(raw) > MAX_SNAPSHOT_BYTES:
        raise InvalidSnapshotError(f"{path}: larger than {MAX_SNAPSHOT_BYTES} bytes")
    return loads(raw, str(path))


def loads(raw: bytes | str, name: str) -> Snapshot:
    try:
        data = json.loads(raw)
    except UnicodeDecodeError as exc:
        raise InvalidSnapshotError(f"{name}: not UTF-8 text; is it a snapshot?") from exc
    except RecursionError as exc:
        raise InvalidSnapshotError(f"{name}: JSON nested too deeply to be a snapshot") from exc
    except ValueError as exc:
        raise InvalidSnapshotError(
            f"{name}: not valid JSON ({_short(exc)}); the file may be truncated"
        ) from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InvalidSnapshotError(f"{name}: not a driftcheck snapshot (no format: {FORMAT!r})")
    data = _upgrade(data, name)
    data = _redact_again(data)
    try:
        return from_jsonable(Snapshot, data)
    except ShapeError as exc:
        raise InvalidSnapshotError(f"{name}: not a valid snapshot ({exc})") from exc


def _redact_again(data: dict[str, Any]) -> dict[str, Any]:
    """A file may predate today's rules or have been edited: redact as if it were new."""
    from driftcheck.redaction.sweep import host_redact_environment, sweep

    if isinstance(data.get("environment"), dict):
        data["environment"] = host_redact_environment(data["environment"], None)[0]
    container = data.get("container")
    if isinstance(container, dict) and isinstance(container.get("configured_env"), dict):
        container["configured_env"] = host_redact_environment(container["configured_env"], None)[0]
    swept: dict[str, Any] = sweep(data)[0]
    return swept


def _upgrade(data: dict[str, Any], name: str) -> dict[str, Any]:
    version = data.get("schema_version")
    try:
        model, revision = (int(part) for part in str(version).split("."))
    except ValueError as exc:
        raise InvalidSnapshotError(
            f"{name}: schema_version {version!r} is not MODEL.REVISION"
        ) from exc
    if model > CURRENT_MODEL:
        generator = data.get("generator")
        writer = generator.get("version") if isinstance(generator, dict) else None
        writer = writer if isinstance(writer, str) else "a newer driftcheck"
        raise SchemaTooNewError(
            f"{name}: written by driftcheck {writer} with schema {version}; this driftcheck "
            f"{__version__} reads schema {SCHEMA_VERSION} and older; upgrade driftcheck"
        )
    if model == CURRENT_MODEL and revision > int(SCHEMA_VERSION.split(".")[1]):
        print(
            f"driftcheck: warning: {name} has schema {version}, newer than {SCHEMA_VERSION}; "
            "fields this version does not know are ignored",
            file=sys.stderr,
        )
    while model < CURRENT_MODEL:
        migrate = MIGRATIONS.get(model)
        if migrate is None:
            raise InvalidSnapshotError(f"{name}: schema {version} is no longer readable")
        data, model = migrate(data), model + 1
    data["schema_version"] = SCHEMA_VERSION
    return data


def _short(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
