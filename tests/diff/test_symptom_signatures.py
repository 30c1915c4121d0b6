"""The error signatures, table-tested on error lines as real tools print them, and the
matcher on finding kinds other helpers add (imports:, startup:, native-libraries:<soname>):
a pointer names a finding by category and subject, so a new kind needs no new code here."""

from __future__ import annotations

from dataclasses import replace

import pytest

from driftcheck.diff.model import Finding, Severity
from driftcheck.diff.symptom.matching import explain_symptom
from driftcheck.diff.symptom.reading import ErrorText
from driftcheck.diff.symptom.signatures import find_errors
from driftcheck.snapshot.model import Distribution

from support import small_snapshot

# (a line a real tool prints, a (category, subject-or-module) it must point at, strength)
REAL_LINES = [
    ("ModuleNotFoundError: No module named 'yaml'", ("imports", "yaml"), 3),
    ("ModuleNotFoundError: No module named 'yaml'", ("packages", "yaml"), 3),
    ("ModuleNotFoundError: No module named 'distutils'", ("python", "version"), 3),
    ("ModuleNotFoundError: No module named '_ssl'", ("python", "bundled libraries"), 2),
    (
        "ImportError: cannot import name 'soft_unicode' from 'markupsafe' "
        "(/usr/lib/python3/dist-packages/markupsafe/__init__.py)",
        ("packages", "markupsafe"),
        3,
    ),
    ("AttributeError: module 'numpy' has no attribute 'float'.", ("packages", "numpy"), 3),
    (
        "AttributeError: partially initialized module 'requests' has no attribute 'get' "
        "(most likely due to a circular import)",
        ("imports", "requests"),
        3,
    ),
    (
        "ImportError: /opt/venv/lib/python3.11/site-packages/torch/lib/libtorch_cpu.so: "
        "undefined symbol: _ZN3c1015SmallVectorBaseIjE8grow_podEPKvmm",
        ("packages", "torch"),
        2,
    ),
    (
        "ImportError: /opt/venv/lib/python3.12/site-packages/_cffi_backend.cpython-312-x86_64"
        "-linux-gnu.so: undefined symbol: PyUnicode_AsUTF8",
        ("python", "version"),
        3,
    ),
    (
        "ImportError: libGL.so.1: cannot open shared object file: No such file or directory",
        ("native-libraries", "libGL.so.1"),
        3,
    ),
    (
        "ImportError: libssl.so.1.1: cannot open shared object file: No such file or directory",
        ("native-libraries", "OpenSSL"),
        3,
    ),
    (
        "OSError: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.32' not found (required by "
        "/opt/venv/lib/python3.11/site-packages/tokenizers/tokenizers.cpython-311-x86_64-linux"
        "-gnu.so)",
        ("platform", "libc"),
        3,
    ),
    (
        "ImportError: /usr/lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.30' not "
        "found (required by /opt/venv/lib/python3.11/site-packages/scipy/_lib/_uarray.so)",
        ("native-libraries", "libstdc++"),
        3,
    ),
    (
        "ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify "
        "failed: unable to get local issuer certificate (_ssl.c:1006)",
        ("environment", "SSL_CERT_FILE"),
        3,
    ),
    (
        "UnicodeDecodeError: 'ascii' codec can't decode byte 0xc3 in position 0: ordinal not "
        "in range(128)",
        ("environment", "LANG"),
        3,
    ),
    (
        "ValueError: numpy.dtype size changed, may indicate binary incompatibility. Expected "
        "96 from C header, got 88 from PyObject",
        ("packages", "numpy"),
        3,
    ),
    ("SyntaxError: invalid syntax", ("python", "version"), 3),
    (
        "TypeError: unsupported operand type(s) for |: 'type' and 'NoneType'",
        ("python", "version"),
        3,
    ),
    (
        "OpenBLAS blas_thread_init: pthread_create failed for thread 3 of 8: Resource "
        "temporarily unavailable",
        ("environment", "OMP_NUM_THREADS"),
        3,
    ),
    (
        "pkg_resources.DistributionNotFound: The 'requests>=2' distribution was not found and "
        "is required by app",
        ("packages", "requests"),
        3,
    ),
    (
        "ERROR: Package 'foo' requires a different Python: 3.8.10 not in '>=3.9'",
        ("python", "version"),
        3,
    ),
    (
        "zoneinfo._common.ZoneInfoNotFoundError: 'No time zone found with key Europe/Paris'",
        ("packages", "tzdata"),
        3,
    ),
    ("Illegal instruction (core dumped)", ("platform", "CPU flags"), 3),
    (
        "ERROR: No matching distribution found for torch==2.1.0",
        ("environment", "installer settings"),
        3,
    ),
    (
        "Error: error:0308010C:digital envelope routines::unsupported",
        ("native-libraries", "OpenSSL"),
        3,
    ),
    (
        "Fatal Python error: init_fs_encoding: failed to get the Python codec of the "
        "filesystem encoding",
        ("environment", "PYTHONHOME"),
        3,
    ),
]


