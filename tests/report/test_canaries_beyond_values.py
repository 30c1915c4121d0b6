"""The canaries outside the environment's values: an image's labels, Entrypoint and Cmd
(a real image built by the test), and a real probe that fails with secrets on its stderr
(a real venv, a real image and a real container whose start-up runs a failing command).
Every byte driftcheck prints or writes is searched for every canary.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ci_environments import SECRET_VALUES, planted_ci_environment
from test_canaries import Outputs

from driftcheck.redaction.ci_variables import CI_PUBLIC_VARIABLES, CI_SECRET_VARIABLES

import images
from canaries import (
    COMMAND_SECRETS,
    ENTRYPOINT_SECRETS,
    LABEL_SECRETS,
    STDERR_SECRETS,
    assert_no_secret,
)
from report_builders import Venv, make_venv
from support import assert_one_line_error, run_cli

# A start-up hook as real images carry them: fetch or check something, and stop the
# interpreter with the failed command in the message when it fails.
SITECUSTOMIZE = """\
import os, subprocess, sys, traceback
command = os.environ.get("APP_STARTUP_COMMAND")
if command:
    try:
        subprocess.run(["sh", "-c", command], check=True, timeout=60,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except subprocess.CalledProcessError as exc:
        traceback.print_exc()
        sys.exit("cannot prepare the environment: %s" % exc)
"""
# Debian's python3.11 imports /usr/lib/python3.11/sitecustomize.py, a link to this file.
SYSTEM_SITECUSTOMIZE = "/etc/python3.11/sitecustomize.py"
REDACTED = "<redacted>"


def _image(client: Any, name: str, dockerfile: str, files: Path | None = None) -> str:
    digest = hashlib.sha256((dockerfile + SITECUSTOMIZE).encode()).hexdigest()[:12]
    tag = f"driftcheck-test/{name}:{digest}"
    if not images.image_exists(client, tag):
        images.build_dockerfile(client, tag, dockerfile, files)
    return tag


@pytest.fixture(scope="module")
def metadata_image(docker_client: Any, bookworm_venv_image: str) -> str:
    """The venv image with every label, Entrypoint and Cmd canary; it still runs."""
    labels = "".join(f"LABEL {json.dumps(k)}={json.dumps(v)}\n" for k, v, _ in LABEL_SECRETS)
    sleep = [f"{images.VENV_PATH}/bin/python", "-c", "import time; time.sleep(600)"]
    entrypoint = sleep + [word for words, _ in ENTRYPOINT_SECRETS for word in words]
    command = [word for words, _ in COMMAND_SECRETS for word in words]
    dockerfile = (
        f"FROM {bookworm_venv_image}\n{labels}"
        f"ENTRYPOINT {json.dumps(entrypoint)}\nCMD {json.dumps(command)}\n"
    )
    return _image(docker_client, "secret-metadata", dockerfile)


@pytest.fixture(scope="module")
def failing_startup_image(
    docker_client: Any, bookworm_venv_image: str, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """The venv image whose interpreter runs a failing command holding every stderr canary."""
    files = tmp_path_factory.mktemp("startup")
    (files / "sitecustomize.py").write_text(SITECUSTOMIZE)
    startup = " && ".join(command for command, _ in STDERR_SECRETS)
    dockerfile = (
        f"FROM {bookworm_venv_image}\n"
        f"COPY wheels/sitecustomize.py {SYSTEM_SITECUSTOMIZE}\n"
        f"ENV APP_STARTUP_COMMAND={json.dumps(startup)}\n"
    )
    return _image(docker_client, "failing-startup", dockerfile, files)


@pytest.fixture(scope="module")
def failing_venv(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    venv = make_venv(tmp_path_factory.mktemp("failing") / "project" / ".venv")
    (venv.site / "sitecustomize.py").write_text(SITECUSTOMIZE)
    return venv


@pytest.mark.parametrize(("command", "secret"), STDERR_SECRETS, ids=["curl", "mysql", "psql"])
def test_a_failing_probe_never_quotes_the_secret_on_its_stderr(
    tmp_path: Path, failing_venv: Venv, command: str, secret: str
) -> None:
    env = dict(os.environ, APP_STARTUP_COMMAND=command)
    # The target really fails, and really prints the secret on stderr.
    direct = subprocess.run(
        [failing_venv.python, "-c", "pass"], env=env, capture_output=True, text=True, check=False
    )
    assert direct.returncode == 1 and secret in direct.stderr.splitlines()[-1]
    python = str(failing_venv.python)
    for args in (
        ["snapshot", "--python", python, "-o", "s.json"],
        ["report", f"python:{python}", "-o", "r.md"],
        ["show", f"python:{python}"],
    ):
        result = run_cli(*args, env=env, cwd=tmp_path)
        line = assert_one_line_error(result, 5)
        assert "cannot prepare the environment" in line and REDACTED in line
        assert_no_secret(result.stdout, result.stderr)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.docker
def test_a_failing_probe_in_an_image_or_container_never_quotes_its_stderr(
    tmp_path: Path, failing_startup_image: str, run_container: Any
) -> None:
    container = run_container(failing_startup_image)
    for args in (
        ["snapshot", "--image", failing_startup_image, "-o", "s.json"],
        ["report", f"image:{failing_startup_image}", "-o", "r.md"],
        ["snapshot", "--container", container.name, "-o", "s.json"],
    ):
        result = run_cli(*args, cwd=tmp_path)
        line = assert_one_line_error(result, 5)
        assert "cannot prepare the environment" in line and REDACTED in line
        assert_no_secret(result.stdout, result.stderr)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.docker
def test_no_secret_in_labels_entrypoint_or_cmd_reaches_any_output(
    tmp_path: Path, docker_client: Any, metadata_image: str, bookworm_venv_image: str,
    run_container: Any,
) -> None:  # fmt: skip
    out = Outputs(tmp_path, dict(os.environ))
    target = f"image:{metadata_image}"
    out.run("snapshot", "--image", bookworm_venv_image, "-o", "base.json")
    out.run("snapshot", "--image", metadata_image, "-o", "s.json")
    out.run("snapshot", "--image", metadata_image, "--static", "-o", "static.json")
    out.run("report", target, "-o", "r.md")
    out.run("report", "base.json", target, "-o", "d.html")
    out.run("report", "s.json", "-o", "-")
    out.run("report", target, "--preview")
    for fmt in ("text", "json", "markdown"):
        out.run("diff", "base.json", "s.json", "--format", fmt)
    out.run("show", "r.md")
    env = dict(os.environ, GITHUB_ACTIONS="true", GITHUB_STEP_SUMMARY=str(tmp_path / "sum.md"))
    check = run_cli(
        "check", "--baseline", "base.json", "--target", target, "--fail-on", "info",
        "--junit", "c.xml", "--markdown", "c.md", "--json", "c.json", "--codequality", "cq.json",
        env=env, cwd=tmp_path,
    )  # fmt: skip
    out.texts += [check.stdout, check.stderr]
    assert check.returncode == 1, check.stderr  # labels, Entrypoint and Cmd changed: drift
    container = run_container(metadata_image)
    out.run("snapshot", "--container", container.name, "-o", "container.json")
    texts = [*out.texts, *out.files(), *out.embedded("r.md", 1), *out.embedded("d.html", 2)]
    assert_no_secret(*texts)
    # Redacted, not dropped: every label key, option name and program stays.
    for name in ("s.json", "static.json", "container.json"):
        info = json.loads((tmp_path / name).read_text())["container"]
        assert set(info["labels"]) >= {key for key, _, _ in LABEL_SECRETS}, name
        assert info["labels"]["org.example.db.password"] == REDACTED
        assert info["labels"]["org.opencontainers.image.source"].startswith("https://***@")
        assert info["entrypoint"][3:5] == ["--api-token", REDACTED], name
    for name in ("s.json", "static.json"):
        command = json.loads((tmp_path / name).read_text())["container"]["command"]
        assert command[:3] == ["--db-password", REDACTED, f"--password={REDACTED}"]
        assert f"mysql -uroot -p{REDACTED} app" in command
    assert "com.example.registry.credentials" in check.stdout + check.stderr  # named, redacted
    # The image really holds them in clear.
    config = docker_client.images.get(metadata_image).attrs["Config"]
    assert config["Labels"]["org.example.db.password"] == LABEL_SECRETS[0][1]
    assert COMMAND_SECRETS[0][1] in config["Cmd"]


def test_predefined_ci_variables_stay_in_clear_and_comparable(tmp_path: Path) -> None:
    """Every GitLab and GitHub predefined variable, as a real job has them, in a real venv's
    environment: the snapshot keeps each value, and `check` finds nothing not comparable."""
    venv = make_venv(tmp_path / "job" / ".venv")
    planted = planted_ci_environment()
    # The runner's files, where `check` writes its job summary and outputs.
    for name in (
        "GITHUB_ENV",
        "GITHUB_OUTPUT",
        "GITHUB_PATH",
        "GITHUB_STATE",
        "GITHUB_STEP_SUMMARY",
    ):
        planted[name] = str(tmp_path / "_runner_file_commands" / name.lower())
    (tmp_path / "_runner_file_commands").mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "CONDA_PREFIX")}
    env.update(planted)
    python = str(venv.python)
    first = run_cli("snapshot", "--python", python, "-o", "s.json", env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    environment = json.loads((tmp_path / "s.json").read_text())["environment"]
    public = CI_PUBLIC_VARIABLES - {"CI_REPOSITORY_URL"}  # holds the job token: a pattern
    assert {name for name in public if environment[name] != planted[name]} == set()
    for name in CI_SECRET_VARIABLES:
        assert environment[name]["redacted"] is True, name
    check = run_cli(
        "check", "--baseline", "s.json", "--target", f"python:{python}", "--json", "c.json",
        env=env, cwd=tmp_path,
    )  # fmt: skip
    assert check.returncode == 0, check.stderr
    report = (tmp_path / "c.json").read_text()
    assert not [name for name in public if f"environment {name}:" in report], report[:2000]
    assert_no_secret(first.stdout, first.stderr, check.stdout, check.stderr)
    assert not [v for v in SECRET_VALUES.values() if v in report + first.stdout]
