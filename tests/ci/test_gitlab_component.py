"""templates/driftcheck.yml, the GitLab CI/CD component, included by a sample pipeline of
its own and run for real by gitlab-ci-local 4.60.0 on the local Docker engine.

The sample project includes it as a user would, in three lines (``include: component:``
with ``inputs:``). gitlab-ci-local 4.60.0 resolves a component of another project as that
project's ``templates/<name>.yml`` at the ref, which it would fetch with git into
``.gitlab-ci-local/includes/<host>/<project>/<ref>/``; with no network here, the test puts
the component file there, as that fetch would, and gitlab-ci-local reads it from there
(``spec: inputs:`` and ``$[[ inputs.x ]]`` included). Its stage is an input: the sample
puts it in a stage of its own. driftcheck is the project's committed driftcheck.pyz.

The story: the manual job writes the baseline, which is committed; the check passes on
that image; it fails on a drifted one (MarkupSafe one major back) with the cause in the
log and the reports as artifacts; a policy rule with a reason accepts the drift and the
check passes again, the rule named in the reports.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gitlab_local
import pytest

import driftcheck

import images

pytestmark = pytest.mark.docker

COMPONENT = Path(__file__).resolve().parents[2] / "templates" / "driftcheck.yml"
COMPONENT_PROJECT = "tools/driftcheck"
COMPONENT_REF = driftcheck.__version__
PYZ = "ci/driftcheck.pyz"
BASELINE = "ci/driftcheck-baseline.json"
STAGE = "verify"
REPORTS = ("driftcheck-junit.xml", "driftcheck-report.md", "gl-code-quality.json")
SAMPLE_PIPELINE = f"""\
stages: [test, {STAGE}]

include:
  - component: gitlab.example.com/{COMPONENT_PROJECT}/driftcheck@{COMPONENT_REF}
    inputs: {{ image: $APP_IMAGE, stage: {STAGE}, pyz: {PYZ}, baseline: {BASELINE} }}

unit-tests:
  image: $APP_IMAGE
  stage: test
  script:
    - python3 -c "import markupsafe; assert markupsafe.escape('<') == '&lt;'"