def _one(lines: list[str]) -> object:
    (error,) = find_errors([ErrorText(tuple(lines), 1, "--log x")])
    return error


@pytest.mark.parametrize(("line", "target", "strength"), REAL_LINES)
def test_each_real_error_points_at_its_cause(
    line: str, target: tuple[str, str], strength: int
) -> None:
    error = _one(["collecting ...", line])
    assert error.line == 2  # type: ignore[attr-defined]
    category, name = target
    found: dict[tuple[str, str | None], int] = {}
    for q in error.pointers:  # type: ignore[attr-defined]
        key = (q.category, q.subject or q.module)
        found[key] = max(found.get(key, 0), q.strength)
    assert found.get((category, name)) == strength, found


def test_a_warning_printed_is_not_an_error_but_one_raised_is() -> None:
    printed = "/app/main.py:3: DeprecationWarning: pkg_resources is deprecated as an API"
    assert find_errors([ErrorText((printed,), 1, "--log x")]) == ()
    raised = [
        "Traceback (most recent call last):",
        '  File "/app/main.py", line 3, in <module>',
        "DeprecationWarning: pkg_resources is deprecated as an API",
    ]
    error = _one(raised)
    assert error.line == 3 and ("environment", "PYTHONWARNINGS") in {  # type: ignore[attr-defined]
        (q.category, q.subject)
        for q in error.pointers  # type: ignore[attr-defined]
    }


def test_ci_decorations_are_stripped_and_the_innermost_frame_names_the_package() -> None:
    stamp = "2026-12-01T10:00:00.1234567Z "
    lines = [
        stamp + "\x1b[31mTraceback (most recent call last):\x1b[0m",
        stamp + '  File "/app/main.py", line 9, in <module>',
        stamp + '  File "/venv/lib/python3.11/site-packages/yaml/__init__.py", line 79, in load',
        stamp + "TypeError: load() missing 1 required positional argument: 'Loader'",
    ]
    error = _one(lines)
    assert error.quote == "TypeError: load() missing 1 required positional argument: 'Loader'"  # type: ignore[attr-defined]
    assert any(q.module == "yaml" and q.strength == 2 for q in error.pointers)  # type: ignore[attr-defined]


def test_a_secret_in_the_error_line_is_redacted_in_the_quote() -> None:
    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    error = _one([f"ModuleNotFoundError: No module named 'x' ({token})"])
    assert token not in error.quote  # type: ignore[attr-defined]


