"""Injection into every sink (terminal, Markdown, JUnit, HTML) from every source a target
controls (package names, versions, environment values, image labels and tags), asserted
on the raw bytes the real CLI printed or wrote.

The names, versions and values come from a real venv whose dist-info folders carry
them, and from the environment of the real run; labels and tags, which only an engine
reports, from snapshot files (the renderers read nothing else of them).
"""

from __future__ import annotations

import json
import os
import subprocess
import termios
import tty
from dataclasses import replace
from pathlib import Path
from xml.etree import ElementTree

import pytest
from lxml import etree
from report.inspect_outputs import assert_inert_html, assert_inert_markdown
from report.report_builders import Venv, install_distribution, make_venv

from driftcheck.report.preview import OFF, ON
from driftcheck.snapshot import files as snapshot_files
from driftcheck.snapshot.model import ContainerInfo

from support import cli_command, small_snapshot

# One of each sequence kind of issue 7, item 2.
SEQUENCES = {
    "esc-csi": "\x1b[2J\x1b[1;1Hcleared\x1b[31m",
    "osc8": "\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\",
    "osc52": "\x1b]52;c;ZXZpbA==\x07",
    "carriage-return": "safe\roverwritten",
    "c1": "\x9b31mred\x9d52;c;eA==\x9c\x85",
    "bidi": "abc\u202edcba\u2066x\u2069\u202a\u202b\u202c\u202d\u2067\u2068",
    "rich": "[red]alarm[/red] [link=http://evil.example]x[/link]",
    "backticks": "``` `` ` fence ````",
    "pipes": "a | b || c |",
    "script": "<script>alert(1)</script>",
}
BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
C1 = {chr(c) for c in range(0x80, 0xA0)}


def assert_inert_bytes(raw: bytes, where: str) -> str:
    """No ESC, BEL or CR byte; strict UTF-8 without C1 controls or bidi overrides."""
    for byte in (b"\x1b", b"\x07", b"\r"):
        assert byte not in raw, f"{where}: raw {byte!r} at {raw.index(byte)}"
    text = raw.decode("utf-8")  # strict: a lone C1 byte would not decode
    bad = [c for c in text if c in C1 or c in BIDI]
    assert not bad, f"{where}: raw {bad[0]!r}"
    return text


def run_raw(*args: str, env: dict[str, str], cwd: Path, code: int = 0) -> tuple[bytes, bytes]:
    """The installed CLI, its stdout and stderr kept as the bytes it wrote."""
    result = subprocess.run(
        [*cli_command(), *args], capture_output=True, env=env, cwd=cwd, stdin=subprocess.DEVNULL
    )
    assert result.returncode == code, result.stderr.decode("utf-8", "replace")
    return result.stdout, result.stderr


@pytest.fixture(scope="module")
def hostile_dists(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """A real venv: one distribution per kind, the sequence in its name and its version."""
    venv = make_venv(tmp_path_factory.mktemp("injection") / "home" / "venv")
    for kind, sequence in SEQUENCES.items():
        install_distribution(venv.site, f"evil-{kind}-{sequence}", f"1.0{sequence}")
    return venv


def _environ() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "CONDA_PREFIX")}
    env.update({f"HOSTILE_{kind.upper().replace('-', '_')}": s for kind, s in SEQUENCES.items()})
    return env


def _assert_junit_strict(path: Path) -> str:
    raw = path.read_bytes()
    etree.fromstring(raw, etree.XMLParser(resolve_entities=False, recover=False))
    ElementTree.fromstring(raw)  # XML 1.0 as the standard library reads it
    return assert_inert_bytes(raw, path.name)


def test_names_versions_and_environment_values_reach_every_sink_inert(
    tmp_path: Path, hostile_dists: Venv
) -> None:
    env, target = _environ(), f"python:{hostile_dists.python}"
    terminal: list[tuple[str, bytes]] = []

    def run(*args: str, code: int = 0) -> None:
        out, err = run_raw(*args, env=env, cwd=tmp_path, code=code)
        terminal.extend([(f"{args[0]} stdout", out), (f"{args[0]} stderr", err)])

    snapshot_files.save(small_snapshot(), tmp_path / "base.json")
    run("snapshot", "--python", str(hostile_dists.python), "-o", "s.json")
    doc = json.loads((tmp_path / "s.json").read_text())
    versions = {d["name"]: d["version"] for d in doc["distributions"]}
    assert versions["evil-osc52-" + SEQUENCES["osc52"]] == "1.0" + SEQUENCES["osc52"]
    assert versions["evil-esc-csi-" + SEQUENCES["esc-csi"]] == "1.0" + SEQUENCES["esc-csi"]
    assert doc["environment"]["HOSTILE_OSC52"] == SEQUENCES["osc52"]  # kept, as data
    run("show", "s.json")
    run("show", target)
    for fmt in ("text", "json", "markdown"):
        run("diff", "base.json", "s.json", "--format", fmt)
    run("report", "s.json", "--preview")
    run("report", "base.json", "s.json", "-o", "d.md")
    run("report", "s.json", "-o", "r.html")
    run("show", "missing-" + SEQUENCES["osc52"] + SEQUENCES["c1"] + ".json", code=3)
    gate = ["--baseline", "base.json", "--target", target, "--fail-on", "never"]
    run("check", *gate, "--junit", "j.xml", "--markdown", "c.md", "--codequality", "cq.json")
    for where, raw in terminal:
        assert_inert_bytes(raw, where)
    shown = b"".join(raw for where, raw in terminal if where.startswith("diff"))
    assert b"evil-osc52-\\x1b]52;c;ZXZpbA==\\x07" in shown  # visible, not dropped
    assert b"[red]alarm[/red]" in shown  # Rich markup printed as written
    junit = _assert_junit_strict(tmp_path / "j.xml")
    assert "evil-osc52" in junit and "evil-bidi" in junit
    for name in ("d.md", "c.md"):
        assert_inert_markdown(assert_inert_bytes((tmp_path / name).read_bytes(), name))
    assert_inert_html(assert_inert_bytes((tmp_path / "r.html").read_bytes(), "r.html"))
    json.loads(assert_inert_bytes((tmp_path / "cq.json").read_bytes(), "cq.json"))


