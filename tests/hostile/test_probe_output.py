"""Hostile probe output: one "invalid probe output" error (exit 5), never a traceback.

The target is a real executable passed as ``--python``: a small script that reads
what driftcheck sends on stdin, as an interpreter would, and prints hostile output.
Some print output of their own; others run the real probe in a real interpreter and
tamper with its answer, so that only the tampering differs from a good run.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import textwrap
from pathlib import Path

import pytest
from hostile_support import MEMORY_BOUND_MB, Box

from canaries import CANARIES, assert_no_canary
from support import assert_valid_snapshot

TOKEN = CANARIES["GITHUB_TOKEN"]

# The start of every fake: read what driftcheck sends, as the bootstrap would.
PROLOGUE = """\
import json, os, subprocess, sys, time
data = sys.stdin.buffer.read()
options = json.loads(data.split(b"\\n", 1)[0])
BEGIN, END = options["begin"].encode(), options["end"].encode()
out = sys.stdout.buffer

def framed(payload):
    out.write(BEGIN + b"\\n" + payload + b"\\n" + END + b"\\n")
"""

# Runs the real probe in this interpreter, with the options the fake was given (-S -c
# BOOTSTRAP), and hands its answer to TAMPER (a dict -> dict).
REAL_PROBE = """\
real = subprocess.run([sys.executable, *sys.argv[1:]], input=data, capture_output=True)
text = real.stdout
start = text.rindex(BEGIN + b"\\n") + len(BEGIN) + 1
stop = text.index(b"\\n" + END, start)
answer = json.loads(text[start:stop])
"""


def fake_python(folder: Path, body: str, name: str = "python") -> Path:
    script = folder / name
    script.write_text(f"#!{sys.executable}\n" + PROLOGUE + textwrap.dedent(body))
    script.chmod(0o755)
    return script


def tampered(folder: Path, tamper: str, before: str = "") -> Path:
    """A fake whose answer is the real probe's, changed by the statements in tamper."""
    body = textwrap.dedent(before) + REAL_PROBE + textwrap.dedent(tamper)
    return fake_python(folder, body + "\nframed(json.dumps(answer).encode())\n")


def probe(box: Box, python: Path, *extra: str, allowed: tuple[Path, ...] = ()):
    out = box.work / "snap.json"
    result = box.run("snapshot", "--python", str(python), "-o", str(out), *extra, allowed=allowed)
    return result, out


FRAMED = {
    "invalid UTF-8": (r'framed(b"{\"os\": {\"system\": \"\xff\xfe\"}}")', "not UTF-8 text"),
    "nesting 100,000 deep": ('framed(b"[" * 100000 + b"]" * 100000)', "nested deeper than 64"),
    "nesting 900 deep, inside an object": (
        'framed(b\'{"unknowns": \' + b"[" * 900 + b"]" * 900 + b"}")',
        "nested deeper than 64",
    ),
    "nesting 5,000 deep": ('framed(b"{\\"a\\": " * 5000 + b"1" + b"}" * 5000)', "nested deeper"),
    "a 100,000-digit integer": (
        'framed(b\'{"os": {"memory_bytes": \' + b"9" * 100000 + b"}}")',
        "an integer of 100000 digits",
    ),
    "NaN": ('framed(b\'{"os": {"memory_bytes": NaN}}\')', "NaN is not a JSON number"),
    "Infinity": ('framed(b\'{"os": {"memory_bytes": -Infinity}}\')', "Infinity is not"),
    "an overflowing number": ('framed(b\'{"os": {"memory_bytes": 1e999}}\')', "out of range"),
    "duplicate keys": (
        'framed(b\'{"os": {}, "environment": {}, "os": []}\')',
        "'os' appears twice",
    ),
    "junk between the marker and the JSON": (
        'framed(b"Python 3.12 ready\\n{}")',
        "not valid JSON",
    ),
    "an answer cut short": ('out.write(BEGIN + b\'\\n{"os": {"system": "Li\')', "cut short"),
    "a list, not an object": ('framed(b"[1, 2, 3]")', "not a JSON object"),
    "an empty answer": ('framed(b"")', "not valid JSON"),
}


