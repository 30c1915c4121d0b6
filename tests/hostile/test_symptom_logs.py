"""Hostile error logs for `--log` (and `--symptom`): huge, sparse, binary, a FIFO, a
device, a folder, secrets and terminal escapes inside. Each case runs the real CLI in a
child process on real files (a real FIFO, a real sparse file); the guard against a wait
is the subprocess timeout, not a measured time."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import replace

from hostile_support import Box, driftcheck_command

from driftcheck.snapshot import files as snapshot_files

from support import small_snapshot

GUARD_SECONDS = 120  # far beyond a normal run; reached only if a read blocks
ERROR = "ModuleNotFoundError: No module named 'six'"
SECRETS = (
    "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8",
    "AKIA" + "IOSFODNN7EXAMPLE",
    "s3cr3t-Passw0rd-in-url",
    "xoxb-" + "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
)


def _pair(box: Box) -> tuple[str, str]:
    """A has six, B does not: the ModuleNotFoundError for six is explained by packages:six."""
    left = small_snapshot()
    right = replace(left, label="ci", distributions=())
    a, b = box.work / "a.json", box.work / "b.json"
    snapshot_files.save(left, a)
    snapshot_files.save(right, b)
    return str(a), str(b)


def test_a_log_that_is_a_fifo_is_refused_not_waited_on(box: Box) -> None:
    a, b = _pair(box)
    os.mkfifo(box.work / "job.log")
    outcome = box.run("diff", a, b, "--log", str(box.work / "job.log"), timeout=GUARD_SECONDS)
    line = outcome.error_line(3)
    assert "job.log is a FIFO" in line and "--log -" in line


def test_a_device_or_a_folder_as_log_is_refused(box: Box) -> None:
    a, b = _pair(box)
    device = box.run("diff", a, b, "--log", "/dev/zero", timeout=GUARD_SECONDS)
    assert "/dev/zero is a character device" in device.error_line(3)
    folder = box.run("diff", a, b, "--log", str(box.work), timeout=GUARD_SECONDS)
    assert "is a folder" in folder.error_line(3)
    missing = box.run("diff", a, b, "--log", str(box.work / "none.log"), timeout=GUARD_SECONDS)
    assert "no such file" in missing.error_line(2)
    empty = box.run("diff", a, b, "--symptom", "  ", timeout=GUARD_SECONDS)
    assert "--symptom is empty" in empty.error_line(2)


def test_a_sparse_log_over_the_limit_is_refused_from_its_size(box: Box) -> None:
    a, b = _pair(box)
    huge = box.work / "huge.log"
    with open(huge, "wb") as handle:
        handle.truncate(2 * 1024**3)  # 2 GiB of nothing on disk
    outcome = box.run("diff", a, b, "--log", str(huge), timeout=GUARD_SECONDS)
    assert "is over 1024 MiB" in outcome.error_line(3)
    assert outcome.peak_rss_mb < 200


def test_a_20_mib_log_is_read_from_its_end_with_the_true_line_number(box: Box) -> None:
    a, b = _pair(box)
    log = box.work / "job.log"
    noise = "collecting tests: " + "x" * 60 + "\n"
    count = (20 * 1024 * 1024) // len(noise)
    with open(log, "w", encoding="utf-8") as handle:
        handle.write(noise * count)
        handle.write("Traceback (most recent call last):\n")
        handle.write('  File "/app/main.py", line 1, in <module>\n')
        handle.write(ERROR + "\n")
    outcome = box.run("diff", a, b, "--log", str(log), "--format", "json", timeout=GUARD_SECONDS)
    assert outcome.returncode == 0, outcome.stderr
    document = json.loads(outcome.stdout)
    top = document["findings"][0]
    assert (top["category"], top["subject"]) == ("packages", "six")
    assert top["explains"]["line"] == count + 3
    assert "read its last 8 MiB of 20 MiB" in document["symptom"]["read"]
    assert outcome.peak_rss_mb < 400


def test_a_binary_log_is_refused(box: Box) -> None:
    a, b = _pair(box)
    log = box.work / "core.log"
    log.write_bytes(bytes(range(256)) * 4096)
    outcome = box.run("diff", a, b, "--log", str(log), timeout=GUARD_SECONDS)
    assert "is not text (binary bytes)" in outcome.error_line(3)


def test_secrets_and_escapes_in_a_log_never_reach_the_output(box: Box) -> None:
    """Lines with secrets are never quoted; an error line holding one is quoted redacted;
    terminal escapes in an error line come out visible, never raw."""
    a, b = _pair(box)
    log = box.work / "job.log"
    lines = [
        f"export GITHUB_TOKEN={SECRETS[0]}",
        f"AWS_ACCESS_KEY_ID={SECRETS[1]} aws s3 cp x s3://bucket/",
        f"pip install --index-url https://user:{SECRETS[2]}@pypi.example.com/simple app",
        "Traceback (most recent call last):",
        f'  File "/app/main.py", line 1, in <module>  # slack {SECRETS[3]}',
        f"{ERROR} \x1b]52;c;ZWNobyBoaQ==\x07\x1b[2J token={SECRETS[0]}",
        f"ImportError: cannot import name 'x' from 'six' (https://user:{SECRETS[2]}@h/x)",
    ]
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for output_format in ("text", "json", "markdown"):
        outcome = box.run(
            "diff", a, b, "--log", str(log), "--format", output_format, timeout=GUARD_SECONDS
        )
        assert outcome.returncode == 0, outcome.stderr
        shown = outcome.stdout + outcome.stderr
        said = {
            "json": '"line": 6',
            "text": "explains line 6: ModuleNotFoundError",
            "markdown": "Explains line 6: ModuleNotFoundError",  # no markup in it: left as it is
        }[output_format]
        assert said in shown
        for secret in SECRETS:
            assert secret not in shown, (output_format, secret)
        assert "\x1b" not in shown and "\x07" not in shown


def test_a_log_on_standard_input(box: Box) -> None:
    a, b = _pair(box)
    done = subprocess.run(
        [*driftcheck_command(), "diff", a, b, "--log", "-"],
        input=f"step 1\nstep 2\n{ERROR}\n",
        capture_output=True,
        text=True,
        env=box.env(),
        cwd=box.work,
        timeout=GUARD_SECONDS,
    )
    assert done.returncode == 0, done.stderr
    assert f"explains line 3: {ERROR}" in done.stdout
    assert "Error text: --log -: 3 lines, 1 error(s) recognised." in done.stdout


def test_lines_crafted_against_the_patterns_end_promptly(box: Box) -> None:
    """8 MiB of long lines that each hold a rule's words, shaped to make a backtracking
    pattern quadratic: every pattern starts at a token's start, lines are cut to 1,000
    characters, and words are looked for before any pattern runs."""
    a, b = _pair(box)
    log = box.work / "crafted.log"
    bait = (
        "lib" + "a." * 490 + " not found",
        "a." * 480 + " 1 requires b, but you have",
        "Error: " + "a." * 490,
        "x" * 5000 + " cannot open shared object file",
    )
    with open(log, "w", encoding="utf-8") as handle:
        for _ in range(8 * 1024 * 1024 // sum(len(line) + 1 for line in bait)):
            handle.write("\n".join(bait) + "\n")
    outcome = box.run("diff", a, b, "--log", str(log), timeout=GUARD_SECONDS)
    assert outcome.returncode == 0, outcome.stderr
