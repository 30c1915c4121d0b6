"""Packages that come with an environment rather than with the program: installer tooling,
and the pkg_resources placeholder of Debian's and Ubuntu's venvs.

pip, setuptools and wheel install and build packages; a program rarely imports
them. Unless something installed requires one of them, a difference in them is
ranked one step below the same difference in a package the program uses.

Older Debian and Ubuntu releases (Debian 11 among them) split pkg_resources out of
setuptools into a wheel of its own that their `python3 -m venv` installs, recorded
as `pkg_resources 0.0.0`: the `pkg-resources==0.0.0` line that pip freeze prints
there and that no package index can serve (pypa/pip#4022, Launchpad bug 1635463).
It is setuptools' module, not a project.
"""

from __future__ import annotations

from collections.abc import Mapping

from driftcheck.diff.model import Severity
from driftcheck.snapshot.model import Distribution

# What a difference in each tool can affect.
TOOLS: Mapping[str, str] = {
    "pip": "install steps, not to the running program",
    "setuptools": "builds from source and to code that imports setuptools or pkg_resources",
    "wheel": "building packages from source",
}
PLACEHOLDER_NAME = "pkg-resources"
PLACEHOLDER_VERSION = "0.0.0"
PLACEHOLDER_MODULE = "pkg_resources"
# setuptools 82.0.0 removed pkg_resources (deprecated since 67.5.0).
PKG_RESOURCES_SETUPTOOLS = "setuptools<82"
PLACEHOLDER_ADVICE = (
    "nothing to install; leave pkg-resources==0.0.0 out of requirements and constraints "
    "files, since no package index has it"
)


def is_tool(dist: Distribution) -> bool:
    return dist.canonical_name in TOOLS


def tool_why(dist: Distribution, where: str = "here") -> str:
    """'pip is installer tooling and nothing installed here requires it, so …'."""
    return (
        f"{dist.name} is installer tooling and nothing installed {where} requires it, so this "
        f"matters only to {TOOLS[dist.canonical_name]}"
    )


def below_tool(severity: Severity) -> Severity:
    """One step below what the same difference in a package the program uses would get."""
    return Severity(max(Severity.INFO, severity - 1))


def is_placeholder(dist: Distribution) -> bool:
    """The Debian/Ubuntu venv's `pkg_resources 0.0.0`, not a distribution from an index."""
    return dist.canonical_name == PLACEHOLDER_NAME and dist.version == PLACEHOLDER_VERSION


def placeholder_what(dist: Distribution, label: str) -> str:
    return (
        f"{dist.name} {dist.version} on {label} is not a real distribution but the placeholder "
        "Debian's and Ubuntu's venvs record for the pkg_resources they split out of setuptools "
        "(pip freeze prints it as pkg-resources==0.0.0)"
    )


# Development tools: a program does not import them to run, so one missing where the
# program runs says nothing about why it fails there.
DEV_TOOLS: Mapping[str, str] = {
    "pytest": "test runner",
    "coverage": "coverage tool",
    "tox": "test automation tool",
    "nox": "test automation tool",
    "hypothesis": "testing library",
    "mypy": "type checker",
    "pyright": "type checker",
    "ruff": "linter",
    "flake8": "linter",
    "pylint": "linter",
    "black": "formatter",
    "isort": "formatter",
    "pre-commit": "git hook manager",
    "ipython": "interactive shell",
    "ipykernel": "notebook kernel",
    "ipdb": "debugger",
    "jupyter": "notebook environment",
    "jupyterlab": "notebook environment",
    "notebook": "notebook environment",
    "sphinx": "documentation generator",
    "mkdocs": "documentation generator",
    "twine": "upload tool",
    "build": "build front-end",
    "bandit": "security linter",
}
_DEV_PREFIXES = ("pytest-", "flake8-", "types-", "mypy-", "sphinx-", "mkdocs-")


def dev_tool_kind(name: str) -> str | None:
    """'test runner' for pytest, 'pytest plugin' for pytest-cov; None for anything else."""
    if name in DEV_TOOLS:
        return DEV_TOOLS[name]
    for prefix in _DEV_PREFIXES:
        if name.startswith(prefix):
            return "type stubs" if prefix == "types-" else f"{prefix[:-1]} plugin"
    return None
