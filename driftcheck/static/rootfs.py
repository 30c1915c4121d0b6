"""An image's root filesystem as an in-memory union of its layers; nothing touches the disk.

Layers are applied in order, the way overlayfs stacks them: ``.wh.NAME`` deletes
NAME from the layers below, ``.wh..wh..opq`` hides everything below in its
folder, a non-folder replaces a folder with all it held. Whiteouts act on the
layers below only, so each layer is read in full before it is applied.

Only an index of entries is kept, plus the content of the few files the
collectors asked for (a ``Wanted`` callback decides, per path, while the single
pass over each layer streams by). One pass suits every source: a non-seekable
``docker export`` stream, a gzip blob (re-reading means decompressing again),
and the digest check, which sees the very bytes that were parsed.

Image content is hostile: names are normalised and may not leave the root;
symbolic links resolve inside the image only (absolute targets from the image
root, ``..`` stops at the root), for at most 40 hops; what cannot be resolved
is recorded and the walk goes on. Entry count, entry size, bytes walked and
bytes kept are bounded, and a bound hit names the layer.
"""

from __future__ import annotations

import posixpath
import re
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from driftcheck.static.chunks import CHUNK, Readable
from driftcheck.static.errors import HostileArchiveError, InvalidArchiveError
from driftcheck.static.shared import NotRegularFileError
from driftcheck.static.tarheader import (
    BLOCK_DEVICE,
    CHAR_DEVICE,
    DIRECTORY,
    FIFO,
    HARD_LINK,
    SYMLINK,
)
from driftcheck.static.tarstream import (
    MAX_TAR_HEADER,
    ChunkReader,
    TarEntry,
    TarFormatError,
    TarHeaderTooLarge,
    TarReader,
)

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB
WHITEOUT = ".wh."
OPAQUE = ".wh..wh..opq"
MAX_NAME = 4096  # PATH_MAX: no real image has longer names or link targets
MAX_ISSUES = 50


@dataclass(frozen=True)
class Limits:
    """Bounds on what one image may cost; hitting one is a HostileArchiveError (exit 3)."""

    max_entries: int = 1_000_000  # tar entries, all layers together
    max_entry_bytes: int = 16 * GiB  # declared size of any one entry
    max_total_bytes: int = 64 * GiB  # bytes read, decompressed or not, all layers together
    max_kept_bytes: int = 256 * MiB  # file content kept in memory for the collectors
    max_link_hops: int = 40  # symbolic links followed in one lookup (Linux's ELOOP)


@dataclass(frozen=True)
class Keep:
    """How much of a wanted file to keep.

    ``prefix``: keep the first ``limit`` bytes of a longer file (headers, binaries);
    otherwise a longer file is marked too large and reading it fails, like the probe's
    ``read_text``. ``reduce`` shrinks what is kept (e.g. RECORD to its top names).
    ``scan``: search the first ``limit`` bytes a chunk at a time and keep only the first
    match's first group (b"" when nothing matches), as syft's binary classifiers find a
    version string in a binary without holding it in memory.
    """

    limit: int
    prefix: bool = False
    reduce: Callable[[bytes], bytes] | None = None
    scan: re.Pattern[bytes] | None = None


Wanted = Callable[[str], "Keep | None"]


class TooLargeError(ValueError):
    """A wanted file was larger than its ``Keep`` limit."""


class NotKeptError(ValueError):
    """A file exists, but its content was not kept while the layers streamed by."""


class UnresolvableLinkError(ValueError):
    """A symbolic link chain loops or is longer than the hop limit."""


@dataclass(slots=True)
class Node:
    kind: str  # "dir", "file", "symlink" or "other" (devices, FIFOs: never opened)
    layer: str
    size: int = 0
    link: str | None = None  # a symlink's target, as written
    data: bytes | None = None
    oversize: bool = False
    what: str = ""  # for "other": "a FIFO", "a character device"... as the probe says


_UNREAD_FILE = Node("file", "")
# What a tar entry that is not a file, a folder nor a link is: the probe's words.
_OTHER_KINDS = {FIFO: "a FIFO", CHAR_DEVICE: "a character device", BLOCK_DEVICE: "a block device"}


