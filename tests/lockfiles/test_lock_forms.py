"""Each lock form read, its markers evaluated for one side, and compared with it.

The poetry.lock, Pipfile.lock, environment.yml and pip-compile files here are
written as those tools write them, for the cases a real lock of the test project
does not hold (a git source, a develop section); uv's forms are made by uv itself in
test_real_locks.py, poetry's and pipenv's by those tools in test_tool_locks.py.
The environment side is a snapshot record, as code downstream of the probe is
tested (CPython 3.11 on Linux x86_64).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from driftcheck.diff.engine import compare
from driftcheck.diff.model import Finding, Severity
from driftcheck.lockfiles.read import form_by_content, form_by_name, lockfile_at
from driftcheck.lockfiles.side import lock_side, side_for_file
from driftcheck.snapshot import files as snapshot_files
from driftcheck.snapshot.model import Distribution, Interpreter, Snapshot

from support import assert_one_line_error, run_cli, small_snapshot

FIXTURES = Path(__file__).parent / "fixtures"


def _dist(name: str, version: str, **fields: object) -> Distribution:
    return Distribution(
        name, name, version, "/venv/site-packages", f"{name}-{version}.dist-info", **fields
    )  # type: ignore[arg-type]


def _environment(*dists: Distribution, version: str = "3.11.9") -> Snapshot:
    python = Interpreter(
        implementation="cpython", version=version, cache_tag="cpython-311",
        soabi="cpython-311-x86_64-linux-gnu", ext_suffix=".cpython-311-x86_64-linux-gnu.so",
        executable="/venv/bin/python", prefix="/venv", base_prefix="/usr/local",
        environment_kind="venv", sys_path=(), flags={}, free_threaded=False,
        debug_build=False, pointer_bits=64, default_encoding="utf-8",
        filesystem_encoding="utf-8", locale={}, build={},
    )  # fmt: skip
    return replace(small_snapshot(), python=python, distributions=tuple(dists), label="env")


def _findings(lock: str, env: Snapshot) -> dict[str, Finding]:
    side = side_for_file(str(FIXTURES / lock))
    assert side is not None
    return {f"{f.category}:{f.subject}": f for f in compare(side, env).findings}


def test_forms_are_recognised_by_name_and_content() -> None:
    assert form_by_name("ci/pylock.dev.toml") == "pylock.toml"
    assert form_by_name("requirements-ci.txt") == "requirements.txt"
    assert form_by_name("environment.yaml") == "environment.yml"
    assert form_by_name("snapshots/ci.json") is None
    assert form_by_content(b'lock-version = "1.0"\n[[packages]]\n') == "pylock.toml"
    assert form_by_content(b'version = 1\nrevision = 3\n[[package]]\nname = "a"\n') == "uv.lock"
    assert form_by_content((FIXTURES / "Pipfile.lock").read_bytes()) == "Pipfile.lock"
    assert form_by_content(snapshot_files.dumps(small_snapshot()).encode()) is None


def test_a_lock_under_another_name_is_read_by_its_content(tmp_path: Path) -> None:
    renamed = tmp_path / "locked-deps"
    renamed.write_bytes((FIXTURES / "poetry.lock").read_bytes())
    lock = lockfile_at(str(renamed))
    assert lock is not None and lock.form == "poetry.lock"
    snapshot_file = tmp_path / "ci.json"
    snapshot_files.save(small_snapshot(), snapshot_file)
    assert lockfile_at(str(snapshot_file)) is None


def test_poetry_lock_main_group_markers_and_git_commit() -> None:
    env = _environment(
        _dist("certifi", "2024.7.4"),
        _dist(
            "mylib",
            "0.3.0",
            vcs="git",
            vcs_commit="fedcba9876543210fedcba9876543210fedcba98",
            direct_url="https://github.com/example/mylib.git",
        ),
        _dist("pytest", "8.3.2"),
    )
    found = _findings("poetry.lock", env)
    commit = next(f for key, f in found.items() if "mylib" in key)
    assert "0123456789abcdef" in (commit.left or "") + commit.explanation
    assert commit.fix is not None
    assert commit.fix.command == f"poetry sync --directory {FIXTURES}"  # lock-version 2.1
    assert "packages:pytest" not in found  # dev group: `poetry install` installs it too
    assert not any("colorama" in key for key in found)


def test_poetry_lock_leaves_out_the_groups_its_pyproject_makes_optional(tmp_path: Path) -> None:
    """`poetry install` skips an optional group: its packages are then extra, not locked;
    a poetry 1 lock (lock-version 2.0) is fixed with `poetry install --sync`."""
    text = (FIXTURES / "poetry.lock").read_text()
    (tmp_path / "poetry.lock").write_text(
        text.replace('lock-version = "2.1"', 'lock-version = "2.0"')
    )
    (tmp_path / "pyproject.toml").write_text("[tool.poetry.group.dev]\noptional = true\n")
    side = side_for_file(str(tmp_path / "poetry.lock"))
    assert side is not None
    env = _environment(_dist("certifi", "2024.7.4"), _dist("pytest", "8.3.2"))
    found = {f"{f.category}:{f.subject}": f for f in compare(side, env).findings}
    assert found["packages:pytest"].severity <= Severity.LOW  # extra: the lock leaves it out
    assert (found["packages:pytest"].left, found["packages:pytest"].right) == (None, "8.3.2")
    mylib = next(f for key, f in found.items() if "mylib" in key)
    assert mylib.fix is not None
    assert mylib.fix.command == f"poetry install --sync --directory {tmp_path}"


def test_the_poetry_project_itself_is_compared_where_it_is_installed(tmp_path: Path) -> None:
    """`poetry install` installs the project, which its lock does not list: not extra,
    never missing (`--no-root`), and its version is the pyproject.toml's."""
    (tmp_path / "poetry.lock").write_text((FIXTURES / "poetry.lock").read_text())
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "App"\nversion = "0.2.0"\n')
    side = side_for_file(str(tmp_path / "poetry.lock"))
    assert side is not None
    project = f"file://{tmp_path}"
    base = (_dist("certifi", "2024.7.4"), _dist("pytest", "8.3.2"))
    mylib = _dist(
        "mylib", "0.3.0", vcs="git", vcs_commit="0123456789abcdef0123456789abcdef01234567"
    )
    mylib = replace(mylib, direct_url="https://github.com/example/mylib.git")

    def found(*dists: Distribution) -> dict[str, Finding]:
        return {
            f"{f.category}:{f.subject}": f for f in compare(side, _environment(*dists)).findings
        }

    assert found(*base, mylib) == {}  # installed with --no-root
    app = _dist("app", "0.2.0", editable=True, direct_url=project)
    assert found(*base, mylib, app) == {}
    stale = found(*base, mylib, replace(app, version="0.1.0"))
    assert set(stale) == {"packages:app"}
    assert (stale["packages:app"].left, stale["packages:app"].right) == ("0.2.0", "0.1.0")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "0.2.0"\n[tool.poetry]\npackage-mode = false\n'
    )
    side = side_for_file(str(tmp_path / "poetry.lock"))
    assert set(found(*base, mylib, app)) == {"packages:app"}  # no package mode: extra


