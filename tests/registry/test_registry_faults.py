"""Registry faults, for real: one line each, with the documented exit code."""

from __future__ import annotations

import os
import socket

import pytest
from local_registry import cli_snapshot, free_port, os_layer

from driftcheck.errors import UsageError
from driftcheck.registry.names import ImageName, parse_image_name

from support import assert_one_line_error, run_cli

DIGEST = "sha256:" + "a" * 64


def test_a_registry_that_is_down_is_unreachable_exit_4():
    address = f"127.0.0.1:{free_port()}"  # nothing listens there
    line = assert_one_line_error(run_cli("snapshot", "--registry", f"{address}/team/app:1"), 4)
    assert f"cannot reach registry {address}: the connection was refused" in line
    assert "check the name and that the registry is up" in line


def test_an_unknown_host_is_unreachable_exit_4():
    line = assert_one_line_error(run_cli("show", "registry:registry.invalid/team/app:1"), 4)
    assert "cannot reach registry registry.invalid" in line


@pytest.mark.parametrize(
    ("reference", "says"),
    [
        ("https://127.0.0.1:5000/team/app:1", "has no scheme"),
        ("127.0.0.1:5000/Team/App:1", "lowercase"),
        ("127.0.0.1:5000/team/app@sha256:abc", "64 lowercase hex"),
        ("127.0.0.1:5000/team/app:bad!tag", "not a valid tag"),
        ("exa_mple.com:5000/team/app:1", "is not a registry host"),
    ],
)
def test_a_malformed_reference_is_a_usage_error(reference, says):
    assert says in assert_one_line_error(run_cli("snapshot", "--registry", reference), 2)
    assert says in assert_one_line_error(run_cli("show", f"registry:{reference}"), 2)


@pytest.mark.parametrize(
    "args",
    [
        ("--registry", "127.0.0.1:1/a:1", "--python", "/usr/bin/python3"),
        ("--registry", "127.0.0.1:1/a:1", "--image", "debian:12"),
        ("--registry", "127.0.0.1:1/a:1", "--pull"),
        ("--registry", "127.0.0.1:1/a:1", "--tag", "x"),
        ("--registry", "127.0.0.1:1/a:1", "--platform", "linux"),
        ("--platform", "linux/amd64"),
        ("--insecure-registry",),
    ],
)
def test_options_that_do_not_go_with_a_registry(args):
    assert_one_line_error(run_cli("snapshot", *args, "-o", "-"), 2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("debian", ImageName("docker.io", "library/debian", "latest", None)),
        ("docker.io/library/debian:12", ImageName("docker.io", "library/debian", "12", None)),
        ("index.docker.io/team/app", ImageName("docker.io", "team/app", "latest", None)),
        ("localhost/app:1", ImageName("localhost", "app", "1", None)),
        ("localhost:5000/a/b/c:v1.2", ImageName("localhost:5000", "a/b/c", "v1.2", None)),
        ("[::1]:5000/app", ImageName("[::1]:5000", "app", "latest", None)),
        (
            "ghcr.io/org/app:1@sha256:" + "a" * 64,
            ImageName("ghcr.io", "org/app", "1", "sha256:" + "a" * 64),
        ),
        (
            "ghcr.io/org/app@sha256:" + "b" * 64,
            ImageName("ghcr.io", "org/app", None, "sha256:" + "b" * 64),
        ),
    ],
)
def test_image_names(text, expected):
    assert parse_image_name(text) == expected


def test_docker_hub_names_are_read_from_its_registry_host():
    name = parse_image_name("python:3.12-slim")
    assert name.endpoint == "registry-1.docker.io" and str(name) == "python:3.12-slim"
    with pytest.raises(UsageError):
        parse_image_name("")


# --- plain HTTP: loopback names only, unless the user says so --------------------------


def _mapped_loopback_works(port: int) -> bool:
    try:
        with socket.create_connection(("::ffff:127.0.0.1", port), timeout=5):
            return True
    except OSError:
        return False


def test_plain_http_goes_only_to_loopback_names_unless_asked(registry, uploader):
    """``[::ffff:127.0.0.1]`` reaches the loopback registry, but is not one of the loopback
    names: without --insecure-registry driftcheck insists on verified HTTPS."""
    port = int(registry.address.rsplit(":", 1)[1])
    if not _mapped_loopback_works(port):
        pytest.skip("this machine cannot reach 127.0.0.1 through an IPv4-mapped IPv6 address")
    uploader.image("driftcheck-test/insecure", "t", [os_layer("insecure")])
    ref = f"[::ffff:127.0.0.1]:{port}/driftcheck-test/insecure:t"
    line = assert_one_line_error(run_cli("snapshot", "--registry", ref, "-o", "-"), 4)
    assert "TLS handshake failed" in line and "--insecure-registry" in line
    assert (
        cli_snapshot("--registry", ref, "--insecure-registry")["os"]["os_release"]["ID"]
        == "insecure"
    )
    listed = {**os.environ, "DRIFTCHECK_INSECURE_REGISTRIES": f"other:1, [::ffff:127.0.0.1]:{port}"}
    shown = run_cli("show", f"registry:{ref}", env=listed)
    assert shown.returncode == 0, shown.stderr


@pytest.mark.parametrize("value", ["soon", "0", "-5", "nan", "1e9"])
def test_a_bad_registry_deadline_is_a_usage_error(value):
    env = {**os.environ, "DRIFTCHECK_REGISTRY_TIMEOUT": value}
    line = assert_one_line_error(run_cli("show", "registry:127.0.0.1:1/team/app:1", env=env), 2)
    assert "DRIFTCHECK_REGISTRY_TIMEOUT" in line and "is not a number of seconds" in line
