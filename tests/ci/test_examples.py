"""The example pipelines' structure: what a user copies must publish what driftcheck writes.

The GitLab example also runs for real (test_gitlab_pipeline.py); GitHub Actions cannot
run here, so its workflow is checked here and its shell steps rehearsed in
test_github_rehearsal.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import tomllib
from example_pipelines import (
    GITHUB,
    GITLAB,
    check_options,
    driftcheck_invocations,
    github_triggers,
    gitlab_scripts,
    load,
)

import driftcheck

DOCKERFILE = Path(__file__).resolve().parents[2] / "Dockerfile"


def report_files(arguments: list[str]) -> dict[str, str]:
    """--junit FILE and friends of one `driftcheck check` command line."""
    reports = {"--junit", "--markdown", "--json", "--codequality"}
    return {
        option: arguments[index + 1] for index, option in enumerate(arguments) if option in reports
    }


def all_invocations() -> list[list[str]]:
    gitlab = gitlab_scripts(load(GITLAB)).values()
    github = [s.get("run", "") for s in load(GITHUB)["jobs"]["driftcheck"]["steps"]]
    return [args for script in [*gitlab, *github] for args in driftcheck_invocations(script)]


def test_every_driftcheck_command_in_the_examples_is_a_valid_check() -> None:
    invocations = all_invocations()
    assert len(invocations) == 4  # check and update, in each example
    for arguments in invocations:
        assert arguments[0] == "check", arguments
        options = {word for word in arguments if word.startswith("--")}
        assert options <= check_options(), options - check_options()


def test_gitlab_check_job_publishes_its_reports_even_when_it_fails() -> None:
    pipeline = load(GITLAB)
    scripts = gitlab_scripts(pipeline)
    assert set(scripts) == {"driftcheck", "driftcheck-update-baseline"}

    (check,) = driftcheck_invocations(scripts["driftcheck"])
    assert check[:3] == ["check", "--baseline", "$DRIFTCHECK_BASELINE"]
    files = report_files(check)
    assert files == {
        "--junit": "driftcheck-junit.xml",
        "--markdown": "driftcheck-report.md",
        "--codequality": "gl-code-quality.json",
    }
    artifacts = pipeline["driftcheck"]["artifacts"]
    assert artifacts["when"] == "always"
    assert artifacts["reports"] == {
        "junit": files["--junit"],
        "codequality": files["--codequality"],
    }
    assert set(artifacts["paths"]) == set(files.values())


def test_gitlab_baseline_job_is_manual_and_keeps_the_new_baseline() -> None:
    pipeline = load(GITLAB)
    job = pipeline["driftcheck-update-baseline"]
    assert job["when"] == "manual"
    (update,) = driftcheck_invocations(gitlab_scripts(pipeline)["driftcheck-update-baseline"])
    assert "--update-baseline" in update
    assert job["artifacts"]["paths"] == ["$DRIFTCHECK_BASELINE"]
    assert pipeline["variables"]["DRIFTCHECK_BASELINE"] == "snapshots/ci.json"


def test_gitlab_jobs_run_the_committed_zipapp_with_the_images_own_python() -> None:
    pipeline = load(GITLAB)
    template = pipeline[".driftcheck"]
    assert template["image"] == "$DRIFTCHECK_IMAGE"
    # Nothing to install: no pip, no venv, no PATH change; the checked environment
    # stays the image's.
    assert "before_script" not in template
    assert pipeline["variables"]["DRIFTCHECK_PYZ"] == "tools/driftcheck.pyz"
    for job, script in gitlab_scripts(pipeline).items():
        assert pipeline[job]["extends"] == ".driftcheck"
        assert script.startswith('python3 "$DRIFTCHECK_PYZ" check'), script
        assert "pip" not in script and "venv" not in script and "PATH" not in script


def test_github_workflow_structure() -> None:
    workflow = load(GITHUB)
    triggers = github_triggers(workflow)
    assert {"push", "pull_request", "workflow_dispatch"} <= set(triggers)
    update_input = triggers["workflow_dispatch"]["inputs"]["update_baseline"]
    assert update_input["type"] == "boolean" and update_input["default"] is False
    assert workflow["permissions"] == {"contents": "read"}

    steps = workflow["jobs"]["driftcheck"]["steps"]
    uses = [step["uses"].split("@")[0] for step in steps if "uses" in step]
    assert uses == [
        "actions/checkout",
        "actions/setup-python",
        "actions/upload-artifact",
        "actions/upload-artifact",
    ]
    for step in steps:
        # Expressions stay out of shell scripts (no injection; the rehearsal runs them).
        assert "${{" not in step.get("run", ""), step


def test_github_check_step_uploads_every_report_it_writes_even_on_failure() -> None:
    steps = load(GITHUB)["jobs"]["driftcheck"]["steps"]
    by_name = {step.get("name"): step for step in steps}
    check_step = by_name["Check the environment against the baseline"]
    (check,) = driftcheck_invocations(check_step["run"])
    files = report_files(check)
    assert "--junit" in files and "--markdown" in files
    upload = by_name["Publish the reports"]
    assert "always()" in upload["if"]
    assert set(upload["with"]["path"].split()) == set(files.values())

    update_step = by_name["Snapshot a new baseline"]
    (update,) = driftcheck_invocations(update_step["run"])
    assert "--update-baseline" in update
    assert by_name["Publish the new baseline"]["with"]["path"] == "${{ env.DRIFTCHECK_BASELINE }}"


def test_dockerfile_version_label_follows_the_package_version() -> None:
    default = re.search(r"^ARG VERSION=(\S+)$", DOCKERFILE.read_text(), re.MULTILINE)
    assert default is not None
    project = tomllib.loads((DOCKERFILE.parent / "pyproject.toml").read_text())["project"]
    assert default.group(1) == project["version"] == driftcheck.__version__
