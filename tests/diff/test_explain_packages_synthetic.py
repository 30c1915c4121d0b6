"""SYNTHETIC pairs for the package rules: the real project venv (six, idna, attrs, setuptools,
pip and the editable myproject, which requires six and idna) with distributions added,
removed or given other versions, to show calendar versions, installer tooling, the
Debian/Ubuntu pkg_resources placeholder and import names another distribution provides.

Each test says what it changed; everything else is the real capture.
"""

from __future__ import annotations

from dataclasses import replace

from diff_scenarios import NumpyScenarios, ProjectScenarios
from packaging.utils import canonicalize_name
from synthetic_edits import compare_ab, only_finding, with_dist, with_python

from driftcheck.diff.constraints import constraints_text
from driftcheck.diff.model import Fix, Severity
from driftcheck.snapshot.model import Distribution, Snapshot


def _site(snapshot: Snapshot) -> str:
    return next(d.location for d in snapshot.distributions if d.canonical_name == "six")


def _dist(snapshot: Snapshot, name: str, version: str, *top_level: str) -> Distribution:
    """A made-up distribution in the snapshot's site-packages, asked for by name (REQUESTED)
    as `pip install NAME` leaves it, so that the program counts as using it."""
    return Distribution(
        name,
        canonicalize_name(name),
        version,
        _site(snapshot),
        f"{name}-{version}.dist-info",
        installer="pip",
        requested=True,
        wheel_tags=("py3-none-any",),
        top_level=top_level,
    )


def _plus(snapshot: Snapshot, *dists: Distribution) -> Snapshot:
    everything = (*snapshot.distributions, *dists)
    return replace(snapshot, distributions=tuple(sorted(everything, key=lambda d: d.key)))


def _minus(snapshot: Snapshot, *names: str) -> Snapshot:
    kept = tuple(d for d in snapshot.distributions if d.canonical_name not in names)
    return replace(snapshot, distributions=kept)


def _version(snapshot: Snapshot, name: str) -> str:
    return next(d.version for d in snapshot.distributions if d.canonical_name == name)


# --------------------------------------------------------------------------- calendar versions


def test_synthetic_calendar_versions_say_when_not_how_compatible(
    project_scenarios: ProjectScenarios,
) -> None:
    base = project_scenarios.base
    cases = {  # made-up leaf packages, present on both sides at these versions
        ("certifi", "2023.7.22", "2024.8.30"): (
            Severity.LOW,
            "certifi moved from 2023.7.22 to 2024.8.30, a newer calendar release (2023 → 2024): "
            "the version says when it came out, not how compatible it is; read its changelog.",
        ),
        ("certifi", "2024.8.30", "2023.7.22"): (
            Severity.MEDIUM,
            "certifi went back from 2024.8.30 to 2023.7.22, an older calendar release "
            "(2024 → 2023): features and fixes that code on A relies on may be missing",
        ),
        ("tzdata", "2024.1", "2024.2"): (
            Severity.LOW,
            "tzdata moved from 2024.1 to 2024.2, a later release from the same year (2024): "
            "usually compatible",
        ),
        ("nightly-build", "20231201", "20240115"): (Severity.LOW, "calendar release (2023 → 2024)"),
        ("black", "23.12.1", "24.1.0"): (
            Severity.LOW,
            "(2023 → 2024): the version says when it came out, not how compatible it is; read its "
            "changelog; its first release of a year may change the stable formatting style",
        ),
        ("click", "7.1.2", "8.1.7"): (
            Severity.MEDIUM,
            "click moved from 7.1.2 to 8.1.7, a major release: its API may have changed",
        ),
    }
    for (name, old, new), (severity, words) in cases.items():
        a = _plus(base, _dist(base, name, old, name.replace("-", "_")))
        b = with_dist(a, canonicalize_name(name), version=new)
        finding = only_finding(compare_ab(a, b), canonicalize_name(name))
        assert finding.severity == severity, finding.explanation
        assert words in finding.explanation, finding.explanation
        assert "a major release" not in finding.explanation or name == "click"


