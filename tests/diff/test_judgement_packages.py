"""Judgement on real venvs: what was asked for, what came with it, extras, and fixes that
work on the other side.

A "laptop" venv installed from a lockfile (`pip install --no-deps -r`, so every
distribution is REQUESTED): requests and its dependencies, PySocks, six, pytest and its
dependencies, and `svc`, a checkout installed editable whose version is a setuptools-scm
development build (0.1.dev3+g1a2b3c4) and which requires `requests[socks]`. A "ci" venv
from a shorter lockfile: requests and its dependencies, and svc from a wheel built from
that checkout. Then svc is uninstalled from ci ("ci-no-svc"). The same ci venv is also
snapshotted from a CI job's environment (CI=true).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from driftcheck.diff.engine import compare
from driftcheck.diff.model import DiffResult, Finding, Severity
from driftcheck.project.read import read_project
from driftcheck.snapshot import files as snapshot_files
from driftcheck.snapshot.model import Snapshot

from support import Venv, run_cli, wheelhouse

WHEELS = (
    "requests==2.32.3",
    "certifi==2024.7.4",
    "idna==3.7",
    "urllib3==2.2.2",
    "charset-normalizer==3.3.2",
    "PySocks==1.7.1",
    "six==1.16.0",
    "pytest==8.3.3",
    "iniconfig==2.0.0",
    "pluggy==1.5.0",
    "packaging==24.1",
    "setuptools>=70.1",  # builds svc (the venv's own setuptools 65 needs `wheel` for that)
)
REQUESTS = ("requests==2.32.3", "certifi==2024.7.4", "idna==3.7", "urllib3==2.2.2")
REQUESTS += ("charset-normalizer==3.3.2",)
DEV = ("pytest==8.3.3", "iniconfig==2.0.0", "pluggy==1.5.0", "packaging==24.1")
VERSION = "0.1.dev3+g1a2b3c4"


@dataclass(frozen=True)
class Pairs:
    laptop: Snapshot
    ci: Snapshot
    ci_job: Snapshot  # the ci venv, seen from a CI job's environment
    ci_no_svc: Snapshot
    checkout: Path  # svc's project folder
    files: dict[str, Path]


def _svc(root: Path) -> Path:
    project = root / "svc"
    (project / "src" / "svc").mkdir(parents=True)
    (project / "src" / "svc" / "__init__.py").write_text("import requests\n")
    (project / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""\
            [build-system]
            requires = ["setuptools>=61"]
            build-backend = "setuptools.build_meta"

            [project]
            name = "svc"
            version = "{VERSION}"
            dependencies = ["requests[socks]>=2"]
            """
        )
    )
    return project


@pytest.fixture(scope="module")
def pairs(tmp_path_factory: pytest.TempPathFactory, clean_env: dict[str, str]) -> Pairs:
    wheels = wheelhouse("judgement-wheels", WHEELS)
    root = tmp_path_factory.mktemp("judgement")
    checkout = _svc(root)
    laptop, ci = Venv(root / "laptop", wheels), Venv(root / "ci", wheels)
    for venv in (laptop, ci):
        venv.install("setuptools>=70.1")
    built = root / "built"
    laptop.pip("wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", built, checkout)
    wheel = next(built.glob("svc-*.whl"))
    lock_laptop = root / "laptop.lock"
    lines = [*REQUESTS, "PySocks==1.7.1", "six==1.16.0", *DEV, f"-e {checkout}"]
    lock_laptop.write_text("\n".join(lines) + "\n")
    lock_ci = root / "ci.lock"
    lock_ci.write_text("\n".join([*REQUESTS, str(wheel)]) + "\n")
    laptop.install("--no-deps", "--no-build-isolation", "-r", lock_laptop)
    ci.install("--no-deps", "-r", lock_ci)
    job_env = {**clean_env, "CI": "true", "GITHUB_ACTIONS": "true"}
    snapshots = {
        "laptop": laptop.snapshot(clean_env, "laptop"),
        "ci": ci.snapshot(clean_env, "ci"),
        "ci-job": ci.snapshot(job_env, "ci-job"),
    }
    ci.pip("uninstall", "-y", "svc")
    snapshots["ci-no-svc"] = ci.snapshot(clean_env, "ci-no-svc")
    files = {}
    for name, snapshot in snapshots.items():
        files[name] = root / f"{name}.json"
        snapshot_files.save(snapshot, files[name])
    return Pairs(
        snapshots["laptop"],
        snapshots["ci"],
        snapshots["ci-job"],
        snapshots["ci-no-svc"],
        checkout,
        files,
    )


