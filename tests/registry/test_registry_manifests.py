"""Hand-made images served by a real registry: indexes and platforms, media types, tampering.

No engine is needed: the images are pushed over the HTTP API (``Uploader``), so
the registry serves exactly what each test says, including what ``docker push``
never makes (OCI indexes with attestations, zstd layers, artifacts).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from local_registry import cli_snapshot, os_layer
from static.static_builders import config, file, layer, sha256

from driftcheck.registry.platforms import host_platform

from support import assert_one_line_error, run_cli

HOST_IMAGE = {"amd64": "amd", "arm64": "arm"}.get(host_platform().architecture)


def push(uploader, repository: str, tag: str, name: str, **overrides: Any) -> dict[str, Any]:
    blobs = [os_layer(name)]
    return uploader.image(repository, tag, blobs, config_doc=config(blobs, **overrides))


@pytest.fixture(params=["oci", "docker"])
def multi_platform(request, registry, uploader) -> dict[str, Any]:
    """An index (OCI, or a Docker manifest list) of amd64, arm64/v8 and an attestation."""
    docker_types = request.param == "docker"
    repository = f"driftcheck-test/multi-{request.param}"
    entries = []
    for name, arch, variant in (("amd", "amd64", None), ("arm", "arm64", "v8")):
        blobs = [os_layer(name)]
        extra = {"variant": variant} if variant else {}
        descriptor = uploader.image(
            repository,
            f"only-{name}",
            blobs,
            docker_types=docker_types,
            config_doc=config(blobs, architecture=arch, **extra),
        )
        entries.append((descriptor, {"os": "linux", "architecture": arch, **extra}))
    attestation = push(uploader, repository, "attestation", "attestation")
    entries.append((attestation, {"os": "unknown", "architecture": "unknown"}))
    digest = uploader.index(repository, "multi", entries, docker_types=docker_types)
    return {
        "ref": registry.ref(repository, "multi"),
        "repository": f"{registry.address}/{repository}",
        "digest": digest,
        "manifests": {"amd": entries[0][0]["digest"], "arm": entries[1][0]["digest"]},
    }


def test_platform_option_chooses_from_the_index(multi_platform):
    doc = cli_snapshot("--registry", multi_platform["ref"], "--platform", "linux/arm64")
    assert doc["os"]["os_release"]["ID"] == "arm"
    assert doc["container"]["platform"] == "linux/arm64/v8"
    assert doc["target"]["description"] == (
        f"registry {multi_platform['ref']} "
        f"(linux/arm64/v8, manifest {multi_platform['manifests']['arm']}, read statically)"
    )
    assert doc["container"]["repo_digests"] == [
        f"{multi_platform['repository']}@{multi_platform['digest']}"
    ]
    assert [(p["name"], p["version"]) for p in doc["os_packages"]] == [("arm-base", "1.0")]


def test_default_platform_is_linux_on_the_host_architecture(multi_platform):
    result = run_cli("show", f"registry:{multi_platform['ref']}")
    if HOST_IMAGE is None:  # neither amd64 nor arm64: the index has nothing for this host
        assert "has no image for linux/" in assert_one_line_error(result, 2)
        return
    assert result.returncode == 0, result.stderr
    assert multi_platform["manifests"][HOST_IMAGE] in result.stdout  # the description
    doc = cli_snapshot("--registry", multi_platform["ref"])
    assert doc["os"]["os_release"]["ID"] == HOST_IMAGE


def test_a_platform_the_index_lacks_is_a_usage_error_naming_the_ones_it_has(multi_platform):
    result = run_cli("snapshot", "--registry", multi_platform["ref"], "--platform", "linux/s390x")
    line = assert_one_line_error(result, 2)
    assert "no image for linux/s390x" in line
    assert "linux/amd64, linux/arm64/v8" in line and "unknown" not in line


def test_attestations_are_never_read(multi_platform):
    result = run_cli(
        "snapshot", "--registry", multi_platform["ref"], "--platform", "unknown/unknown"
    )
    assert "no image for unknown/unknown" in assert_one_line_error(result, 2)


def test_platform_of_a_single_image_must_match(registry, uploader):
    push(uploader, "driftcheck-test/single", "one", "single")
    ref = registry.ref("driftcheck-test/single", "one")
    assert cli_snapshot("--registry", ref, "--platform", "linux/amd64")["os"]["os_release"][
        "ID"
    ] == ("single")
    line = assert_one_line_error(
        run_cli("snapshot", "--registry", ref, "--platform", "linux/arm64"), 2
    )
    assert "is an image for linux/amd64, not linux/arm64" in line


def test_docker_schema2_and_plain_tar_layers(registry, uploader):
    blobs = [layer(file("etc/os-release", "ID=plain\n")), os_layer("gz")]
    uploader.image("driftcheck-test/schema2", "t", blobs, docker_types=True)
    doc = cli_snapshot("--registry", registry.ref("driftcheck-test/schema2", "t"))
    assert doc["os"]["os_release"]["ID"] == "gz"  # the upper layer wins
    assert doc["container"]["layers"] == 2


# --- refused: exit 3 for what the registry serves, exit 2 for what the user asked -------


def test_zstd_layers_are_refused(registry, uploader):
    zstd = b"\x28\xb5\x2f\xfd" + b"\0" * 64
    uploader.image("driftcheck-test/zstd", "t", [zstd])
    result = run_cli("snapshot", "--registry", registry.ref("driftcheck-test/zstd", "t"))
    assert "zstd" in assert_one_line_error(result, 3)


def test_an_artifact_is_not_an_image(registry, uploader):
    blobs = [os_layer("artifact")]
    uploader.image(
        "driftcheck-test/artifact",
        "t",
        blobs,
        config_type="application/vnd.cncf.helm.config.v1+json",
    )
    result = run_cli("snapshot", "--registry", registry.ref("driftcheck-test/artifact", "t"))
    assert "is an artifact" in assert_one_line_error(result, 3)


@pytest.mark.parametrize("part", ["config", "layer"])
def test_a_tampered_blob_is_refused(registry, uploader, part):
    blobs = [os_layer(f"tamper-{part}")]
    raw_config = json.dumps(config(blobs)).encode()
    uploader.image("driftcheck-test/tamper", part, blobs, config_doc=json.loads(raw_config))
    if part == "config":
        stored = registry.blob_file(sha256(raw_config))
        data = stored.read_bytes()
        stored.write_bytes(data.replace(b"03:04:05", b"03:04:06"))  # same size, other bytes
    else:
        stored = registry.blob_file(sha256(blobs[0]))
        data = bytearray(stored.read_bytes())
        data[4:8] = b"\x01\x02\x03\x04"  # the gzip header's mtime: same content, other digest
        stored.write_bytes(bytes(data))
    result = run_cli("snapshot", "--registry", registry.ref("driftcheck-test/tamper", part))
    line = assert_one_line_error(result, 3)
    assert (
        "digest mismatch for " + ("the image config" if part == "config" else "layer 1/1") in line
    )


def test_a_tampered_manifest_is_refused_by_tag_and_by_digest(registry, uploader):
    descriptor = push(uploader, "driftcheck-test/tamper-manifest", "t", "tamper-manifest")
    stored = registry.blob_file(descriptor["digest"])
    data = stored.read_bytes()
    stored.write_bytes(data.replace(b'"schemaVersion": 2,', b'"schemaVersion":2, ', 1))
    by_tag = registry.ref("driftcheck-test/tamper-manifest", "t")
    by_digest = f"{registry.address}/driftcheck-test/tamper-manifest@{descriptor['digest']}"
    for ref in (by_tag, by_digest):
        line = assert_one_line_error(run_cli("snapshot", "--registry", ref), 3)
        assert "digest mismatch for the manifest" in line


def test_unknown_tag_and_repository_are_usage_errors(registry, uploader):
    push(uploader, "driftcheck-test/known", "t", "known")
    for ref, named in (
        (registry.ref("driftcheck-test/known", "nope"), "driftcheck-test/known:nope"),
        (registry.ref("driftcheck-test/never-pushed", "t"), "driftcheck-test/never-pushed:t"),
    ):
        line = assert_one_line_error(run_cli("snapshot", "--registry", ref, "-o", "-"), 2)
        assert f"registry {registry.address} has no image {named}" in line
        assert "tags/list" in line
