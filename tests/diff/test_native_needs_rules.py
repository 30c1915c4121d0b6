"""The native-needs rules on snapshot records: the cases real venvs and images cannot
easily stage here (another package manager on B, a module B's newer release brought,
an OS library one release older), each through the real diff engine."""

from __future__ import annotations

from dataclasses import replace

from driftcheck.diff.engine import compare
from driftcheck.diff.model import Finding
from driftcheck.snapshot.model import (
    Distribution,
    NativeModule,
    NeededLibrary,
    OsPackage,
    Snapshot,
)

from support import small_snapshot

SITE = "/venv/lib/python3.11/site-packages"
MODULE = "fastlib/_core.cpython-311-x86_64-linux-gnu.so"
GFORTRAN = "libgfortran.so.5"


def _side(label: str, *needs: NeededLibrary, module: str = MODULE, **changes) -> Snapshot:
    fastlib = Distribution(
        "fastlib", "fastlib", "1.0", SITE, "fastlib-1.0.dist-info", requested=True,
        top_level=("fastlib",),
    )  # fmt: skip
    base = replace(small_snapshot(), label=label, distributions=(fastlib,))
    return replace(base, native_needs=(NativeModule(SITE, module, tuple(needs)),), **changes)


def _found(soname: str, path: str, real: str, by: str = "system", package: str | None = None):
    return NeededLibrary(soname, path, by, real, package, "dpkg" if package else None)


def _first(a: Snapshot, b: Snapshot) -> Finding:
    return compare(a, b).findings[0]


def test_a_package_from_another_manager_is_advice_not_a_command():
    a = _side("A", _found(GFORTRAN, "/usr/lib/libgfortran.so.5", "libgfortran.so.5.0.0",
                          package="libgfortran5"))  # fmt: skip
    b = _side("B", NeededLibrary(GFORTRAN), os_packages=(OsPackage("apk", "musl", "1.2.5"),))
    first = _first(a, b)
    assert (first.category, first.subject, first.severity.label) == (
        "native-libraries",
        GFORTRAN,
        "high",
    )
    assert first.fix is not None and first.fix.command is None
    assert first.fix.advice == (
        "install the package that provides libgfortran.so.5 on B (A has it from "
        "libgfortran5, a Debian package)"
    )


def test_the_same_manager_gets_its_command():
    a = _side("A", _found(GFORTRAN, "/usr/lib/libgfortran.so.5", "libgfortran.so.5.0.0",
                          package="libgfortran5"))  # fmt: skip
    b = _side("B", NeededLibrary(GFORTRAN))
    fix = _first(a, b).fix
    assert fix is not None and (fix.command, fix.on) == ("apt-get install 'libgfortran5'", "B")


def test_a_need_only_bs_module_has_is_named_without_a_package():
    a = _side("A", _found("libc.so.6", "/lib/libc.so.6", "libc.so.6", package="libc6"))
    b = _side("B", _found("libc.so.6", "/lib/libc.so.6", "libc.so.6", package="libc6"),
              NeededLibrary("libomp.so.5"))  # fmt: skip
    first = _first(a, b)
    assert (first.subject, first.severity.label) == ("libomp.so.5", "high")
    assert first.fix is not None
    assert first.fix.advice == "install the OS package that provides libomp.so.5 on B"


def test_a_library_missing_on_both_sides_is_not_drift():
    a = _side("A", NeededLibrary(GFORTRAN), _found("libc.so.6", "/lib/libc.so.6", "libc.so.6"))
    b = _side("B", NeededLibrary(GFORTRAN), _found("libc.so.6", "/lib/a/libc.so.6", "libc.so.6"))
    assert not [f for f in compare(a, b).findings if f.subject == GFORTRAN]


def test_an_older_os_library_in_the_system_folders_is_low_not_a_cause():
    """The OS package's version is the OS findings' matter; only an older copy put first
    by LD_LIBRARY_PATH or an RPATH ranks as a cause."""
    new = _found("libstdc++.so.6", "/usr/lib/libstdc++.so.6", "libstdc++.so.6.0.33")
    old = _found("libstdc++.so.6", "/usr/lib/libstdc++.so.6", "libstdc++.so.6.0.30")
    [finding] = [f for f in compare(_side("A", new), _side("B", old)).findings
                 if f.subject == "libstdc++.so.6"]  # fmt: skip
    assert finding.severity.label == "low"
    shadowed = replace(old, path="/opt/gcc/lib/libstdc++.so.6", found_by="LD_LIBRARY_PATH")
    first = _first(_side("A", new), _side("B", shadowed))
    assert (first.subject, first.severity.label) == ("libstdc++.so.6", "high")
    assert "B loads an older copy, /opt/gcc/lib/libstdc++.so.6 through LD_LIBRARY_PATH" in (
        first.explanation
    )


