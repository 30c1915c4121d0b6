"""SYNTHETIC pairs: a real snapshot edited with dataclasses.replace into what this machine
cannot capture (musl, arm64, an old glibc, another Python, a base-image upgrade, secrets).

Each test says what it changed; everything else is the real capture.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from diff_scenarios import NumpyScenarios, ProjectScenarios
from synthetic_edits import compare_ab as _compare
from synthetic_edits import only_finding as _one
from synthetic_edits import with_dist as _with_dist
from synthetic_edits import with_python as _with_python

from driftcheck.diff.model import DiffResult, Finding, Fix, Severity
from driftcheck.snapshot.model import (
    LibcInfo,
    NativeLibrary,
    OsPackage,
    Redacted,
    Snapshot,
)


def _with_os(snapshot: Snapshot, **fields: Any) -> Snapshot:
    return replace(snapshot, os=replace(snapshot.os, **fields))


def _with_env(snapshot: Snapshot, **values: Any) -> Snapshot:
    env = dict(snapshot.environment)
    for key, value in values.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return replace(snapshot, environment=env)


def _fix_texts(finding: Finding) -> list[str]:
    fix = finding.fix
    return [] if fix is None else [fix.command or "", fix.advice or "", fix.on or ""]


def _texts(report: DiffResult) -> str:
    def walk(finding: Finding) -> list[str]:
        out = [finding.explanation, finding.left or "", finding.right or "", *_fix_texts(finding)]
        out += list(finding.evidence)
        for member in finding.members:
            out += walk(member)
        return out

    return "\n".join(t for f in report.findings for t in walk(f))


# --------------------------------------------------------------------------- platform


def test_synthetic_musl_side_cannot_load_manylinux_wheels(numpy_scenarios: NumpyScenarios) -> None:
    a = numpy_scenarios.numpy1
    b = _with_os(a, libc=LibcInfo("musl", "1.2.4"))
    top = _compare(a, b).findings[0]
    assert (top.category, top.subject, top.severity) == ("platform", "libc", Severity.HIGH)
    assert "A uses glibc and B uses musl" in top.explanation
    assert "numpy and pandas on B" in top.explanation


def test_synthetic_arm64_side_with_copied_x86_64_wheels(numpy_scenarios: NumpyScenarios) -> None:
    a = numpy_scenarios.numpy1
    b = _with_os(a, machine="aarch64")
    b = _with_python(
        b, soabi="cpython-311-aarch64-linux-gnu", ext_suffix=".cpython-311-aarch64-linux-gnu.so"
    )
    report = _compare(a, b)
    top = report.findings[0]
    assert (top.category, top.severity) == ("platform", Severity.HIGH)
    assert "numpy's wheel is manylinux" in top.explanation and "B is aarch64" in top.explanation
    arch = _one(report, "architecture")
    assert "A is x86_64 and B is aarch64" in arch.explanation
    assert {c.field for c in arch.changes} >= {"machine", "soabi", "ext_suffix"}


def test_synthetic_old_glibc_against_a_manylinux_2_28_wheel(
    numpy_scenarios: NumpyScenarios,
) -> None:
    tags = ("cp311-cp311-manylinux_2_28_x86_64",)
    a = _with_dist(numpy_scenarios.numpy1, "numpy", wheel_tags=tags)
    b = _with_os(a, libc=LibcInfo("glibc", "2.17"))
    libs = tuple(
        replace(lib, version="2.17") if lib.name == "libc" else lib for lib in b.native_libraries
    )
    b = replace(b, native_libraries=libs)
    report = _compare(a, b)
    top = report.findings[0]
    assert top.severity == Severity.HIGH
    assert top.explanation == (
        "numpy's wheel is manylinux_2_28_x86_64 (needs glibc 2.28), but B has glibc 2.17, "
        "so its extension modules fail to load there."
    )
    assert [m.subject for m in top.members] == ["numpy"]
    # pandas is manylinux2014 (glibc 2.17): B can load it, so it is not named.
    assert "pandas" not in top.explanation
    # The libc change is explained by this finding, not reported again.
    assert {c.field or c.key for c in top.changes} == {"libc.version", "version"}


def test_synthetic_missing_cpu_flags_matter_only_with_compiled_packages(
    numpy_scenarios: NumpyScenarios, project_scenarios: ProjectScenarios
) -> None:
    def without_avx512(snapshot: Snapshot) -> Snapshot:
        flags = tuple(f for f in snapshot.os.cpu.flags if not f.startswith("avx512"))
        return _with_os(snapshot, cpu=replace(snapshot.os.cpu, flags=flags))

    a = numpy_scenarios.numpy1
    flags = _one(_compare(a, without_avx512(a)), "CPU flags")
    assert flags.severity == Severity.MEDIUM
    assert "B's CPU lacks avx512f" in flags.explanation and "numpy" in flags.explanation
    pure = project_scenarios.base  # pure-Python wheels only
    assert _one(_compare(pure, without_avx512(pure)), "CPU flags").severity == Severity.INFO


def test_synthetic_os_release_change(numpy_scenarios: NumpyScenarios) -> None:
    a = numpy_scenarios.numpy1
    release = {**a.os.os_release, "VERSION_ID": "13", "PRETTY_NAME": "Debian GNU/Linux 13"}
    finding = _one(_compare(a, _with_os(a, os_release=release)), "OS release")
    assert (finding.category, finding.severity) == ("os", Severity.MEDIUM)
    assert "Debian GNU/Linux 12 (bookworm) on A, Debian GNU/Linux 13 on B" in finding.explanation


# --------------------------------------------------------------------------- python runtime


def test_synthetic_python_minor_upgrade_names_removed_modules(
    numpy_scenarios: NumpyScenarios,
) -> None:
    a = numpy_scenarios.numpy1
    b = _with_python(
        a,
        version="3.12.1",
        cache_tag="cpython-312",
        soabi="cpython-312-x86_64-linux-gnu",
        ext_suffix=".cpython-312-x86_64-linux-gnu.so",
    )
    report = _compare(a, b)
    top = report.findings[0]
    assert (top.category, top.subject, top.severity) == ("python", "version", Severity.HIGH)
    assert "Python moved from 3.11.7 to 3.12.1" in top.explanation
    assert "cp312 build" in top.explanation
    assert "distutils, imp, asynchat, asyncore and smtpd (removed in 3.12)" in top.explanation
    assert {c.field for c in top.changes} >= {"version", "soabi", "ext_suffix", "cache_tag"}


def test_synthetic_python_patch_is_low(numpy_scenarios: NumpyScenarios) -> None:
    a = numpy_scenarios.numpy1
    finding = _one(_compare(a, _with_python(a, version="3.11.9")), "version")
    assert finding.severity == Severity.LOW


def test_synthetic_free_threaded_build(numpy_scenarios: NumpyScenarios) -> None:
    a = numpy_scenarios.numpy1
    b = _with_python(a, free_threaded=True, soabi="cpython-311t-x86_64-linux-gnu")
    finding = _one(_compare(a, b), "free-threaded build")
    assert finding.severity == Severity.HIGH
    assert "B runs a free-threaded (no GIL) build" in finding.explanation
    assert {c.field for c in finding.changes} == {"free_threaded", "soabi"}


def test_synthetic_extension_suffix_mismatch(numpy_scenarios: NumpyScenarios) -> None:
    a = numpy_scenarios.numpy1
    b = _with_python(a, ext_suffix=".cpython-311d-x86_64-linux-gnu.so")
    finding = _one(_compare(a, b), "extension ABI")
    assert finding.severity == Severity.HIGH
    assert "compiled extensions cannot be shared" in finding.explanation


def test_synthetic_sys_path_order(numpy_scenarios: NumpyScenarios) -> None:
    a = numpy_scenarios.numpy1
    assert a.python is not None
    b = _with_python(a, sys_path=tuple(reversed(a.python.sys_path)))
    finding = _one(_compare(a, b), "sys.path order")
    assert finding.severity == Severity.MEDIUM


def test_synthetic_no_python_on_one_side(numpy_scenarios: NumpyScenarios) -> None:
    a = numpy_scenarios.numpy1
    report = _compare(a, replace(a, python=None))
    finding = _one(report, "interpreter")
    assert (
        finding.severity == Severity.HIGH and "B has no Python interpreter" in finding.explanation
    )


# --------------------------------------------------------------------------- packages


def test_synthetic_local_version_labels(numpy_scenarios: NumpyScenarios) -> None:
    base = numpy_scenarios.numpy1
    a = _with_dist(base, "pandas", version="2.0.3+cu121")
    b = _with_dist(base, "pandas", version="2.0.3+cpu")
    finding = _one(_compare(a, b), "pandas")
    assert finding.severity == Severity.MEDIUM
    assert finding.explanation.startswith(
        "pandas is 2.0.3 on both sides but a different build (+cu121 on A, +cpu on B)"
    )


def test_synthetic_patch_minor_prerelease_and_downgrade(
    project_scenarios: ProjectScenarios,
) -> None:
    base = project_scenarios.base
    cases = {  # idna: myproject requires it, six too; attrs (calendar versions): nothing does
        ("idna", "3.7.1"): (Severity.LOW, "a patch release"),
        ("idna", "3.8"): (Severity.MEDIUM, "a minor release"),
        ("idna", "3.8rc1"): (Severity.MEDIUM, "involving a pre-release"),
        ("idna", "3.6"): (Severity.MEDIUM, "went back from 3.7 to 3.6, a minor downgrade"),
        ("idna", "4.0"): (Severity.HIGH, "packages that use it (myproject 0.3.0 here)"),
        ("attrs", "23.3.0"): (Severity.LOW, "a later release from the same year (2023)"),
        ("attrs", "23.3.0rc1"): (Severity.MEDIUM, "from the same year (2023) involving a pre"),
        ("attrs", "23.1.0"): (Severity.MEDIUM, "went back from 23.2.0 to 23.1.0, an earlier"),
        ("attrs", "24.1.0"): (Severity.LOW, "a newer calendar release (2023 → 2024)"),
    }
    for (name, version), (severity, words) in cases.items():
        report = _compare(base, _with_dist(base, name, version=version))
        finding = next(f for f in report.findings if f.subject == name)
        assert finding.severity == severity, (version, finding.explanation)
        assert words in finding.explanation, (version, finding.explanation)


def test_synthetic_same_version_other_wheel(numpy_scenarios: NumpyScenarios) -> None:
    a = numpy_scenarios.numpy1
    b = _with_dist(a, "numpy", wheel_tags=("cp311-cp311-linux_x86_64",))
    finding = _one(_compare(a, b), "numpy")
    assert finding.severity == Severity.MEDIUM
    assert "same version on both sides but a different wheel" in finding.explanation
    assert finding.fix == Fix.run("pip install --force-reinstall 'numpy==1.26.4'", on="B")


def test_synthetic_vcs_commit_differs(project_scenarios: ProjectScenarios) -> None:
    url, vcs = "https://github.com/benjaminp/six.git", "git"
    a = _with_dist(project_scenarios.base, "six", vcs=vcs, vcs_commit="a" * 40, direct_url=url)
    b = _with_dist(a, "six", vcs_commit="b" * 40)
    finding = _one(_compare(a, b), "six")
    assert finding.severity == Severity.MEDIUM
    assert "git commit aaaaaaaaaaaa on A but bbbbbbbbbbbb on B" in finding.explanation
    assert finding.fix == Fix.run(f"pip install 'six @ git+{url}@{'a' * 40}'", on="B")


def test_synthetic_installer_differs_and_uv_syntax(numpy_scenarios: NumpyScenarios) -> None:
    a = numpy_scenarios.numpy1
    b = replace(
        numpy_scenarios.numpy2,
        distributions=tuple(
            replace(d, installer="uv") for d in numpy_scenarios.numpy2.distributions
        ),
    )
    report = _compare(a, b)
    assert report.findings[0].fix == Fix.run("uv pip install 'numpy==1.26.4'", on="B")
    crowd = [f for f in report.findings if "by pip on A but by uv on B" in f.explanation]
    assert len(crowd) == 1, "one finding for the whole venv, not one per package"
    installer = crowd[0]
    assert installer.explanation.startswith(f"{len(installer.members)} packages (")
    assert "numpy" in {m.subject for m in installer.members}
    assert installer.severity == Severity.LOW


def test_synthetic_older_copy_shadows_the_venv_copy(project_scenarios: ProjectScenarios) -> None:
    a = project_scenarios.base
    venv_six = next(d for d in a.distributions if d.canonical_name == "six")
    system = "/usr/lib/python3/dist-packages"
    old = replace(venv_six, version="1.10.0", location=system, shadowed_by=None)
    shadowed = replace(venv_six, shadowed_by=system)
    others = tuple(d for d in a.distributions if d.canonical_name != "six")
    b = replace(a, distributions=tuple(sorted((*others, old, shadowed), key=lambda d: d.key)))
    report = _compare(a, b)
    finding = _one(report, "six (shadowed copy)")
    assert finding.severity == Severity.MEDIUM
    assert finding.explanation.startswith(
        f"On B, an older copy of six (1.10.0) at {system} shadows 1.16.0 at {venv_six.location}"
    )


def test_synthetic_removed_package_needed_by_another_is_high(
    project_scenarios: ProjectScenarios,
) -> None:
    a = project_scenarios.base
    b = replace(a, distributions=tuple(d for d in a.distributions if d.canonical_name != "six"))
    finding = next(f for f in _compare(a, b).findings if f.subject == "six")
    assert finding.severity == Severity.HIGH
    assert "myproject 0.3.0 on B requires it" in finding.explanation


# --------------------------------------------------------------------------- dependencies


def test_synthetic_requires_python_unmet_on_one_side(numpy_scenarios: NumpyScenarios) -> None:
    a = numpy_scenarios.numpy2
    b = _with_python(a, version="3.9.18")
    report = _compare(a, b)
    finding = next(f for f in report.findings if f.category == "dependencies")
    assert finding.severity == Severity.HIGH
    assert finding.explanation.startswith(
        "numpy 2.1.0 requires Python >=3.10, but B runs Python 3.9.18"
    )


def test_synthetic_markers_decide_whether_a_requirement_applies(
    project_scenarios: ProjectScenarios,
) -> None:
    base = project_scenarios.base
    inactive = _with_dist(base, "attrs", requires_dist=("idna<3; python_version < '3.8'",))
    active = _with_dist(base, "attrs", requires_dist=("idna<3; python_version >= '3.8'",))
    assert not [f for f in _compare(base, inactive).findings if f.category == "dependencies"]
    finding = next(f for f in _compare(base, active).findings if f.category == "dependencies")
    assert finding.explanation.startswith("attrs 23.2.0 requires idna<3, but B has idna 3.7")
    assert any(e.startswith("marker true on B: python_version=3.11") for e in finding.evidence)


def test_synthetic_unparsable_requirements_are_skipped_not_fatal(
    project_scenarios: ProjectScenarios,
) -> None:
    base = project_scenarios.base
    broken = ("idna (>=1.0", "six; python_version >>> '3'", "attrs; nonsense_marker == '1'")
    b = _with_dist(base, "attrs", requires_dist=broken)
    report = _compare(base, b)
    finding = _one(report, "unchecked requirements")
    assert finding.severity == Severity.INFO
    assert len(finding.evidence) == 3


# --------------------------------------------------------------------------- environment


def test_synthetic_redacted_values_are_never_printed(project_scenarios: ProjectScenarios) -> None:
    secret = "http://user:hunter2@proxy.example:3128"
    a = _with_env(
        project_scenarios.base,
        HTTPS_PROXY=Redacted("credentials-in-url", fingerprint="f1", preview=secret),
        API_TOKEN=Redacted("secret-name", fingerprint="t1"),
        SSL_CERT_FILE="/etc/ssl/corp.pem",
    )
    b = _with_env(
        project_scenarios.base,
        HTTPS_PROXY=Redacted("credentials-in-url", fingerprint="f2", preview=secret),
        API_TOKEN=Redacted("secret-name", fingerprint="t2"),
        SSL_CERT_FILE=Redacted("secret-value", fingerprint="c2"),
    )
    report = _compare(a, b)
    proxy = _one(report, "HTTPS_PROXY")
    assert proxy.explanation.startswith("HTTPS_PROXY differs (values redacted)")
    assert (proxy.left, proxy.right, proxy.severity) == (
        "<redacted>",
        "<redacted>",
        Severity.MEDIUM,
    )
    assert proxy.fix == Fix.advise("set HTTPS_PROXY on B to the value A uses")
    assert _one(report, "API_TOKEN").explanation.startswith("API_TOKEN differs (values redacted)")
    # One side redacted: the other side's plain value is not printed either.
    cert = _one(report, "SSL_CERT_FILE")
    assert cert.left == "<redacted>"
    text = _texts(report)
    for leaked in ("hunter2", "proxy.example", "corp.pem", "f1", "f2"):
        assert leaked not in text


def test_synthetic_environment_rules(project_scenarios: ProjectScenarios) -> None:
    a = _with_env(project_scenarios.base, PATH="/opt/tool/bin:/usr/bin:/bin", TZ="UTC")
    b = _with_env(
        project_scenarios.base,
        PATH="/usr/bin:/opt/tool/bin:/bin",
        TZ="Europe/Berlin",
        LD_PRELOAD="/usr/lib/libjemalloc.so.2",
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        HOSTNAME="ci-runner-7",
        PWD="/builds/x",
        SHLVL="2",
        MY_APP_MODE="fast",
    )
    report = _compare(a, b)
    assert report.findings[0].subject == "LD_PRELOAD"
    assert report.findings[0].severity == Severity.HIGH
    path = _one(report, "PATH")
    assert path.severity == Severity.MEDIUM
    assert "/usr/bin comes before /opt/tool/bin on B" in path.explanation
    assert _one(report, "TZ").severity == Severity.MEDIUM
    threads = _one(report, "thread counts")
    assert threads.severity == Severity.LOW and len(threads.changes) == 2
    noise = _one(report, "session variables")
    assert noise.severity == Severity.INFO and len(noise.changes) == 3
    other = _one(report, "MY_APP_MODE")
    assert other.severity == Severity.LOW and "set on B only (fast)" in other.explanation


def test_synthetic_pythonhashseed_explains_the_flag(project_scenarios: ProjectScenarios) -> None:
    a = project_scenarios.base
    assert a.python is not None
    flags = {**a.python.flags, "hash_randomization": 0}
    b = _with_python(_with_env(a, PYTHONHASHSEED="0"), flags=flags)
    report = _compare(a, b)
    finding = _one(report, "PYTHONHASHSEED")
    assert finding.severity == Severity.MEDIUM
    assert {c.field for c in finding.changes} == {"", "flags.hash_randomization"}
    assert not [f for f in report.findings if f.subject == "interpreter flags"]


# --------------------------------------------------------------------------- OS and libraries


def test_synthetic_base_image_upgrade_is_one_finding(numpy_scenarios: NumpyScenarios) -> None:
    a = numpy_scenarios.numpy1
    assert len(a.os_packages) > 100, "the host has dpkg packages to work with"
    packages: list[OsPackage] = []
    for i, package in enumerate(a.os_packages):
        if package.name == "libc6" or i % 3 == 0:
            packages.append(replace(package, version=package.version + "+deb12u9"))
        elif i % 50 != 1:
            packages.append(package)  # every 50th package is gone on B
    packages.append(OsPackage("dpkg", "newtool", "1.0-1", "amd64"))
    b = replace(a, os_packages=tuple(sorted(packages, key=lambda p: p.key)))
    report = _compare(a, b)
    findings = [f for f in report.findings if f.category == "os"]
    assert len(findings) == 1
    finding = findings[0]
    upgraded = sum(1 for m in finding.members if "upgraded" in m.explanation)
    removed = sum(1 for m in finding.members if "removed" in m.explanation)
    assert finding.explanation.startswith(
        f"{len(finding.members)} dpkg packages differ ({upgraded} upgraded, 1 added, "
        f"{removed} removed), including "
    )
    assert "libc6" in finding.explanation
    assert finding.severity == Severity.MEDIUM


def test_synthetic_openssl_major_and_libstdcxx(numpy_scenarios: NumpyScenarios) -> None:
    a = numpy_scenarios.numpy1
    old: list[NativeLibrary] = []
    for lib in a.native_libraries:
        if lib.name in ("libssl", "libcrypto"):
            lib = replace(lib, version="1.1.1w", soname=f"{lib.name}.so.1.1")
        elif lib.name == "libstdc++":
            lib = replace(lib, version="6.0.28")
        old.append(lib)
    report = _compare(replace(a, native_libraries=tuple(old)), a)
    openssl = _one(report, "OpenSSL")
    assert openssl.severity == Severity.HIGH
    assert openssl.explanation.startswith("OpenSSL moved from 1.1.1w to 3.0.")
    assert "new major series" in openssl.explanation
    stdcxx = _one(report, "libstdc++")
    assert stdcxx.severity == Severity.MEDIUM
    assert "GLIBCXX_3.4.30" in stdcxx.explanation


def test_synthetic_versions_that_are_not_pep440_do_not_crash(
    project_scenarios: ProjectScenarios,
) -> None:
    a = project_scenarios.base
    b = _with_dist(a, "six", version="1.16.0-vendor-patched!")
    report = _compare(a, b)
    finding = _one(report, "six")
    assert finding.severity == Severity.MEDIUM and "not PEP 440" in finding.explanation
    # myproject requires six>=1.15: the check is skipped, and says so.
    assert _one(report, "unchecked requirements").severity == Severity.INFO


def test_synthetic_a_marker_that_flips_with_the_platform_is_found(
    project_scenarios: ProjectScenarios,
) -> None:
    """Nothing installed differs; only B's machine makes `platform_machine` true there."""
    a = _with_dist(
        project_scenarios.base, "attrs", requires_dist=("idna<3; platform_machine == 'aarch64'",)
    )
    b = _with_os(a, machine="aarch64")
    report = _compare(a, b)
    finding = next(f for f in report.findings if f.category == "dependencies")
    assert finding.explanation.startswith("attrs 23.2.0 requires idna<3, but B has idna 3.7")
    assert finding.fix == Fix.run("pip install 'idna<3'", on="B")


def test_synthetic_a_problem_only_the_left_side_has_says_so_in_the_fix(
    project_scenarios: ProjectScenarios,
) -> None:
    b = project_scenarios.base
    a = replace(b, distributions=tuple(d for d in b.distributions if d.canonical_name != "idna"))
    finding = next(f for f in _compare(a, b).findings if f.category == "dependencies")
    assert finding.explanation.startswith("myproject 0.3.0 requires idna, but A does not have")
    assert finding.fix == Fix.run("pip install 'idna==3.7'", on="A")


def test_synthetic_a_side_without_interpreter_is_not_drift_for_markers(
    project_scenarios: ProjectScenarios,
) -> None:
    """A static snapshot cannot evaluate markers: neither side's marked requirements count."""
    a = _with_dist(project_scenarios.base, "attrs", requires_dist=("idna<3; python_version>'3'",))
    b = replace(a, python=None)
    assert not [f for f in _compare(a, b).findings if f.category == "dependencies"]
