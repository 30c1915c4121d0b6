"""A throwaway certificate authority and a server certificate for localhost, made once
with the openssl command into the test cache (no key is kept in the repository)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from unavailable import Unavailable


def _openssl(*args: str | Path) -> None:
    done = subprocess.run(["openssl", *map(str, args)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def ensure_tls(folder: Path) -> Path:
    """ca.pem, server.pem and server-key.pem (localhost, 127.0.0.1) in *folder*."""
    if (folder / ".complete").is_file():
        return folder
    if shutil.which("openssl") is None:
        raise Unavailable("the TLS pairs need the openssl command (apt-get install openssl)")
    folder.mkdir(parents=True, exist_ok=True)
    days = "36500"
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", days,
             "-subj", "/CN=Shop Corp Test CA", "-keyout", folder / "ca-key.pem",
             "-out", folder / "ca.pem")  # fmt: skip
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
             "-keyout", folder / "server-key.pem", "-out", folder / "server.csr")  # fmt: skip
    (folder / "san.ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    _openssl("x509", "-req", "-in", folder / "server.csr", "-CA", folder / "ca.pem",
             "-CAkey", folder / "ca-key.pem", "-CAcreateserial", "-days", days,
             "-extfile", folder / "san.ext", "-out", folder / "server.pem")  # fmt: skip
    (folder / ".complete").write_text("made\n")
    return folder
