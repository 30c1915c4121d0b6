"""Start-up mechanisms on real venvs: which file `import x` loads, .pth files,
sitecustomize, a venv's system site packages and the user site.

Two venvs get the same wheels (six, idna); each test then changes one side for real
(a stray six.py in a PYTHONPATH folder, a sitecustomize, a .pth file, a user site) and
diffs live snapshots of both.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from driftcheck.diff.engine import compare
from driftcheck.diff.model import DiffResult, Finding, Severity
from driftcheck.project.read import read_project
from driftcheck.snapshot.model import ImportOrigin, Snapshot, Startup

from support import Venv, _run, python311, small_snapshot, wheelhouse

WHEELS = ("six==1.16.0", "idna==3.7")


@pytest.fixture(scope="module")
def venvs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Venv, Venv]:
    wheels = wheelhouse("startup-wheels", WHEELS)
    root = tmp_path_factory.mktemp("startup")
    a, b = Venv(root / "a", wheels), Venv(root / "b", wheels)
    for venv in (a, b):
        venv.install("six==1.16.0", "idna==3.7")
    return a, b


def _site(venv: Venv) -> Path:
    return next((venv.root / "lib").glob("python3.*/site-packages"))


def _compare(a: Snapshot, b: Snapshot, project: Path | None = None) -> DiffResult:
    facts = read_project(project) if project is not None else None
    return compare(a, b, left_label="A", right_label="B", project=facts)


def _named(report: DiffResult, category: str, subject: str) -> Finding:
    """The finding, at the top or folded into the one that causes it (diff/causes.py)."""
    every = [*report.findings, *(m for f in report.findings for m in f.members)]
    found = [f for f in every if (f.category, f.subject) == (category, subject)]
    assert len(found) == 1, [(f.category, f.subject) for f in every]
    return found[0]


def _imports(snapshot: Snapshot) -> dict[str, object]:
    assert snapshot.startup is not None and snapshot.startup.imports is not None
    return {r.name: r for r in snapshot.startup.imports}


def test_a_stray_module_on_pythonpath_is_named_as_the_cause(
    venvs: tuple[Venv, Venv], clean_env: dict[str, str], tmp_path: Path
) -> None:
    a, b = venvs
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "six.py").write_text("raise ImportError('not the real six')\n")
    left = a.snapshot(clean_env, "A")
    right = b.snapshot({**clean_env, "PYTHONPATH": str(tools)}, "B")

    six = _imports(right)["six"]
    assert six.origin == str(tools / "six.py") and six.distribution is None  # type: ignore[attr-defined]
    assert six.hidden_distribution == "six"  # type: ignore[attr-defined]
    assert six.hidden_origin == str(_site(b) / "six.py")  # type: ignore[attr-defined]
    assert _imports(left)["six"].distribution == "six"  # type: ignore[attr-defined]

    report = _compare(left, right)
    first = report.findings[0]
    # PYTHONPATH, set on B only, is the cause; the import it diverts is its member.
    assert (first.category, first.subject) == ("environment", "PYTHONPATH")
    assert first.severity == Severity.HIGH  # six was asked for by name
    assert "makes `import six` load a copy from its folders" in first.explanation
    (six_finding,) = [m for m in first.members if m.category == "imports"]
    assert six_finding.severity == Severity.HIGH
    assert f"loads {tools / 'six.py'} on B, not six 1.16.0 as on A" in six_finding.explanation
    assert six_finding.fix is not None and str(tools / "six.py") in str(six_finding.fix.advice)

    both = _compare(b.snapshot({**clean_env, "PYTHONPATH": str(tools)}, "A2"), right)
    assert not [f for f in both.findings if f.category == "imports"]  # the same on both sides


def test_a_stray_copy_of_what_nothing_uses_is_low(
    venvs: tuple[Venv, Venv], clean_env: dict[str, str], tmp_path: Path
) -> None:
    a, b = venvs
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "six.py").write_text("")
    requested = [next(_site(v).glob("six-*.dist-info")) / "REQUESTED" for v in venvs]
    for marker in requested:  # six as if pulled in by something since uninstalled
        marker.unlink()
    try:
        left = a.snapshot(clean_env, "A")
        right = b.snapshot({**clean_env, "PYTHONPATH": str(tools)}, "B")
    finally:
        for marker in requested:
            marker.write_text("")
    finding = _named(_compare(left, right), "imports", "six")
    assert finding.severity == Severity.LOW
    assert "nothing on A or B requires six" in finding.explanation

    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text("import six\n")
    with_project = _named(_compare(left, right, project), "imports", "six")
    assert with_project.severity == Severity.HIGH
    assert "your code imports it (app.py)" in with_project.explanation


def test_a_module_that_shadows_the_standard_library(
    venvs: tuple[Venv, Venv], clean_env: dict[str, str], tmp_path: Path
) -> None:
    a, b = venvs
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "calendar.py").write_text("")
    left = a.snapshot(clean_env, "A")
    right = b.snapshot({**clean_env, "PYTHONPATH": str(tools)}, "B")
    finding = _named(_compare(left, right), "imports", "calendar")
    assert finding.severity == Severity.MEDIUM
    assert str(tools / "calendar.py") in finding.explanation
    assert "calendar.py" in str(_imports(right)["calendar"].hidden_origin)  # type: ignore[attr-defined]


def test_sitecustomize_on_one_side_then_different_content(
    venvs: tuple[Venv, Venv], clean_env: dict[str, str]
) -> None:
    a, b = venvs
    hook_a, hook_b = _site(a) / "sitecustomize.py", _site(b) / "sitecustomize.py"
    try:
        hook_b.write_text("import os\nos.environ['APP_MODE'] = 'b'\n")
        left, right = a.snapshot(clean_env, "A"), b.snapshot(clean_env, "B")
        assert right.startup is not None and right.startup.hooks is not None
        (hook,) = right.startup.hooks
        assert (hook.name, hook.path, hook.loaded) == ("sitecustomize", str(hook_b), True)
        assert hook.sha256 is not None and len(hook.sha256) == 64
        finding = _named(_compare(left, right), "startup", "sitecustomize")
        assert finding.severity == Severity.MEDIUM
        assert f"imports {hook_b} (sitecustomize) at every start-up on B only" in (
            finding.explanation
        )

        hook_a.write_text(hook_b.read_text())  # the same code in another folder: no drift
        same = _compare(a.snapshot(clean_env, "A"), b.snapshot(clean_env, "B"))
        assert not [f for f in same.findings if f.category == "startup"]

        hook_a.write_text("import os\nos.environ['APP_MODE'] = 'a'\n")
        changed = _compare(a.snapshot(clean_env, "A"), b.snapshot(clean_env, "B"))
        finding = _named(changed, "startup", "sitecustomize")
        assert "sitecustomize differs" in finding.explanation
    finally:
        hook_a.unlink(missing_ok=True)
        hook_b.unlink(missing_ok=True)


def test_pth_files_are_compared(
    venvs: tuple[Venv, Venv], clean_env: dict[str, str], tmp_path: Path
) -> None:
    a, b = venvs
    extra = tmp_path / "extra"
    extra.mkdir()
    pth_a, pth_b = _site(a) / "zz-app.pth", _site(b) / "zz-app.pth"
    try:
        pth_b.write_text(f"{extra}\nimport os; os.environ.setdefault('APP', '1')\n")
        report = _compare(a.snapshot(clean_env, "A"), b.snapshot(clean_env, "B"))
        finding = _named(report, "startup", "zz-app.pth")
        assert finding.severity == Severity.MEDIUM
        assert "runs code at every start-up" in finding.explanation
        assert str(extra) in finding.explanation

        pth_a.write_text(f"{extra}\n")  # the same folder, but no code line on A
        report = _compare(a.snapshot(clean_env, "A"), b.snapshot(clean_env, "B"))
        finding = _named(report, "startup", "zz-app.pth")
        assert "`import` lines" in finding.explanation and finding.severity == Severity.MEDIUM

        pth_a.write_text(pth_b.read_text())
        report = _compare(a.snapshot(clean_env, "A"), b.snapshot(clean_env, "B"))
        assert not [f for f in report.findings if f.subject == "zz-app.pth"]
    finally:
        pth_a.unlink(missing_ok=True)
        pth_b.unlink(missing_ok=True)


def test_system_site_packages_is_one_finding(tmp_path: Path, clean_env: dict[str, str]) -> None:
    wheels = wheelhouse("startup-wheels", WHEELS)
    shared = Venv(tmp_path / "shared", wheels, "--system-site-packages", "--without-pip")
    isolated = Venv(tmp_path / "isolated", wheels, "--without-pip")
    left, right = shared.snapshot(clean_env, "A"), isolated.snapshot(clean_env, "B")
    system = {d.canonical_name for d in left.active_distributions}
    if not system:
        pytest.skip("the base interpreter's site-packages holds no distribution")
    report = _compare(left, right)
    finding = _named(report, "startup", "system-site-packages")
    assert "include-system-site-packages = true" in finding.explanation
    assert f"{len(system)} distribution(s) differ" in finding.explanation
    member_names = {c.key for c in finding.changes if c.section == "distributions"}
    assert member_names == system
    assert finding.members and finding.severity == max(m.severity for m in finding.members)
    alone = [f for f in report.findings if f.category == "packages" and f.subject in system]
    assert not alone  # grouped, not one line per package
    pth = [f for f in report.findings if f.category == "startup" and f.subject.endswith(".pth")]
    assert not pth  # the base installation's .pth files come with it: members too


def test_user_site_distributions_are_one_finding(tmp_path: Path, clean_env: dict[str, str]) -> None:
    wheels = wheelhouse("startup-wheels", WHEELS)
    a = Venv(tmp_path / "a", wheels, "--without-pip")
    b = Venv(tmp_path / "b", wheels, "--without-pip")
    for venv in (a, b):  # an isolated venv turns the user site off: this one does not
        cfg = venv.root / "pyvenv.cfg"
        cfg.write_text(cfg.read_text().replace("= false", "= true"))
    base_a, base_b = tmp_path / "user-a", tmp_path / "user-b"
    env_a = {**clean_env, "PYTHONUSERBASE": str(base_a)}
    env_b = {**clean_env, "PYTHONUSERBASE": str(base_b)}
    left = a.snapshot(env_a, "A")
    assert left.startup is not None and left.startup.site is not None
    user_site = Path(str(left.startup.site.user_site).replace(str(base_a), str(base_b)))
    user_site.mkdir(parents=True)
    pip = [python311(), "-m", "pip", "install", "-q", "--no-index", "--find-links", wheels]
    _run(*pip, "--target", user_site, "idna==3.7")
    right = b.snapshot(env_b, "B")
    assert right.startup is not None and right.startup.site is not None
    assert right.startup.site.user_site_enabled and right.startup.site.user_site == str(user_site)
    report = _compare(left, right)
    finding = _named(report, "startup", "user-site")
    assert "1 distribution(s) on B" in finding.explanation
    assert {c.key for c in finding.changes if c.section == "distributions"} == {"idna"}
    assert not [f for f in report.findings if (f.category, f.subject) == ("packages", "idna")]


def test_a_side_without_startup_facts_is_not_comparable() -> None:
    old = small_snapshot()
    new = replace(old, startup=Startup(imports=(ImportOrigin("six", "module", "/x/six.py"),)))
    report = compare(old, new)
    assert not [f for f in report.findings if f.category in ("imports", "startup")]
    assert any(n.startswith("startup:") for n in report.not_comparable)


def _fake_dist(site: Path, name: str, module: str) -> list[Path]:
    meta = site / f"{name}-1.0.dist-info"
    meta.mkdir()
    (meta / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (meta / "top_level.txt").write_text(f"{module}\n")
    (site / f"{module}.py").write_text("")
    return [meta, site / f"{module}.py"]


def test_two_distributions_shipping_one_module(
    venvs: tuple[Venv, Venv], clean_env: dict[str, str]
) -> None:
    a, b = venvs
    made = _fake_dist(_site(a), "shared-full", "sharedmod")
    made += _fake_dist(_site(b), "shared-headless", "sharedmod")
    try:
        left, right = a.snapshot(clean_env, "A"), b.snapshot(clean_env, "B")
    finally:
        for path in made:
            if path.is_dir():
                for child in path.iterdir():
                    child.unlink()
                path.rmdir()
            else:
                path.unlink()
    finding = _named(_compare(left, right), "imports", "sharedmod")
    assert finding.severity == Severity.LOW
    assert "shared-full 1.0 on A but shared-headless 1.0 on B" in finding.explanation


def test_a_stray_that_hides_a_module_the_project_imports_is_high(
    venvs: tuple[Venv, Venv], clean_env: dict[str, str], tmp_path: Path
) -> None:
    a, b = venvs
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "calendar.py").write_text("")
    left = a.snapshot(clean_env, "A")
    right = b.snapshot({**clean_env, "PYTHONPATH": str(tools)}, "B")
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text("import calendar\n")
    (project / "tests").mkdir()
    (project / "tests" / "test_app.py").write_text("import six\n")
    finding = _named(_compare(left, right, project), "imports", "calendar")
    assert finding.severity == Severity.HIGH
    assert "your code imports it (app.py)" in finding.explanation
    plain = _named(_compare(left, right), "imports", "calendar")
    assert plain.severity == Severity.MEDIUM  # without --project: hides something, no more


def test_a_module_on_one_side_only_is_low_in_a_pythonpath_folder_info_in_site_packages(
    venvs: tuple[Venv, Venv], clean_env: dict[str, str], tmp_path: Path
) -> None:
    a, b = venvs
    tools = tmp_path / "tools"
    (tools / "helpers").mkdir(parents=True)
    (tools / "helpers" / "__init__.py").write_text("")
    loose = _site(b) / "loose_module.py"  # copied beside the distributions by hand
    loose.write_text("")
    try:
        left = a.snapshot(clean_env, "A")
        right = b.snapshot({**clean_env, "PYTHONPATH": str(tools)}, "B")
    finally:
        loose.unlink()
    report = _compare(left, right)
    helpers = _named(report, "imports", "helpers")
    assert helpers.severity == Severity.LOW and "A has no such module" in helpers.explanation
    assert _named(report, "imports", "loose_module").severity == Severity.INFO


def test_a_missing_distribution_whose_module_a_stray_provides_is_the_strays_finding(
    tmp_path: Path, clean_env: dict[str, str]
) -> None:
    """B lacks six, but a .pth line puts a folder holding a stray six.py on sys.path:
    `import six` does not fail with ModuleNotFoundError there, it loads the stray. The
    import finding is the cause; the missing distribution is its member, and the fix
    removes the stray, then installs six."""
    wheels = wheelhouse("startup-wheels", WHEELS)
    a, b = Venv(tmp_path / "a", wheels), Venv(tmp_path / "b", wheels)
    a.install("six==1.16.0", "idna==3.7")
    b.install("idna==3.7")
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    (legacy / "six.py").write_text("raise ImportError('an old vendored six')\n")
    (_site(b) / "legacy.pth").write_text(f"{legacy}\n")
    report = _compare(a.snapshot(clean_env, "A"), b.snapshot(clean_env, "B"))
    first = report.findings[0]
    assert (first.category, first.subject) == ("imports", "six"), report.findings[:3]
    assert f"loads {legacy / 'six.py'} on B" in first.explanation
    assert "the distribution itself is not installed there" in first.explanation
    assert [(m.category, m.subject) for m in first.members] == [("packages", "six")]
    assert first.fix is not None and first.fix.command == "pip install 'six==1.16.0'"
    assert first.fix.advice is not None and str(legacy / "six.py") in first.fix.advice
    assert not [f for f in report.findings if (f.category, f.subject) == ("packages", "six")]


def test_a_system_pythons_own_sitecustomize_is_low() -> None:
    """Debian's python3 ships /usr/lib/python3.11/sitecustomize.py: a host venv against
    an image's system Python shows it on one side, as context, not a likely cause."""
    from dataclasses import replace

    from driftcheck.snapshot.model import Startup, StartupHook

    base = small_snapshot()
    hook = StartupHook("sitecustomize", "/usr/lib/python3.11/sitecustomize.py", "0" * 64, True)
    right = replace(base, startup=Startup(hooks=(hook,)))
    left = replace(base, startup=Startup(hooks=()))
    finding = _named(_compare(left, right), "startup", "sitecustomize")
    assert finding.severity == Severity.LOW
    assert "its OS package ships it" in finding.explanation
