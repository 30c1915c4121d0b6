"""Where the Docker engine is, found as the docker CLI finds it, and how to say it is not there.

DOCKER_HOST, else the current docker context (DOCKER_CONTEXT or config.json's
currentContext), else the platform default. No Docker SDK here: the fast path
for containers on a local socket must not pay for importing it.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from driftcheck.errors import EngineUnreachableError

DEFAULT_ENDPOINT = "unix:///var/run/docker.sock"
LABEL = "io.driftcheck.probe"
API_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Endpoint:
    url: str
    source: str  # "DOCKER_HOST", "context NAME" or "default"

    def describe(self) -> str:
        return f"{self.url} ({self.source})"

    @property
    def unix_path(self) -> str | None:
        """The socket's path for a unix:// endpoint, else None."""
        return self.url[len("unix://") :] if self.url.startswith("unix://") else None


def resolve_endpoint(environ: Mapping[str, str] | None = None) -> Endpoint:
    environ = os.environ if environ is None else environ
    if environ.get("DOCKER_HOST"):
        return Endpoint(environ["DOCKER_HOST"], "DOCKER_HOST")
    config_dir = Path(environ.get("DOCKER_CONFIG") or Path.home() / ".docker")
    name = environ.get("DOCKER_CONTEXT") or _current_context(config_dir)
    if name and name != "default":
        meta = config_dir / "contexts" / "meta" / hashlib.sha256(name.encode()).hexdigest()
        try:
            data = json.loads((meta / "meta.json").read_text("utf-8"))
            host = data["Endpoints"]["docker"]["Host"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise EngineUnreachableError(
                f"docker context {name!r} cannot be read; run `docker context use default` "
                "or set DOCKER_HOST"
            ) from exc
        return Endpoint(str(host), f"context {name}")
    return Endpoint(DEFAULT_ENDPOINT, "default")


def _current_context(config_dir: Path) -> str | None:
    try:
        data = json.loads((config_dir / "config.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    value = data.get("currentContext") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def unreachable(endpoint: Endpoint, exc: BaseException) -> EngineUnreachableError:
    text = str(exc)
    if isinstance(exc, PermissionError) or "Permission denied" in text or "PermissionError" in text:
        return EngineUnreachableError(
            f"permission denied on the Docker socket {endpoint.describe()}; add your user to "
            "the docker group (it is root-equivalent) or use a rootless Docker context"
        )
    return EngineUnreachableError(
        f"no Docker engine answers at {endpoint.describe()}; start Docker, "
        "or point DOCKER_HOST or `docker context use` at a running engine"
    )
