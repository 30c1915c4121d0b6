"""Registry logins from the docker config (``$DOCKER_CONFIG/config.json``, else
``~/.docker/config.json``): the ``auths`` entries that ``docker login`` writes
when no credential helper is configured (``auth`` = base64 ``user:password``,
or ``username`` and ``password``).

Credential helpers (``credsStore``, ``credHelpers``) and identity tokens are
not used: they would mean running another program or an OAuth exchange. When
they are all a config holds for a registry, ``note`` says so, for the error
message. Credentials never appear in a message, a repr or a snapshot.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from driftcheck.registry.names import DOCKER_HUB, DOCKER_HUB_ALIASES
from driftcheck.regular_files import NotReadError, read_regular_file

MAX_CONFIG = 4 * 1024 * 1024


@dataclass(frozen=True)
class Credentials:
    username: str = field(repr=False)
    password: str = field(repr=False)

    def basic(self) -> str:
        """The value of an ``Authorization`` header for Basic auth."""
        pair = f"{self.username}:{self.password}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")


@dataclass(frozen=True)
class Login:
    credentials: Credentials | None
    note: str  # why none were found, for a "log in" hint


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    folder = environ.get("DOCKER_CONFIG")
    return Path(folder) / "config.json" if folder else Path.home() / ".docker" / "config.json"


def find_login(registry: str, environ: Mapping[str, str] | None = None) -> Login:
    path = config_path(environ)
    try:
        raw = read_regular_file(path, MAX_CONFIG)
        data = json.loads(raw[:MAX_CONFIG])
    except FileNotFoundError:
        return Login(None, f"no login for it in {path}")
    except NotReadError as exc:  # a FIFO or a device in its place: never waited on
        return Login(None, f"{path} is not read: {exc}")
    except (OSError, ValueError, RecursionError):
        return Login(None, f"{path} cannot be read as JSON")
    if not isinstance(data, dict):
        return Login(None, f"{path} is not a docker config")
    auths = data.get("auths") if isinstance(data.get("auths"), dict) else {}
    assert isinstance(auths, dict)
    for key, entry in auths.items():
        if isinstance(key, str) and _same_registry(key, registry):
            credentials = _decode(entry)
            if credentials is not None:
                return Login(credentials, "")
    helpers = data.get("credHelpers") if isinstance(data.get("credHelpers"), dict) else {}
    assert isinstance(helpers, dict)
    if data.get("credsStore") or any(_same_registry(str(k), registry) for k in helpers):
        return Login(
            None,
            f"{path} keeps its logins in a credential helper, which driftcheck does not read",
        )
    return Login(None, f"no login for it in {path}")


def _same_registry(key: str, registry: str) -> bool:
    host = key.split("://", 1)[-1].split("/", 1)[0].lower()
    if registry == DOCKER_HUB:
        return host in DOCKER_HUB_ALIASES
    return host == registry.lower()


def _decode(entry: Any) -> Credentials | None:
    if not isinstance(entry, dict):
        return None
    auth = entry.get("auth")
    if isinstance(auth, str) and auth:
        try:
            user, sep, password = base64.b64decode(auth, validate=True).decode().partition(":")
        except (binascii.Error, ValueError):
            return None
        return Credentials(user, password) if sep and user else None
    name, secret = entry.get("username"), entry.get("password")
    if isinstance(name, str) and isinstance(secret, str) and name:
        return Credentials(name, secret)
    return None
