"""Reading and writing snapshot files: atomic writes, versioned reads.

Reader policy: the same MODEL is read (unknown fields are ignored with a
warning when the file comes from a newer REVISION); an older MODEL is migrated
in memory, never rewritten; a newer MODEL is refused with an upgrade hint.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import secrets
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from driftcheck import __version__
from driftcheck.errors import InvalidSnapshotError, OutputError, SchemaTooNewError
from driftcheck.snapshot.codec import ShapeError, field_names, from_jsonable
from driftcheck.snapshot.model import FORMAT, SCHEMA_VERSION, Snapshot
from driftcheck.snapshot.streams import write_through
from driftcheck.untrusted_json import JsonInputError, load_json

MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024
_OWN_FDS = "/proc/self/fd"  # linking an O_TMPFILE file needs it
CURRENT_MODEL = int(SCHEMA_VERSION.split(".")[0])
_VERSION = re.compile(r"([0-9]{1,6})\.([0-9]{1,6})")  # ASCII digits: int() takes others
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


def write_atomic(path: Path, text: str, *, create_folder: bool = False, option: str = "-o") -> None:
    """Temp file in the same folder, fsync, rename: the old file survives any failure.

    Where the filesystem allows (Linux O_TMPFILE), the temp file has no name until it
    is complete and synced, so a process killed while writing (SIGKILL, SIGTERM, the
    OOM killer) leaves nothing behind; only a kill between naming it and the rename,
    two system calls, can leave a complete ``.NAME.XXXX.tmp``. Elsewhere the temp file
    is named from the start and removed on every failure Python sees.
    `option` names the command-line option that chose the path, for the error message.
    A device, a FIFO or /dev/stdout is written through, never renamed over (streams.py).
    """
    if write_through(path, text, option=option):
        return
    folder = path.parent
    if not create_folder and not folder.is_dir():
        raise OutputError(f"cannot write {path}: folder {folder} does not exist; create it first")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, temp_name = _open_temp(path)
    except OSError as exc:
        raise OutputError(
            f"cannot write {path}: {exc.strerror or exc}; choose another {option}"
        ) from exc
    try:
        _set_mode(fd, path)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
            temp_name = temp_name or _name_temp(handle.fileno(), path)
        os.replace(temp_name, path)
    except BaseException as exc:
        if temp_name:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
        if isinstance(exc, OSError):
            raise OutputError(
                f"cannot write {path}: {exc.strerror or exc}; the previous file is intact"
            ) from exc
        raise
    _fsync_folder(folder)


def _open_temp(path: Path) -> tuple[int, str | None]:
    """An unnamed file in path's folder (name None) where possible, else a named one."""
    unnamed = getattr(os, "O_TMPFILE", 0)
    if unnamed and os.path.isdir(_OWN_FDS):
        try:
            return os.open(path.parent, unnamed | os.O_WRONLY | os.O_CLOEXEC, 0o600), None
        except OSError as exc:
            if exc.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
                raise
    return tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)


def _name_temp(fd: int, path: Path) -> str:
    """Gives the unnamed file a name beside path, so that it can be renamed over it."""
    folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for _ in range(100):
            name = f".{path.name}.{secrets.token_hex(4)}.tmp"
            try:
                # A directory fd makes os.link use linkat(AT_SYMLINK_FOLLOW), which links
                # the open file itself; plain link() would link the /proc symlink (EXDEV).
                os.link(f"{_OWN_FDS}/{fd}", name, dst_dir_fd=folder, follow_symlinks=True)
            except FileExistsError:
                continue
            return str(path.parent / name)
    finally:
        os.close(folder)
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(path.parent))


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


# Reads a JSON document of another format (an SBOM) into snapshot JSON; None: not its format.
OtherFormat = Callable[[dict[str, Any], str], "dict[str, Any] | None"]


def load(path: Path, *, other_format: OtherFormat | None = None) -> Snapshot:
    return loads(read_bounded(path), str(path), other_format=other_format)


