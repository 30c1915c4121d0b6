"""Build dist/driftcheck.pyz: driftcheck as one file that an image's own python3 runs.

    python3 scripts/build_zipapp.py [--output dist/driftcheck.pyz] [--find-links DIR]

The archive (stdlib ``zipapp``) holds driftcheck and its pure-Python dependencies
(typer, packaging, deepdiff, the docker SDK, jinja2 and theirs; not rich, which typer
uses only for what driftcheck turns off), as universal wheels pip installs for Python
3.10, and MarkupSafe (Jinja's) without its optional C speed-up, which has a pure-Python
fallback and no universal wheel: it runs with ``python3 driftcheck.pyz ...`` on any
CPython >= 3.10, with no pip, no venv and nothing written to the image. It does NOT hold
``psutil``, which is compiled: ``--pid`` says so and names the way out (install
driftcheck with pip); every other command works without it.

Each module is stored with its bytecode for the building Python (unchecked-hash .pyc
beside the source, where zipimport looks first); another Python version compiles the
sources instead, a few hundred ms more per run. Build with the Python your images run
for the fastest start. pip fetches the wheels (``--find-links DIR`` with ``--no-index``
to build offline from a wheelhouse); the build needs pip, the archive does not.
"""

from __future__ import annotations

import argparse
import py_compile
import shutil
import subprocess
import sys
import tempfile
import zipapp
from pathlib import Path

import tomllib

REPO = Path(__file__).resolve().parents[1]
#: Compiled distributions left out; the code that needs them imports them lazily.
COMPILED = frozenset({"psutil"})
#: The oldest Python driftcheck supports: markers (tomli) are evaluated for it.
OLDEST_PYTHON = "3.10"
MAIN = "from driftcheck.cli.entry import main\n\nraise SystemExit(main())\n"
#: typer's rich help and tracebacks, which driftcheck turns off (cli/app.py: no rich
#: markup, no pretty exceptions): typer works without them, and they are 3/4 of the size.
UNUSED = ("rich", "pygments", "markdown_it", "markdown_it_py", "mdurl")
NATIVE_SUFFIXES = (".so", ".pyd", ".dylib", ".dll")
#: Compiled code that is optional: MarkupSafe falls back to its pure-Python `_native`
#: when `_speedups` is missing. It has no universal wheel: the building platform's wheel
#: is installed and its compiled files dropped (tidy).
OPTIONAL_NATIVE = {"markupsafe": "markupsafe>=2.0"}
#: Pure-Python dependencies whose own dependency is in OPTIONAL_NATIVE: installed beside
#: it without their dependencies, since pip cannot resolve them for the "any" platform.
BESIDE_OPTIONAL_NATIVE = frozenset({"jinja2"})


def _dependencies() -> list[tuple[str, str]]:
    """(lower-case name, requirement without its marker) of each dependency in pyproject.toml."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    named = []
    for requirement in project["project"]["dependencies"]:
        name = requirement.split(";")[0].strip()
        for cut in "<>=!~[ ":
            name = name.split(cut)[0]
        named.append((name.lower(), requirement.split(";")[0].strip()))
    return named


def requirements() -> list[str]:
    """driftcheck's universal dependencies from pyproject.toml (neither compiled nor
    beside optional native code), markers dropped: pip evaluates them for the building
    Python, and the archive must also carry what older ones need (tomli before 3.11)."""
    skipped = COMPILED | BESIDE_OPTIONAL_NATIVE
    return [requirement for name, requirement in _dependencies() if name not in skipped]


def requirements_without_dependencies() -> list[str]:
    """The optional native code and what needs it: installed with --no-deps."""
    beside = [r for name, r in _dependencies() if name in BESIDE_OPTIONAL_NATIVE]
    return beside + list(OPTIONAL_NATIVE.values())


def install_dependencies(stage: Path, find_links: Path | None) -> None:
    """Universal (py3-none-any) wheels (pip fails if one has none), then the optional
    native code and what needs it, for the building platform (its compiled files are
    dropped in tidy)."""
    install = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-compile",
        "--target",
        str(stage),
        "--only-binary=:all:",
        *(["--no-index", "--find-links", str(find_links)] if find_links else []),
    ]
    universal = ["--platform", "any", "--implementation", "py", "--python-version", OLDEST_PYTHON]
    _pip([*install, *universal, *requirements()])
    _pip([*install, "--no-deps", *requirements_without_dependencies()])


def _pip(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"build_zipapp: pip could not install the dependencies:\n{done.stderr}")


def copy_driftcheck(stage: Path) -> None:
    shutil.copytree(
        REPO / "driftcheck",
        stage / "driftcheck",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )


def tidy(stage: Path) -> None:
    """No console scripts, no caches, nothing unused; refuse native code (it would not load)."""
    shutil.rmtree(stage / "bin", ignore_errors=True)
    for entry in list(stage.iterdir()):
        if entry.name.split("-")[0].lower() in UNUSED:
            shutil.rmtree(entry)
    for cache in list(stage.rglob("__pycache__")):
        shutil.rmtree(cache)
    for name in OPTIONAL_NATIVE:
        for compiled in (stage / name).rglob("*"):
            if compiled.suffix in (*NATIVE_SUFFIXES, ".c"):
                compiled.unlink()
    native = [str(p.relative_to(stage)) for p in stage.rglob("*") if p.suffix in NATIVE_SUFFIXES]
    if native:
        raise SystemExit(f"build_zipapp: native code cannot run from a zipapp: {native}")


def compile_beside(stage: Path) -> None:
    """module.pyc next to module.py, where zipimport looks (it never writes caches)."""
    for source in stage.rglob("*.py"):
        py_compile.compile(
            str(source),
            cfile=str(source.with_suffix(".pyc")),
            dfile=str(source.relative_to(stage)),
            doraise=True,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )


def build(output: Path, find_links: Path | None = None) -> Path:
    with tempfile.TemporaryDirectory(prefix="driftcheck-pyz-") as folder:
        stage = Path(folder) / "app"
        stage.mkdir()
        install_dependencies(stage, find_links)
        copy_driftcheck(stage)
        tidy(stage)
        (stage / "__main__.py").write_text(MAIN)
        compile_beside(stage)
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(output.name + ".partial")
        zipapp.create_archive(stage, partial, interpreter="/usr/bin/env python3", compressed=True)
        partial.replace(output)
    return output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=REPO / "dist" / "driftcheck.pyz")
    parser.add_argument(
        "--find-links", type=Path, help="build offline from this folder of wheels (--no-index)"
    )
    args = parser.parse_args()
    path = build(args.output, args.find_links)
    print(f"{path} ({path.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