def _finding(category: str, subject: str, severity: Severity = Severity.LOW) -> Finding:
    return Finding(category, subject, severity, f"{subject} differs.")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("ModuleNotFoundError: No module named 'yaml.cyaml'", "imports:yaml"),
        (
            "ImportError: libgfortran.so.5: cannot open shared object file: No such file or "
            "directory",
            "native-libraries:libgfortran.so.5",
        ),
        ("ModuleNotFoundError: No module named 'mylib'", "startup:system-site-packages"),
    ],
)
def test_finding_kinds_from_other_helpers_plug_in_by_category_and_subject(
    line: str, expected: str
) -> None:
    """Made-up findings of kinds main does not produce yet: matched by name alone; a
    finding of the right kind about something else is not."""
    kinds = [
        _finding("imports", "yaml"),
        _finding("imports", "json5"),
        _finding("native-libraries", "libgfortran.so.5", Severity.MEDIUM),
        _finding("native-libraries", "libblas.so.3", Severity.MEDIUM),
        _finding("startup", "system-site-packages"),
        _finding("packages", "six", Severity.HIGH),
    ]
    side = small_snapshot()
    found, _ = explain_symptom(kinds, [ErrorText((line,), 1, "--log x")], (side, side))
    linked = {f"{f.category}:{f.subject}" for f in found if f.symptom is not None}
    assert expected in linked
    assert "packages:six" not in linked and "imports:json5" not in linked
    assert "native-libraries:libblas.so.3" not in linked


def test_a_module_reaches_its_distribution_through_the_top_level_names() -> None:
    side = replace(
        small_snapshot(),
        distributions=(
            Distribution(
                "PyYAML",
                "pyyaml",
                "6.0.2",
                "/site",
                "PyYAML.dist-info",
                top_level=("_yaml", "yaml"),
            ),
        ),
    )
    findings = [
        _finding("packages", "pyyaml", Severity.MEDIUM),
        _finding("packages", "six", Severity.HIGH),
    ]
    text = ErrorText(("ModuleNotFoundError: No module named 'yaml'",), 42, "--log x")
    found, summary = explain_symptom(findings, [text], (side, small_snapshot()))
    assert found[0].symptom is not None and found[0].symptom.words == (
        "explains line 42: ModuleNotFoundError: No module named 'yaml'"
    )
    assert found[1].symptom is None
    assert summary.explained == (
        "line 42: ModuleNotFoundError: No module named 'yaml' (explained by packages:pyyaml)",
    )


def test_members_and_os_package_keys_are_matched() -> None:
    member = _finding("os", "ca-certificates:all")
    group = replace(_finding("os", "dpkg packages", Severity.MEDIUM), members=(member,))
    side = small_snapshot()
    text = ErrorText(
        ("requests.exceptions.SSLError: [SSL: CERTIFICATE_VERIFY_FAILED]",), 1, "--log x"
    )
    found, _ = explain_symptom([group], [text], (side, side))
    assert found[0].symptom is not None and found[0].symptom.strength == 3


def test_line_numbers_count_newlines_only_and_a_progress_bar_is_not_quoted() -> None:
    from driftcheck.diff.symptom.reading import file_lines

    text = "a\r\nb\x0cc\x1cd\n 50%\r100%\rModuleNotFoundError: No module named 'yaml'\r\n"
    lines = file_lines(text)
    assert len(lines) == 3
    (error,) = find_errors([ErrorText(lines, 10, "--log x")])
    assert error.line == 12
    assert error.quote == "ModuleNotFoundError: No module named 'yaml'"


def _releases() -> tuple[object, object]:
    from diff_scenarios import RELEASE_SNAPSHOTS

    from driftcheck.snapshot.files import load

    return load(RELEASE_SNAPSHOTS["bullseye"]), load(RELEASE_SNAPSHOTS["bookworm"])


