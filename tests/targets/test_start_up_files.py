"""The timeout hint names a FIFO .pth only where it can still block: beside a ._pth file."""

from __future__ import annotations

import os
from pathlib import Path

from driftcheck.targets.start_up_files import hang_hint


def test_a_fifo_pth_is_named_only_where_a_pth_file_decides_site(tmp_path: Path) -> None:
    prefix = tmp_path / "env"
    site = prefix / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    (prefix / "bin").mkdir()
    python = prefix / "bin" / "python3"
    python.write_text("")
    os.mkfifo(site / "zz_fifo.pth")
    # The bootstrap runs site.py itself and skips the FIFO: more time is the only hint.
    assert hang_hint(str(python)) == "--timeout SECONDS allows more"
    (prefix / "bin" / "python311._pth").write_text("python311.zip\n.\n")
    hint = hang_hint(str(python))
    assert f"{site}/zz_fifo.pth is not a regular file" in hint and hint.endswith("remove it")