@dataclass
class _Pending:
    """One layer, read in full before it is applied (whiteouts act on lower layers)."""

    # Two parallel lists, not a list of pairs: a pair per entry costs 56 bytes.
    paths: list[str] = field(default_factory=list)
    items: list[Node | str] = field(default_factory=list)  # str: a hard link's target
    whiteouts: list[str] = field(default_factory=list)
    opaque: list[str] = field(default_factory=list)


class RootFS:
    """The union of an image's layers: an index of entries plus the content kept."""

    def __init__(self, wanted: Wanted, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._wanted = wanted
        self._nodes: dict[str, Node] = {"": Node("dir", "")}
        self._children: dict[str, set[str]] = {"": set()}
        self._entries = 0
        self._walked = 0
        self._kept = 0
        self._issues: list[str] = []
        self._issue_count = 0
        self.layers: list[str] = []

    # --- building ----------------------------------------------------------------

    def add_layer(self, stream: Readable, name: str, *, whiteouts: bool = True) -> None:
        """Reads one layer tar (already decompressed) to its end and applies it on top.

        ``whiteouts=False`` is for a flattened filesystem (``docker export``), where a
        ``.wh.`` name is an ordinary file.
        """
        self.add_chunks(read_chunks(stream), name, whiteouts=whiteouts)

    def add_chunks(self, chunks: Iterable[bytes], name: str, *, whiteouts: bool = True) -> None:
        """Like ``add_layer``, from the layer's bytes in chunks. The chunks are consumed to
        their end, so that a digest the caller computes over them covers every byte."""
        source = ChunkReader(self._charged(chunks, name))
        try:
            pending = self._read_layer(TarReader(source, MAX_TAR_HEADER), name, whiteouts)
            source.drain()
        except TarHeaderTooLarge as exc:
            raise HostileArchiveError(
                f"layer {name}: a tar header of {exc.args[0]} bytes (limit {MAX_TAR_HEADER})"
            ) from None
        except (TarFormatError, EOFError, OSError, zlib.error) as exc:
            raise InvalidArchiveError(
                f"layer {name} is not a readable tar (truncated or corrupt: {exc})"
            ) from exc
        self._apply(pending, name)
        self.layers.append(name)

    def _charged(self, chunks: Iterable[bytes], layer: str) -> Iterator[bytes]:
        for chunk in chunks:
            self.charge_walked(len(chunk), layer)
            yield chunk

    def charge_walked(self, size: int, layer: str) -> None:
        """Counts bytes read against the budget: a layer's decompressed bytes (above), and
        what its blob held beyond them (zero padding after a gzip stream inflates to
        nothing, yet is read)."""
        self._walked += size
        if self._walked > self.limits.max_total_bytes:
            raise HostileArchiveError(
                f"layer {layer}: more than {_size(self.limits.max_total_bytes)} to read "
                "(decompression bomb or padding?); the image is refused"
            )

    def check_declared(self, size: int, layer: str) -> None:
        """Refuses, before reading it, a blob declared larger than what is left of the
        budget: every byte of it would be read and counted."""
        budget = self.limits.max_total_bytes
        left = budget - self._walked
        if size > left:
            room = f"the {_size(budget)} budget" if left == budget else f"the {_size(left)} left"
            raise HostileArchiveError(
                f"layer {layer}: its blob declares {_size(size)}, more than {room} of bytes "
                "to read in an image; the image is refused"
            )

    def _read_layer(self, tar: TarReader, layer: str, whiteouts: bool) -> _Pending:
        """The layer's entries; a first layer goes straight into the index (nothing lies
        below it for its whiteouts to act on), later ones wait in ``_Pending``."""
        pending = _Pending()
        direct = not self.layers
        max_entries, max_entry_bytes = self.limits.max_entries, self.limits.max_entry_bytes
        node_for, add = self._node, self._add
        while (member := tar.next()) is not None:
            self._entries += 1
            if self._entries > max_entries:
                raise HostileArchiveError(
                    f"layer {layer}: more than {max_entries} entries in the image"
                )
            if member.size > max_entry_bytes:
                raise HostileArchiveError(
                    f"layer {layer}: entry {safe_name(member.name)} declares "
                    f"{_size(member.size)} (limit {_size(max_entry_bytes)})"
                )
            path = normalize(member.name, layer)
            if path == "":
                continue  # the root itself ("./"): nothing to record
            if whiteouts and WHITEOUT in path:
                parent, _, base = path.rpartition("/")
                if base == OPAQUE:
                    if not direct:  # in a first layer it has nothing to hide
                        pending.opaque.append(parent)
                    continue
                if base.startswith(WHITEOUT + WHITEOUT):
                    continue  # aufs bookkeeping (.wh..wh.plnk and the like)
                if base.startswith(WHITEOUT) and _whiteout_name(base):
                    if not direct:
                        pending.whiteouts.append(posixpath.join(parent, base[len(WHITEOUT) :]))
                    continue
            if member.kind == HARD_LINK:
                item: Node | str = normalize(member.linkname, layer)
            else:
                item = node_for(tar, member, path, layer)
            if direct:
                add(path, item, layer)
            else:
                pending.paths.append(path)
                pending.items.append(item)
        return pending

    def _node(self, tar: TarReader, member: TarEntry, path: str, layer: str) -> Node:
        if member.kind == DIRECTORY:
            return Node("dir", layer)
        if member.kind == SYMLINK:
            if len(member.linkname) > MAX_NAME:
                raise HostileArchiveError(
                    f"layer {layer}: symlink {safe_name(path)}: target over {MAX_NAME} characters"
                )
            return Node("symlink", layer, link=member.linkname)
        if not member.isreg():
            return Node("other", layer, what=_OTHER_KINDS.get(member.kind, "not a file"))
        keep = self._wanted(path)
        if keep is None:
            return _UNREAD_FILE  # most of an image: one shared node, never read nor changed
        node = Node("file", layer, size=member.size)
        if keep.scan is not None:
            data = scan_entry(tar, min(member.size, keep.limit), keep.scan)
        elif member.size > keep.limit and not keep.prefix:
            node.oversize = True
            return node
        else:
            data = tar.read(min(member.size, keep.limit))
        self._kept += len(data)
        if self._kept > self.limits.max_kept_bytes:
            raise HostileArchiveError(
                f"layer {layer}: more than {_size(self.limits.max_kept_bytes)} of package "
                f"metadata to keep (at {safe_name(path)})"
            )
        node.data = keep.reduce(data) if keep.reduce else data
        return node

    def _apply(self, pending: _Pending, layer: str) -> None:
        for folder in pending.opaque:
            for child in sorted(self._children.get(folder, ())):
                self._remove(posixpath.join(folder, child) if folder else child)
        for path in pending.whiteouts:
            self._remove(path)
        for path, item in zip(pending.paths, pending.items, strict=True):
            self._add(path, item, layer)

    def _add(self, path: str, item: Node | str, layer: str) -> None:
        if isinstance(item, str):  # a hard link: a copy of what its target is now
            target = self._nodes.get(item)
            if target is None or target.kind == "dir":
                self.record(
                    f"layer {layer}: hard link {safe_name(path)} -> {safe_name(item)}: "
                    "no such file before it"
                )
                return
            item = Node(target.kind, layer, target.size, target.link, target.data)
            item.oversize = target.oversize
        self._put(path, item, layer)

    def _put(self, path: str, node: Node, layer: str) -> None:
        parent, _, base = path.rpartition("/")
        if not self._ensure_dir(parent, layer):
            where = self._resolve_quietly(parent)
            if where is None or self._nodes[where].kind != "dir":
                self.record(
                    f"layer {layer}: {safe_name(path)}: its parent is not a folder; ignored"
                )
                return
            parent = where  # a folder reached through a symlink, as extraction would
            path = f"{parent}/{base}" if parent else base
        nodes = self._nodes
        old = nodes.get(path)
        if old is not None:
            if old.kind == "dir" and node.kind == "dir":
                old.layer = node.layer  # a folder over a folder merges
                return
            self._remove(path)
        nodes[path] = node
        self._children[parent].add(base)
        if node.kind == "dir":
            self._children.setdefault(path, set())

    def _ensure_dir(self, path: str, layer: str) -> bool:
        """Creates missing parents (tar files need not list them); False if one is no folder.

        Iterative: a hostile name may be thousands of folders deep.
        """
        nodes = self._nodes
        found = nodes.get(path)
        if found is not None:  # the usual case: the parent came first
            return found.kind == "dir"
        missing: list[str] = []
        current = path
        while current != "" and current not in nodes:
            missing.append(current)
            current = current.rpartition("/")[0]
        if current != "" and nodes[current].kind != "dir":
            return False
        for folder in reversed(missing):
            nodes[folder] = Node("dir", layer)
            self._children[folder] = set()
            above, _, name = folder.rpartition("/")
            self._children[above].add(name)
        return True

    def _remove(self, path: str) -> None:
        if path == "" or path not in self._nodes:
            return
        stack = [path]
        while stack:
            current = stack.pop()
            self._nodes.pop(current, None)
            for child in self._children.pop(current, ()):
                stack.append(posixpath.join(current, child))
        self._children.get(posixpath.dirname(path), set()).discard(posixpath.basename(path))

    # --- what could not be read ---------------------------------------------------

    def record(self, issue: str) -> None:
        """Notes something skipped or unresolvable; it ends up in the snapshot's unknowns."""
        if issue in self._issues:
            return
        self._issue_count += 1
        if len(self._issues) < MAX_ISSUES:
            self._issues.append(issue)

    @property
    def issues(self) -> list[str]:
        extra = self._issue_count - len(self._issues)
        return self._issues + ([f"... and {extra} more"] if extra > 0 else [])

    # --- reading -----------------------------------------------------------------

    def resolve(self, path: str, *, follow: bool = True) -> str | None:
        """The key of what path names inside the image, or None if nothing is there.

        Raises UnresolvableLinkError for loops and over-long chains.
        """
        pending = [c for c in _key(path).split("/") if c and c != "."]
        pending.reverse()
        current: list[str] = []
        hops = 0
        while pending:
            part = pending.pop()
            if part == "..":
                if current:
                    current.pop()  # at the root, ".." is the root: nothing escapes
                continue
            candidate = "/".join([*current, part])
            node = self._nodes.get(candidate)
            if node is None:
                return None
            if node.kind == "symlink" and (pending or follow):
                hops += 1
                if hops > self.limits.max_link_hops:
                    raise UnresolvableLinkError(
                        f"/{_key(path)}: more than {self.limits.max_link_hops} symbolic links"
                    )
                target = node.link or ""
                if not target:
                    return None  # an empty target names nothing (ENOENT)
                if target.startswith("/"):
                    current = []  # absolute: from the image root, never the host's
                pending.extend(reversed([c for c in target.split("/") if c and c != "."]))
                continue
            if pending and node.kind != "dir":
                return None
            current.append(part)
        return "/".join(current)

    def _resolve_quietly(self, path: str, *, follow: bool = True) -> str | None:
        try:
            return self.resolve(path, follow=follow)
        except UnresolvableLinkError as exc:
            self.record(f"unresolvable: {exc}")
            return None

    def node(self, path: str, *, follow: bool = True) -> Node | None:
        key = self._resolve_quietly(path, follow=follow)
        return None if key is None else self._nodes.get(key)

    def realpath(self, path: str) -> str | None:
        key = self._resolve_quietly(path)
        return None if key is None else "/" + key

    def exists(self, path: str) -> bool:
        return self.node(path) is not None

    def isdir(self, path: str) -> bool:
        node = self.node(path)
        return node is not None and node.kind == "dir"

    def isfile(self, path: str) -> bool:
        node = self.node(path)
        return node is not None and node.kind == "file"

    def listdir(self, path: str) -> list[str]:
        key = self._resolve_quietly(path)
        if key is None or self._nodes[key].kind != "dir":
            return []
        return sorted(self._children.get(key, ()))

    def read_bytes(self, path: str) -> bytes | None:
        """A file's kept content; None if missing. Raises like ``open`` would otherwise."""
        key = self.resolve(path)
        if key is None:
            return None
        node = self._nodes[key]
        if node.kind == "dir":
            raise IsADirectoryError(f"/{key} is a folder")
        if node.kind == "other":  # as the live probe says it (probe/_probe.py not_regular)
            raise NotRegularFileError(f"/{key} is {node.what}, not a regular file: not read")
        if node.oversize:
            raise TooLargeError(f"/{key} is larger than driftcheck reads ({_size(node.size)})")
        if node.data is None:
            raise NotKeptError(f"/{key} was not kept while reading the image")
        return node.data

    def walk_dirs(self, top: str, max_depth: int, max_dirs: int) -> Iterator[str]:
        """Folders under top (itself included), breadth first; symlinks are not followed."""
        start = self._resolve_quietly(top)
        if start is None or self._nodes[start].kind != "dir":
            return
        queue, seen = deque([(start, 0)]), 0
        while queue and seen < max_dirs:
            current, depth = queue.popleft()
            seen += 1
            yield "/" + current
            if depth >= max_depth:
                continue
            for child in sorted(self._children.get(current, ())):
                key = posixpath.join(current, child) if current else child
                if self._nodes[key].kind == "dir":
                    queue.append((key, depth + 1))
        if queue:
            self.record(f"stopped looking for environments under /{start} after {max_dirs} folders")


SCAN_OVERLAP = 256  # bytes carried from one chunk to the next: a match may straddle them


def scan_entry(tar: TarReader, size: int, pattern: re.Pattern[bytes]) -> bytes:
    """The first match of ``pattern`` in the entry's first ``size`` bytes (its first group
    if it has one), read a chunk at a time; b"" when nothing matches."""
    if tar.sparse:  # a sparse entry is read in one piece (bounded by size all the same)
        windows: Iterable[bytes] = (tar.read(size),)
    else:
        windows = _scan_windows(tar, size)
    for window in windows:
        match = pattern.search(window)
        if match is not None:
            return match.group(1 if pattern.groups else 0)
    return b""


def _scan_windows(tar: TarReader, size: int) -> Iterator[bytes]:
    carried, read = b"", 0
    while read < size:
        chunk = tar.read(min(CHUNK, size - read))
        if not chunk:
            return
        read += len(chunk)
        window = carried + chunk
        yield window
        carried = window[-SCAN_OVERLAP:]


def read_chunks(stream: Readable) -> Iterator[bytes]:
    """A stream's bytes in chunks of up to CHUNK, to its end."""
    while chunk := stream.read(CHUNK):
        yield chunk


def normalize(name: str, layer: str) -> str:
    """A member name as a key: no leading "/" or "./"; "" is the root; escapes refused."""
    if len(name) > MAX_NAME:
        raise HostileArchiveError(f"layer {layer}: an entry name over {MAX_NAME} characters")
    plain = name[2:] if name.startswith("./") else name
    plain = plain.rstrip("/")
    if plain and plain[0] not in "./" and "//" not in plain and "/." not in plain:
        return plain  # no "." or ".." part, no empty part: already normal (most names)
    clean = posixpath.normpath(name.lstrip("/")) if name.strip("/") else "."
    if clean == ".":
        return ""
    if clean == ".." or clean.startswith("../"):
        raise HostileArchiveError(
            f"layer {layer}: entry {safe_name(name)} points outside the image root; "
            "the archive is refused"
        )
    return clean.lstrip("/")


def _key(path: str) -> str:
    return path.lstrip("/")


def _whiteout_name(base: str) -> bool:
    """``.wh.`` alone, ``.wh..`` and ``.wh...`` are ordinary names, not whiteouts."""
    return base[len(WHITEOUT) :] not in ("", ".", "..")


def _size(value: int) -> str:
    for unit, scale in (("TiB", 1024 * GiB), ("GiB", GiB), ("MiB", MiB), ("KiB", KiB)):
        if value >= scale:
            return f"{value / scale:.0f} {unit}"
    return f"{value} bytes"


def safe_name(text: str, limit: int = 120) -> str:
    """Untrusted names in messages: printable, short."""
    safe = "".join(c if c.isprintable() else "?" for c in text[:limit])
    return repr(safe + ("..." if len(text) > limit else ""))
