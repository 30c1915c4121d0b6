"""A wheelhouse served as a PEP 503 simple index on 127.0.0.1, for tools that take
only an index URL (poetry's sources, a Pipfile's [[source]]).

The tree is generated once (`simple/<name>/index.html`, each link with its
`#sha256=` fragment, the wheels linked under `files/`) and served by the standard
library's http.server from a daemon thread; `stop()` ends it.
"""

from __future__ import annotations

import functools
import hashlib
import html
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name, parse_wheel_filename


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class SimpleIndex:
    def __init__(self, wheels: Path, root: Path) -> None:
        self.root = root
        _write_tree(wheels, root)
        handler = functools.partial(QuietHandler, directory=str(root))
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/simple/"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


def _write_tree(wheels: Path, root: Path) -> None:
    files = root / "files"
    files.mkdir(parents=True)
    projects: dict[str, list[str]] = {}
    for wheel in sorted(wheels.glob("*.whl")):
        name = canonicalize_name(parse_wheel_filename(wheel.name)[0])
        (files / wheel.name).symlink_to(wheel)
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        href = html.escape(f"../../files/{wheel.name}#sha256={digest}")
        projects.setdefault(name, []).append(f'<a href="{href}">{html.escape(wheel.name)}</a>')
    simple = root / "simple"
    simple.mkdir()
    links = [f'<a href="{name}/">{name}</a>' for name in sorted(projects)]
    (simple / "index.html").write_text(_page(links))
    for name, anchors in projects.items():
        (simple / name).mkdir()
        (simple / name / "index.html").write_text(_page(anchors))


def _page(anchors: list[str]) -> str:
    body = "<br>\n".join(anchors)
    return f"<!DOCTYPE html>\n<html><body>\n{body}\n</body></html>\n"
