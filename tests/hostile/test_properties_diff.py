"""The diff engine on generated snapshots: any two diff, a snapshot against itself is empty,
every change is claimed, and every report renders.

Snapshots are drawn over the model's own dataclasses, with small alphabets for
names (so that two snapshots share keys and differ in their fields) and with both
well-formed and arbitrary text for what explainers parse: versions, requirements,
markers, wheel tags, Python versions. Each one is written and read back through the
snapshot file format, as a diff of two files would see it.
"""

from __future__ import annotations

from typing import Any

import properties  # loads the ci, dev or thorough profile
from hypothesis import example, given
from hypothesis import strategies as st

from driftcheck.diff.changes import compute_changes
from driftcheck.diff.engine import compare
from driftcheck.diff.model import Change, Finding
from driftcheck.render.diff_json import render_json
from driftcheck.render.diff_markdown import render_markdown
from driftcheck.render.diff_text import render_text
from driftcheck.snapshot import files as snapshot_files
from driftcheck.snapshot.model import (
    ContainerInfo,
    CpuInfo,
    Distribution,
    Generator,
    Interpreter,
    LibcInfo,
    NativeLibrary,
    OsInfo,
    OsPackage,
    PthFile,
    Redacted,
    RedactionInfo,
    Snapshot,
    TargetInfo,
    Unknown,
)
from driftcheck.targets.build import canonicalize_name

odd_text = st.text(max_size=12)
versions = st.one_of(
    st.sampled_from(["1.0", "1.16.0", "2.0.0rc1", "1!2.0", "0.9.post1", "3.11.7", "3.12.1"]),
    odd_text,
)
names = st.sampled_from(["six", "idna", "numpy", "Six", "my_pkg", "my-pkg", "attrs"])
requirements = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "six>=1.15",
                "numpy<2.0,>=1.20",
                'idna; extra == "net"',
                'attrs>=20; python_version < "3.8"',
                "my-pkg==1.0",
            ]
        ),
        odd_text,
    ),
    max_size=3,
).map(tuple)
tags = st.lists(
    st.one_of(st.sampled_from(["py3-none-any", "cp311-cp311-manylinux_2_17_x86_64"]), odd_text),
    max_size=2,
).map(tuple)
maybe_text = st.none() | odd_text
locations = st.sampled_from(
    ["/venv/lib/python3.11/site-packages", "/usr/lib/python3/dist-packages"]
)


@st.composite
def distributions(draw: st.DrawFn) -> Distribution:
    name = draw(names)
    return Distribution(
        name=name,
        canonical_name=canonicalize_name(name),
        version=draw(versions),
        location=draw(locations),
        metadata_dir=f"{name}.dist-info",
        installer=draw(st.sampled_from([None, "pip", "uv"])),
        requested=draw(st.none() | st.booleans()),
        editable=draw(st.booleans()),
        direct_url=draw(st.sampled_from([None, "file:///src", "git+https://x.example/r.git"])),
        vcs=draw(st.sampled_from([None, "git"])),
        vcs_commit=draw(st.sampled_from([None, "a" * 40, "b" * 40])),
        requires_dist=draw(requirements),
        requires_python=draw(st.sampled_from([None, ">=3.8", ">=3.12", "~=2.7"]) | odd_text),
        wheel_tags=draw(tags),
        top_level=draw(st.lists(st.sampled_from(["six", "numpy", "x"]), max_size=2).map(tuple)),
        shadowed_by=draw(st.sampled_from([None, "/venv/lib/python3.11/site-packages"])),
    )


