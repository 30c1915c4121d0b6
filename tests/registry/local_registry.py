"""A real registry on loopback for the tests (Debian's ``docker-registry``), and a way to fill it.

``start_registry`` runs ``docker-registry serve`` on a free 127.0.0.1 port with
its storage in a temporary folder (never the Debian service: no systemd unit is
touched); ``Uploader`` pushes hand-made images over the Registry HTTP API the
way ``docker push`` does (blob uploads, then the manifest), so that tests can
serve what the engine never pushes: OCI manifests, multi-platform indexes,
zstd layers, artifacts. Engine-built images are pushed with the docker SDK
(``push_engine_image``).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from static.static_builders import (
    OCI_CONFIG,
    OCI_INDEX,
    OCI_MANIFEST,
    config,
    file,
    gzip_layer,
    sha256,
)

from support import assert_valid_snapshot, run_cli

BINARY = "docker-registry"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_CONFIG_TYPE = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
READY_SECONDS = 30


class RegistryUnavailable(RuntimeError):
    """No docker-registry binary, or it would not start."""


@dataclass
class LocalRegistry:
    address: str  # 127.0.0.1:PORT
    root: Path  # the storage folder
    process: subprocess.Popen[bytes]
    log: Path

    def ref(self, repository: str, tag: str) -> str:
        return f"{self.address}/{repository}:{tag}"

    def blob_file(self, digest: str) -> Path:
        """Where the registry keeps a blob: rewriting it is tampering with the registry."""
        hex_digest = digest.split(":", 1)[1]
        return self.root / "docker/registry/v2/blobs/sha256" / hex_digest[:2] / hex_digest / "data"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_registry(folder: Path, auth: dict[str, Any] | None = None) -> LocalRegistry:
    """``docker-registry serve`` on loopback, storing under ``folder``; ``auth`` is its
    ``auth:`` section (htpasswd, token)."""
    binary = shutil.which(BINARY)
    if binary is None:
        raise RegistryUnavailable(f"no {BINARY} on PATH (Debian package docker-registry)")
    folder.mkdir(parents=True, exist_ok=True)
    address = f"127.0.0.1:{free_port()}"
    settings: dict[str, Any] = {
        "version": 0.1,
        "log": {"level": "warn", "accesslog": {"disabled": True}},
        "storage": {"filesystem": {"rootdirectory": str(folder / "storage")}},
        "http": {"addr": address, "secret": "driftcheck-test-not-a-secret"},
    }
    if auth:
        settings["auth"] = auth
    config_file = folder / "config.yml"
    config_file.write_text(json.dumps(settings, indent=1))  # JSON is YAML
    log = folder / "registry.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [binary, "serve", str(config_file)],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C of the test run is not its to receive
        )
    registry = LocalRegistry(address, folder / "storage", process, log)
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RegistryUnavailable(f"{BINARY} exited: {log.read_text()[-2000:]}")
        try:
            urllib.request.urlopen(f"http://{address}/v2/", timeout=2).close()
            return registry
        except urllib.error.HTTPError:
            return registry  # 401: up, and asking for a login
        except OSError:
            time.sleep(0.1)
    registry.stop()
    raise RegistryUnavailable(f"{BINARY} did not answer within {READY_SECONDS} s")


def start_or_skip(folder: Path, auth: dict[str, Any] | None = None) -> LocalRegistry:
    """A started registry; without one the test FAILS under CI=true and skips otherwise."""
    try:
        return start_registry(folder, auth)
    except RegistryUnavailable as exc:
        message = f"no test registry: {exc}; `bash scripts/test.sh` installs docker-registry"
    if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
        pytest.fail(f"CI=true and {message}", pytrace=False)
    pytest.skip(f"SKIPPED (would FAIL under CI=true) - {message}")


class Uploader:
    """Pushes blobs and manifests over the HTTP API (monolithic uploads)."""

    def __init__(self, address: str, authorization: str | None = None) -> None:
        self.base = f"http://{address}"
        self.authorization = authorization

    def _call(self, method: str, url: str, data: bytes | None = None, **headers: str) -> Any:
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        if self.authorization:
            request.add_header("Authorization", self.authorization)
        return urllib.request.urlopen(request, timeout=60)

    def blob(self, repository: str, data: bytes) -> dict[str, Any]:
        digest = sha256(data)
        with self._call("POST", f"{self.base}/v2/{repository}/blobs/uploads/") as started:
            location = urljoin(self.base, started.headers["Location"])
        separator = "&" if "?" in location else "?"
        url = f"{location}{separator}digest={digest}"
        self._call("PUT", url, data, **{"Content-Type": "application/octet-stream"}).close()
        return {"digest": digest, "size": len(data)}

    def manifest(self, repository: str, reference: str, body: bytes, media_type: str) -> str:
        url = f"{self.base}/v2/{repository}/manifests/{reference}"
        with self._call("PUT", url, body, **{"Content-Type": media_type}) as answer:
            assert answer.headers["Docker-Content-Digest"] == sha256(body)
        return sha256(body)

    def retag(self, repository: str, source: str, target: str) -> str:
        """Points ``target`` at the manifest ``source`` names (as a re-push would)."""
        url = f"{self.base}/v2/{repository}/manifests/{source}"
        with self._call("GET", url, Accept=DOCKER_MANIFEST) as answer:
            body, media_type = answer.read(), answer.headers["Content-Type"]
        return self.manifest(repository, target, body, media_type)

    def image(
        self,
        repository: str,
        tag: str,
        layers: Sequence[bytes],
        *,
        docker_types: bool = False,
        config_doc: dict[str, Any] | None = None,
        config_type: str | None = None,
    ) -> dict[str, Any]:
        """An image (OCI, or Docker schema 2) under ``tag``; its manifest's descriptor."""
        raw_config = json.dumps(config_doc or config(layers)).encode()
        layer_type = DOCKER_LAYER if docker_types else "application/vnd.oci.image.layer.v1.tar"
        layer_descriptors = []
        for blob in layers:
            suffix = "+gzip" if blob[:2] == b"\x1f\x8b" and not docker_types else ""
            if blob[:4] == b"\x28\xb5\x2f\xfd":
                suffix = "+zstd"
            layer_descriptors.append(
                {"mediaType": layer_type + suffix, **self.blob(repository, blob)}
            )
        manifest_type = DOCKER_MANIFEST if docker_types else OCI_MANIFEST
        document = {
            "schemaVersion": 2,
            "mediaType": manifest_type,
            "config": {
                "mediaType": config_type or (DOCKER_CONFIG_TYPE if docker_types else OCI_CONFIG),
                **self.blob(repository, raw_config),
            },
            "layers": layer_descriptors,
        }
        body = json.dumps(document).encode()
        digest = self.manifest(repository, tag, body, manifest_type)
        return {"mediaType": manifest_type, "digest": digest, "size": len(body)}

    def index(
        self,
        repository: str,
        tag: str,
        entries: Sequence[tuple[dict[str, Any], dict[str, str]]],
        *,
        docker_types: bool = False,
    ) -> str:
        """A multi-platform index of (manifest descriptor, platform) under ``tag``."""
        media_type = DOCKER_LIST if docker_types else OCI_INDEX
        document = {
            "schemaVersion": 2,
            "mediaType": media_type,
            "manifests": [{**descriptor, "platform": platform} for descriptor, platform in entries],
        }
        return self.manifest(repository, tag, json.dumps(document).encode(), media_type)