def test_an_unused_distributions_missing_library_is_low():
    """app was asked for by name; fastlib was not, and nothing requires it: its
    missing library cannot stop the program."""
    a = _side("A", _found(GFORTRAN, "/usr/lib/libgfortran.so.5", "libgfortran.so.5.0.0"))
    b = _side("B", NeededLibrary(GFORTRAN))
    app = Distribution("app", "app", "1", SITE, "app-1.dist-info", requested=True)
    unused = replace(a.distributions[0], requested=False)
    a, b = (replace(s, distributions=(app, unused)) for s in (a, b))
    [finding] = [f for f in compare(a, b).findings if f.subject == GFORTRAN]
    assert finding.severity.label == "low"


def test_a_library_another_module_finds_on_a_gives_the_package():
    """B's module is new (A has no such file), but another module on A finds the same
    soname: its package is the fix."""
    a = _side("A", _found("libgomp.so.1", "/usr/lib/libgomp.so.1", "libgomp.so.1.0.0",
                          package="libgomp1"), module="other/_omp.so")  # fmt: skip
    b = _side("B", NeededLibrary("libgomp.so.1"))
    first = _first(a, b)
    assert (first.subject, first.severity.label) == ("libgomp.so.1", "high")
    assert first.fix is not None and first.fix.command == "apt-get install 'libgomp1'"


def test_a_wheels_own_copy_changes_with_its_version_and_is_info():
    """numpy.libs/libgfortran-<hash>.so differs when numpy moves: the package finding
    rates that move; the bundled copy is context, never ranked above it."""
    bundled = f"{SITE}/fastlib.libs/libgfortran-040039e1.so.5.0.0"
    newer = f"{SITE}/fastlib.libs/libgfortran-a1b2c3d4.so.5.0.0"
    a = _side("A", _found(GFORTRAN, bundled, "libgfortran-040039e1.so.5.0.0", by="rpath"))
    b = _side("B", _found(GFORTRAN, newer, "libgfortran-a1b2c3d4.so.5.0.0", by="rpath"))
    native = [f for f in compare(a, b).findings if f.category == "native-libraries"]
    assert [(f.subject, f.severity.label) for f in native] == [(GFORTRAN, "info")]
    assert "changes with the distribution's version" in native[0].explanation


def test_a_copy_no_os_package_ships_found_first_is_high():
    """B's /usr/local/lib holds a hand-copied libfastcalc.so.1 (same file name, another
    build) that the loader finds before the packaged folder A loads it from."""
    soname = "libfastcalc.so.1"
    a = _side("A", _found(soname, f"/usr/lib/x86_64-linux-gnu/{soname}", soname))
    b = _side("B", _found(soname, f"/usr/local/lib/{soname}", soname))
    first = _first(a, b)
    assert (first.category, first.subject, first.severity.label) == (
        "native-libraries",
        soname,
        "high",
    )
    assert "/usr/local/lib/libfastcalc.so.1" in first.explanation


def test_the_same_library_through_lib_or_usr_lib_is_one_folder():
    """On merged-/usr systems /lib/x86_64-linux-gnu and /usr/lib/x86_64-linux-gnu are
    one folder: no finding."""
    a = _side("A", _found("libz.so.1", "/lib/x86_64-linux-gnu/libz.so.1", "libz.so.1.2.13",
                          package="zlib1g"))  # fmt: skip
    b = _side("B", _found("libz.so.1", "/usr/lib/x86_64-linux-gnu/libz.so.1", "libz.so.1.2.13",
                          package="zlib1g"))  # fmt: skip
    assert not [f for f in compare(a, b).findings if f.category == "native-libraries"]


def test_a_library_missing_on_the_baseline_only_is_low():
    """B, the side checked, finds it; A's own trouble does not fail a check of B."""
    a = _side("A", NeededLibrary(GFORTRAN))
    b = _side("B", _found(GFORTRAN, "/usr/lib/libgfortran.so.5", "libgfortran.so.5.0.0",
                          package="libgfortran5"))  # fmt: skip
    native = [f for f in compare(a, b).findings if f.category == "native-libraries"]
    assert [(f.subject, f.severity.label) for f in native] == [(GFORTRAN, "low")]
