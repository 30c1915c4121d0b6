"""--project reading: declared dependencies and imports from real project folders on disk."""

from __future__ import annotations

import os
import shutil
import tempfile
import textwrap
from pathlib import Path

import pytest

from driftcheck.errors import UsageError
from driftcheck.project import imports as imports_module
from driftcheck.project.declared import logical_lines, read_declared, requirement_line_name
from driftcheck.project.imports import scan_imports
from driftcheck.project.model import ProjectFileError
from driftcheck.project.read import read_project


def _write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def test_pyproject_dependencies_extras_groups_and_poetry(tmp_path):
    _write(
        tmp_path,
        "pyproject.toml",
        """\
        [project]
        name = "My_App"
        dependencies = ["NumPy>=1.26", "pandas[excel]==2.0.3 ; python_version >= '3.9'"]
        [project.optional-dependencies]
        test = ["pytest>=8"]
        [dependency-groups]
        lint = ["ruff", {include-group = "test"}]
        [tool.poetry.dependencies]
        python = "^3.10"
        Requests = "^2.31"
        [tool.poetry.group.docs.dependencies]
        sphinx = "*"
        """,
    )
    declared = read_declared(tmp_path)
    assert declared.project_name == "my-app"
    assert declared.names == {
        "numpy": ("pyproject.toml",),
        "pandas": ("pyproject.toml",),
        "pytest": ("pyproject.toml (extra test)",),
        "requests": ("pyproject.toml (poetry)",),
        "ruff": ("pyproject.toml (group lint)",),
        "sphinx": ("pyproject.toml (poetry group docs)",),
    }
    assert "python" not in declared.names


def test_requirements_with_includes_options_and_continuations(tmp_path):
    _write(
        tmp_path,
        "requirements.txt",
        """\
        # pinned for production
        --index-url https://pypi.example/simple
        -r requirements/base.txt
        -c constraints.txt
        attrs==23.2.0  # a comment
        requests[socks] \\
            >=2.31
        -e git+https://example.org/lib.git#egg=our-lib
        -e .
        ./local/wheel.whl
        """,
    )
    _write(tmp_path, "requirements/base.txt", "six\n-r ../requirements.txt\n")
    _write(tmp_path, "constraints.txt", "never-declared==1.0\n")
    _write(tmp_path, "dev-requirements.txt", "--requirement=requirements.txt\nmypy\n")
    declared = read_declared(tmp_path)
    assert declared.names == {
        "attrs": ("requirements.txt",),
        "mypy": ("dev-requirements.txt",),
        "our-lib": ("requirements.txt",),
        "requests": ("requirements.txt",),
        "six": ("requirements/base.txt",),
    }
    # The include cycle (base.txt includes requirements.txt) was read once.
    assert sorted(declared.files) == [
        "dev-requirements.txt",
        "requirements.txt",
        "requirements/base.txt",
    ]


def test_setup_cfg_install_requires_and_extras(tmp_path):
    _write(
        tmp_path,
        "setup.cfg",
        """\
        [metadata]
        name = legacy.app
        [options]
        install_requires =
            click>=8
            PyYAML
        [options.extras_require]
        s3 = boto3; python_version>"3.8"
        """,
    )
    declared = read_declared(tmp_path)
    assert declared.project_name == "legacy-app"
    assert declared.names == {
        "boto3": ("setup.cfg (extra s3)",),
        "click": ("setup.cfg",),
        "pyyaml": ("setup.cfg",),
    }


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("numpy>=1.26", "numpy"),
        ("-e ./src#egg=mine", "mine"),
        ("--hash=sha256:abc", None),
        ("https://example.org/x-1.0.tar.gz#egg=x", "x"),
        ("./some/dir", None),
        ("pkg @ https://example.org/pkg-1.0-py3-none-any.whl", "pkg"),
    ],
)
def test_requirement_line_names(line, name):
    assert requirement_line_name(line) == name


def test_logical_lines_join_continuations_and_drop_comments():
    text = "a \\\n  >=1\n# x\nb  # y\nurl#egg=c\n"
    assert list(logical_lines(text)) == ["a   >=1", "b", "url#egg=c"]


def test_imports_skip_environments_caches_and_symlinks(tmp_path):
    _write(tmp_path, "app/main.py", "import numpy as np\nfrom pandas import DataFrame\n")
    _write(tmp_path, "app/__init__.py", "from . import main\nfrom .main import np\n")
    _write(tmp_path, "app/old.py", "print 'python 2'\nimport yaml, requests.adapters\n")
    _write(tmp_path, "scripts/ns.py", "from google.cloud import storage\nimport os, json\n")
    _write(tmp_path, "anyname/pyvenv.cfg", "home = /usr/bin\n")
    _write(tmp_path, "anyname/lib/site.py", "import from_a_venv\n")
    _write(tmp_path, "node_modules/x/setup.py", "import from_node_modules\n")
    _write(tmp_path, ".git/hooks/h.py", "import from_git\n")
    (tmp_path / "linked.py").symlink_to(tmp_path / "node_modules" / "x" / "setup.py")
    found = scan_imports(tmp_path)
    assert set(found.modules) == {
        "numpy",
        "pandas",
        "pandas.DataFrame",
        "yaml",
        "requests.adapters",
        "google.cloud",
        "google.cloud.storage",
        "os",
        "json",
    }
    assert found.modules["numpy"] == ("app/main.py",)
    assert found.files_scanned == 4
    assert found.local_modules == {"app", "linked"}  # a module of the project, though not read
    assert found.notes == ("1 .py file(s) read line by line, not parsed: app/old.py",)


def test_the_scan_is_bounded(tmp_path, monkeypatch):
    for number in range(12):
        _write(tmp_path, f"m{number:02d}.py", f"import dep{number:02d}\n")
    monkeypatch.setattr(imports_module, "MAX_FILES", 5)
    found = scan_imports(tmp_path)
    assert found.files_scanned == 5
    assert set(found.modules) == {f"dep{n:02d}" for n in range(5)}
    assert found.notes == ("scanned the first 5 .py files; 7 more left out",)


def test_bad_folders_are_usage_errors(tmp_path):
    with pytest.raises(UsageError, match="no such folder"):
        read_project(str(tmp_path / "missing"))
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(UsageError, match="not a folder"):
        read_project(str(tmp_path / "file.txt"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match=r"no pyproject\.toml, setup\.cfg, requirements file"):
        read_project(str(tmp_path / "empty"))


def test_a_broken_pyproject_is_invalid_input(tmp_path):
    _write(tmp_path, "pyproject.toml", "[project\nname = 'x'\n")
    with pytest.raises(ProjectFileError, match=r"pyproject\.toml: not valid TOML"):
        read_project(str(tmp_path))


def test_an_unreadable_folder_is_a_usage_error():
    """Root reads any folder: as root, the check runs in a child that became nobody."""
    base = Path(tempfile.mkdtemp(prefix="driftcheck-locked-"))
    base.chmod(0o755)
    folder = base / "locked"
    folder.mkdir()
    folder.chmod(0)
    try:
        if os.geteuid() != 0:
            with pytest.raises(UsageError, match="cannot read the folder"):
                read_project(str(folder))
            return
        pid = os.fork()
        if pid == 0:  # the child: drop to nobody, report through the exit status
            code = 1
            try:
                os.setgid(65534)
                os.setuid(65534)
                read_project(str(folder))
            except UsageError as exc:
                code = 0 if "cannot read the folder" in str(exc) else 2
            except BaseException:
                code = 3
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, status
    finally:
        folder.chmod(0o755)
        shutil.rmtree(base)
