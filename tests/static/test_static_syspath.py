"""The sys.path a static reading models, on hand-made image filesystems (no engine needed).

Each case is one CPython rule (getpath, site.py) the live probe sees at work:
the expected paths are what the interpreter itself prints for the same layout
(checked on real images in test_static_fidelity.py).
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from static_builders import E, file, layer, symlink

from driftcheck.snapshot.model import TargetInfo
from driftcheck.static.candidates import interpreter_candidates
from driftcheck.static.collect import collect_static
from driftcheck.static.rootfs import RootFS
from driftcheck.static.wanted import wanted
from driftcheck.targets.build import build_snapshot

DEBIAN_SITE_PY = "# Debian: local addons go into /usr/local/lib/python3.11/dist-packages\n"
UPSTREAM_SITE_PY = "# site-packages only\n"
STDLIB = ["/usr/lib/python311.zip", "/usr/lib/python3.11", "/usr/lib/python3.11/lib-dynload"]
LOCAL_DIST = "/usr/local/lib/python3.11/dist-packages"
DEBIAN_DIST = "/usr/lib/python3/dist-packages"


def dist(site: str, name: str, version: str, **extra: str) -> list[E]:
    folder = f"{site.lstrip('/')}/{name}-{version}.dist-info"
    entries = [
        file(f"{folder}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    ]
    entries += [file(f"{folder}/{k}", v) for k, v in extra.items()]
    return entries


def debian_python() -> list[E]:
    return [
        file("usr/bin/python3.11", "\x7fELF"),
        symlink("usr/bin/python3", "python3.11"),
        file("usr/lib/python3.11/site.py", DEBIAN_SITE_PY),
        file("usr/lib/python3.11/os.py", ""),
        file("etc/passwd", "root:x:0:0:root:/root:/bin/bash\napp:x:1000:1000::/home/app:/bin/sh\n"),
    ]


def read(
    entries: list[E], env: dict[str, str], user: str | None = None, **meta: Any
) -> dict[str, Any]:
    fs = RootFS(wanted)
    fs.add_layer(io.BytesIO(layer(*entries)), "test layer")
    metadata = {"configured_env": env, "user": user, "platform": "linux/amd64", **meta}
    return collect_static(fs, metadata)


def modelled_path(facts: dict[str, Any]) -> list[str]:
    reason = {u["field"]: u["reason"] for u in facts["unknowns"]}["python.sys_path"]
    listed = reason.split(" is ", 1)[1].split("; what runs", 1)[0]
    path: list[str] = json.loads(listed.replace("'", '"'))
    return path


def active(facts: dict[str, Any]) -> dict[str, tuple[str, str]]:
    snapshot = build_snapshot(
        facts, target=TargetInfo(kind="archive", description="t", mode="static"), label="t"
    )
    return {d.canonical_name: (d.version, d.location) for d in snapshot.active_distributions}


def test_system_python_path_order_user_site_pth_and_pythonpath():
    entries = [
        *debian_python(),
        *dist(LOCAL_DIST, "attrs", "24.3.0"),
        *dist(LOCAL_DIST, "six", "1.17.0"),
        *dist("/root/.local/lib/python3.11/site-packages", "attrs", "23.2.0"),
        *dist("/opt/pp", "six", "1.16.0"),
        *dist("/opt/plugins", "packaging", "24.2"),
        *dist("/srv/extra", "markupsafe", "3.0.2"),
        *dist(DEBIAN_DIST, "idna", "3.6"),
        file(
            f"{LOCAL_DIST.lstrip('/')}/zz-plugins.pth",
            "# c\n/opt/plugins\n../../../../../srv/extra\nimport sys\n/opt/none\n\n/opt/pp\n",
        ),
        file(f"{LOCAL_DIST.lstrip('/')}/aa.pth", "/srv/extra\n"),  # name order: first
    ]
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "PYTHONPATH": "/opt/pp:rel"}
    facts = read(entries, env, working_dir="/work")
    assert modelled_path(facts) == [
        "/opt/pp",
        "/work/rel",
        *STDLIB,
        "/root/.local/lib/python3.11/site-packages",
        LOCAL_DIST,
        "/srv/extra",
        "/opt/plugins",
        DEBIAN_DIST,
    ]
    assert active(facts) == {
        "six": ("1.16.0", "/opt/pp"),
        "attrs": ("23.2.0", "/root/.local/lib/python3.11/site-packages"),
        "markupsafe": ("3.0.2", "/srv/extra"),
        "packaging": ("24.2", "/opt/plugins"),
        "idna": ("3.6", DEBIAN_DIST),
    }
    pth = {p["path"] for p in facts["pth_files"]}
    assert pth == {f"{LOCAL_DIST}/zz-plugins.pth", f"{LOCAL_DIST}/aa.pth"}
    notes = [u["reason"] for u in facts["unknowns"] if u["field"] == "pth_files"]
    assert any("zz-plugins.pth" in n and "import" in n for n in notes)


def test_pythonnousersite_and_a_named_users_home():
    entries = [
        *debian_python(),
        *dist("/home/app/.local/lib/python3.11/site-packages", "six", "1.0"),
        *dist("/root/.local/lib/python3.11/site-packages", "idna", "1.0"),
    ]
    as_app = read(entries, {"PATH": "/usr/bin"}, user="app")
    assert "/home/app/.local/lib/python3.11/site-packages" in modelled_path(as_app)
    assert set(active(as_app)) == {"six"}
    off = read(entries, {"PATH": "/usr/bin", "PYTHONNOUSERSITE": "1"}, user="app")
    assert not any(".local" in p for p in modelled_path(off)) and active(off) == {}
    no_entry = read(entries, {"PATH": "/usr/bin"}, user="4242")  # no passwd entry: HOME=/
    assert active(no_entry) == {}  # /.local holds nothing; /root's is not this user's
    with_home = read(entries, {"PATH": "/usr/bin", "HOME": "/root"}, user="app")
    assert set(active(with_home)) == {"idna"}


def venv(prefix: str, system_site: bool) -> list[E]:
    flag = "true" if system_site else "false"
    return [
        file(f"{prefix}/pyvenv.cfg", f"home = /usr/bin\ninclude-system-site-packages = {flag}\n"),
        symlink(f"{prefix}/bin/python", "/usr/bin/python3.11"),
        symlink(f"{prefix}/bin/python3", "python"),
        symlink(f"{prefix}/lib64", "lib"),
    ]


def test_an_isolated_venv_does_not_see_the_system_folders():
    site = "/opt/venv/lib/python3.11/site-packages"
    entries = [
        *debian_python(),
        *venv("opt/venv", system_site=False),
        *dist(site, "six", "1.17.0"),
        *dist(LOCAL_DIST, "six", "1.16.0"),
        *dist(DEBIAN_DIST, "idna", "3.6"),
        *dist("/root/.local/lib/python3.11/site-packages", "attrs", "1.0"),
    ]
    facts = read(entries, {"VIRTUAL_ENV": "/opt/venv", "PATH": "/opt/venv/bin:/usr/bin"})
    assert modelled_path(facts) == [*STDLIB, site]
    assert [(d["name"], d["location"]) for d in facts["distributions"]] == [("six", site)]
    left_out = {u["field"]: u["reason"] for u in facts["unknowns"]}["distributions"]
    assert LOCAL_DIST in left_out and DEBIAN_DIST in left_out and "not on it" in left_out


def test_a_venv_with_system_site_packages_sees_user_site_first_then_its_own_then_the_system():
    site = "/opt/venv/lib/python3.11/site-packages"
    user = "/root/.local/lib/python3.11/site-packages"
    entries = [
        *debian_python(),
        *venv("opt/venv", system_site=True),
        *dist(site, "six", "1.17.0"),
        *dist(LOCAL_DIST, "six", "1.16.0"),
        *dist(user, "attrs", "1.0"),
    ]
    facts = read(entries, {"VIRTUAL_ENV": "/opt/venv", "PATH": "/opt/venv/bin:/usr/bin"})
    assert modelled_path(facts) == [*STDLIB, user, site, LOCAL_DIST]
    assert active(facts) == {"six": ("1.17.0", site), "attrs": ("1.0", user)}


def test_an_upstream_build_in_usr_local_uses_site_packages():
    site = "/usr/local/lib/python3.12/site-packages"
    entries = [
        file("usr/local/bin/python3.12", "\x7fELF"),
        symlink("usr/local/bin/python3", "python3.12"),
        file("usr/local/lib/python3.12/site.py", UPSTREAM_SITE_PY),
        *dist(site, "six", "1.17.0"),
        *dist(DEBIAN_DIST, "idna", "3.6"),  # not this interpreter's
    ]
    facts = read(entries, {"PATH": "/usr/local/bin:/usr/bin"})
    assert modelled_path(facts) == [
        "/usr/local/lib/python312.zip",
        "/usr/local/lib/python3.12",
        "/usr/local/lib/python3.12/lib-dynload",
        site,
    ]
    assert set(active(facts)) == {"six"}


def test_the_entrypoints_interpreter_wins_over_virtual_env():
    entries = [
        *debian_python(),
        *venv("opt/venv", system_site=False),
        *dist("/opt/venv/lib/python3.11/site-packages", "six", "1.17.0"),
        *dist(LOCAL_DIST, "idna", "3.6"),
    ]
    env = {"VIRTUAL_ENV": "/opt/venv", "PATH": "/opt/venv/bin:/usr/bin"}
    facts = read(entries, env, entrypoint=["/usr/bin/python3", "-m", "app"], command=[])
    assert set(active(facts)) == {"idna"}
    assert "/usr/bin/python3 would build" in json.dumps(facts["unknowns"])
    by_name = read(entries, env, entrypoint=[], command=["python3", "app.py"])
    assert set(active(by_name)) == {"six"}  # a bare name: $VIRTUAL_ENV first, then PATH


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        ([], ["/v/bin/python", "python3", "python"]),
        (["/usr/local/bin/python3.12", "app.py"], ["/usr/local/bin/python3.12", "/v/bin/python"]),
        (["python3.13t"], ["/v/bin/python", "python3.13t", "python3"]),
        (["/usr/bin/gunicorn"], ["/v/bin/python", "python3"]),
    ],
)
def test_interpreter_candidates_follow_the_configured_program(program, expected):
    found = interpreter_candidates(None, {"VIRTUAL_ENV": "/v"}, program)
    assert found[: len(expected)] == expected


def test_an_editable_src_layout_install_is_one_copy():
    site = "/opt/venv/lib/python3.11/site-packages"
    direct = json.dumps({"url": "file:///app", "dir_info": {"editable": True}})
    entries = [
        *debian_python(),
        *venv("opt/venv", system_site=False),
        *dist(site, "myproject", "0.3.0", **{"direct_url.json": direct}),
        file(f"{site.lstrip('/')}/__editable__.myproject-0.3.0.pth", "/app/src\n"),
        file("app/src/myproject.egg-info/PKG-INFO", "Name: myproject\nVersion: 0.3.0\n"),
        file("app/src/myproject/__init__.py", ""),
    ]
    facts = read(entries, {"VIRTUAL_ENV": "/opt/venv", "PATH": "/opt/venv/bin:/usr/bin"})
    assert modelled_path(facts)[-1] == "/app/src"
    assert {d["location"] for d in facts["distributions"]} == {site, "/app/src"}  # as the probe
    snapshot = build_snapshot(
        facts, target=TargetInfo(kind="archive", description="t", mode="static"), label="t"
    )
    assert [(d.location, d.editable, d.shadowed_by) for d in snapshot.distributions] == [
        (site, True, None)
    ]


def test_no_interpreter_lists_every_environment_and_says_so():
    entries = [
        *dist(DEBIAN_DIST, "idna", "3.6"),
        *dist("/opt/venv/lib/python3.11/site-packages", "six", "1"),
    ]
    facts = read([*entries, file("opt/venv/pyvenv.cfg", "home = /usr/bin\n")], {})
    assert {d["name"] for d in facts["distributions"]} == {"idna", "six"}
    notes = {u["field"]: u["reason"] for u in facts["unknowns"]}
    assert "python.sys_path" not in notes and "every environment" in notes["distributions"]


def test_a_lib64_installation_and_a_venv_of_copies():
    site64, site = "/usr/lib64/python3.12/site-packages", "/usr/lib/python3.12/site-packages"
    entries = [
        file("usr/bin/python3.12", "\x7fELF"),
        symlink("usr/bin/python3", "python3.12"),
        file("usr/lib64/python3.12/site.py", UPSTREAM_SITE_PY),
        *dist(site64, "markupsafe", "3.0.2"),
        *dist(site, "six", "1.17.0"),
    ]
    facts = read(entries, {"PATH": "/usr/bin"})
    assert modelled_path(facts) == [
        "/usr/lib64/python312.zip",
        "/usr/lib64/python3.12",
        "/usr/lib64/python3.12/lib-dynload",
        site64,
        site,
    ]
    copies = [
        *entries,
        file("srv/env/pyvenv.cfg", "home = /usr/bin\nversion_info = 3.12.7.final.0\n"),
        file("srv/env/bin/python", "\x7fELF"),  # --copies: no version in the name
        *dist("/srv/env/lib64/python3.12/site-packages", "idna", "3.10"),
    ]
    in_venv = read(copies, {"VIRTUAL_ENV": "/srv/env", "PATH": "/srv/env/bin:/usr/bin"})
    assert modelled_path(in_venv)[3:] == [
        "/srv/env/lib64/python3.12/site-packages"
    ]  # /srv/env/lib/python3.12/site-packages does not exist
    assert set(active(in_venv)) == {"idna"}


def test_a_fifo_pth_on_the_modelled_path_is_a_start_up_blocker_as_live():
    """site.py would block on a FIFO .pth at start-up: the static reading records it as
    the live probe does (an unknown worded alike, static_python.start_up_blockers), and
    the other .pth files of the folder still apply."""
    entries = [
        *debian_python(),
        *dist("/opt/plugins", "packaging", "24.2"),
        E(f"{LOCAL_DIST.lstrip('/')}/zz_fifo.pth", kind="fifo"),
        file(f"{LOCAL_DIST.lstrip('/')}/aa.pth", "/opt/plugins\n"),
    ]
    facts = read(entries, {"PATH": "/usr/bin:/bin"})
    blocker = f"{LOCAL_DIST}/zz_fifo.pth"
    assert facts["static_python"]["start_up_blockers"] == [blocker]
    assert "/opt/plugins" in modelled_path(facts)
    reasons = {u["field"]: [] for u in facts["unknowns"]}
    for u in facts["unknowns"]:
        reasons[u["field"]].append(u["reason"])
    assert reasons["python.start_up"] == [
        f"{blocker} is a FIFO: Python's site.py blocks reading it at start-up, so a program "
        "this interpreter starts never runs (the probe skipped it); remove it"
    ]
    assert f"{blocker} is a FIFO, not a regular file: not read" in reasons["pth_files"]
    snapshot = build_snapshot(
        facts, target=TargetInfo(kind="archive", description="t", mode="static"), label="t"
    )
    assert snapshot.static_python is not None
    assert snapshot.static_python.start_up_blockers == (blocker,)