def _compare(a: Snapshot, b: Snapshot, project: Path | None = None) -> DiffResult:
    facts = read_project(str(project)) if project else None
    return compare(a, b, left_label="A", right_label="B", project=facts)


def _package(report: DiffResult, name: str) -> Finding:
    found = [f for f in report.findings if (f.category, f.subject) == ("packages", name)]
    assert len(found) == 1, [(f.category, f.subject, f.severity.label) for f in report.findings]
    return found[0]


def _use(finding: Finding) -> str:
    return next(e for e in finding.evidence if e.startswith("use: "))


def _app(root: Path, imports: str, dependencies: str = '"requests[socks]>=2"') -> Path:
    """A project folder (not installed) for --project."""
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text(imports)
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "app"\nversion = "1.0"\ndependencies = [{dependencies}]\n'
    )
    return root


def test_the_lockfile_marks_everything_requested(pairs: Pairs):
    laptop = {d.canonical_name: d for d in pairs.laptop.distributions}
    assert all(laptop[n].requested for n in ("six", "pluggy", "idna", "svc", "pysocks"))


def test_a_requested_package_missing_on_b_is_high_without_project(pairs: Pairs):
    six = _package(_compare(pairs.laptop, pairs.ci), "six")
    assert six.severity == Severity.HIGH
    assert six.explanation == (
        "six 1.16.0 is installed on A but missing on B, so `import six` fails there with "
        "ModuleNotFoundError; it was asked for by name on A and nothing on B provides its "
        "modules, so what asked for it cannot import it on B."
    )


def test_what_a_lockfile_pulled_in_beside_its_requirer_is_low(pairs: Pairs):
    report = _compare(pairs.laptop, pairs.ci)
    for name in ("pluggy", "iniconfig"):
        finding = _package(report, name)
        assert finding.severity == Severity.LOW, finding.explanation
        assert finding.explanation.endswith(
            f"; nothing on B requires {name}: on A it came with pytest 8.3.3."
        )
    assert _package(report, "pytest").severity == Severity.LOW
    high = sorted(f.subject for f in report.at_or_above(Severity.HIGH))
    assert high == ["pysocks", "six"], high  # svc on B requires requests[socks]


def test_extras_in_a_requires_dist_are_followed(pairs: Pairs):
    """svc requires requests[socks]: requests' `extra == "socks"` line makes PySocks
    required on both sides."""
    report = _compare(pairs.laptop, pairs.ci)
    pysocks = _package(report, "pysocks")
    assert pysocks.severity == Severity.HIGH
    assert _use(pysocks).startswith("use: requests 2.32.3 (PySocks!=1.5.7,>=1.5.6) on B requires")


def test_extras_the_project_declares_are_followed(pairs: Pairs, tmp_path):
    """app declares requests[socks] and imports only requests: PySocks missing on B is
    what its requests cannot do there, so it is high, not 'nothing requires it'."""
    folder = _app(tmp_path / "app", "import requests\n")
    pysocks = _package(_compare(pairs.laptop, pairs.ci, folder), "pysocks")
    assert pysocks.severity == Severity.HIGH, pysocks.explanation
    assert "requests 2.32.3 (PySocks!=1.5.7,>=1.5.6) on B requires it" in _use(pysocks)
    plain = _app(tmp_path / "plain", "import requests\n", '"requests>=2"')
    assert _package(_compare(pairs.laptop, pairs.ci, plain), "pysocks").severity == Severity.LOW