def test_pipfile_lock_default_section_with_markers() -> None:
    found = _findings("Pipfile.lock", _environment(_dist("certifi", "2024.7.4")))
    assert set(found) == {"packages:idna"}
    assert found["packages:idna"].left == "3.7"
    assert found["packages:idna"].fix is not None
    assert found["packages:idna"].fix.command == f"PIPENV_PIPFILE={FIXTURES}/Pipfile pipenv sync"


def test_conda_environment_pins_conda_and_pip_packages() -> None:
    env = _environment(_dist("numpy", "2.1.0"), _dist("certifi", "2024.7.4"))
    found = _findings("environment.yml", env)
    # openssl is a conda package, not a distribution: its absence says nothing;
    # idna is pinned for Windows only.
    assert set(found) == {"packages:numpy"}
    assert (found["packages:numpy"].left, found["packages:numpy"].right) == ("1.26.4", "2.1.0")
    assert found["packages:numpy"].fix is not None
    assert "conda env update -n analysis --prune" in (found["packages:numpy"].fix.command or "")


def test_requirements_pins_hashes_vcs_and_what_is_not_compared() -> None:
    lock = lockfile_at(str(FIXTURES / "requirements-ci.txt"))
    assert lock is not None
    by_name = {p.name: p for p in lock.packages}
    assert by_name["certifi"].hashes == (
        "sha256:c198e21b1289c2ab85ee4e67bb4b4ef3ead0892059901a8d5b622f24a1101e90",
    )
    assert by_name["colorama"].marker == 'sys_platform == "win32"'
    assert by_name["mylib"].source.commit == "0123456789abcdef0123456789abcdef01234567"
    assert by_name["helper"].source.editable
    assert by_name["idna"].version is None
    assert any("-r files are not followed" in n for n in lock.notes)
    assert any("without #egg=NAME" in n for n in lock.notes)
    env = _environment(
        _dist("certifi", "2024.7.4"),
        _dist("idna", "3.7"),
        _dist("mylib", "0.3.0"),  # from an index, not from the locked commit
        _dist("helper", "1.0", editable=True, direct_url="file:///work/tools/helper"),
    )
    found = _findings("requirements-ci.txt", env)
    assert set(found) == {next(k for k in found if "mylib" in k)}