def test_synthetic_a_calendar_release_others_require_names_them(
    project_scenarios: ProjectScenarios,
) -> None:
    """myproject requires certifi on both sides: one step below what a semantic major of a
    package myproject uses gets (high)."""
    base = project_scenarios.base
    project = next(d for d in base.distributions if d.canonical_name == "myproject")
    a = _plus(base, _dist(base, "certifi", "2023.7.22", "certifi"))
    a = with_dist(a, "myproject", requires_dist=(*project.requires_dist, "certifi"))
    b = with_dist(a, "certifi", version="2024.8.30")
    finding = only_finding(compare_ab(a, b), "certifi")
    assert finding.severity == Severity.MEDIUM
    assert "read its changelog for what myproject 0.3.0 here relies on" in finding.explanation


def test_synthetic_pip_before_its_calendar_versions_is_a_semantic_major(
    project_scenarios: ProjectScenarios,
) -> None:
    """pip numbers its releases by year from 18.0 on; 10.0.1 → 20.3.4 crosses the switch."""
    a = with_dist(project_scenarios.base, "pip", version="10.0.1")
    b = with_dist(a, "pip", version="20.3.4")
    finding = only_finding(compare_ab(a, b), "pip")
    assert "pip moved from 10.0.1 to 20.3.4, a major release" in finding.explanation
    assert "calendar" not in finding.explanation


# --------------------------------------------------------------------------- installer tooling


def test_synthetic_installer_tooling_ranks_below_application_packages(
    project_scenarios: ProjectScenarios,
) -> None:
    """B: pip a year later, setuptools one major later, and a made-up leaf package (click)
    one major later. Nothing installed requires pip or setuptools."""
    base = project_scenarios.base
    a = _plus(base, _dist(base, "click", "7.1.2", "click"))
    pip_major = int(_version(a, "pip").split(".")[0])
    setuptools_major = int(_version(a, "setuptools").split(".")[0])
    b = with_dist(a, "pip", version=f"{pip_major + 1}.0")
    b = with_dist(b, "setuptools", version=f"{setuptools_major + 1}.0.0")
    b = with_dist(b, "click", version="8.1.7")
    report = compare_ab(a, b)
    order = [f.subject for f in report.findings]
    assert order.index("click") < order.index("setuptools") < order.index("pip"), order
    click, setuptools, pip = (only_finding(report, n) for n in ("click", "setuptools", "pip"))
    assert click.severity == Severity.MEDIUM
    assert setuptools.severity == Severity.LOW
    assert "a major release: setuptools is installer tooling and nothing installed here " in (
        setuptools.explanation
    )
    assert "builds from source and to code that imports setuptools" in setuptools.explanation
    assert pip.severity == Severity.INFO
    assert f"a newer calendar release (20{pip_major} → 20{pip_major + 1})" in pip.explanation
    assert "matters only to install steps, not to the running program" in pip.explanation
    assert report.likely_causes()[0].subject == "click"


def test_synthetic_tooling_that_something_requires_is_rated_like_any_package(
    project_scenarios: ProjectScenarios,
) -> None:
    """myproject requires setuptools on both sides (it imports pkg_resources, say)."""
    base = project_scenarios.base
    project = next(d for d in base.distributions if d.canonical_name == "myproject")
    a = with_dist(base, "myproject", requires_dist=(*project.requires_dist, "setuptools"))
    major = int(_version(a, "setuptools").split(".")[0])
    b = with_dist(a, "setuptools", version=f"{major + 1}.0.0")
    finding = only_finding(compare_ab(a, b), "setuptools")
    assert finding.severity == Severity.HIGH
    assert "packages that use it (myproject 0.3.0 here)" in finding.explanation
    assert "installer tooling" not in finding.explanation


