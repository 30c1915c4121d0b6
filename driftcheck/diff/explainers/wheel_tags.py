"""What an installed wheel's platform tags demand of the machine: a libc and an architecture.

A manylinux wheel promises to run on any glibc at least as new as its tag says
(PEP 600: `manylinux_2_28` needs glibc 2.28; the legacy aliases name 2.5, 2.12
and 2.17); a musllinux wheel the same for musl. A wheel copied to a machine
that breaks the promise fails when its extension modules load.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from driftcheck.numbers import small_int
from driftcheck.snapshot.model import Distribution

_PEP600 = re.compile(r"^(manylinux|musllinux)_([0-9]+)_([0-9]+)_(.+)$")
_LEGACY = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}
_FAMILY = {"manylinux": "glibc", "musllinux": "musl"}
# Names the kernel and the wheel tags give the same architecture.
_ARCH_ALIASES = {"amd64": "x86_64", "arm64": "aarch64", "i386": "i686", "x86": "i686"}


@dataclass(frozen=True)
class LibcNeed:
    """The oldest libc a wheel runs on, and the tag that says so."""

    family: str
    version: tuple[int, int]
    tag: str
    architecture: str

    @property
    def version_text(self) -> str:
        return f"{self.version[0]}.{self.version[1]}"


def platform_need(platform_tag: str) -> LibcNeed | None:
    """`manylinux_2_28_x86_64` → glibc 2.28 on x86_64; None for tags that need no libc."""
    match = _PEP600.match(platform_tag)
    if match:
        kind, major, minor, arch = match.groups()
        version = _small_pair(major, minor)
        return None if version is None else LibcNeed(_FAMILY[kind], version, platform_tag, arch)
    legacy, _, arch = platform_tag.partition("_")
    if legacy in _LEGACY and arch:
        return LibcNeed("glibc", _LEGACY[legacy], platform_tag, arch)
    return None


def wheel_need(dist: Distribution) -> LibcNeed | None:
    """The least a wheel needs: with several tags, any one of them is enough."""
    return _tags_need(dist.wheel_tags)


@lru_cache(maxsize=4096)
def _tags_need(wheel_tags: tuple[str, ...]) -> LibcNeed | None:
    """Cached: thousands of wheels share a handful of tag sets."""
    needs: list[LibcNeed] = []
    for tag in wheel_tags:
        parts = tag.split("-")
        if len(parts) != 3:
            continue
        for platform_tag in parts[2].split("."):
            need = platform_need(platform_tag)
            if need is not None:
                needs.append(need)
    if not needs:
        return None
    return min(needs, key=lambda n: (n.family, n.version))


def parse_libc_version(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    match = re.match(r"([0-9]+)\.([0-9]+)", text)
    return _small_pair(match.group(1), match.group(2)) if match else None


def _small_pair(major: str, minor: str) -> tuple[int, int] | None:
    """(major, minor), or None when either number is too long to be a real version: a tag
    or a libc that claims such a number is read as naming none."""
    pair = small_int(major), small_int(minor)
    return None if pair[0] is None or pair[1] is None else (pair[0], pair[1])


def same_architecture(machine: str, tag_arch: str) -> bool:
    def norm(value: str) -> str:
        lowered = value.lower()
        return _ARCH_ALIASES.get(lowered, lowered)

    return norm(machine) == norm(tag_arch)