def read_bounded(path: Path) -> bytes:
    """The bytes of a file that should hold a snapshot, refused past MAX_SNAPSHOT_BYTES."""
    if path.exists() and not path.is_file():
        raise InvalidSnapshotError(f"{path}: not a regular file; pass a snapshot file")
    try:
        with open(path, "rb") as handle:
            if os.fstat(handle.fileno()).st_size > MAX_SNAPSHOT_BYTES:  # refused unread
                raise InvalidSnapshotError(f"{path}: larger than {MAX_SNAPSHOT_BYTES} bytes")
            raw = handle.read(MAX_SNAPSHOT_BYTES + 1)
    except FileNotFoundError as exc:
        raise InvalidSnapshotError(
            f"{path}: no such file; check the path, or name a live target (host, "
            "python:PATH, pid:N, container:NAME, image:REF, archive:PATH, registry:REF)"
        ) from exc
    except OSError as exc:
        raise InvalidSnapshotError(f"{path}: cannot read it ({exc.strerror or exc})") from exc
    if len(raw) > MAX_SNAPSHOT_BYTES:
        raise InvalidSnapshotError(f"{path}: larger than {MAX_SNAPSHOT_BYTES} bytes")
    return raw


def loads(raw: bytes | str, name: str, *, other_format: OtherFormat | None = None) -> Snapshot:
    """A snapshot from its JSON; ``other_format`` may read a document that is not one
    (the layers above pass the SBOM reader: this module knows snapshots only)."""
    try:
        data = load_json(raw)
    except JsonInputError as exc:
        raise InvalidSnapshotError(f"{name}: {exc}; is it a snapshot, and complete?") from None
    if other_format is not None and isinstance(data, dict) and data.get("format") != FORMAT:
        data = other_format(data, name) or data
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InvalidSnapshotError(
            f"{name}: not a driftcheck snapshot (no format: {FORMAT!r}); pass a file that "
            "`driftcheck snapshot` wrote, or name a live target"
        )
    data = _upgrade(data, name)
    data = _redact_again(data)
    try:
        return from_jsonable(Snapshot, data)
    except ShapeError as exc:
        raise InvalidSnapshotError(f"{name}: not a valid snapshot ({exc})") from exc


def _redact_again(data: dict[str, Any]) -> dict[str, Any]:
    """A file may predate today's rules or have been edited: redact as if it were new."""
    from driftcheck.redaction.image_config import redact_image_config
    from driftcheck.redaction.sweep import host_redact_environment, sweep_document

    if isinstance(data.get("environment"), dict):
        data["environment"] = host_redact_environment(data["environment"], None)[0]
    container = data.get("container")
    if isinstance(container, dict):
        if isinstance(container.get("configured_env"), dict):
            env = container["configured_env"]
            container["configured_env"] = host_redact_environment(env, None)[0]
        data["container"] = redact_image_config(container)[0]
    swept: dict[str, Any] = sweep_document(data)
    return swept


def _upgrade(data: dict[str, Any], name: str) -> dict[str, Any]:
    version = data.get("schema_version")
    if version is None:
        raise InvalidSnapshotError(f"{name}: no schema_version; is it a complete snapshot?")
    match = _VERSION.fullmatch(version) if isinstance(version, str) else None
    if match is None:
        raise InvalidSnapshotError(f"{name}: schema_version {version!r} is not MODEL.REVISION")
    model, revision = int(match[1]), int(match[2])
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
            f"driftcheck: warning: {name} has schema {model}.{revision}, newer than "
            f"{SCHEMA_VERSION}; fields this version does not know are ignored",
            file=sys.stderr,
        )
    while model < CURRENT_MODEL:
        migrate = MIGRATIONS.get(model)
        if migrate is None:
            raise InvalidSnapshotError(
                f"{name}: schema {model}.{revision} is older than any this driftcheck "
                f"reads (oldest {min([*MIGRATIONS, CURRENT_MODEL])}.0); it cannot be migrated"
            )
        data, model = migrate(data), model + 1
    data["schema_version"] = SCHEMA_VERSION
    return data