def _engine_snapshots(folder: Path) -> tuple[Path, Path]:
    """Two snapshot files of containers whose image tag, platform and labels are hostile."""
    base = small_snapshot()
    left = replace(
        base,
        label="before",
        container=ContainerInfo(
            image="registry.example/app:1.0",
            image_id="sha256:" + "a" * 64,
            platform="linux/amd64",
            labels={f"evil.{kind}": "old" for kind in SEQUENCES},
        ),
    )
    every = "".join(SEQUENCES.values())
    right = replace(
        base,
        label="after" + SEQUENCES["osc52"],
        container=ContainerInfo(
            image="registry.example/app:" + every,
            image_id="sha256:" + "b" * 64,
            platform="linux/" + SEQUENCES["esc-csi"] + SEQUENCES["bidi"],
            repo_digests=("registry.example/app@" + SEQUENCES["osc8"],),
            labels={f"evil.{kind}{s}": f"{kind}:{s}" for kind, s in SEQUENCES.items()},
        ),
    )
    paths = folder / "left.json", folder / "right.json"
    snapshot_files.save(left, paths[0])
    snapshot_files.save(right, paths[1])
    return paths


def test_image_labels_and_tags_reach_every_sink_inert(tmp_path: Path) -> None:
    left, right = _engine_snapshots(tmp_path)
    env = _environ()
    terminal: list[tuple[str, bytes]] = []

    def run(*args: str, code: int = 0) -> None:
        out, err = run_raw(*args, env=env, cwd=tmp_path, code=code)
        terminal.extend([(f"{args[0]} stdout", out), (f"{args[0]} stderr", err)])

    run("show", str(right))
    for fmt in ("text", "json", "markdown"):
        run("diff", str(left), str(right), "--format", fmt)
    run("report", str(left), str(right), "--preview")
    run("report", str(left), str(right), "-o", "d.md")
    run("report", str(left), str(right), "-o", "d.html")
    gate = ["--baseline", str(left), "--target", str(right), "--fail-on", "never"]
    run("check", *gate, "--junit", "j.xml", "--markdown", "c.md")
    for where, raw in terminal:
        assert_inert_bytes(raw, where)
    text = b"".join(raw for where, raw in terminal if where == "diff stdout").decode()
    assert "evil.bidi" in text and "app:" in text  # the labels and the tag are reported
    assert "[red]alarm[/red]" in text
    junit = _assert_junit_strict(tmp_path / "j.xml")
    assert "evil.bidi" in junit
    for name in ("d.md", "c.md"):
        markdown = assert_inert_bytes((tmp_path / name).read_bytes(), name)
        assert_inert_markdown(markdown)
    assert "evil.bidi" in (tmp_path / "d.md").read_text()
    assert_inert_html(assert_inert_bytes((tmp_path / "d.html").read_bytes(), "d.html"))


def test_a_real_terminal_gets_only_driftcheck_s_own_escapes(tmp_path: Path) -> None:
    # On a terminal the preview highlights redactions with its own two sequences; every
    # other ESC would be the target's. The pseudo-terminal is raw: no CR is added to \n.
    _, right = _engine_snapshots(tmp_path)
    master, slave = os.openpty()
    tty.setraw(slave, termios.TCSANOW)
    try:
        proc = subprocess.Popen(
            [*cli_command(), "report", str(right), "--preview"],
            stdout=slave,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=_environ(),
            cwd=tmp_path,
        )
        os.close(slave)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the other end closed
                break
            if not chunk:
                break
            chunks.append(chunk)
        _, err = proc.communicate()
    finally:
        os.close(master)
    assert proc.returncode == 0, err
    raw = b"".join(chunks)
    assert ON.encode() in raw  # it knew it was on a terminal
    own = raw.replace(ON.encode(), b"").replace(OFF.encode(), b"")
    assert_inert_bytes(own, "terminal")
    assert b"[red]alarm[/red]" in own and b"evil.bidi" in own