interpreters = st.builds(
    Interpreter,
    implementation=st.sampled_from(["CPython", "PyPy"]),
    version=st.sampled_from(["3.11.7", "3.12.1", "3.8.18"]) | odd_text,
    cache_tag=st.sampled_from([None, "cpython-311", "cpython-312"]),
    soabi=st.sampled_from([None, "cpython-311-x86_64-linux-gnu", "cpython-312-x86_64-linux-gnu"]),
    ext_suffix=maybe_text,
    executable=st.sampled_from(["/usr/bin/python3", "/venv/bin/python"]),
    prefix=st.sampled_from(["/usr", "/venv"]),
    base_prefix=st.sampled_from(["/usr", "/opt/python"]),
    environment_kind=st.sampled_from(["system", "venv", "conda", "uv-venv"]),
    sys_path=st.lists(locations, max_size=2).map(tuple),
    flags=st.dictionaries(st.sampled_from(["optimize", "isolated"]), st.integers(0, 2)),
    free_threaded=st.booleans(),
    debug_build=st.booleans(),
    pointer_bits=st.sampled_from([32, 64]),
    default_encoding=st.just("utf-8"),
    filesystem_encoding=st.sampled_from(["utf-8", "ascii"]),
    locale=st.dictionaries(st.sampled_from(["LC_CTYPE"]), maybe_text),
    build=st.dictionaries(st.sampled_from(["openssl", "sqlite"]), maybe_text),
)
os_infos = st.builds(
    OsInfo,
    system=st.sampled_from(["Linux", "Darwin"]),
    kernel=maybe_text,
    machine=st.sampled_from(["x86_64", "aarch64"]),
    os_release=st.dictionaries(st.sampled_from(["ID", "VERSION_ID", "PRETTY_NAME"]), odd_text),
    libc=st.builds(LibcInfo, st.sampled_from(["glibc", "musl", "unknown"]), versions | st.none()),
    cpu=st.builds(
        CpuInfo,
        maybe_text,
        st.lists(st.sampled_from(["avx2", "avx512f", "sse4_2"]), max_size=3).map(tuple),
        st.none() | st.integers(1, 64),
        st.none() | st.integers(1, 64),
    ),
    memory_bytes=st.none() | st.integers(0, 2**40),
    hostname=maybe_text,
)
env_values = st.one_of(
    odd_text,
    st.sampled_from(["/usr/bin:/bin", "C.UTF-8", "1"]),
    st.builds(Redacted, st.sampled_from(["name:token", "value:github"]), st.none()),
)
containers = st.none() | st.builds(
    ContainerInfo,
    image=st.sampled_from(["app:1", "app:2"]),
    image_id=st.sampled_from(["sha256:" + "a" * 64, "sha256:" + "b" * 64]),
    platform=st.sampled_from(["linux/amd64", "linux/arm64"]),
    user=st.sampled_from([None, "1000"]),
    labels=st.dictionaries(st.sampled_from(["l", "version"]), odd_text, max_size=2),
    configured_env=st.dictionaries(st.sampled_from(["PATH", "TOKEN"]), env_values, max_size=2),
)


@st.composite
def snapshots(draw: st.DrawFn) -> Snapshot:
    mode = draw(st.sampled_from(["live", "live", "static"]))
    snapshot = Snapshot(
        generator=Generator("driftcheck", "0.1.0"),
        created_at="2026-11-28T00:00:00+00:00",
        label=draw(st.sampled_from(["laptop", "ci"])),
        target=TargetInfo(kind="host", description="generated", mode=mode),
        redaction=RedactionInfo("1", 0, False, False),
        os=draw(os_infos),
        python=draw(st.none() | interpreters),
        pth_files=draw(
            st.lists(
                st.builds(PthFile, st.sampled_from(["/a.pth", "/b.pth"]), tags, requirements),
                max_size=2,
                unique_by=lambda p: p.path,
            ).map(tuple)
        ),
        distributions=tuple(
            sorted(
                draw(st.lists(distributions(), max_size=6, unique_by=lambda d: d.key)),
                key=lambda d: d.key,
            )
        ),
        environment=draw(
            st.dictionaries(
                st.sampled_from(["PATH", "HOME", "LANG", "TOKEN", "PYTHONPATH"]), env_values
            )
        ),
        os_packages=tuple(
            sorted(
                draw(
                    st.lists(
                        st.builds(
                            OsPackage,
                            st.sampled_from(["dpkg", "apk"]),
                            st.sampled_from(["libc6", "libssl3", "openssl"]),
                            versions,
                            st.sampled_from([None, "amd64"]),
                            st.sampled_from([None, "glibc"]),
                        ),
                        max_size=5,
                        unique_by=lambda p: p.key,
                    )
                ),
                key=lambda p: p.key,
            )
        ),
        native_libraries=draw(
            st.lists(
                st.builds(
                    NativeLibrary,
                    st.sampled_from(["libc", "libssl", "libgomp"]),
                    maybe_text,
                    maybe_text,
                    versions | st.none(),
                ),
                max_size=3,
                unique_by=lambda n: n.key,
            ).map(tuple)
        ),
        unknowns=draw(st.lists(st.builds(Unknown, odd_text, odd_text), max_size=2).map(tuple)),
        container=draw(containers),
    )
    return snapshot_files.loads(
        snapshot_files.dumps(snapshot), "generated.json"
    )  # as a diff of two files sees it


