"""Private registries, for real: Basic logins (htpasswd), Bearer tokens, blobs on another host.

Logins come from a docker config (``DOCKER_CONFIG``) that holds a canary
password: it, its base64 form, the tokens issued and the storage signature may
appear in no output, error, traceback or snapshot.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from auth_servers import (
    CANARY_PASSWORD,
    SIGNATURE,
    USER,
    RedirectingFront,
    TokenService,
    basic,
    htpasswd_line,
)
from local_registry import LocalRegistry, Uploader, os_layer, start_or_skip

from support import assert_one_line_error, assert_valid_snapshot, run_cli

REPOSITORY = "driftcheck-test/private"
SECRETS = (CANARY_PASSWORD, base64.b64encode(f"{USER}:{CANARY_PASSWORD}".encode()).decode())


def docker_config(folder: Path, registry: str | None, password: str = CANARY_PASSWORD, **extra):
    """A docker config folder with a login for ``registry`` (none for None)."""
    folder.mkdir(parents=True, exist_ok=True)
    auths = {}
    if registry is not None:
        pair = base64.b64encode(f"{USER}:{password}".encode()).decode()
        auths[registry] = {"auth": pair}
    (folder / "config.json").write_text(json.dumps({"auths": auths, **extra}))
    return {**os.environ, "DOCKER_CONFIG": str(folder)}


def run(*args: str, env: dict[str, str], secrets: tuple[str, ...] = SECRETS):
    result = run_cli(*args, env=env)
    for secret in secrets:
        assert secret not in result.stdout + result.stderr, "a credential leaked"
    return result


@pytest.fixture(scope="module")
def basic_registry(tmp_path_factory) -> Iterator[LocalRegistry]:
    folder = tmp_path_factory.mktemp("basic-registry")
    line = htpasswd_line(USER, CANARY_PASSWORD)
    if line is None:
        pytest.skip("this Python cannot make the bcrypt hash an htpasswd registry needs")
    (folder / "htpasswd").write_text(line + "\n")
    server = start_or_skip(
        folder, {"htpasswd": {"realm": "driftcheck-test", "path": str(folder / "htpasswd")}}
    )
    Uploader(server.address, basic(USER, CANARY_PASSWORD)).image(
        REPOSITORY, "t", [os_layer("basic")]
    )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def token_registry(tmp_path_factory) -> Iterator[tuple[LocalRegistry, TokenService]]:
    folder = tmp_path_factory.mktemp("token-registry")
    service = TokenService(folder / "service")
    server = start_or_skip(folder, service.auth_section())
    push_token = service.token(REPOSITORY, ["pull", "push"])
    Uploader(server.address, f"Bearer {push_token}").image(REPOSITORY, "t", [os_layer("token")])
    yield server, service
    server.stop()
    service.stop()


# --- Basic ------------------------------------------------------------------------------


def test_basic_login_from_the_docker_config(tmp_path, basic_registry):
    env = docker_config(tmp_path / "docker", basic_registry.address)
    out = tmp_path / "private.json"
    result = run(
        "snapshot", "--registry", basic_registry.ref(REPOSITORY, "t"), "-o", str(out), env=env
    )
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert not any(secret in text for secret in SECRETS)
    doc = json.loads(text)
    assert_valid_snapshot(doc)
    assert doc["os"]["os_release"]["ID"] == "basic"


def test_login_entries_keyed_by_url_are_found(tmp_path, basic_registry):
    env = docker_config(tmp_path / "docker", f"https://{basic_registry.address}/v1/")
    result = run("show", f"registry:{basic_registry.ref(REPOSITORY, 't')}", env=env)
    assert result.returncode == 0, result.stderr


def test_basic_without_a_login_says_how_to_log_in(tmp_path, basic_registry):
    env = docker_config(tmp_path / "docker", None)
    result = run("snapshot", "--registry", basic_registry.ref(REPOSITORY, "t"), env=env)
    line = assert_one_line_error(result, 2)
    assert "asks for a login" in line and f"docker login {basic_registry.address}" in line


def test_basic_with_a_wrong_password_is_refused(tmp_path, basic_registry):
    env = docker_config(tmp_path / "docker", basic_registry.address, password="wrong-password")
    result = run("--debug", "snapshot", "--registry", basic_registry.ref(REPOSITORY, "t"), env=env,
                 secrets=(*SECRETS, "wrong-password"))  # fmt: skip
    assert result.returncode == 2 and "Traceback" in result.stderr  # --debug: still no secret
    assert "refused access" in result.stderr.splitlines()[-1]


def test_credential_helpers_are_named_as_unsupported(tmp_path, basic_registry):
    env = docker_config(tmp_path / "docker", None, credsStore="desktop")
    result = run("snapshot", "--registry", basic_registry.ref(REPOSITORY, "t"), env=env)
    assert "credential helper" in assert_one_line_error(result, 2)


# --- Bearer tokens -----------------------------------------------------------------------


def test_token_from_the_token_service_with_the_login(tmp_path, token_registry):
    server, service = token_registry
    env = docker_config(tmp_path / "docker", server.address)
    before = len(service.issued)
    out = tmp_path / "s.json"
    result = run("snapshot", "--registry", server.ref(REPOSITORY, "t"), "-o", str(out), env=env)
    assert result.returncode == 0, result.stderr
    tokens = service.issued[before:]
    assert tokens, "no token was asked for"
    text = out.read_text()
    for secret in (*SECRETS, *tokens):
        assert secret not in result.stdout + result.stderr + text
    assert json.loads(text)["os"]["os_release"]["ID"] == "token"
    asked = service.seen[-1]
    assert asked["login"] and asked["scope"] == f"repository:{REPOSITORY}:pull"


def test_token_service_refusing_anonymous_access(tmp_path, token_registry):
    server, _ = token_registry
    env = docker_config(tmp_path / "docker", None)
    result = run("snapshot", "--registry", server.ref(REPOSITORY, "t"), env=env)
    line = assert_one_line_error(result, 2)
    assert "refused anonymous access" in line and "docker login" in line


def test_token_service_refusing_a_wrong_login(tmp_path, token_registry):
    server, _ = token_registry
    env = docker_config(tmp_path / "docker", server.address, password="wrong-password")
    result = run("show", f"registry:{server.ref(REPOSITORY, 't')}", env=env,
                 secrets=(*SECRETS, "wrong-password"))  # fmt: skip
    assert "refused the login" in assert_one_line_error(result, 2)


# --- blobs served from another host ----------------------------------------------------------


def test_blob_redirects_are_followed_without_the_login(tmp_path, basic_registry):
    front = RedirectingFront(basic_registry.address, basic(USER, CANARY_PASSWORD))
    try:
        env = docker_config(tmp_path / "docker", front.address)
        ref = f"{front.address}/{REPOSITORY}:t"
        result = run(
            "snapshot", "--registry", ref, "-o", "-", env=env, secrets=(*SECRETS, SIGNATURE)
        )
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["os"]["os_release"]["ID"] == "basic"
        assert len(front.storage.requests) == 2  # the config and the one layer
        assert not any("Authorization" in headers for headers in front.storage.requests)
    finally:
        front.stop()


def test_a_redirect_to_plain_http_elsewhere_is_refused(tmp_path, basic_registry):
    front = RedirectingFront(
        basic_registry.address, basic(USER, CANARY_PASSWORD), storage="http://storage.invalid"
    )
    try:
        env = docker_config(tmp_path / "docker", front.address)
        result = run("snapshot", "--registry", f"{front.address}/{REPOSITORY}:t", env=env,
                     secrets=(*SECRETS, SIGNATURE))  # fmt: skip
        line = assert_one_line_error(result, 4)
        assert "redirected to plain HTTP at storage.invalid; refused" in line
    finally:
        front.stop()