def push_engine_image(
    client: Any, image: str, registry: LocalRegistry, repository: str, tag: str
) -> str:
    """Pushes an engine image with the docker SDK; the local tag made for it is removed
    again. Returns the manifest digest the engine reported."""
    target = f"{registry.address}/{repository}"
    client.images.get(image).tag(target, tag)
    digest = ""
    try:
        for line in client.images.push(target, tag=tag, stream=True, decode=True):
            if "error" in line:
                raise RuntimeError(f"push of {image} failed: {line['error']}")
            digest = (line.get("aux") or {}).get("Digest", digest)
    finally:
        client.images.remove(f"{target}:{tag}")  # only the tag: the image keeps its own
    assert digest.startswith("sha256:"), "the engine reported no digest for the push"
    return digest


def os_layer(name: str) -> bytes:
    """A small image layer (os-release, one dpkg package) whose blobs no other test shares."""
    return gzip_layer(
        file("etc/os-release", f'ID={name}\nVERSION_ID="1"\n# {uuid.uuid4().hex}\n'),
        file(
            "var/lib/dpkg/status",
            f"Package: {name}-base\nStatus: install ok installed\n"
            "Version: 1.0\nArchitecture: all\n",
        ),
    )


def cli_snapshot(*args: str, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """``driftcheck snapshot ARGS -o -`` that must succeed; the schema-valid document."""
    result = run_cli("snapshot", *args, "-o", "-", env=env)
    assert result.returncode == 0, result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    assert_valid_snapshot(doc)
    return doc
