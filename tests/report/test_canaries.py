"""The canary suite: every secret shape, planted in a real venv's environment and in a
real container, reaches no output: snapshot file, terminal, Markdown, HTML, JSON,
the embedded snapshot, or an error message. With --anonymize, neither does the
user name, the home folder or the host name.
"""

from __future__ import annotations

import json
import os
import re
import socket
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from driftcheck.report.embed import extract

from canaries import (
    COMMAND_SECRETS,
    DIRECT_URL_SECRETS,
    ENTRYPOINT_SECRETS,
    LABEL_SECRETS,
    OPTION_SHAPES,
    PLACEMENTS,
    PTH_SECRETS,
    SECRET_ENVIRONMENT,
    SECRET_SHAPES,
    STDERR_SECRETS,
    assert_no_secret,
)
from report_builders import NEVER_IN_REPORT, USER
from support import assert_one_line_error, run_cli


class Outputs:
    """Runs the CLI and keeps every byte it printed or wrote."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder, self.env = folder, env
        self.texts: list[str] = []

    def run(self, *args: str, code: int = 0) -> Any:
        result = run_cli(*args, env=self.env, cwd=self.folder)
        self.texts += [result.stdout, result.stderr]
        assert result.returncode == code, result.stderr
        return result

    def files(self) -> list[str]:
        return [p.read_text("utf-8", "replace") for p in sorted(self.folder.iterdir())]

    def embedded(self, name: str, count: int) -> list[str]:
        text = (self.folder / name).read_text()
        return [extract(text, i, name) for i in range(1, count + 1)]


def _every_output(
    out: Outputs, target: str, snapshot_args: list[str], clean_args: list[str]
) -> list[str]:
    """Snapshot, reports (Markdown, HTML, stdout, preview), diff in every format, show,
    and check against a baseline (CLEAN_ARGS snapshot the same target without secrets)."""
    out.run("snapshot", *snapshot_args, "-o", "s.json")
    out.run("report", target, "-o", "r.md")
    out.run("report", target, "-o", "r.html")
    out.run("report", "s.json", target, "-o", "d.md")
    out.run("report", "s.json", "r.md", "-o", "d.html")
    out.run("report", "s.json", "-o", "-")
    out.run("report", target, "--preview")
    for fmt in ("text", "json", "markdown"):
        out.run("diff", "r.md", "d.md#2", "--format", fmt)
    out.run("show", "r.html")
    _check_outputs(out, target, clean_args)
    return [*out.texts, *out.files(), *out.embedded("r.md", 1), *out.embedded("d.html", 2)]


def _check_outputs(out: Outputs, target: str, clean_args: list[str]) -> None:
    """`check` against a baseline taken without the secrets: its JUnit, Markdown, JSON,
    Code Quality reports, annotations and job summary name the new variables."""
    clean = {k: v for k, v in out.env.items() if k not in SECRET_ENVIRONMENT}
    baseline = run_cli("snapshot", *clean_args, "-o", "base.json", env=clean, cwd=out.folder)
    assert baseline.returncode == 0, baseline.stderr
    env = dict(out.env, GITHUB_ACTIONS="true", GITHUB_STEP_SUMMARY=str(out.folder / "summary.md"))
    reports = ["--junit", "c.xml", "--markdown", "c.md", "--json", "c.json"]
    result = run_cli(
        "check", "--baseline", "base.json", "--target", target, "--fail-on", "low",
        *reports, "--codequality", "cq.json", env=env, cwd=out.folder,
    )  # fmt: skip
    out.texts += [result.stdout, result.stderr]
    assert result.returncode == 1, result.stderr  # the secrets are new variables: drift
    junit = ElementTree.parse(out.folder / "c.xml").getroot()  # well-formed XML 1.0
    assert "FORGE_A" in ElementTree.tostring(junit, encoding="unicode")


def test_there_are_more_than_thirty_shapes() -> None:
    assert len(SECRET_SHAPES) >= 30
    assert len({shape.name for shape in SECRET_SHAPES}) == len(SECRET_SHAPES)


def test_there_are_more_than_sixty_placements() -> None:
    """Counted over every leak test: environment values (plain and options inside),
    image labels, Entrypoint, Cmd, .pth lines, direct_url.json and a probe's stderr."""
    kinds = (OPTION_SHAPES, LABEL_SECRETS, ENTRYPOINT_SECRETS, COMMAND_SECRETS, PTH_SECRETS,
             DIRECT_URL_SECRETS, STDERR_SECRETS)  # fmt: skip
    assert all(kinds)
    assert len(SECRET_SHAPES) + sum(map(len, kinds[1:])) == PLACEMENTS
    assert PLACEMENTS >= 60


