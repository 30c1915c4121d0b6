"""docker save and OCI archives: manifests, choices, digests, bombs; every failure exit 3."""

from __future__ import annotations

import gzip
import json
import os

import pytest
from static_builders import (
    E,
    config,
    docker_archive,
    file,
    gzip_layer,
    layer,
    no_writes,
    oci_layout,
    pack,
    sha256,
)

from driftcheck.errors import ExitCode
from driftcheck.static.archive import read_image_archive
from driftcheck.static.errors import HostileArchiveError, ImageChoiceError, InvalidArchiveError
from driftcheck.static.rootfs import Limits

BASE = layer(file("etc/os-release", "ID=base\n"), file("etc/motd", "hello"))
TOP = layer(file("etc/.wh.motd"), file("usr/lib/os-release", "ID=top\n"))


def read(path, tag=None, limits=None):
    with no_writes():
        return read_image_archive(path, tag, limits)


def invalid(path, match, tag=None, limits=None, kind=InvalidArchiveError):
    with pytest.raises(kind, match=match) as caught:
        read(path, tag, limits)
    assert "\n" not in str(caught.value)
    return caught.value


def test_docker_save_layers_are_stacked_and_verified(tmp_path):
    archive = docker_archive(tmp_path / "img.tar", [(["example:1"], [BASE, TOP])])
    image = read(archive)
    assert image.rootfs.read_bytes("/etc/os-release") == b"ID=base\n"
    assert not image.rootfs.exists("/etc/motd")
    meta = image.metadata
    assert meta["image"] == "example:1"
    assert meta["image_id"].startswith("sha256:") and meta["layers"] == 2
    assert meta["platform"] == "linux/amd64" and meta["labels"] == {"a": "b"}
    assert meta["configured_env"] == {"PATH": "/usr/bin:/bin"} and meta["history_entries"] == 2


def test_the_image_id_is_the_config_digest(tmp_path):
    archive = docker_archive(tmp_path / "img.tar", [(["example:1"], [BASE])])
    image = read(archive)
    assert image.metadata["image_id"] == sha256(json.dumps(config([BASE])).encode())