def test_synthetic_tooling_missing_or_extra_on_one_side(
    project_scenarios: ProjectScenarios,
) -> None:
    """B: Python 3.12 (whose venv adds no setuptools), no setuptools, no pip, and wheel."""
    a = project_scenarios.base
    b = with_python(_minus(a, "setuptools", "pip"), version="3.12.3")
    b = _plus(b, _dist(b, "wheel", "0.45.1", "wheel"))
    report = compare_ab(a, b)
    setuptools = only_finding(report, "setuptools")
    assert setuptools.severity == Severity.LOW
    assert "so `import setuptools` fails there with ModuleNotFoundError (venvs made by Python " in (
        setuptools.explanation
    )
    assert "3.12 and later no longer include it): setuptools is installer tooling" in (
        setuptools.explanation
    )
    assert "_distutils_hack" not in setuptools.explanation
    pip = only_finding(report, "pip")
    assert pip.severity == Severity.LOW
    assert "missing on B, so `python -m pip` fails there: pip is installer tooling" in (
        pip.explanation
    )
    assert pip.fix is not None and pip.fix.command is None and "ensurepip" in (pip.fix.advice or "")
    wheel = only_finding(report, "wheel")
    assert wheel.severity == Severity.INFO and wheel.fix is None
    assert wheel.explanation == (
        "wheel 0.45.1 is installed on B only: installer tooling that nothing there requires, "
        "so it matters only to building packages from source."
    )


# --------------------------------------------------------------------------- pkg_resources 0.0.0


def _placeholder(snapshot: Snapshot) -> Distribution:
    """What a Debian 11 or Ubuntu 20.04 `python3 -m venv` records (see the releases pair)."""
    return replace(
        _dist(snapshot, "pkg_resources", "0.0.0", "pkg_resources"),
        wheel_tags=("py2-none-any", "py3-none-any"),
    )


def test_synthetic_pkg_resources_placeholder_with_setuptools_providing_it(
    project_scenarios: ProjectScenarios,
) -> None:
    """A: the placeholder. B: setuptools made 80.9.0 with pkg_resources among its top-level
    names (the real venv has setuptools 84, which no longer ships pkg_resources)."""
    base = project_scenarios.base
    names = ("_distutils_hack", "pkg_resources", "setuptools")
    a = _plus(with_dist(base, "setuptools", version="80.9.0", top_level=names), _placeholder(base))
    b = _minus(a, "pkg-resources")
    finding = only_finding(compare_ab(a, b), "pkg-resources")
    assert finding.severity == Severity.INFO
    assert finding.explanation == (
        "pkg_resources 0.0.0 on A is not a real distribution but the placeholder Debian's and "
        "Ubuntu's venvs record for the pkg_resources they split out of setuptools (pip freeze "
        "prints it as pkg-resources==0.0.0); on B, setuptools 80.9.0 provides pkg_resources, "
        "so nothing is missing."
    )
    assert finding.fix is not None and finding.fix.command is None
    assert "no package index has it" in (finding.fix.advice or "")
    pins = constraints_text(a, b, "A", "B", "constraints.txt")
    assert not [line for line in pins.splitlines() if "pkg_resources" in line.split("#")[0]]
    assert not [line for line in pins.splitlines() if "install -c" in line and "pkg_res" in line]
    assert "# not pinned: pkg_resources 0.0.0 is the Debian/Ubuntu venv placeholder" in pins


def test_synthetic_pkg_resources_placeholder_where_nothing_provides_it(
    project_scenarios: ProjectScenarios,
) -> None:
    """A: the placeholder. B: the real venv, whose setuptools 84 has no pkg_resources."""
    base = project_scenarios.base
    assert "pkg_resources" not in next(
        d.top_level for d in base.distributions if d.canonical_name == "setuptools"
    )
    finding = only_finding(compare_ab(_plus(base, _placeholder(base)), base), "pkg-resources")
    assert finding.severity == Severity.MEDIUM
    assert finding.explanation.endswith(
        "; nothing provides pkg_resources on B, so `import pkg_resources` fails there with "
        "ModuleNotFoundError."
    )
    assert finding.fix == Fix.run("pip install 'setuptools<82'", on="B")


def test_synthetic_pkg_resources_placeholder_on_the_right_only(
    project_scenarios: ProjectScenarios,
) -> None:
    base = project_scenarios.base
    finding = only_finding(compare_ab(base, _plus(base, _placeholder(base))), "pkg-resources")
    assert finding.severity == Severity.INFO
    assert finding.explanation.startswith("pkg_resources 0.0.0 on B is not a real distribution")
    assert finding.fix is not None and finding.fix.command is None, "uninstalling it helps nobody"