def test_the_imported_package_is_the_cause_not_what_it_pulled_in(pairs: Pairs, tmp_path):
    """svc and PySocks (which came with svc's requests[socks]) are both missing on B."""
    plain = _compare(pairs.laptop, pairs.ci_no_svc)
    causes = [f.subject for f in plain.likely_causes()]
    assert causes[:2] == ["six", "svc"], causes  # both asked for by name, both high
    pysocks = _package(plain, "pysocks")
    assert pysocks.severity == Severity.LOW, pysocks.explanation
    assert pysocks.explanation.endswith(
        "; nothing on B requires pysocks: on A it came with requests 2.32.3."
    )
    folder = _app(tmp_path / "app", "import svc\n", '"svc"')
    ranked = _compare(pairs.laptop, pairs.ci_no_svc, folder)
    first = ranked.findings[0]
    assert (first.subject, first.severity) == ("svc", Severity.CRITICAL)
    assert _package(ranked, "pysocks").severity == Severity.LOW


def test_a_checkout_is_installed_from_its_folder_not_pinned(pairs: Pairs):
    svc = _package(_compare(pairs.laptop, pairs.ci_no_svc), "svc")
    assert svc.fix is not None and svc.fix.on == "B"
    assert svc.fix.command == f"pip install -e '{pairs.checkout}'"
    assert f"svc {VERSION} on A comes from the checkout at {pairs.checkout}, which no " in (
        svc.fix.advice or ""
    )
    assert VERSION not in svc.fix.command


def test_a_development_build_from_a_wheel_is_not_pinned(pairs: Pairs):
    svc = _package(_compare(pairs.ci, pairs.ci_no_svc), "svc")
    assert svc.fix is not None and svc.fix.command is None
    assert svc.fix.advice == (
        f"svc {VERSION} on A is a development build that no index has: install svc on B "
        "from the checkout it was built from (pip install PATH), or pin a released version "
        "in both"
    )


def test_an_editable_finding_quotes_each_sides_own_version(pairs: Pairs):
    """B's svc is another release (0.1.0, from an index): the editable finding names A's
    version for A, not B's."""
    released = tuple(
        replace(d, version="0.1.0", direct_url=None) if d.canonical_name == "svc" else d
        for d in pairs.ci.distributions
    )
    report = _compare(pairs.laptop, replace(pairs.ci, distributions=released))
    svc = [f for f in report.findings if f.subject == "svc"]
    editable = next(f for f in svc if f.left == "editable")
    assert editable.explanation.startswith(
        f"svc {VERSION} is an editable install on A (the working tree at {pairs.checkout}) "
        "but a regular install (0.1.0) on B"
    )
    assert editable.fix is not None and editable.fix.command == f"pip install -e '{pairs.checkout}'"
    step = next(f for f in svc if f.left != "editable")
    assert step.fix is not None and step.fix.command == f"pip install -e '{pairs.checkout}'"


def test_a_fix_for_a_ci_job_speaks_of_the_requirements_or_the_image(pairs: Pairs):
    """The ci venv seen from a job (CI=true): a pip install there is gone with the job."""
    report = compare(pairs.laptop, pairs.ci_job, left_label="laptop", right_label="job")
    six = _package(report, "six")
    assert six.fix is not None and six.fix.command is None
    assert six.fix.advice == (
        "in CI the job's image is the fix, not the job: pin six==1.16.0 in the requirements "
        "the image installs and rebuild it"
    )
    svc = _package(report, "svc")
    assert svc.fix is not None and svc.fix.command is None
    assert f"pin -e {pairs.checkout} in the requirements the image installs" in (
        svc.fix.advice or ""
    )
    outside = _package(_compare(pairs.laptop, pairs.ci), "six")
    assert outside.fix is not None and outside.fix.command == "pip install 'six==1.16.0'"


def test_fixes_name_the_side_by_its_label_and_text_shows_the_use_line(pairs: Pairs):
    folder = pairs.files["ci"].parent
    result = run_cli("diff", "laptop.json", "ci.json", cwd=folder)
    assert result.returncode == 0, result.stderr
    causes = result.stdout.split("Likely causes\n", 1)[1].split("\nDetails", 1)[0]
    assert "run on ci: pip install 'six==1.16.0'" in causes
    assert "ci.json:" not in causes.replace("on ci.json", "")  # explanations keep the file
    six = causes[causes.index("six 1.16.0 is installed") :]
    assert six.splitlines()[1].strip() == "use: asked for by name on laptop.json"


