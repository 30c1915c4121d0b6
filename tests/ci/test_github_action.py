"""action.yml, the GitHub composite Action: its steps run as a runner runs them.

No GitHub runner is available here, so the test does what the runner does for a
composite action: it evaluates ``${{ inputs.x }}`` in each step's ``env`` from the
action's defaults and the caller's ``with:``, and runs the step's ``run:`` with
``bash --noprofile --norc -eo pipefail`` and the runner's files and variables
(GITHUB_ACTION_PATH = this repository, GITHUB_WORKSPACE, GITHUB_OUTPUT,
GITHUB_STEP_SUMMARY, RUNNER_TEMP, GITHUB_ACTIONS=true). The checked environment is a
real venv first on PATH, as actions/setup-python leaves one; driftcheck is the
workspace's committed driftcheck.pyz, run by that python3.
"""

from __future__ import annotations

import http.server
import re
import shutil
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from example_pipelines import load

REPO = Path(__file__).resolve().parents[2]
ACTION = REPO / "action.yml"
INPUT = re.compile(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}")
OUTPUT = re.compile(r"\$\{\{\s*steps\.(\w+)\.outputs\.(\w+)\s*\}\}")


@dataclass(frozen=True)
class StepRun:
    status: int
    output: str
    outputs: dict[str, str]
    summary: str


@dataclass(frozen=True)
class Runner:
    root: Path
    workspace: Path
    python_bin: Path

    def use(self, with_: dict[str, str], extra_env: dict[str, str] | None = None) -> StepRun:
        """One `uses: ./` of the action with *with_*, on a fresh RUNNER_TEMP."""
        action = load(ACTION)
        inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
        unknown = set(with_) - set(inputs)
        assert not unknown, f"not inputs of the action: {unknown}"
        inputs |= with_
        temp = self.root / "runner-temp"
        shutil.rmtree(temp, ignore_errors=True)
        temp.mkdir()
        output_file, summary_file = temp / "output", temp / "summary.md"
        output_file.touch()
        base_env = {
            "PATH": f"{self.python_bin}:/usr/bin:/bin",
            "HOME": str(temp),
            "LANG": "C.UTF-8",
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_ACTION_PATH": str(REPO),
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_OUTPUT": str(output_file),
            "GITHUB_STEP_SUMMARY": str(summary_file),
            "RUNNER_TEMP": str(temp),
            **(extra_env or {}),
        }
        outputs: dict[str, dict[str, str]] = {}
        status, printed = 0, ""
        for step in action["runs"]["steps"]:
            assert step["shell"] == "bash"
            assert "${{" not in step["run"], "expressions stay out of the script"
            env = {k: INPUT.sub(lambda m: inputs[m[1]], str(v)) for k, v in step["env"].items()}
            output_file.write_text("")
            done = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                cwd=self.workspace,
                env={**base_env, **env},
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            status, printed = done.returncode, done.stdout + done.stderr
            outputs[step["id"]] = dict(
                line.split("=", 1) for line in output_file.read_text().splitlines() if line
            )
            if status != 0:
                break
        action_outputs = {
            name: OUTPUT.sub(lambda m: outputs.get(m[1], {}).get(m[2], ""), spec["value"])
            for name, spec in action["outputs"].items()
        }
        summary = summary_file.read_text() if summary_file.exists() else ""
        return StepRun(status, printed, action_outputs, summary)


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory, zipapp: Path) -> Runner:
    root = tmp_path_factory.mktemp("action")
    workspace = root / "workspace"
    (workspace / "tools").mkdir(parents=True)
    shutil.copyfile(zipapp, workspace / "tools" / "driftcheck.pyz")
    venv = root / "setup-python"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    return Runner(root, workspace, venv / "bin")


@pytest.fixture(scope="module")
def baseline(runner: Runner) -> StepRun:
    run = runner.use({"update-baseline": "true"})
    assert run.status == 0, run.output
    assert (runner.workspace / "snapshots" / "ci.json").is_file()
    return run


def test_the_action_has_the_components_inputs_and_outputs() -> None:
    action = load(ACTION)
    assert action["runs"]["using"] == "composite"
    assert {"baseline", "target", "fail-on", "policy", "pyz", "version"} <= set(action["inputs"])
    assert set(action["outputs"]) == {"verdict", "findings", "failing"}


def test_a_first_run_says_which_input_writes_the_baseline(runner: Runner) -> None:
    assert not (runner.workspace / "snapshots" / "ci.json").exists()
    run = runner.use({})
    assert run.status == 2, run.output
    assert "input `update-baseline: true`" in run.output, run.output
    assert "upload snapshots/ci.json with actions/upload-artifact" in run.output


def test_update_baseline_writes_no_outputs(baseline: StepRun) -> None:
    assert baseline.outputs == {"verdict": "", "findings": "", "failing": ""}


def test_passes_on_the_same_environment_with_outputs_and_summary(
    runner: Runner, baseline: StepRun
) -> None:
    run = runner.use({})
    assert run.status == 0, run.output
    assert run.outputs["verdict"] == "passed"
    assert run.outputs["failing"] == "0"
    assert int(run.outputs["findings"]) >= 0
    assert "::error" not in run.output
    assert "driftcheck" in run.summary
    for name in ("driftcheck-report.json", "driftcheck-junit.xml", "driftcheck-report.md"):
        assert (runner.workspace / "driftcheck-reports" / name).is_file(), name


def test_fails_on_drift_with_annotations_summary_and_outputs(
    runner: Runner, baseline: StepRun
) -> None:
    run = runner.use({}, extra_env={"PYTHONPATH": "/srv/vendored"})
    assert run.status == 1, run.output
    errors = [line for line in run.output.splitlines() if line.startswith("::error ")]
    assert len(errors) == 1 and "PYTHONPATH" in errors[0], run.output
    assert "PYTHONPATH" in run.summary
    assert run.outputs["verdict"] == "failed"
    assert run.outputs["failing"] == "1"
    assert int(run.outputs["findings"]) >= 1
    # fail-on never: the same drift passes, and the outputs say what was found.
    lenient = runner.use({"fail-on": "never"}, extra_env={"PYTHONPATH": "/srv/vendored"})
    assert lenient.status == 0, lenient.output
    assert lenient.outputs["verdict"] == "passed" and lenient.outputs["failing"] == "0"


def test_a_missing_pyz_names_the_way_out(runner: Runner) -> None:
    run = runner.use({"pyz": "tools/nowhere.pyz"})
    assert run.status == 2, run.output
    assert "tools/nowhere.pyz does not exist" in run.output
    assert "build_zipapp.py" in run.output


@pytest.fixture()
def https_server(tmp_path: Path, zipapp: Path) -> Iterator[tuple[str, Path, list[str]]]:
    """A TLS server on 127.0.0.1 serving driftcheck.pyz, its certificate, and its log."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    served = tmp_path / "served"
    served.mkdir()
    shutil.copyfile(zipapp, served / "driftcheck.pyz")
    requests: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(served), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:
            requests.append(self.path)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/driftcheck.pyz", cert, requests
    finally:
        server.shutdown()
        server.server_close()


def test_a_pyz_from_an_https_url_is_fetched_by_the_python3_that_runs_it(
    runner: Runner, baseline: StepRun, https_server: tuple[str, Path, list[str]]
) -> None:
    url, cert, requests = https_server
    run = runner.use({"pyz": url}, extra_env={"SSL_CERT_FILE": str(cert)})
    assert run.status == 0, run.output
    assert run.outputs["verdict"] == "passed"
    assert requests == ["/driftcheck.pyz"]