def test_no_secret_from_a_real_venv_reaches_any_output(tmp_path, secret_venv, secret_environ):
    out = Outputs(tmp_path, secret_environ)
    args = ["--python", str(secret_venv.python)]
    texts = _every_output(out, f"python:{secret_venv.python}", args, args)
    assert_no_secret(*texts)
    for text in texts:
        for secret in NEVER_IN_REPORT:
            assert secret not in text
    # Redacted, not dropped: every variable is named, and so is each distribution.
    snapshot = json.loads((tmp_path / "s.json").read_text())
    for shape in SECRET_SHAPES:
        assert snapshot["environment"][shape.name]["redacted"] is True, shape.name
    markdown = (tmp_path / "r.md").read_text()
    assert all(f"`{shape.name}`" in markdown for shape in SECRET_SHAPES)
    dists = {d["canonical_name"]: d for d in snapshot["distributions"]}
    assert dists["privatepkg"]["direct_url"] == "https://***@git.corp.example/team/privatepkg.git"
    assert "`privatepkg`" in markdown and "***@git.corp.example" in markdown
    for name, url, secret in DIRECT_URL_SECRETS:
        assert dists[name]["direct_url"] == url.replace(secret, "***")
    # The .pth lines are kept, their secrets redacted; what they set is redacted too.
    pth = next(p for p in snapshot["pth_files"] if p["path"].endswith("zz_settings.pth"))
    assert len(pth["code_lines"]) == len(PTH_SECRETS)
    assert all("<redacted>" in line for line in pth["code_lines"])
    for name in ("DB_PASSWORD", "SMTP_PW", "JOB_ARGS"):
        assert snapshot["environment"][name]["redacted"] is True


def test_errors_never_quote_a_secret(tmp_path, secret_environ):
    out = Outputs(tmp_path, secret_environ)
    token = SECRET_ENVIRONMENT["FORGE_A"]
    missing = assert_one_line_error(out.run("show", f"missing-{token}.md", code=3), 3)
    assert "missing-" in missing
    out.run("report", f"python:/nowhere/{token}/bin/python", code=5)
    out.run("diff", f"{token}.md#2", "host", code=3)
    (tmp_path / "bad.md").write_text(f"driftcheck-snapshot v1 1/1 zlib+base64 bytes=3 {token}\n")
    out.run("diff", "bad.md", "bad.md", code=3)
    assert_no_secret(*out.texts)


def _assert_anonymized(texts: list[str], home: Path) -> None:
    hostname = socket.gethostname()
    host = re.compile(rf"(?<![\w.-]){re.escape(hostname)}(?![\w-])")
    for text in texts:
        assert USER not in text
        assert str(home) not in text
        assert not host.search(text), hostname


def test_anonymize_replaces_user_home_and_host_everywhere(tmp_path, secret_venv, secret_environ):
    out = Outputs(tmp_path, secret_environ)
    target = f"python:{secret_venv.python}"
    out.run("snapshot", "--python", str(secret_venv.python), "-o", "plain.json")
    out.texts.clear()  # the plain snapshot names the user, as it should
    out.run("report", target, "--anonymize", "-o", "live.md")
    out.run("report", "plain.json", "--anonymize", "-o", "file.md")
    out.run("report", "plain.json", target, "--anonymize", "-o", "both.html")
    out.run("report", "plain.json", "--anonymize", "--preview")
    texts = [
        *out.texts,
        *[(tmp_path / name).read_text() for name in ("live.md", "file.md", "both.html")],
        *out.embedded("live.md", 1),
        *out.embedded("file.md", 1),
        *out.embedded("both.html", 2),
    ]
    _assert_anonymized(texts, secret_venv.home)
    assert_no_secret(*texts)
    markdown = (tmp_path / "file.md").read_text()
    assert "<home>/project/.venv" in markdown
    assert "`alpha-tools`" in markdown  # a word holding no user name is left alone
    shown = out.run("show", "live.md").stdout
    assert "anonymized" in shown


@pytest.mark.docker
def test_no_secret_from_a_real_container_reaches_any_output(
    tmp_path, bookworm_venv_image, run_container
):
    container = run_container(bookworm_venv_image, environment=SECRET_ENVIRONMENT)
    clean = run_container(bookworm_venv_image)  # the baseline: the same image, no secrets
    out = Outputs(tmp_path, dict(os.environ))
    target = f"container:{container.name}"
    args = ["--container", container.name]
    texts = _every_output(out, target, args, ["--container", clean.name, "--label", "x"])
    out.run("report", target, "--anonymize", "-o", "anon.md")
    texts += [(tmp_path / "anon.md").read_text(), *out.embedded("anon.md", 1), *out.texts]
    assert_no_secret(*texts)
    snapshot = json.loads((tmp_path / "s.json").read_text())
    for shape in SECRET_SHAPES:
        assert snapshot["environment"][shape.name]["redacted"] is True, shape.name
        assert snapshot["container"]["configured_env"][shape.name]["redacted"] is True
    markdown = (tmp_path / "r.md").read_text()
    assert "`MarkupSafe`" in markdown and "Container" in markdown
    container.reload()  # the secrets really were in the container, in clear
    assert f"FORGE_A={SECRET_ENVIRONMENT['FORGE_A']}" in container.attrs["Config"]["Env"]
