"""Which store a command uses: --store, else DRIFTCHECK_STORE; and how to name it safely."""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from urllib.parse import urlsplit

from driftcheck.errors import UsageError

STORE_VARIABLE = "DRIFTCHECK_STORE"
_POSTGRES_SCHEMES = ("postgresql", "postgres")
# The command line's --store, for the references (@last-pass) read deep inside load_or_take.
_chosen: ContextVar[str | None] = ContextVar("driftcheck_store", default=None)


@dataclass(frozen=True)
class Location:
    kind: str  # "sqlite" or "postgresql"
    target: str  # a file path, or the connection URL (secret: never printed)
    name: str  # what messages call it: the path, or the URL without its password


def use_store(option: str | None) -> None:
    """The CLI's --store for this command (None: DRIFTCHECK_STORE decides)."""
    _chosen.set(option or None)


def chosen_store(environ: Mapping[str, str] | None = None) -> str | None:
    environ = os.environ if environ is None else environ
    return _chosen.get() or environ.get(STORE_VARIABLE) or None


def parse_location(text: str) -> Location:
    """A path or sqlite:///PATH is a SQLite file; postgresql://… a PostgreSQL database
    (its URL goes to psycopg as it is)."""
    if not text.strip():
        raise UsageError("--store is empty: pass a file path or a postgresql:// URL")
    scheme, sep, rest = text.partition("://")
    if sep and scheme.lower() in _POSTGRES_SCHEMES:
        return Location("postgresql", text, _url_without_secret(text))
    if sep and scheme.lower() == "sqlite":  # as SQLAlchemy: sqlite:///rel.db, sqlite:////abs.db
        if not rest.startswith("/") or rest == "/":
            raise UsageError(f"--store {text!r}: write sqlite:///PATH (three slashes), or a path")
        return Location("sqlite", rest[1:], rest[1:])
    if sep and "/" not in scheme:
        raise UsageError(
            f"--store {scheme}://…: not a store; pass a file path (SQLite), "
            "sqlite:///PATH or postgresql://USER@HOST/DB"
        )
    return Location("sqlite", text, text)


def _url_without_secret(url: str) -> str:
    """postgresql://user@host:port/db: no password, no query (it may hold one)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "postgresql://…"
    user = f"{parts.username}@" if parts.username else ""
    return f"{parts.scheme}://{user}{host}{port}{parts.path}"