def test_the_egg_info_an_editable_install_leaves_in_src_is_not_a_shadowed_copy(pairs: Pairs):
    """Snapshots taken before issue 13 hold the svc.egg-info setuptools wrote into the
    checkout's src/ (on sys.path through the editable .pth) as a hidden second copy."""
    leftover = pairs.checkout / "src" / "svc.egg-info"
    assert leftover.is_dir()  # setuptools really leaves it there
    svc = next(d for d in pairs.laptop.distributions if d.canonical_name == "svc")
    old_style = replace(
        svc,
        location=str(pairs.checkout / "src"),
        metadata_dir=leftover.name,
        editable=False,
        direct_url=None,
        shadowed_by=svc.location,
    )
    older = replace(pairs.laptop, distributions=(*pairs.laptop.distributions, old_style))
    report = _compare(pairs.laptop, older)
    (finding,) = [f for f in report.findings if f.subject.startswith("svc")]
    assert (finding.subject, finding.severity) == ("svc (editable metadata)", Severity.INFO)
    assert "shadow" not in finding.explanation and finding.fix is None
    assert finding.explanation == (
        f"On B, {pairs.checkout}/src holds the metadata setuptools writes into the project "
        f"folder of the editable install of svc {VERSION}: part of that install, not a "
        "second copy; leave it in place."
    )
    assert not report.at_or_above(Severity.LOW)


FEATURES = ", a feature release: new features and changed defaults, the same ABI."
FIXES = ": fixes only."


@pytest.mark.parametrize(
    ("left", "right", "words"),
    [
        ("OpenSSL 3.0.2 15 Mar 2022", "OpenSSL 3.5.1 1 Jul 2025", FEATURES),
        ("OpenSSL 3.0.2 15 Mar 2022", "OpenSSL 3.0.13 30 Jan 2024", FIXES),
        ("OpenSSL 1.1.1k  25 Mar 2021", "OpenSSL 1.1.1w  11 Sep 2023", FIXES),
        ("OpenSSL 1.1.0l  10 Sep 2019", "OpenSSL 1.1.1w  11 Sep 2023", FEATURES),
    ],
)
def test_an_openssl_step_within_a_series_says_what_it_brings(pairs: Pairs, left, right, words):
    """OpenSSL 3.x minor releases add features (3.0 -> 3.5 is not 'fixes only'); before
    3.0, 1.1.0 -> 1.1.1 did, and only the letters were fixes."""
    python = pairs.laptop.python
    assert python is not None
    a = replace(pairs.laptop, python=replace(python, build={**python.build, "openssl": left}))
    b = replace(pairs.laptop, python=replace(python, build={**python.build, "openssl": right}))
    (finding,) = [f for f in _compare(a, b).findings if f.subject == "ssl module OpenSSL"]
    assert finding.severity == Severity.LOW
    assert finding.explanation.endswith(f" on B, within the same series{words}")


# --------------------------------------------------------------------------- vanished modules


@pytest.fixture(scope="module")
def pytest_pair(
    tmp_path_factory: pytest.TempPathFactory, clean_env: dict[str, str]
) -> tuple[Snapshot, Snapshot]:
    """pytest 8.3.3 ships its own `py` module (py.py); pytest 7.1.3 did not (it required
    the `py` library, left out here with --no-deps, as an inconsistent install would)."""
    wheels = wheelhouse("judgement-pytest-wheels", (*DEV, "pytest==7.1.3"))
    root = tmp_path_factory.mktemp("vanished")
    new, old = Venv(root / "new", wheels), Venv(root / "old", wheels)
    new.install("--no-deps", *DEV)
    old.install("--no-deps", "pytest==7.1.3", *DEV[1:])
    return new.snapshot(clean_env, "new"), old.snapshot(clean_env, "old")