@pytest.mark.parametrize("case", list(FRAMED))
def test_malformed_answers_are_one_invalid_probe_output_error(tmp_path, box, case):
    body, reason = FRAMED[case]
    python = fake_python(tmp_path, body)
    result, out = probe(box, python)
    line = result.error_line(5)
    assert f"invalid probe output from {python}" in line and reason in line, line
    assert not out.exists()


WRONG_TYPES = {
    "os is a list": 'answer["os"] = []',
    "python is a string": 'answer["python"] = "3.12"',
    "distributions is an object": 'answer["distributions"] = {"six": "1.16"}',
    "a distribution is a number": 'answer["distributions"] = [42]',
    "sys_path holds numbers": 'answer["python"]["sys_path"] = [1, 2]',
    "environment is a list": 'answer["environment"] = ["HOME=/root"]',
    "an unknown is a string": 'answer["unknowns"] = ["oops"]',
}
# A host snapshot reads the OS package databases itself while its probe runs, so a host
# probe's os_packages_raw is never read; targets that ask the probe for it (a process,
# a container) meet the same check, here on a recorded answer.


def test_a_wrong_typed_os_packages_raw_is_invalid_probe_output(tmp_path):
    from driftcheck.errors import ProbeError
    from driftcheck.snapshot.model import TargetInfo
    from driftcheck.targets.build import build_snapshot

    answer = {"os_packages_raw": "dpkg"}
    target = TargetInfo(kind="container", description="container web", interpreter="python3")
    with pytest.raises(ProbeError, match="from container web: os_packages_raw is not an"):
        build_snapshot(answer, target=target, label="web")


@pytest.mark.parametrize("case", list(WRONG_TYPES))
def test_wrong_types_are_one_invalid_probe_output_error(tmp_path, box, case):
    result, out = probe(box, tampered(tmp_path, WRONG_TYPES[case]))
    line = result.error_line(5)
    assert "invalid probe output from" in line
    assert not out.exists()


def test_over_the_size_limit(tmp_path, box):
    # Written a MiB at a time: wait4 counts the largest process of the tree, and the
    # figure must be driftcheck's, not the target's.
    body = """\
    out.write(BEGIN + b"\\n[")
    for _ in range(129):
        out.write(b" " * 1024 * 1024)
    out.write(b"]\\n" + END + b"\\n")
    """
    python = fake_python(tmp_path, body)
    result, out = probe(box, python)
    line = result.error_line(5)
    assert "invalid probe output" in line and "more than 128 MiB" in line
    assert result.peak_rss_mb < MEMORY_BOUND_MB  # 128 MiB kept, then the interpreter is killed
    assert not out.exists()


def test_output_that_never_ends(tmp_path, box):
    python = fake_python(tmp_path, 'while True:\n    out.write(b"y" * 65536)\n')
    result, out = probe(box, python)
    assert "more than 128 MiB" in result.error_line(5)
    assert not out.exists()


def test_a_hang_ends_at_the_deadline(tmp_path, box):
    python = fake_python(tmp_path, "time.sleep(600)\n")
    result, out = probe(box, python, "--timeout", "2")
    line = result.error_line(5)
    assert "did not finish within 2 s" in line and "--timeout" in line
    assert not out.exists()


def test_a_hang_that_never_reads_its_input(tmp_path, box):
    # Never reading stdin: driftcheck's write of the probe (over 64 KiB) must not block it.
    python = tmp_path / "python"
    python.write_text(f"#!{sys.executable}\nimport time\ntime.sleep(600)\n")
    python.chmod(0o755)
    result, _ = probe(box, python, "--timeout", "2")
    assert "did not finish within 2 s" in result.error_line(5)


