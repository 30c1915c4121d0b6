"""Images read as files tell the same story as images run (issue 13, sys.path items).

For real images built by the suite, each covering one way a package becomes
importable (the user site, a folder added by a .pth line, PYTHONPATH, an
isolated venv beside filled system folders, a venv that sees them, an editable
src-layout install), `driftcheck diff` of the live reading (``--image``)
against every static reading of the same image (``--archive`` of a
``docker save`` tar, an OCI layout and an OCI archive made by Debian's
skopeo, ``--registry`` from a real loopback registry) finds nothing above
info. The live reading is checked first for what each image is meant to show,
so that the comparison cannot pass on an image that shows nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from registry.local_registry import LocalRegistry, push_engine_image, start_or_skip

import images
from support import assert_valid_snapshot, run_cli

pytestmark = pytest.mark.docker

SITE = "/opt/venv/lib/python3.11/site-packages"
SYSTEM_SITE = "/opt/sysvenv/lib/python3.11/site-packages"
LOCAL_DIST = "/usr/local/lib/python3.11/dist-packages"
DEBIAN_DIST = "/usr/lib/python3/dist-packages"
ROOT_USER_SITE = "/root/.local/lib/python3.11/site-packages"
APP_USER_SITE = "/home/app/.local/lib/python3.11/site-packages"

RECIPES = {
    "site-paths": images.SITE_PATHS_RECIPE,
    "venv-beside-system": images.VENV_BESIDE_SYSTEM_RECIPE,
    "system-site-venv": images.SYSTEM_SITE_VENV_RECIPE,
}
# What `import NAME` loads in each image, as (version, folder): checked on the live reading.
ACTIVE = {
    "site-paths": {
        "six": ("1.16.0", "/opt/pp"),  # PYTHONPATH, ahead of 1.17.0 in /usr/local
        "attrs": ("23.2.0", ROOT_USER_SITE),  # the user site, ahead of 24.3.0 in /usr/local
        "packaging": ("24.2", "/opt/plugins"),  # a .pth path line
        "markupsafe": ("3.0.2", "/srv/extra"),  # a relative .pth path line
        "idna": ("3.10", DEBIAN_DIST),
    },
    "venv-beside-system": {
        "six": ("1.17.0", SITE),  # 1.16.0 in /usr/local: not on an isolated venv's path
        "attrs": ("24.3.0", SITE),
        "idna": ("3.10", SITE),  # also in app's user site: off in an isolated venv
        "myproject": ("0.3.0", SITE),  # editable; its src/myproject.egg-info is no copy
    },
    "system-site-venv": {
        "idna": ("3.10", APP_USER_SITE),  # the user site comes first where it is enabled
        "markupsafe": ("3.0.2", SYSTEM_SITE),
        "six": ("1.16.0", LOCAL_DIST),
        "attrs": ("23.2.0", LOCAL_DIST),
        "packaging": ("24.2", DEBIAN_DIST),
    },
}


# The copies an import does not find, as (name, folder): none but these. In the venv image,
# the egg-info that src/ holds is the editable install's, not a shadowed second copy.
SHADOWED = {
    "site-paths": {("six", LOCAL_DIST), ("attrs", LOCAL_DIST)},
    "venv-beside-system": set(),
    "system-site-venv": set(),
}
READINGS = (
    "docker-save",
    "skopeo-oci-layout",  # skopeo rewrites the config: the same diff_ids, "the same files"
    "skopeo-oci-archive",
    "registry",
)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def unavailable(message: str) -> None:
    if in_ci():
        pytest.fail(f"CI=true and {message}", pytrace=False)
    pytest.skip(f"SKIPPED (would FAIL under CI=true) - {message}")


@pytest.fixture(scope="module", params=list(RECIPES))
def image(request: pytest.FixtureRequest, docker_client: Any) -> tuple[str, str]:
    try:
        return request.param, images.ensure_paths_image(RECIPES[request.param], docker_client)
    except images.ImageBuildUnavailable as exc:
        unavailable(f"cannot build the {request.param} image: {exc}")
        raise AssertionError("unreachable") from None


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fidelity")


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRegistry]:
    server = start_or_skip(tmp_path_factory.mktemp("registry"))
    yield server
    server.stop()


def snapshot(path: Path, *args: str) -> Path:
    result = run_cli("snapshot", *args, "-o", str(path))
    assert result.returncode == 0, result.stderr
    doc = json.loads(path.read_text())
    assert_valid_snapshot(doc)
    assert images.CANARY_TOKEN not in path.read_text()
    return path


@pytest.fixture(scope="module")
def live(image: tuple[str, str], workdir: Path) -> Path:
    name, tag = image
    path = snapshot(workdir / f"{name}-live.json", "--image", tag)
    doc = json.loads(path.read_text())
    assert doc["target"]["mode"] == "live"
    active = {
        d["canonical_name"]: (d["version"], d["location"])
        for d in doc["distributions"]
        if d["shadowed_by"] is None
    }
    for dist, where in ACTIVE[name].items():
        assert active.get(dist) == where, dist
    shadowed = {
        (d["canonical_name"], d["location"]) for d in doc["distributions"] if d["shadowed_by"]
    }
    assert shadowed == SHADOWED[name]
    return path


def skopeo(*args: str) -> None:
    binary = shutil.which("skopeo")
    if binary is None:
        unavailable("no skopeo on PATH (Debian package skopeo; `bash scripts/test.sh` installs it)")
    done = subprocess.run([str(binary), *args], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def static_reading(
    reading: str, name: str, tag: str, workdir: Path, docker_client: Any, request: Any
) -> list[str]:
    """The snapshot options that read ``tag`` as files, the way ``reading`` says."""
    if reading == "docker-save":
        archive = workdir / f"{name}.tar"
        if not archive.exists():
            with open(archive, "wb") as out:
                for chunk in docker_client.images.get(tag).save(named=True):
                    out.write(chunk)
        return ["--archive", str(archive)]
    if reading == "skopeo-oci-layout":
        layout = workdir / f"{name}-oci"
        if not layout.exists():
            skopeo("copy", "--quiet", f"docker-daemon:{tag}", f"oci:{layout}:{tag}")
        return ["--archive", str(layout)]
    if reading == "skopeo-oci-archive":
        archive = workdir / f"{name}-oci.tar"
        if not archive.exists():
            skopeo("copy", "--quiet", f"docker-daemon:{tag}", f"oci-archive:{archive}:{tag}")
        return ["--archive", str(archive)]
    server: LocalRegistry = request.getfixturevalue("registry")
    repository = f"driftcheck-test/fidelity-{name}"
    push_engine_image(docker_client, tag, server, repository, "v1")
    return ["--registry", server.ref(repository, "v1")]


def static_snapshot(
    reading: str, image: tuple[str, str], workdir: Path, docker_client: Any, request: Any
) -> Path:
    """The static snapshot of ``image`` read the way ``reading`` says (taken once)."""
    name, tag = image
    path = workdir / f"{name}-{reading}.json"
    if not path.exists():
        options = static_reading(reading, name, tag, workdir, docker_client, request)
        snapshot(path, *options)
    return path


@pytest.mark.parametrize("reading", READINGS)
def test_static_reading_tells_the_same_story_as_the_live_one(
    reading: str, image: tuple[str, str], live: Path, workdir: Path, docker_client: Any, request
):
    static = static_snapshot(reading, image, workdir, docker_client, request)
    doc = json.loads(static.read_text())
    assert doc["target"]["mode"] == "static"
    assert "python.sys_path" in {u["field"] for u in doc["unknowns"]}
    result = run_cli("diff", "--format", "json", "--fail-on", "low", str(live), str(static))
    report = json.loads(result.stdout)
    above_info = [f for f in report["findings"] if f["severity"] != "info"]
    assert [f"[{f['severity']}] {f['explanation']}" for f in above_info] == []
    assert "rebuilt" not in result.stdout
    assert result.returncode == 0, result.stderr


# The facts the probe and the static reader read with the same code (probe/_probe.py,
# through LocalFiles live and static/files.py ImageFiles from the layers): equal, entry
# for entry, whatever the diff would make of a difference.
SHARED_FACTS = {
    "os-release": lambda doc: doc["os"]["os_release"],
    "libc": lambda doc: doc["os"]["libc"],
    "native libraries": lambda doc: doc["native_libraries"],
    "os packages": lambda doc: doc["os_packages"],
    "pth files": lambda doc: doc["pth_files"],
    "distributions": lambda doc: doc["distributions"],
    "start-up blockers": lambda doc: (doc["python"] or doc["static_python"])["start_up_blockers"],
}


@pytest.mark.parametrize("reading", ["docker-save", "skopeo-oci-layout"])
def test_facts_both_readers_read_are_the_same_live_and_static(
    reading: str, image: tuple[str, str], live: Path, workdir: Path, docker_client: Any, request
):
    live_doc = json.loads(live.read_text())
    static = static_snapshot(reading, image, workdir, docker_client, request)
    static_doc = json.loads(static.read_text())
    assert live_doc["native_libraries"] and live_doc["os_packages"]  # facts to compare
    assert live_doc["pth_files"] or image[0] != "site-paths"
    for fact, read in SHARED_FACTS.items():
        assert read(static_doc) == read(live_doc), fact