"""
POLICY = """\
[[ignore]]
category = "packages"
pattern = "markupsafe"
reason = "the vendor image pins MarkupSafe 2.x until its next release"
"""


@pytest.fixture(scope="module")
def project(
    tmp_path_factory: pytest.TempPathFactory,
    gitlab_ci_local_command: Path,
    helper_image: str,
    zipapp: Path,
) -> Iterator[gitlab_local.GitLabCiLocal]:
    root = tmp_path_factory.mktemp("component")
    pipeline_file = root / "pipeline.yml"
    pipeline_file.write_text(SAMPLE_PIPELINE)
    home = root / "home"
    home.mkdir()
    project = gitlab_local.GitLabCiLocal(
        command=gitlab_ci_local_command,
        repo=gitlab_local.make_repository(root, pipeline_file),
        home=home,
        helper_image=helper_image,
    )
    project.add_file(zipapp, PYZ, message="driftcheck.pyz")
    fetched = (
        project.repo
        / ".gitlab-ci-local/includes/gitlab.example.com"
        / COMPONENT_PROJECT
        / COMPONENT_REF
        / "templates/driftcheck.yml"
    )
    fetched.parent.mkdir(parents=True)
    shutil.copyfile(COMPONENT, fetched)
    yield project


def run(project: gitlab_local.GitLabCiLocal, job: str, image: str) -> gitlab_local.JobRun:
    return project.run_job(job, variables={"APP_IMAGE": image})


@pytest.fixture(scope="module")
def baseline(project: gitlab_local.GitLabCiLocal, bookworm_venv_image: str) -> None:
    result = run(project, "driftcheck-update-baseline", bookworm_venv_image)
    assert result.returncode == 0, result.output
    assert "PASS  driftcheck-update-baseline" in result.output, result.output
    document = json.loads((result.artifacts / BASELINE).read_text())
    versions = {d["canonical_name"]: d["version"] for d in document["distributions"]}
    assert versions["markupsafe"] == "3.0.2"
    # driftcheck's own settings (DRIFTCHECK_* job variables) are not the program's.
    assert not [name for name in document["environment"] if name.startswith("DRIFTCHECK_")]
    project.commit(BASELINE, message="driftcheck baseline")


def reports(artifacts: Path) -> tuple[dict[str, str], list[dict[str, Any]], str]:
    for name in REPORTS:
        assert (artifacts / name).is_file(), f"{name} missing: {list(artifacts.iterdir())}"
    junit = ET.parse(artifacts / "driftcheck-junit.xml").getroot()
    failures = {
        case.get("name", ""): failure.get("message", "")
        for case in junit.iter("testcase")
        for failure in case.findall("failure")
    }
    codequality = json.loads((artifacts / "gl-code-quality.json").read_text())
    return failures, codequality, (artifacts / "driftcheck-report.md").read_text()


def test_the_component_is_a_spec_with_inputs_and_its_stage_is_one(
    project: gitlab_local.GitLabCiLocal,
) -> None:
    header = COMPONENT.read_text().split("\n---\n")[0]
    for name in ("stage", "image", "baseline", "target", "fail-on", "policy", "pyz", "version"):
        assert f"\n    {name}:\n" in header, name
    listed = subprocess.run(
        [str(project.command), "--list", "--variable", "APP_IMAGE=unused"],
        cwd=project.repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert listed.returncode == 0, listed.stdout + listed.stderr
    jobs = {line.split()[0]: line for line in listed.stdout.splitlines()[1:] if line.strip()}
    assert STAGE in jobs["driftcheck"] and STAGE in jobs["driftcheck-update-baseline"], jobs
    assert "manual" in jobs["driftcheck-update-baseline"], jobs


def test_a_first_pipeline_says_which_manual_job_writes_the_baseline(
    project: gitlab_local.GitLabCiLocal, bookworm_venv_image: str
) -> None:
    # Before the baseline fixture committed one: the pipeline fails, naming the job.
    assert not (project.repo / BASELINE).exists()
    result = run(project, "driftcheck", bookworm_venv_image)
    assert result.returncode == 1, result.output
    assert "run the manual job `driftcheck-update-baseline` of this pipeline" in result.output
    assert f"download its artifact {BASELINE} and commit it there" in result.output


def test_passes_on_the_image_of_the_baseline(
    project: gitlab_local.GitLabCiLocal, baseline: None, bookworm_venv_image: str
) -> None:
    result = run(project, "driftcheck", bookworm_venv_image)
    assert result.returncode == 0, result.output
    assert "no drift at or above high" in result.output
    failures, _, _ = reports(result.artifacts)
    assert failures == {}


def test_fails_on_drift_with_the_cause_in_the_log_and_the_reports_as_artifacts(
    project: gitlab_local.GitLabCiLocal, baseline: None, drifted_venv_image: str
) -> None:
    result = run(project, "driftcheck", drifted_venv_image)
    assert result.returncode == 1, result.output
    assert "MarkupSafe went back from 3.0.2 to 2.1.5" in result.output, result.output
    failures, codequality, markdown = reports(result.artifacts)
    assert list(failures) == ["packages/markupsafe"], failures
    critical = [issue for issue in codequality if issue["severity"] == "critical"]
    assert len(critical) == 1 and "MarkupSafe" in critical[0]["description"]
    assert "MarkupSafe" in markdown and "2.1.5" in markdown
    for name in REPORTS:
        assert images.CANARY_TOKEN not in (result.artifacts / name).read_text()


def test_passes_once_a_policy_rule_accepts_the_drift(
    project: gitlab_local.GitLabCiLocal, baseline: None, drifted_venv_image: str
) -> None:
    (project.repo / "driftcheck.toml").write_text(POLICY)
    project.commit("driftcheck.toml", message="accept MarkupSafe 2.x")
    try:
        result = run(project, "driftcheck", drifted_venv_image)
    finally:
        gitlab_local.git(project.repo, "rm", "-q", "driftcheck.toml")
        gitlab_local.git(project.repo, "commit", "-q", "-m", "policy removed")
    assert result.returncode == 0, result.output
    failures, _, markdown = reports(result.artifacts)
    assert failures == {}
    assert "set aside by the policy" in markdown and "pins MarkupSafe" in markdown, markdown


def test_a_pyz_of_another_version_is_refused_with_the_way_out(
    project: gitlab_local.GitLabCiLocal, baseline: None, bookworm_venv_image: str
) -> None:
    pipeline = project.repo / ".gitlab-ci.yml"
    original = pipeline.read_text()
    pipeline.write_text(original.replace("baseline: ", "version: 9.9.9, baseline: "))
    project.commit(".gitlab-ci.yml", message="ask for another version")
    try:
        result = run(project, "driftcheck", bookworm_venv_image)
    finally:
        pipeline.write_text(original)
        project.commit(".gitlab-ci.yml", message="back")
    assert result.returncode == 1, result.output
    assert f"is driftcheck {driftcheck.__version__}, not driftcheck 9.9.9" in result.output