def found(**fields: Any) -> Snapshot:
    """A snapshot as the strategy draws it, for a failure kept as an @example."""
    snapshot = Snapshot(
        generator=Generator("driftcheck", "0.1.0"),
        created_at="2026-11-28T00:00:00+00:00",
        label="laptop",
        target=TargetInfo(kind="host", description="generated", mode="live"),
        redaction=RedactionInfo("1", 0, False, False),
        os=OsInfo(
            "Linux",
            None,
            "x86_64",
            {},
            LibcInfo("glibc", None),
            CpuInfo(None, (), None, None),
            None,
            None,
        ),
        **fields,
    )
    return snapshot_files.loads(snapshot_files.dumps(snapshot), "generated.json")


def dpkg_libc6(version: str) -> tuple[OsPackage, ...]:
    return (OsPackage("dpkg", "libc6", version, "amd64", None),)


def interpreter(**fields: Any) -> Interpreter:
    """An interpreter as the strategy draws it, for a failure kept as an @example."""
    values: dict[str, Any] = {
        "implementation": "CPython",
        "version": "3.11.7",
        "cache_tag": None,
        "soabi": None,
        "ext_suffix": None,
        "executable": "/usr/bin/python3",
        "prefix": "/usr",
        "base_prefix": "/usr",
        "environment_kind": "system",
        "sys_path": (),
        "flags": {},
        "free_threaded": False,
        "debug_build": False,
        "pointer_bits": 64,
        "default_encoding": "utf-8",
        "filesystem_encoding": "utf-8",
        "locale": {},
        "build": {},
    }
    return Interpreter(**{**values, **fields})


def claimed(findings: tuple[Finding, ...]) -> list[Change]:
    out: list[Change] = []
    for finding in findings:
        out.extend(finding.changes)
        out.extend(claimed(finding.members))
    return out


@properties.examples(150)
@given(snapshots(), snapshots())
# Found by the thorough profile (issue 12): a non-ASCII digit in an OS package version
# reached int() ('²'.isdigit() is true): a ValueError, exit 70.
@example(found(os_packages=dpkg_libc6("1.0")), found(os_packages=dpkg_libc6("²")))
# Found by the thorough profile (issue 12): a locale value holding a NUL reached
# codecs.lookup, which raises ValueError ('embedded null character'), not LookupError.
@example(found(python=interpreter(locale={"LC_CTYPE": "\x00"})), found(python=interpreter()))
def test_any_two_snapshots_diff_and_every_change_is_claimed(
    left: Snapshot, right: Snapshot
) -> None:
    report = compare(left, right, left_label="a.json", right_label="b.json")
    changes = {c.ident for c in compute_changes(left, right).changes}
    assert {c.ident for c in claimed(report.findings)} == changes
    for render in (render_text, render_json, render_markdown):
        assert isinstance(render(report), str)


@properties.examples(100)
@given(snapshots())
def test_a_snapshot_against_itself_has_no_findings(snapshot: Snapshot) -> None:
    report = compare(snapshot, snapshot)
    assert report.findings == () and not report.drift