# --------------------------------------------------------------------------- import names


def test_synthetic_a_distribution_replaced_by_one_with_the_same_imports(
    project_scenarios: ProjectScenarios,
) -> None:
    """A: opencv-python; B: opencv-python-headless instead. Both install `cv2`."""
    base = project_scenarios.base
    a = _plus(base, _dist(base, "opencv-python", "4.10.0.84", "cv2"))
    b = _plus(base, _dist(base, "opencv-python-headless", "4.10.0.84", "cv2"))
    report = compare_ab(a, b)
    gone = only_finding(report, "opencv-python")
    assert gone.severity == Severity.LOW
    assert gone.explanation == (
        "opencv-python 4.10.0.84 is installed on A but missing on B, but `import cv2` still "
        "works there: opencv-python-headless 4.10.0.84 provides it, from other code."
    )
    assert gone.fix is not None and gone.fix.command is None
    assert "if it is meant to replace opencv-python" in (gone.fix.advice or "")
    new = only_finding(report, "opencv-python-headless")
    assert new.severity == Severity.LOW
    assert "in place of opencv-python 4.10.0.84 on A: both provide `cv2`" in new.explanation


def test_synthetic_a_shared_namespace_is_not_a_replacement(
    project_scenarios: ProjectScenarios,
) -> None:
    """A: google-auth and google-api-core, both installing parts of `google`; B: only the
    second. `import google` still works on B, `google.auth` does not."""
    base = project_scenarios.base
    core = _dist(base, "google-api-core", "2.19.0", "google")
    a = _plus(base, core, _dist(base, "google-auth", "2.30.0", "google"))
    b = _plus(base, core)
    finding = only_finding(compare_ab(a, b), "google-auth")
    assert finding.severity == Severity.HIGH  # asked for by name on A, its part gone on B
    assert (
        "so its part of `google`, a package it shares with google-api-core, is gone there: "
        "imports from that part fail with ModuleNotFoundError"
    ) in finding.explanation
    assert finding.fix == Fix.run("pip install 'google-auth==2.30.0'", on="B")


def test_synthetic_names_nothing_provides_still_fail(project_scenarios: ProjectScenarios) -> None:
    """A: a made-up bundle installing `alpha` and `beta`; B: only another one with `beta`."""
    base = project_scenarios.base
    a = _plus(base, _dist(base, "bundle", "1.0", "alpha", "beta"))
    b = _plus(base, _dist(base, "beta-only", "1.0", "beta"))
    finding = only_finding(compare_ab(a, b), "bundle")
    assert finding.severity == Severity.HIGH
    assert "so `import alpha` fails there with ModuleNotFoundError" in finding.explanation
    assert finding.explanation.endswith(
        "; it was asked for by name on A and nothing on B provides its modules, so what "
        "asked for it cannot import it on B."
    )


# --------------------------------------------------------------------------- wheels per Python


def test_synthetic_wheels_built_for_each_python_follow_from_the_python_change(
    numpy_scenarios: NumpyScenarios,
) -> None:
    """B: Python 3.12 with numpy's cp312 wheel for the same platforms as A's cp311 one."""
    a = numpy_scenarios.numpy1
    numpy = next(d for d in a.distributions if d.canonical_name == "numpy")
    tags = tuple(t.replace("cp311", "cp312") for t in numpy.wheel_tags)
    assert tags != numpy.wheel_tags
    b = with_dist(with_python(a, version="3.12.3"), "numpy", wheel_tags=tags)
    finding = only_finding(compare_ab(a, b), "numpy")
    assert finding.severity == Severity.INFO and finding.fix is None
    assert finding.explanation == (
        "numpy 1.26.4 is the same release on both sides, each from the wheel built for its own "
        "Python (cp311-cp311 on A, cp312-cp312 on B): that follows from the Python version, not "
        "from the package."
    )
