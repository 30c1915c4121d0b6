"""The categories a finding can carry, one name each, and the older spellings still read.

The explainers name their own categories; a change no rule explains is reported under
the category of its snapshot section (``distributions`` → ``packages``), so ``--only``
and a policy's ``category`` offer one list, spelled one way.
"""

from __future__ import annotations

CATEGORIES = (
    "packages",
    "dependencies",
    "imports",
    "startup",
    "environment",
    "os",
    "platform",
    "python",
    "native-libraries",
    "container",
)
# Snapshot sections whose name differs from the category of their findings.
_SECTION_CATEGORY = {
    "distributions": "packages",
    "shadowed": "packages",
    "os_packages": "os",
    "native_libraries": "native-libraries",
}


def category_of(name: str) -> str | None:
    """The category NAME means: itself, a snapshot section's category, or the spelling
    with underscores; None when it names none."""
    name = _SECTION_CATEGORY.get(name, name).replace("_", "-")
    return name if name in CATEGORIES else None
