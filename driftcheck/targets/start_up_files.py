"""Why a local interpreter may hang before the probe runs: a .pth file that is not a file.

CPython's site.py opens every .pth file of its site folders at start-up; a FIFO there
(no writer) blocks it for good. The probe's bootstrap runs site.py itself and skips
them, except where a ``._pth`` file beside the interpreter decides site processing:
there, when a local probe misses its deadline, they are named in the error instead of
"allow more time".
"""

from __future__ import annotations

import glob
import os
import stat

# Site folders relative to an interpreter's prefix (venvs, python.org and Debian builds).
SITE_FOLDERS = (
    "lib/python3*/site-packages",
    "lib/python3*/dist-packages",
    "lib/python3/dist-packages",
    "local/lib/python3*/dist-packages",
)
MAX_NAMED = 3


def blocking_pth_files(interpreter: str) -> list[str]:
    """.pth files in the site folders of INTERPRETER's prefix (the folder above its
    ``bin``, unresolved: a venv's python links to its base) that are not regular files."""
    prefix = os.path.dirname(os.path.dirname(os.path.abspath(interpreter)))
    found: list[str] = []
    for pattern in SITE_FOLDERS:
        for folder in sorted(glob.glob(os.path.join(glob.escape(prefix), pattern))):
            for path in sorted(glob.glob(os.path.join(glob.escape(folder), "*.pth"))):
                try:
                    mode = os.stat(path).st_mode
                except OSError:
                    continue
                if not stat.S_ISREG(mode) and path not in found:
                    found.append(path)
    return found


def hang_hint(interpreter: str) -> str:
    """The end of a timeout message: the blocking files if any, else more time. The
    probe's bootstrap runs site.py itself and skips such files, unless a ``._pth`` file
    beside the interpreter decides site processing: only there can they still block."""
    try:
        folder = os.path.dirname(os.path.abspath(interpreter))
        decided = glob.glob(os.path.join(glob.escape(folder), "*._pth"))
        blocking = blocking_pth_files(interpreter) if decided else []
    except OSError:
        blocking = []
    if not blocking:
        return "--timeout SECONDS allows more"
    named = ", ".join(blocking[:MAX_NAMED]) + (" …" if len(blocking) > MAX_NAMED else "")
    return (
        f"{named} is not a regular file (a FIFO?): Python blocks reading it at start-up, "
        "before the probe runs; remove it"
    )
