"""The test infrastructure itself: scripts parse, images exist and behave as documented."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

import images

REPO = Path(__file__).resolve().parent.parent


def _run(client: Any, image: str, *command: str, **kwargs: Any) -> str:
    output = client.containers.run(
        image, list(command), remove=True, network_disabled=True, **kwargs
    )
    assert isinstance(output, bytes)
    return output.decode()


@pytest.mark.parametrize("script", ["scripts/test.sh", ".ci/run"])
def test_scripts_are_valid_bash(script: str) -> None:
    path = REPO / script
    assert path.is_file()
    done = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_apt_mirror_reads_deb822_then_one_line_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DRIFTCHECK_TEST_DEBIAN_MIRROR", raising=False)
    (tmp_path / "sources.list.d").mkdir()
    assert images.apt_mirror("bookworm", tmp_path) == images.DEFAULT_MIRROR

    (tmp_path / "sources.list").write_text(
        "# deb http://commented.example/debian bookworm main\n"
        "deb [arch=amd64 signed-by=/k.gpg] http://one-line.example/debian bookworm main\n"
    )
    assert images.apt_mirror("bookworm", tmp_path) == "http://one-line.example/debian"

    (tmp_path / "sources.list.d" / "debian.sources").write_text(
        "Types: deb\n"
        "URIs: http://security.example/debian-security\n"
        "Suites: bookworm-security\n"
        "\n"
        "Types: deb-src deb\n"
        "# a comment inside the paragraph\n"
        "URIs: http://deb822.example/debian http://second.example/debian\n"
        "Suites: bookworm bookworm-updates\n"
        "Components: main\n"
    )
    assert images.apt_mirror("bookworm", tmp_path) == "http://deb822.example/debian"

    monkeypatch.setenv("DRIFTCHECK_TEST_DEBIAN_MIRROR", "http://override.example/debian")
    assert images.apt_mirror("bookworm", tmp_path) == "http://override.example/debian"


def test_image_tags_carry_the_recipe_hash() -> None:
    base, venv = images.BASE_RECIPE, images.VENV_RECIPE
    assert base.tag == f"driftcheck-test/bookworm-python:{base.digest}"
    assert len(base.digest) == 12 and int(base.digest, 16) >= 0
    assert venv.base == base and base.tag in venv.dockerfile()
    changed = images.BaseRecipe(include=(*base.include, "file"))
    assert changed.digest != base.digest
    assert len(images.CANARY_TOKEN) == len("ghp_") + 36


@pytest.mark.docker
def test_bookworm_image_runs_debian_python_311(docker_client: Any, bookworm_image: str) -> None:
    assert images.image_exists(docker_client, bookworm_image)
    out = _run(docker_client, bookworm_image, "python3", "-c", "import sys; print(sys.version)")
    assert out.startswith("3.11."), out
    release = _run(docker_client, bookworm_image, "cat", "/etc/os-release")
    assert "VERSION_CODENAME=bookworm" in release
    assert _run(docker_client, bookworm_image, "id", "-u").strip() == "0"


@pytest.mark.docker
def test_bookworm_venv_image_has_venv_user_and_canary(
    docker_client: Any, bookworm_venv_image: str
) -> None:
    out = _run(
        docker_client, bookworm_venv_image, "python3", "-c", "import sys; print(sys.version)"
    )
    assert out.startswith("3.11."), out

    script = (
        "import os, pwd, sys, six, markupsafe\n"
        "try:\n"
        "    pwd.getpwuid(os.getuid()); entry = 'yes'\n"
        "except KeyError:\n"
        "    entry = 'no'\n"
        "token = os.environ.get('DRIFTCHECK_TEST_CANARY_TOKEN', '')\n"
        "print(os.getuid(), entry, sys.prefix, os.environ.get('VIRTUAL_ENV'), six.__version__,\n"
        "      markupsafe.__file__.endswith('.py'), token.startswith('ghp_'), len(token))\n"
    )
    fields = _run(docker_client, bookworm_venv_image, "/opt/venv/bin/python", "-c", script).split()
    assert fields == [
        str(images.VENV_UID),
        "no",  # uid 10001 has no passwd entry
        images.VENV_PATH,
        images.VENV_PATH,
        "1.17.0",
        "True",
        "True",
        str(len(images.CANARY_TOKEN)),
    ]
    # `python3` on PATH is the venv's; the compiled wheel really is a native extension.
    which = _run(
        docker_client,
        bookworm_venv_image,
        "python3",
        "-c",
        "import sys, markupsafe._speedups as s; print(sys.executable, s.__file__)",
    ).split()
    assert which[0] == f"{images.VENV_PATH}/bin/python3"
    assert which[1].endswith(".so")
    listing = _run(docker_client, bookworm_venv_image, "/opt/venv/bin/python", "-m", "pip", "list")
    for requirement in images.VENV_WHEELS:
        name, _, version = requirement.partition("==")
        assert any(line.split()[:2] == [name, version] for line in listing.splitlines()), listing
