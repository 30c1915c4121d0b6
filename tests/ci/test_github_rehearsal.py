"""A rehearsal of examples/github-actions.yml: its shell steps, run as a runner runs them.

No GitHub runner is available here, so the `uses:` steps are stood in for (checkout: a
workspace holding the project; setup-python: a Python first on PATH; upload-artifact:
the files it would upload must exist) and every `run:` step is executed as the runner
does (`bash --noprofile --norc -eo pipefail`), with the runner's environment:
GITHUB_ACTIONS=true, RUNNER_TEMP, GITHUB_STEP_SUMMARY, the workflow's `env:`. Packages
come from a local wheelhouse through pip's PIP_NO_INDEX/PIP_FIND_LINKS; driftcheck is the
workspace's committed driftcheck.pyz, run by the setup-python python3.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ci_images
import pytest
from example_pipelines import GITHUB, load

from support import assert_valid_snapshot

BASELINE = "snapshots/ci.json"
#: The `if:` expressions the example uses, evaluated for the `update_baseline` input.
CONDITIONS: dict[str, Callable[[bool], bool]] = {
    "${{ !inputs.update_baseline }}": lambda update: not update,
    "${{ always() && !inputs.update_baseline }}": lambda update: not update,
    "${{ inputs.update_baseline }}": lambda update: update,
}
ENV_EXPRESSION = re.compile(r"\$\{\{\s*env\.(\w+)\s*\}\}")
STAND_INS = {"actions/checkout", "actions/setup-python", "actions/upload-artifact"}

pytestmark = pytest.mark.skipif(
    sys.version_info[:2] != tuple(int(p) for p in ci_images.IMAGE_PYTHON.split(".")),
    reason=f"the wheelhouse holds wheels for Python {ci_images.IMAGE_PYTHON}",
)


@dataclass
class Rehearsal:
    """One workflow run: which steps ran, how they ended, what they printed."""

    statuses: dict[str, int] = field(default_factory=dict)
    output: dict[str, str] = field(default_factory=dict)
    uploads: list[str] = field(default_factory=list)
    summary: str = ""


@dataclass(frozen=True)
class Runner:
    workspace: Path
    wheelhouse: Path
    root: Path

    def run(self, *, update_baseline: bool, extra_env: dict[str, str] | None = None) -> Rehearsal:
        """Runs the workflow's job once, on a fresh runner (new RUNNER_TEMP and Python)."""
        workflow = load(GITHUB)
        temp = Path(self._fresh("runner-temp"))
        python = Path(self._fresh("setup-python"))
        summary = temp / "step-summary.md"
        env = {
            "PATH": f"{python}/bin:{os.environ['PATH']}",
            "HOME": str(temp),
            "LANG": "C.UTF-8",
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_STEP_SUMMARY": str(summary),
            "RUNNER_TEMP": str(temp),
            "PIP_CONFIG_FILE": os.devnull,
            "PIP_NO_INDEX": "1",
            "PIP_FIND_LINKS": str(self.wheelhouse),
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            **{name: str(value) for name, value in workflow["env"].items()},
            **(extra_env or {}),
        }
        result = Rehearsal()
        failed = False
        for index, step in enumerate(workflow["jobs"]["driftcheck"]["steps"]):
            name = step.get("name", step.get("uses", f"step {index}"))
            condition = step.get("if")
            if condition is None:
                if failed:
                    continue
            elif not CONDITIONS[condition](update_baseline) or (
                failed and "always()" not in condition
            ):
                continue
            if "uses" in step:
                action = step["uses"].split("@")[0]
                assert action in STAND_INS, action
                if action == "actions/setup-python":
                    subprocess.run([sys.executable, "-m", "venv", str(python)], check=True)
                if action == "actions/upload-artifact":
                    paths = ENV_EXPRESSION.sub(lambda m: env[m[1]], step["with"]["path"])
                    result.uploads.extend(line.strip() for line in paths.splitlines())
                continue
            script = temp / f"step-{index}.sh"
            script.write_text(step["run"])
            done = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                cwd=self.workspace,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            result.statuses[name] = done.returncode
            result.output[name] = done.stdout + done.stderr
            failed = failed or done.returncode != 0
        result.summary = summary.read_text() if summary.exists() else ""
        return result

    def _fresh(self, name: str) -> str:
        folder = self.root / name
        subprocess.run(["rm", "-rf", str(folder)], check=True)
        folder.mkdir()
        return str(folder)


@pytest.fixture(scope="module")
def runner(
    tmp_path_factory: pytest.TempPathFactory, job_wheelhouse: Path, zipapp: Path
) -> Iterator[Runner]:
    root = tmp_path_factory.mktemp("github")
    workspace = root / "workspace"
    workspace.mkdir()
    # The project, as actions/checkout leaves it: dependencies pinned in requirements.txt.
    (workspace / "requirements.txt").write_text("idna\npackaging\n")
    # ... with driftcheck.pyz committed where the workflow expects it.
    (workspace / "tools").mkdir()
    shutil.copyfile(zipapp, workspace / "tools" / "driftcheck.pyz")
    yield Runner(workspace, job_wheelhouse, root)


@pytest.fixture(scope="module")
def baseline_run(runner: Runner) -> Rehearsal:
    """A manual run with update_baseline ticked; its baseline is then 'committed'."""
    return runner.run(update_baseline=True)


def test_update_run_writes_a_baseline_of_the_setup_python_environment(
    runner: Runner, baseline_run: Rehearsal
) -> None:
    assert set(baseline_run.statuses.values()) == {0}, baseline_run.output
    assert list(baseline_run.statuses) == [
        "Install the environment to check",
        "Snapshot a new baseline",
    ]
    assert baseline_run.uploads == [BASELINE]
    document = json.loads((runner.workspace / BASELINE).read_text())
    assert_valid_snapshot(document)
    assert document["python"]["executable"].startswith(str(runner.root / "setup-python"))
    names = {d["canonical_name"] for d in document["distributions"]}
    assert {"idna", "packaging"} <= names
    assert "driftcheck" not in names  # its own environment is not the checked one


def test_check_run_passes_on_the_same_environment(runner: Runner, baseline_run: Rehearsal) -> None:
    run = runner.run(update_baseline=False)
    assert set(run.statuses.values()) == {0}, run.output
    check = run.output["Check the environment against the baseline"]
    assert "::error" not in check
    assert "driftcheck" in run.summary
    for name in run.uploads:
        assert (runner.workspace / name).is_file(), name


def test_check_run_fails_on_drift_with_annotations_and_a_summary(
    runner: Runner, baseline_run: Rehearsal
) -> None:
    # As if a step had exported PYTHONPATH to $GITHUB_ENV: imports may now load other code.
    run = runner.run(update_baseline=False, extra_env={"PYTHONPATH": "/srv/vendored"})
    step = "Check the environment against the baseline"
    assert run.statuses[step] == 1, run.output
    errors = [line for line in run.output[step].splitlines() if line.startswith("::error ")]
    assert len(errors) == 1 and "PYTHONPATH" in errors[0], run.output[step]
    assert "PYTHONPATH" in run.summary
    # The reports are uploaded even though the check failed (if: always()).
    assert run.uploads == ["driftcheck-junit.xml", "driftcheck-report.md", "driftcheck-report.json"]
    for name in run.uploads:
        assert (runner.workspace / name).is_file(), name
    report: Any = json.loads((runner.workspace / "driftcheck-report.json").read_text())
    assert "PYTHONPATH" in json.dumps(report)
