"""The recipes of the second-release, no-Python and no-shell images (no engine needed)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import images


def test_the_two_releases_share_distributions_at_other_versions() -> None:
    bookworm = images.pinned_versions(images.VENV_WHEELS)
    bullseye = images.pinned_versions(images.BULLSEYE_VENV_WHEELS)
    assert bookworm.keys() == bullseye.keys()
    assert {n for n in bookworm if bookworm[n] != bullseye[n]} == {"six", "attrs"}
    assert images.BULLSEYE_RECIPE.tag != images.BASE_RECIPE.tag
    assert images.BULLSEYE_VENV_RECIPE.wheels_digest != images.VENV_RECIPE.wheels_digest
    assert images.BULLSEYE_VENV_RECIPE.base == images.BULLSEYE_RECIPE


def test_derived_images_are_tagged_by_their_recipe() -> None:
    assert images.BASE_RECIPE.tag in images.NO_PYTHON_RECIPE.dockerfile()
    assert images.VENV_RECIPE.tag in images.NO_SHELL_RECIPE.dockerfile()
    fewer = images.NoShellRecipe(venv=images.VENV_RECIPE, shells=("sh",))
    assert fewer.tag != images.NO_SHELL_RECIPE.tag
    other_base = images.NoPythonRecipe(base=images.BULLSEYE_RECIPE)
    assert other_base.tag != images.NO_PYTHON_RECIPE.tag


def test_another_release_uses_the_mirror_of_this_machine(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("DRIFTCHECK_TEST_DEBIAN_MIRROR", raising=False)
    monkeypatch.setattr(images, "_host_codename", lambda: "bookworm")
    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "sources.list.d" / "debian.sources").write_text(
        textwrap.dedent(
            """\
            Types: deb
            URIs: http://mirror.example/debian
            Suites: bookworm bookworm-updates
            Components: main
            """
        )
    )
    assert images.apt_mirror("bullseye", tmp_path) == "http://mirror.example/debian"
    monkeypatch.setattr(images, "_host_codename", lambda: "")
    assert images.apt_mirror("bullseye", tmp_path) == images.DEFAULT_MIRROR
