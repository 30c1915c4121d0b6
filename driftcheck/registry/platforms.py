"""Which image of a multi-platform index to read: ``os/architecture[/variant]``.

The default is Linux on the host's architecture: the image ``docker pull``
would give on this machine (images are Linux images even on other hosts).
"""

from __future__ import annotations

import platform as host
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from driftcheck.errors import UsageError

# platform.machine() -> (architecture, variant), as image indexes name them.
MACHINES = {
    "x86_64": ("amd64", ""),
    "amd64": ("amd64", ""),
    "aarch64": ("arm64", "v8"),
    "arm64": ("arm64", "v8"),
    "armv7l": ("arm", "v7"),
    "armv6l": ("arm", "v6"),
    "i386": ("386", ""),
    "i686": ("386", ""),
    "ppc64le": ("ppc64le", ""),
    "s390x": ("s390x", ""),
    "riscv64": ("riscv64", ""),
}
PART = re.compile(r"^[a-z0-9][a-z0-9._-]{0,31}$")


@dataclass(frozen=True)
class Platform:
    os: str
    architecture: str
    variant: str = ""

    def __str__(self) -> str:
        return "/".join(p for p in (self.os, self.architecture, self.variant) if p)

    def matches(self, other: Platform) -> bool:
        """Same OS and architecture; a variant asked for must be the one offered."""
        if (self.os, self.architecture) != (other.os, other.architecture):
            return False
        return not self.variant or _variant(self) == _variant(other)


def _variant(item: Platform) -> str:
    return item.variant or ("v8" if item.architecture == "arm64" else "")


def host_platform() -> Platform:
    architecture, variant = MACHINES.get(host.machine().lower(), (host.machine().lower(), ""))
    return Platform("linux", architecture, variant)


def parse_platform(text: str) -> Platform:
    parts = text.lower().split("/")
    if not 2 <= len(parts) <= 3 or not all(PART.match(p) for p in parts):
        raise UsageError(
            f"--platform {text!r} is not os/architecture[/variant]; "
            "e.g. linux/arm64 or linux/arm/v7"
        )
    return Platform(*parts)


def described(value: Any) -> Platform | None:
    """The platform of an index entry, or None when it has none worth reading."""
    if not isinstance(value, Mapping):
        return None
    fields = [value.get(k) for k in ("os", "architecture", "variant")]
    if not all(isinstance(f, str) for f in fields[:2]) or not isinstance(fields[2], str | None):
        return None
    return Platform(str(fields[0]), str(fields[1]), str(fields[2] or ""))


def best(wanted: Platform, offered: list[Platform], preferred_variant: str) -> int | None:
    """Index of the entry to read: a match, the host's variant first, then no variant."""
    matching = [i for i, item in enumerate(offered) if wanted.matches(item)]
    if not matching:
        return None

    def rank(i: int) -> int:
        variant = _variant(offered[i])
        return 0 if variant == preferred_variant else 1 if not offered[i].variant else 2

    return min(matching, key=rank)