def test_a_missing_openssl_soname_puts_the_openssl_step_first_on_recorded_releases() -> None:
    """Recorded real snapshots of bullseye and bookworm images: Python's own step ranks
    first without the log; with it, OpenSSL 1.1 → 3.0 does, and the report fits a screen."""
    from driftcheck.diff.engine import compare
    from driftcheck.render.diff_text import render_text

    bullseye, bookworm = _releases()
    plain = compare(bullseye, bookworm)  # type: ignore[arg-type]
    assert (plain.findings[0].category, plain.findings[0].subject) == ("python", "version")
    line = "ImportError: libssl.so.1.1: cannot open shared object file: No such file or directory"
    text = ErrorText(("Traceback (most recent call last):", line), 7, "--log x")
    report = compare(bullseye, bookworm, symptom=[text])  # type: ignore[arg-type]
    top = report.findings[0]
    assert (top.category, top.subject) == ("native-libraries", "OpenSSL")
    assert top.symptom is not None and top.symptom.line == 8
    rendered = render_text(report).splitlines()
    assert len(rendered) <= 40
    assert rendered[rendered.index("Likely causes") + 1].startswith("  1. [high] native-libraries")


def test_a_glibc_error_points_at_the_libc_step_on_recorded_releases() -> None:
    from driftcheck.diff.engine import compare

    bullseye, bookworm = _releases()
    line = (
        "ImportError: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.33' not found "
        "(required by /opt/venv/lib/python3.9/site-packages/markupsafe/_speedups.so)"
    )
    report = compare(bookworm, bullseye, symptom=[ErrorText((line,), 1, "--log x")])  # type: ignore[arg-type]
    linked = [f"{f.category}:{f.subject}" for f in report.findings if f.symptom is not None]
    assert linked[0] == "platform:libc version", linked
    assert "packages:markupsafe" in linked


def test_a_soname_names_the_debian_package_that_ships_it() -> None:
    from driftcheck.diff.symptom.signatures import debian_packages

    assert debian_packages("libssl.so.1.1") == ("libssl1.1", "libssl1.1t64")
    assert debian_packages("libgfortran.so.5")[0] == "libgfortran5"
    assert debian_packages("libGL.so.1")[0] == "libgl1"
    assert debian_packages("libfoo2.so.3")[0] == "libfoo2-3"
    assert debian_packages("ld-linux.so.2") == ()


def test_the_finding_about_what_the_error_names_explains_it_not_its_neighbours() -> None:
    """`No module named 'urllib3'`: urllib3's finding explains it; requests' version step
    (whose requirement names urllib3) and context findings (info) do not."""
    from dataclasses import replace as replaced

    from driftcheck.diff.symptom.matching import explain_symptom
    from driftcheck.diff.symptom.reading import ErrorText

    findings = [
        replaced(_finding("packages", "requests", Severity.MEDIUM), packages=("urllib3",)),
        _finding("packages", "urllib3", Severity.HIGH),
        _finding("python", "sys.path", Severity.INFO),
        _finding("startup", "distutils-precedence.pth", Severity.INFO),
    ]
    side = small_snapshot()
    text = ErrorText(("ModuleNotFoundError: No module named 'urllib3'",), 1, "--log x")
    linked, _ = explain_symptom(findings, [text], (side, side))
    assert [f.subject for f in linked if f.symptom is not None] == ["urllib3"]


def test_an_oserror_raised_inside_a_package_is_not_explained_by_that_package() -> None:
    """ConnectionRefusedError raised in urllib3's code: nothing in a snapshot explains a
    closed port, and urllib3's version step is not called its explanation."""
    from driftcheck.diff.symptom.matching import explain_symptom
    from driftcheck.diff.symptom.reading import ErrorText

    lines = (
        "Traceback (most recent call last):",
        '  File "/venv/lib/python3.11/site-packages/urllib3/connection.py", line 9, in connect',
        "ConnectionRefusedError: [Errno 111] Connection refused",
    )
    side = small_snapshot()
    findings = [_finding("packages", "urllib3", Severity.HIGH)]
    linked, summary = explain_symptom(findings, [ErrorText(lines, 1, "--log x")], (side, side))
    assert all(f.symptom is None for f in linked)
    assert summary.unexplained and "nothing here explains line 3" in summary.unexplained[0]
