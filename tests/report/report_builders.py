"""Real venvs with hand-installed distributions, for the report tests.

A distribution is written into a real venv's site-packages as an installer writes it
(a `.dist-info` folder with METADATA, INSTALLER, RECORD and `direct_url.json`), so
the probe reads it exactly as it reads any installed distribution.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

USER = "zeldacanary"  # a user name that must vanish with --anonymize
DIRECT_URL_PASSWORD = "D1rectUrlPa55w0rd"
DIRECT_URL = f"https://ci-bot:{DIRECT_URL_PASSWORD}@git.corp.example/team/privatepkg.git"
DIRECT_URL_TOKEN = "ghp_" + "DirectUrlToken0123456789abcdefABCDEF"
TOKEN_URL = f"https://{DIRECT_URL_TOKEN}@github.com/team/tokenpkg.git"
NEVER_IN_REPORT = (DIRECT_URL_PASSWORD, DIRECT_URL_TOKEN)


@dataclass(frozen=True)
class Venv:
    root: Path
    python: Path
    site: Path
    home: Path


def install_distribution(
    site: Path, name: str, version: str, *, direct_url: dict[str, Any] | None = None
) -> None:
    """One installed distribution, as an installer leaves it in site-packages."""
    # The folder name is made safe for the file system; METADATA keeps the names as given.
    stem = "-".join(re.sub(r"[^A-Za-z0-9.]+", "_", part) for part in (name, version))
    folder = site / f"{stem}.dist-info"
    folder.mkdir()
    (folder / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8"
    )
    (folder / "INSTALLER").write_text("pip\n")
    files = ["METADATA", "INSTALLER", "RECORD"]
    if direct_url is not None:
        (folder / "direct_url.json").write_text(json.dumps(direct_url))
        files.append("direct_url.json")
    (folder / "RECORD").write_text("".join(f"{folder.name}/{f},,\n" for f in files))


def make_venv(root: Path) -> Venv:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    python = root / "bin" / "python"
    site = Path(
        subprocess.check_output(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    return Venv(root, python, site, root.parent.parent)
