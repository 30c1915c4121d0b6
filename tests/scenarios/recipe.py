"""What a diagnosis pair is: two sides, a program that works on A and fails on B, the cause.

A pair is data. `build.py` turns it into two real environments (virtual environments
filled from the wheel cache, or images built from the suite's debootstrap images), runs
the program on both and snapshots both through the real probe.

The expected first finding is written ``category:subject`` (naming in briefs/common.md):
``packages:<canonical name>``, ``environment:<NAME>``, ``python:<subject>``,
``imports:<top-level module>``, ``startup:<.pth name|sitecustomize|usercustomize|user-site|
system-site-packages>``, ``native-libraries:<soname>``, ``os:<package>``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Literal

#: Bump when anything that shapes the built sides changes (noise, layout, build steps).
CORPUS_VERSION = 1

Mechanism = Literal[
    "version step",
    "missing package",
    "inconsistent install",
    "interpreter",
    "environment variable",
    "start-up",
    "native library",
    "host vs container",
]


@dataclass(frozen=True)
class VenvSide:
    """A virtual environment on this machine, built with pip from the wheel cache.

    `files` are written after the installs: keys and values may use ``{site}`` (the venv's
    site-packages), ``{side}`` (this side's folder), ``{home}`` (its HOME) and ``{pair}``
    (the pair's folder, shared by both sides). `env` is the pair's own variables (a value
    of None removes a variable the noise would set); the same placeholders apply.
    """

    install: tuple[str, ...] = ()
    no_deps: tuple[str, ...] = ()
    uninstall: tuple[str, ...] = ()
    files: Mapping[str, str] = field(default_factory=dict)
    env: Mapping[str, str | None] = field(default_factory=dict)
    python: str = "3.11"
    kind: Literal["venv"] = "venv"


@dataclass(frozen=True)
class ImageSide:
    """An image built FROM one of the suite's debootstrap images (tests/images.py).

    `body` is the rest of the Dockerfile; the build context holds ``wheels/`` (the wheels
    of `wheels`, by name), ``project/`` (the program) and ``native/`` (the pair's compiled
    libraries, when the pair has any). The program runs as ``python /app/<run>``.
    """

    base: Literal["bookworm", "trixie"]
    body: str
    wheels: tuple[str, ...] = ()
    python: str = "python"
    kind: Literal["image"] = "image"


Side = VenvSide | ImageSide


@dataclass(frozen=True)
class Pair:
    name: str
    mechanism: Mechanism
    expected: str
    why: str
    program: str
    a: Side
    b: Side
    #: What the project declares in its pyproject.toml (read by --project).
    declares: tuple[str, ...] = ()
    #: `python -m app` instead of `python app.py`.
    as_module: bool = False
    #: A test applies the report's first fix on B and runs the program again.
    fix_test: bool = False
    #: Which side is the developer's laptop (dev tools, a personal HOME and PATH); the
    #: other is a CI job (CI variables, a runner's HOME and hostname).
    laptop: Literal["a", "b"] = "a"
    #: Compiled pieces the pair needs (see native.py): "fastcalc" builds libfastcalc.so.1
    #: (old and new) and the fastcalc wheel whose extension needs it.
    native: bool = False

    @property
    def digest(self) -> str:
        blob = json.dumps(
            {"pair": asdict(self), "v": CORPUS_VERSION}, sort_keys=True, default=str
        ).encode()
        return hashlib.sha256(blob).hexdigest()[:12]

    @property
    def uses_docker(self) -> bool:
        return isinstance(self.a, ImageSide) or isinstance(self.b, ImageSide)