def test_a_process_left_holding_stdout_does_not_hold_up_the_snapshot(tmp_path, box):
    # An agent started by the interpreter's start-up inherits stdout and outlives it.
    pid_file = tmp_path / "agent.pid"
    before = f"""\
    agent = subprocess.Popen(["sleep", "600"], stdin=subprocess.DEVNULL)
    open({str(pid_file)!r}, "w").write(str(agent.pid))
    """
    python = tampered(tmp_path, "", before=before)
    try:
        result, out = probe(box, python, allowed=(box.work / "snap.json",))
    finally:
        if pid_file.exists():
            os.kill(int(pid_file.read_text()), signal.SIGKILL)
    assert result.returncode == 0, result.stderr
    assert_valid_snapshot(json.loads(out.read_text()))


def test_noise_before_the_frame_is_ignored(tmp_path, box):
    # Banners and prints from sitecustomize come before the answer: that is what the
    # random markers are for. A forged begin marker in the noise changes nothing.
    before = r"""
    out.write(b"\xff\xfe not UTF-8, \x1b[2J not safe\n" + BEGIN + b"\n{broken\n")
    """
    python = tampered(tmp_path, "", before=before)
    result, out = probe(box, python, allowed=(box.work / "snap.json",))
    assert result.returncode == 0, result.stderr
    doc = json.loads(out.read_text())
    assert_valid_snapshot(doc)
    assert doc["python"]["version"] == ".".join(map(str, sys.version_info[:3]))


def test_extra_fields_are_ignored_and_never_written(tmp_path, box):
    # The snapshot is built from named fields only: what else an answer holds is
    # dropped, including a claim to be a container, which only the engine can make.
    tamper = f"""\
    answer["extra_section"] = {{"token": {TOKEN!r}, "esc": "\\x1b]52;c;aGk=\\x07"}}
    answer["python"]["extra_field"] = "Zq7-extra-python"
    answer["distributions"][0]["extra_field"] = "Zq7-extra-dist"
    answer["container"] = {{"image": "spoofed:1", "image_id": "sha256:0", "platform": "x"}}
    """
    result, out = probe(box, tampered(tmp_path, tamper), allowed=(box.work / "snap.json",))
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert_valid_snapshot(json.loads(text))
    assert "Zq7-extra" not in text and "extra_section" not in text and "spoofed" not in text
    assert json.loads(text)["container"] is None
    assert_no_canary(text, result.stdout, result.stderr)


def test_a_probe_that_returns_secrets_in_clear_is_redacted_on_the_host(tmp_path, box):
    # The probe runs in a target driftcheck does not control: this one returns every
    # secret un-redacted, in the environment, a URL, a path, an unknown and a forged
    # marker. The host's own redaction must remove them all before anything is written.
    secrets = dict(CANARIES, MULTI_LINE=f"first line\npassword: {TOKEN}\n")
    tamper = f"""\
    secrets = {secrets!r}
    answer["environment"] = dict(secrets)
    answer["environment"]["FORGED"] = {{
        "redacted": True, "rule": "name:token", "fingerprint": None, "preview": {TOKEN!r}}}
    answer["distributions"][0]["direct_url"] = {{
        "url": {CANARIES["PIP_INDEX_URL"]!r}, "vcs_info": {{}}, "dir_info": {{"editable": False}}}}
    answer["python"]["sys_path"].append("/opt/" + {TOKEN!r} + "/lib")
    answer["unknowns"].append({{"field": "os.cpu", "reason": "token " + {TOKEN!r}}})
    """
    result, out = probe(box, tampered(tmp_path, tamper), allowed=(box.work / "snap.json",))
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    doc = json.loads(text)
    for name in secrets:
        assert doc["environment"][name]["redacted"] is True, name
    assert doc["environment"]["FORGED"]["preview"] is None
    assert any("***@pypi.corp.example" in (d["direct_url"] or "") for d in doc["distributions"])
    shown = box.run("show", str(out))
    report = box.run("report", str(out), "-o", "r.md", allowed=(box.work / "r.md",))
    assert shown.returncode == report.returncode == 0, shown.stderr + report.stderr
    texts = (text, shown.stdout, shown.stderr, report.stdout, report.stderr)
    assert_no_canary(*texts, (box.work / "r.md").read_text(), result.stdout, result.stderr)
    assert "`MULTI_LINE`" in (box.work / "r.md").read_text()  # redacted, not dropped
