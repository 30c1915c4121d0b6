# driftcheck probe: the interfaces its readers are written against, for mypy (typing's
# Protocols: a class that has these methods is one, nothing to inherit). The live probe
# passes its Collector and LocalFiles (_probe.py); the static reader passes its own
# (driftcheck/static/shared.py Unknowns, static/files.py ImageFiles), so that both
# readings of a fact are made by the same code. Part of the probe's text (first of the
# probe's own files): standard library only, CPython 3.8 syntax, names prefixed "Probe".

import re
from typing import Any, Callable, Dict, List, Optional, Protocol, Tuple


class ProbeUnknowns(Protocol):
    """Hears what could not be read, and why (an "unknown" of the snapshot)."""

    def unknown(self, field: str, reason: str) -> None: ...


class ProbeCollector(ProbeUnknowns, Protocol):
    def safely(self, field: str, func: Callable[[], Any], default: Any = None) -> Any:
        """FUNC's answer; DEFAULT, and an unknown for FIELD, when it raises."""


class ProbeConfFiles(Protocol):
    """What ``ld_so_conf_directories`` reads through (the probe's ``LocalConfFiles``)."""

    def read_conf(self, path: str) -> Optional[str]:
        """The file's text; None if missing; NotRegularFileError for a FIFO or a device."""

    def listdir(self, folder: str) -> List[str]:
        """The names in FOLDER; none when it is missing."""


class ProbeNames(Protocol):
    """A folder's names, as far as a reader asks: a set, or one asking name by name."""

    def __contains__(self, __name: str) -> bool: ...


class ProbeFiles(ProbeConfFiles, Protocol):
    """The probe's file-access interface (``LocalFiles`` in _probe.py): what every shared
    reader reads through. Paths are absolute inside the source's own root."""

    runs_programs: bool

    # Positional only (a leading "__"): LocalFiles binds os.path's own functions here.
    def join(self, __folder: str, __name: str) -> str: ...

    def isdir(self, __path: str) -> bool: ...

    def exists(self, __path: str) -> bool: ...

    def list_folder(self, __path: str) -> List[str]:
        """The names in PATH; OSError when it cannot be listed."""

    def realpath(self, __path: str) -> Optional[str]: ...

    def link_target(self, path: str) -> Optional[str]: ...

    def read_optional(self, path: str, limit: int) -> Optional[str]: ...

    def metadata_headers(self, __path: str) -> Tuple[Dict[str, List[str]], bool]: ...

    def find_version(
        self, path: str, literal: bytes, pattern: "re.Pattern[bytes]"
    ) -> Optional[str]:
        """A version string inside a binary (the first group of PATTERN at LITERAL)."""

    def system(self) -> str: ...

    def running_libc(self) -> Optional[Dict[str, Optional[str]]]: ...

    def musl_version(self, loader: str) -> Optional[str]: ...

    def other_libc(self) -> Dict[str, Optional[str]]: ...
