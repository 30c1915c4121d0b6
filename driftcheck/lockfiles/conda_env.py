"""conda's `environment.yml`: `name=version[=build]` pins, and a `pip:` list of pins.

Conda packages are not all Python distributions (openssl, libstdcxx): a conda pin is
compared only when the environment holds a distribution of that name, and its
absence is never drift. The `pip:` list is compared like a requirements file.

YAML is read with PyYAML's safe loader (PyYAML is optional: only this form needs it),
bounded: aliases are refused (a few lines of them expand to billions of nodes for
any reader that walks the result), and so is nesting past MAX_DEPTH.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

from driftcheck.lockfiles.model import Lock, LockedPackage, LockedSource, LockfileError
from driftcheck.lockfiles.requirements import read_requirements
from driftcheck.untrusted_json import within_depth

MAX_DEPTH = 32
CONDA_ONLY = "conda"  # LockedPackage.source.kind of a conda pin: compared if installed
_CONDA_PIN = re.compile(
    r"^(?:(?P<channel>[\w.-]+)::)?(?P<name>[A-Za-z0-9_.-]+)\s*={1,2}\s*(?P<version>[^=\s*]+)"
)
NOT_DISTRIBUTIONS = frozenset({"python", "pip"})


def load_yaml(text: str) -> Any:
    try:
        import yaml  # type: ignore[import-untyped, unused-ignore]
    except ModuleNotFoundError:
        raise LockfileError(
            "reading environment.yml needs PyYAML, which this driftcheck lacks: pip install pyyaml"
        ) from None

    class NoAliasLoader(yaml.SafeLoader):  # type: ignore[misc, unused-ignore]
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                raise LockfileError("a YAML alias (*name): environment files need none")
            return super().compose_node(parent, index)

    try:
        document = yaml.load(text, Loader=NoAliasLoader)  # a SafeLoader, aliases refused
    except RecursionError:
        raise LockfileError(f"nested deeper than {MAX_DEPTH} levels") from None
    except yaml.YAMLError as exc:
        raise LockfileError(f"not valid YAML ({str(exc).splitlines()[0][:160]})") from None
    if not within_depth(document, MAX_DEPTH):
        raise LockfileError(f"nested deeper than {MAX_DEPTH} levels")
    return document


def read_conda_environment(text: str, path: str) -> Lock:
    document = load_yaml(text)
    if not isinstance(document, dict) or not isinstance(document.get("dependencies"), list):
        raise LockfileError("no dependencies list: not a conda environment file")
    packages: list[LockedPackage] = []
    notes: list[str] = []
    python: str | None = None
    for item in document["dependencies"]:
        if isinstance(item, dict) and isinstance(item.get("pip"), list):
            lines = "\n".join(str(line) for line in item["pip"] if isinstance(line, str))
            if lines.strip():
                packages.extend(read_requirements(lines, f"{path} (pip:)").packages)
            continue
        if not isinstance(item, str):
            continue
        pin = _CONDA_PIN.match(item.strip())
        if pin is None:
            notes.append(f"{item[:60]}: not pinned, not compared")
            continue
        if pin["name"].lower() == "python":
            python = pin["version"]
        elif pin["name"].lower() not in NOT_DISTRIBUTIONS:
            packages.append(LockedPackage(pin["name"], pin["version"], _conda_source()))
    name = document.get("name")
    target = f" -n {name}" if isinstance(name, str) and re.fullmatch(r"[\w.-]+", name) else ""
    return Lock(
        path=path,
        form="environment.yml",
        packages=tuple(packages),
        install=f"conda env update{target} --prune -f {shlex.quote(path)}",
        requires_python=f"=={python}.*"
        if python and python.count(".") == 1
        else python and f"=={python}",
        notes=tuple(notes[:20]),
    )


def _conda_source() -> LockedSource:
    return LockedSource(CONDA_ONLY)
