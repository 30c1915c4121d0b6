"""examples/gitlab-ci.yml, run for real by gitlab-ci-local on the local Docker engine.

The story a project lives through: the manual job snapshots the CI image into a
baseline, which is committed; the pipeline then passes on that image, and fails on an
image that drifted (MarkupSafe one major release back), with the JUnit report, the Code
Quality report and the Markdown report naming the cause. The pipeline file is the
example itself, byte for byte; only its variables choose the image. driftcheck is the
driftcheck.pyz that scripts/build_zipapp.py builds, committed in the project.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gitlab_local
import pytest

import images
from support import assert_valid_snapshot

pytestmark = pytest.mark.docker

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "gitlab-ci.yml"
CHECK_JOB = "driftcheck"
BASELINE_JOB = "driftcheck-update-baseline"
BASELINE = "snapshots/ci.json"
PYZ = "tools/driftcheck.pyz"
REPORTS = ("driftcheck-junit.xml", "driftcheck-report.md", "gl-code-quality.json")


@pytest.fixture(scope="module")
def pipeline(
    tmp_path_factory: pytest.TempPathFactory,
    gitlab_ci_local_command: Path,
    helper_image: str,
    zipapp: Path,
    docker_client: Any,
) -> Iterator[gitlab_local.GitLabCiLocal]:
    root = tmp_path_factory.mktemp("gitlab")
    home = root / "home"
    home.mkdir()
    volumes_before = job_volumes(docker_client)
    pipeline = gitlab_local.GitLabCiLocal(
        command=gitlab_ci_local_command,
        repo=gitlab_local.make_repository(root, EXAMPLE),
        home=home,
        helper_image=helper_image,
    )
    # As the example says: driftcheck.pyz committed in the repository.
    pipeline.add_file(zipapp, PYZ, message="driftcheck.pyz")
    yield pipeline
    left = job_volumes(docker_client) - volumes_before
    assert not left, f"gitlab-ci-local left volumes behind: {sorted(left)}"


def job_volumes(client: Any) -> set[str]:
    """The volumes gitlab-ci-local makes for each job (gcl-<job>-<id>-build/-tmp)."""
    return {v.name for v in client.volumes.list() if v.name.startswith(f"gcl-{CHECK_JOB}")}


@pytest.fixture(scope="module")
def baseline_run(
    pipeline: gitlab_local.GitLabCiLocal, bookworm_venv_image: str
) -> gitlab_local.JobRun:
    """The manual job run on the CI image, and its baseline committed, as a user would."""
    run = pipeline.run_job(BASELINE_JOB, bookworm_venv_image)
    # A manual job may fail without failing the pipeline: look at the job, not the exit code.
    assert run.returncode == 0, run.output
    assert f"PASS  {BASELINE_JOB}" in run.output, run.output
    pipeline.commit(BASELINE, message="driftcheck baseline of the CI image")
    return run


def read_reports(artifacts: Path) -> tuple[ET.Element, list[dict[str, Any]], str]:
    for name in REPORTS:
        assert (artifacts / name).is_file(), f"artifact {name} missing: {list(artifacts.iterdir())}"
    junit = ET.parse(artifacts / "driftcheck-junit.xml").getroot()
    codequality = json.loads((artifacts / "gl-code-quality.json").read_text())
    markdown = (artifacts / "driftcheck-report.md").read_text()
    return junit, codequality, markdown


def failing_cases(junit: ET.Element) -> dict[str, str]:
    return {
        case.get("name", ""): failure.get("message", "")
        for case in junit.iter("testcase")
        for failure in case.findall("failure")
    }


def test_the_pipeline_is_the_example_file(pipeline: gitlab_local.GitLabCiLocal) -> None:
    assert (pipeline.repo / ".gitlab-ci.yml").read_bytes() == EXAMPLE.read_bytes()


def test_manual_job_snapshots_the_ci_image_into_a_baseline(
    pipeline: gitlab_local.GitLabCiLocal,
    baseline_run: gitlab_local.JobRun,
    bookworm_venv_image: str,
) -> None:
    assert f"starting {bookworm_venv_image}" in baseline_run.output
    artifact = baseline_run.artifacts / BASELINE
    assert artifact.is_file(), baseline_run.output
    # Copied back into the working tree too, where the fixture committed it.
    assert (pipeline.repo / BASELINE).read_bytes() == artifact.read_bytes()
    document = json.loads(artifact.read_text())
    assert_valid_snapshot(document)
    assert document["target"]["kind"] == "host"
    # Inside the CI image: its own virtual environment, not driftcheck's.
    assert document["python"]["executable"].startswith(images.VENV_PATH + "/")
    versions = {d["canonical_name"]: d["version"] for d in document["distributions"]}
    assert versions["markupsafe"] == "3.0.2"
    assert "driftcheck" not in versions
    assert images.CANARY_TOKEN not in artifact.read_text()


def test_pipeline_passes_on_the_image_of_the_baseline(
    pipeline: gitlab_local.GitLabCiLocal,
    baseline_run: gitlab_local.JobRun,
    bookworm_venv_image: str,
) -> None:
    run = pipeline.run_job(CHECK_JOB, bookworm_venv_image)
    assert run.returncode == 0, run.output
    assert "no drift at or above high" in run.output
    junit, codequality, markdown = read_reports(run.artifacts)
    assert junit.find("testsuite") is not None
    assert failing_cases(junit) == {}
    assert not [issue for issue in codequality if issue["severity"] in {"major", "critical"}]
    assert "MarkupSafe" not in markdown


def test_pipeline_fails_on_a_drifted_image_and_the_reports_name_the_cause(
    pipeline: gitlab_local.GitLabCiLocal,
    baseline_run: gitlab_local.JobRun,
    drifted_venv_image: str,
) -> None:
    run = pipeline.run_job(CHECK_JOB, drifted_venv_image)
    assert run.returncode == 1, run.output
    assert f"starting {drifted_venv_image}" in run.output
    # Artifacts are published even though the job failed (artifacts:when: always).
    junit, codequality, markdown = read_reports(run.artifacts)
    failures = failing_cases(junit)
    assert list(failures) == ["packages/markupsafe"], failures
    assert "MarkupSafe went back from 3.0.2 to 2.1.5" in failures["packages/markupsafe"]
    critical = [issue for issue in codequality if issue["severity"] == "critical"]
    assert len(critical) == 1 and "MarkupSafe" in critical[0]["description"], codequality
    assert critical[0]["location"]["path"] == BASELINE
    assert "MarkupSafe" in markdown and "2.1.5" in markdown
    for name in REPORTS:
        assert images.CANARY_TOKEN not in (run.artifacts / name).read_text()