@pytest.mark.parametrize(
    ("manifest", "match"),
    [
        (None, "lists no image"),
        ([], "lists no image"),
        ({"Config": "x"}, "lists no image"),
        ([{"Config": "c.json", "RepoTags": ["a:1"]}], "no Config file or no Layers"),
        ([{"Config": "c.json", "Layers": None}], "no Config file or no Layers"),
        ([{"Config": "c.json", "Layers": [1]}], "Layers holds"),
        (["oops"], "not an object"),
        (b"{not json", "not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
    ],
)
def test_malformed_manifest_json(tmp_path, manifest, match):
    content = b"null" if manifest is None else manifest  # None alone means "a good one"
    archive = docker_archive(tmp_path / "img.tar", [(["a:1"], [BASE])], manifest=content)
    error = invalid(archive, match)
    assert error.exit_code == ExitCode.INVALID_INPUT


def test_several_images_need_a_tag_and_the_error_lists_them(tmp_path):
    other = layer(file("etc/os-release", "ID=other\n"))
    archive = docker_archive(
        tmp_path / "two.tar", [(["app:1", "app:latest"], [BASE]), (["other:2"], [other])]
    )
    error = invalid(archive, "holds 2 images", kind=ImageChoiceError)
    assert "app:1" in str(error) and "other:2" in str(error)
    assert error.exit_code == ExitCode.USAGE
    assert read(archive, "other:2").rootfs.read_bytes("/etc/os-release") == b"ID=other\n"
    assert read(archive, "app").rootfs.read_bytes("/etc/os-release") == b"ID=base\n"
    assert read(archive, "docker.io/library/app:1").metadata["image"] == "docker.io/library/app:1"
    error = invalid(archive, "has no image 'nope:3'", tag="nope:3", kind=ImageChoiceError)
    assert "other:2" in str(error)


def test_an_untagged_image_is_chosen_by_its_id(tmp_path):
    archive = docker_archive(tmp_path / "img.tar", [([], [BASE]), (["b:1"], [TOP])])
    image_id = sha256(json.dumps(config([BASE])).encode())
    assert read(archive, image_id[7:19]).metadata["image_id"] == image_id


def test_tampered_layer_is_a_digest_mismatch(tmp_path):
    archive = docker_archive(tmp_path / "img.tar", [(["a:1"], [BASE])])
    name = next(n for n in _members(archive) if n.endswith("layer.tar"))
    evil = layer(file("etc/os-release", "ID=evil\n"), file("etc/motd", "hello"))
    tampered = docker_archive(tmp_path / "t.tar", [(["a:1"], [BASE])], tamper={name: evil})
    error = invalid(tampered, "digest mismatch for layer 1/1")
    assert error.exit_code == ExitCode.INVALID_INPUT


def test_tampered_config_is_a_digest_mismatch(tmp_path):
    archive = docker_archive(tmp_path / "img.tar", [(["a:1"], [BASE])])
    name = next(n for n in _members(archive) if n.endswith(".json") and n != "manifest.json")
    tampered = docker_archive(
        tmp_path / "t.tar",
        [(["a:1"], [BASE])],
        tamper={name: json.dumps(config([BASE], architecture="arm64")).encode()},
    )
    invalid(tampered, "digest mismatch")


def test_diff_id_count_must_match_the_layers(tmp_path):
    archive = docker_archive(
        tmp_path / "img.tar",
        [(["a:1"], [BASE, TOP])],
        config_overrides={"rootfs": {"type": "layers", "diff_ids": [sha256(BASE)]}},
    )
    invalid(archive, "lists 1 layers, the manifest 2")


def test_truncated_archive(tmp_path):
    archive = docker_archive(tmp_path / "img.tar", [(["a:1"], [BASE, TOP])])
    data = archive.read_bytes()
    (tmp_path / "cut.tar").write_bytes(data[: len(data) // 2])
    invalid(tmp_path / "cut.tar", "truncated or corrupt|has no file|no manifest|neither")


def test_truncated_layer_with_matching_digest_is_still_refused(tmp_path):
    cut = BASE[:700]
    archive = docker_archive(tmp_path / "img.tar", [(["a:1"], [cut])])
    invalid(archive, "layer 1/1")


def test_gzip_bomb_layer_hits_the_budget_and_names_the_layer(tmp_path):
    bomb = gzip_layer(E("zeros", size=48 * 1024 * 1024), level=9)
    assert len(bomb) < 100 * 1024  # about 1:1000
    layout = oci_layout(tmp_path / "oci", [BASE, bomb])
    error = invalid(
        layout,
        "layer 2/2 .*decompression bomb",
        limits=Limits(max_total_bytes=16 * 1024 * 1024),
        kind=HostileArchiveError,
    )
    assert error.exit_code == ExitCode.INVALID_INPUT


def test_compressed_outer_archive_and_zstd_layers_are_refused_clearly(tmp_path):
    archive = docker_archive(tmp_path / "img.tar", [(["a:1"], [BASE])])
    (tmp_path / "img.tar.gz").write_bytes(gzip.compress(archive.read_bytes()))
    invalid(tmp_path / "img.tar.gz", "decompress it first")
    zstd = b"\x28\xb5\x2f\xfd" + b"\0" * 64
    layout = oci_layout(
        tmp_path / "oci",
        [zstd],
        config_doc=config([BASE]) | {"rootfs": {"diff_ids": [sha256(zstd)]}},
    )
    invalid(layout, "zstd")


# --- OCI layouts ---------------------------------------------------------------------


def test_oci_layout_folder_and_tar_with_gzip_layers(tmp_path):
    layout = oci_layout(tmp_path / "oci", [gzip_layer(file("etc/os-release", "ID=oci\n")), TOP])
    for source in (layout, pack(layout, tmp_path / "oci.tar")):
        image = read(source)
        assert image.rootfs.read_bytes("/etc/os-release") == b"ID=oci\n"
        assert image.metadata["image"] == "example:1" and image.metadata["layers"] == 2


def test_oci_blob_size_and_digest_are_verified(tmp_path):
    layout = oci_layout(tmp_path / "oci", [BASE], sizes={0: len(BASE) + 1})
    invalid(layout, "size mismatch for layer 1/1")
    layout = oci_layout(tmp_path / "oci2", [BASE])
    blob = layout / "blobs" / "sha256" / sha256(BASE).split(":")[1]
    blob.write_bytes(BASE.replace(b"ID=base", b"ID=evil"))
    invalid(layout, "digest mismatch for layer 1/1")


@pytest.mark.parametrize(
    ("index", "match"),
    [
        ({"schemaVersion": 2, "manifests": None}, "no manifests list"),
        ({"schemaVersion": 2, "manifests": []}, "lists no image"),
        ([], "no manifests list"),
        ({"manifests": [{"digest": "sha256:../../etc/passwd", "size": 1}]}, "is not sha256"),
        ({"manifests": [{"digest": "sha512:" + "0" * 128, "size": 1}]}, "is not sha256"),
        ({"manifests": [{"digest": "sha256:" + "0" * 64, "size": -1}]}, "no valid size"),
        ({"manifests": [{"digest": "sha256:" + "0" * 64, "size": 3}]}, "cannot open"),
    ],
)
def test_malformed_oci_index(tmp_path, index, match):
    invalid(oci_layout(tmp_path / "oci", [BASE], index=index), match)


def test_oci_blob_names_cannot_leave_the_layout(tmp_path):
    (tmp_path / "outside").write_text("secret")
    layout = oci_layout(tmp_path / "oci", [BASE])
    link = layout / "blobs" / "sha256" / ("f" * 64)
    link.symlink_to(tmp_path / "outside")
    index = {"manifests": [{"digest": "sha256:" + "f" * 64, "size": 6}]}
    (layout / "index.json").write_text(json.dumps(index))
    invalid(layout, "cannot open|not a regular file")


def test_not_an_archive(tmp_path):
    (tmp_path / "empty").mkdir()
    invalid(tmp_path / "empty", "neither manifest.json nor index.json")
    (tmp_path / "junk.tar").write_bytes(b"this is not a tar file at all" * 40)
    invalid(tmp_path / "junk.tar", "not a readable tar|neither")


def _members(archive):
    import tarfile

    with tarfile.open(archive) as tar:
        return tar.getnames()


def test_layer_and_manifest_counts_are_bounded(tmp_path):
    many = [{"Config": "c.json", "RepoTags": ["a:1"], "Layers": ["l.tar"] * 1001}]
    invalid(docker_archive(tmp_path / "m.tar", [(["a:1"], [BASE])], manifest=many), "1001 layers")
    descriptor = {"mediaType": "x", "digest": "sha256:" + "0" * 64, "size": 1}
    index = {"manifests": [descriptor] * 5000}
    invalid(oci_layout(tmp_path / "oci", [BASE], index=index), "more than 4096 manifests")


def test_a_fifo_is_not_opened(tmp_path):
    fifo = tmp_path / "image.tar"
    os.mkfifo(fifo)
    invalid(fifo, "not a regular file")
