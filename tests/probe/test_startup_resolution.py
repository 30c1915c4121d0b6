"""The probe's import resolution on real folders: the order importlib's PathFinder uses,
without importing anything (probe/_startup.py, imported here as the host imports it)."""

from __future__ import annotations

import importlib.machinery
import sys
from pathlib import Path

from driftcheck.probe._startup import StartupPath, startup_hooks, startup_imports


class Notes:
    def __init__(self) -> None:
        self.unknowns: list[tuple[str, str]] = []

    def unknown(self, field: str, reason: str) -> None:
        self.unknowns.append((field, reason))


def _tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_a_package_beats_a_module_and_the_first_folder_wins(tmp_path: Path) -> None:
    ext = importlib.machinery.EXTENSION_SUFFIXES[0]
    _tree(tmp_path / "one", {"pkg/__init__.py": "", "pkg.py": "", "ns/x.py": "", "mod.pyc": ""})
    _tree(tmp_path / "two", {"pkg.py": "", f"mod{ext}": "", "ns/y.py": "", "mod.py": ""})
    path = StartupPath([str(tmp_path / "one"), str(tmp_path / "two")])
    (first, hidden) = path.resolve("pkg")
    assert first == (str(tmp_path / "one/pkg/__init__.py"), "package", str(tmp_path / "one"))
    assert hidden[0] == str(tmp_path / "two/pkg.py")
    assert path.resolve("mod")[0][:2] == (str(tmp_path / "one/mod.pyc"), "bytecode")
    assert path.resolve("mod")[1][:2] == (str(tmp_path / f"two/mod{ext}"), "extension")
    assert path.resolve("ns") == [(str(tmp_path / "one/ns"), "namespace", str(tmp_path / "one"))]
    assert path.resolve("absent") == []


def test_owners_strays_and_hooks(tmp_path: Path) -> None:
    site, tools = tmp_path / "site", tmp_path / "tools"
    _tree(site, {"yaml/__init__.py": "", "_yaml/__init__.py": ""})
    _tree(tools, {"yaml/__init__.py": "", "helper.py": "", "sitecustomize.py": "X = 1\n"})
    dists = [{"name": "PyYAML", "location": str(site), "top_level": ["_yaml", "yaml"]}]
    notes = Notes()
    path = StartupPath([str(tools), str(site)])
    found = {r["name"]: r for r in startup_imports(notes, path, dists)}
    assert found["yaml"] == {
        "name": "yaml",
        "kind": "package",
        "origin": str(tools / "yaml/__init__.py"),
        "distribution": None,
        "hidden_origin": str(site / "yaml/__init__.py"),
        "hidden_distribution": "PyYAML",
    }
    assert found["_yaml"]["distribution"] == "PyYAML"
    assert found["helper"]["distribution"] is None and "hidden_origin" not in found["helper"]
    assert "sitecustomize" not in found  # a hook, listed as one
    (hook,) = startup_hooks(notes, path)
    assert hook["path"] == str(tools / "sitecustomize.py") and len(hook["sha256"]) == 64
    assert hook["loaded"] == ("sitecustomize" in sys.modules) and not notes.unknowns