def test_a_module_the_other_release_does_not_ship_is_named(pytest_pair, tmp_path):
    new, old = pytest_pair
    shipped = {d.canonical_name: d.top_level for d in new.distributions}["pytest"]
    assert "py" in shipped  # the real wheel's top-level names
    plain = _package(_compare(new, old), "pytest")
    assert "; pytest 7.1.3 does not ship the module `py`, so `import py` fails there" in (
        plain.explanation
    )
    folder = _app(tmp_path / "app", "import py.path\nimport pytest\n", '"pytest"')
    ranked = _compare(new, old, folder)
    finding = _package(ranked, "pytest")
    assert finding.severity == Severity.HIGH and finding in ranked.likely_causes()
    assert finding.explanation.endswith(
        "; your code imports `py.path` (app/__init__.py), so the program cannot start on B."
    )


# --------------------------------------------------------------------------- native fixes

BOOKWORM = Path(__file__).parent / "golden" / "releases-bookworm.snapshot.json"


def _without_libstdcxx(snapshot: Snapshot, **changes: object) -> Snapshot:
    libraries = tuple(lib for lib in snapshot.native_libraries if lib.name != "libstdc++")
    return replace(snapshot, native_libraries=libraries, **changes)  # type: ignore[arg-type]


def test_a_native_fix_names_the_os_package_that_holds_the_library():
    """Recorded real probe output of a Debian bookworm image: libstdc++.so.6 comes from the
    dpkg package libstdc++6 there. B lacks the library."""
    bookworm = snapshot_files.load(BOOKWORM)
    assert bookworm.container is not None
    assert "libstdc++6" in {p.name for p in bookworm.os_packages}
    image = _without_libstdcxx(bookworm)
    (finding,) = [f for f in _compare(bookworm, image).findings if f.subject == "libstdc++"]
    assert finding.fix is not None and finding.fix.command is None
    assert (
        finding.fix.advice
        == "add `apt-get install -y libstdc++6` to the image B runs, and rebuild it"
    )
    host = _without_libstdcxx(bookworm, container=None)
    (on_host,) = [f for f in _compare(bookworm, host).findings if f.subject == "libstdc++"]
    assert on_host.fix is not None
    assert (on_host.fix.command, on_host.fix.on) == ("apt-get install -y libstdc++6", "B")
    job = _without_libstdcxx(bookworm, environment={**bookworm.environment, "CI": "true"})
    (in_ci,) = [f for f in _compare(bookworm, job).findings if f.subject == "libstdc++"]
    assert in_ci.fix is not None and in_ci.fix.command is None
    assert in_ci.fix.advice == (
        "B is a CI job: add `apt-get install -y libstdc++6` to the image its jobs run in"
    )
    unknown = replace(bookworm, os_packages=())  # no package list on A: no guessed name
    (guess,) = [f for f in _compare(unknown, image).findings if f.subject == "libstdc++"]
    assert guess.fix is None


def test_what_a_tool_requires_under_another_platforms_marker_came_with_the_tool(
    tmp_path: Path, clean_env: dict[str, str]
) -> None:
    """A laptop with `pip install pytest colorama six`: pytest requires colorama on
    Windows only, yet colorama came for pytest's sake; missing in CI it is low, while six,
    asked for on its own, missing there is high."""
    wheels = wheelhouse("judgement-pytest-wheels", (*DEV, "pytest==7.1.3"))
    colorama = wheelhouse("judgement-colorama-wheels", ("colorama==0.4.6", "six==1.16.0"))
    laptop, ci = Venv(tmp_path / "laptop", wheels), Venv(tmp_path / "ci", wheels)
    laptop.install("--find-links", colorama, *DEV, "colorama==0.4.6", "six==1.16.0")
    report = compare(laptop.snapshot(clean_env, "laptop"), ci.snapshot(clean_env, "ci"))
    rated = {f.subject: f.severity for f in report.findings if f.category == "packages"}
    assert rated["colorama"] == Severity.LOW, rated
    assert rated["pytest"] == Severity.LOW, rated  # a development tool
    assert rated["six"] == Severity.HIGH, rated
