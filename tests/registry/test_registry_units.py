"""The registry client's small parts: challenges, logins in a docker config, platforms."""

from __future__ import annotations

import base64
import json

import pytest

from driftcheck.errors import UsageError
from driftcheck.registry.auth import Challenge, parse_challenges
from driftcheck.registry.credentials import Credentials, find_login
from driftcheck.registry.platforms import Platform, best, parse_platform


def test_challenges():
    assert parse_challenges(
        [
            'Bearer realm="https://auth.example/token",service="registry.example",'
            'scope="repository:team/app:pull"',
            'Basic realm="a \\"quoted\\" realm"',
        ]
    ) == [
        Challenge(
            "bearer",
            {
                "realm": "https://auth.example/token",
                "service": "registry.example",
                "scope": "repository:team/app:pull",
            },
        ),
        Challenge("basic", {"realm": 'a "quoted" realm'}),
    ]
    assert parse_challenges(["", "   "]) == []


def config(tmp_path, data):
    (tmp_path / "config.json").write_text(json.dumps(data))
    return {"DOCKER_CONFIG": str(tmp_path)}


def auth(user: str, password: str) -> dict[str, str]:
    return {"auth": base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.mark.parametrize(
    ("key", "registry"),
    [
        ("registry.example:5000", "registry.example:5000"),
        ("https://registry.example:5000", "registry.example:5000"),
        ("https://index.docker.io/v1/", "docker.io"),
        ("registry-1.docker.io", "docker.io"),
    ],
)
def test_logins_are_found_by_registry_host(tmp_path, key, registry):
    login = find_login(registry, config(tmp_path, {"auths": {key: auth("me", "pw:with:colons")}}))
    assert login.credentials == Credentials("me", "pw:with:colons")
    assert "pw" not in repr(login)  # never in a repr, a log or a traceback's locals


def test_username_and_password_entries(tmp_path):
    env = config(tmp_path, {"auths": {"r.example": {"username": "me", "password": "pw"}}})
    assert find_login("r.example", env).credentials == Credentials("me", "pw")


@pytest.mark.parametrize(
    ("data", "note"),
    [
        ({"auths": {"other.example": auth("me", "pw")}}, "no login for it"),
        ({"auths": {"r.example": {"auth": "not base64!"}}}, "no login for it"),
        ({"auths": {"r.example": {}}, "credsStore": "desktop"}, "credential helper"),
        ({"credHelpers": {"r.example": "ecr-login"}}, "credential helper"),
        ([], "is not a docker config"),
    ],
)
def test_no_usable_login_says_why(tmp_path, data, note):
    login = find_login("r.example", config(tmp_path, data))
    assert login.credentials is None and note in login.note


def test_a_missing_or_broken_config_is_no_login(tmp_path):
    assert "no login" in find_login("r.example", {"DOCKER_CONFIG": str(tmp_path / "no")}).note
    (tmp_path / "config.json").write_text("{broken")
    assert "cannot be read" in find_login("r.example", {"DOCKER_CONFIG": str(tmp_path)}).note


def test_platforms():
    assert parse_platform("linux/arm64/v8") == Platform("linux", "arm64", "v8")
    assert str(parse_platform("Linux/AMD64")) == "linux/amd64"
    for bad in ("linux", "linux/arm/v7/extra", "linux/", "linux/a b"):
        with pytest.raises(UsageError):
            parse_platform(bad)
    offered = [
        Platform("linux", "arm", "v6"),
        Platform("linux", "arm", "v7"),
        Platform("linux", "arm64"),  # arm64 without a variant is v8
        Platform("linux", "amd64", "v3"),
        Platform("linux", "amd64"),
    ]
    assert best(Platform("linux", "arm", "v7"), offered, "v7") == 1
    assert best(Platform("linux", "arm"), offered, "v6") == 0  # the host's variant first
    assert best(Platform("linux", "arm64", "v8"), offered, "v8") == 2
    assert best(Platform("linux", "amd64"), offered, "") == 4  # no variant before another one
    assert best(Platform("windows", "amd64"), offered, "") is None