def test_a_python_outside_requires_python_is_a_finding() -> None:
    side = side_for_file(str(FIXTURES / "poetry.lock"))
    assert side is not None
    env = _environment(_dist("certifi", "2024.7.4"), version="3.9.18")
    refused = [f for f in compare(side, env).findings if f.category == "python"]
    assert len(refused) == 1
    assert refused[0].subject == "requires-python" and refused[0].severity == Severity.HIGH


def test_a_source_other_than_the_lock_s_is_drift(tmp_path: Path) -> None:
    (tmp_path / "pylock.toml").write_text(
        'lock-version = "1.0"\ncreated-by = "hand"\n\n[[packages]]\nname = "certifi"\n'
        'version = "2024.7.4"\nindex = "https://pypi.org/simple"\n'
    )
    local = _dist("certifi", "2024.7.4", direct_url="file:///home/me/certifi")
    found = _findings_at(tmp_path / "pylock.toml", _environment(local))
    assert len(found) == 1
    assert found[0].subject == "certifi"
    assert found[0].severity >= Severity.MEDIUM
    assert (
        found[0].fix is not None and found[0].fix.command == f"uv pip sync {tmp_path}/pylock.toml"
    )


def _findings_at(path: Path, env: Snapshot) -> list[Finding]:
    side = side_for_file(str(path))
    assert side is not None
    return list(compare(side, env).findings)


def test_a_token_in_a_lock_url_never_reaches_the_side(tmp_path: Path) -> None:
    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    (tmp_path / "pylock.toml").write_text(
        'lock-version = "1.0"\n\n[[packages]]\nname = "mylib"\nversion = "1.0"\n'
        f'archive = {{ url = "https://deploy:{token}@files.example/mylib-1.0.tar.gz" }}\n'
    )
    side = side_for_file(str(tmp_path / "pylock.toml"))
    assert side is not None
    resolved = lock_side(side.lock, _environment())
    assert token not in snapshot_files.dumps(resolved)
    report = compare(side, _environment())
    assert token not in repr(report)


@pytest.mark.parametrize("name", ["poetry.lock", "Pipfile.lock", "environment.yml"])
def test_show_lists_a_lock_without_evaluating_markers(name: str) -> None:
    side = side_for_file(str(FIXTURES / name))
    assert side is not None
    assert side.target.kind == "lockfile"
    assert {u.field for u in side.unknowns} >= {"os", "environment", "native_libraries"}


def test_update_baseline_never_overwrites_a_lock(tmp_path: Path) -> None:
    lock = tmp_path / "uv.lock"
    original = (FIXTURES / "poetry.lock").read_text()
    lock.write_text(original)
    result = run_cli("check", "--baseline", str(lock), "--update-baseline", cwd=tmp_path)
    line = assert_one_line_error(result, 2)
    assert "is a lockfile: driftcheck does not rewrite it" in line
    assert lock.read_text() == original


def test_pylock_dependency_group_markers_see_the_default_groups(tmp_path: Path) -> None:
    (tmp_path / "pylock.toml").write_text(
        'lock-version = "1.0"\ndefault-groups = ["test"]\n\n'
        '[[packages]]\nname = "certifi"\nversion = "2024.7.4"\n'
        "marker = \"'test' in dependency_groups\"\n\n"
        '[[packages]]\nname = "idna"\nversion = "3.7"\n'
        "marker = \"'docs' in dependency_groups\"\n"
    )
    found = _findings_at(tmp_path / "pylock.toml", _environment())
    assert [f.subject for f in found if f.category == "packages"] == ["certifi"]
