"""Running examples/gitlab-ci.yml for real with gitlab-ci-local against the local engine.

gitlab-ci-local (npm) reads a repository's .gitlab-ci.yml and runs its jobs as a GitLab
runner's Docker executor would: the tracked files are copied into a volume by a helper
container, the job's script runs in the job's image, and the artifacts come back under
``.gitlab-ci-local/artifacts/<job>/`` (and into the working tree). ``scripts/test.sh``
installs it into the test cache and passes its path in ``DRIFTCHECK_GITLAB_CI_LOCAL``.

Nothing is pulled: the helper image is a local one, the pull policy is if-not-present,
and the jobs run with no network; driftcheck is the repository's committed driftcheck.pyz
(or, for a pipeline that installs it, comes from a wheelhouse mounted read-only at
/wheelhouse, through pip's own PIP_NO_INDEX/PIP_FIND_LINKS).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import images

VERSION = "4.60.0"
ENV_VAR = "DRIFTCHECK_GITLAB_CI_LOCAL"
WHEELHOUSE_IN_JOB = "/wheelhouse"
#: The remote only names the project (CI_PROJECT_PATH, /builds/<group>/<project>).
REMOTE = "https://gitlab.example.com/demo/service.git"


def default_path() -> Path:
    return images.cache_dir() / f"gitlab-ci-local-{VERSION}" / "node_modules/.bin/gitlab-ci-local"


def find_gitlab_ci_local() -> tuple[Path | None, str]:
    """The gitlab-ci-local command, or None and why it cannot be used."""
    path = Path(os.environ.get(ENV_VAR) or default_path())
    if not path.is_file():
        return None, f"gitlab-ci-local {VERSION} is not installed at {path}"
    for tool in ("node", "rsync", "git", "docker"):
        if shutil.which(tool) is None:
            return None, f"gitlab-ci-local needs `{tool}` on PATH"
    done = subprocess.run([str(path), "--version"], capture_output=True, text=True, check=False)
    if done.stdout.strip() != VERSION:
        return None, f"{path} is not gitlab-ci-local {VERSION}: {done.stdout}{done.stderr}"
    return path, ""


def git(repo: Path, *args: str) -> None:
    done = subprocess.run(
        ["git", "-c", "user.name=CI test", "-c", "user.email=ci@example.com", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed ({done.returncode}): {done.stderr}")


def make_repository(root: Path, pipeline: Path) -> Path:
    """A project whose .gitlab-ci.yml is *pipeline*, byte for byte, committed."""
    repo = root / "service"
    repo.mkdir()
    shutil.copyfile(pipeline, repo / ".gitlab-ci.yml")
    (repo / ".gitignore").write_text(".gitlab-ci-local/\n")
    git(repo, "init", "--quiet", "--initial-branch=main")
    git(repo, "remote", "add", "origin", REMOTE)
    git(repo, "add", ".")
    git(repo, "commit", "--quiet", "-m", "CI pipeline")
    return repo


@dataclass(frozen=True)
class JobRun:
    returncode: int
    output: str
    artifacts: Path


@dataclass(frozen=True)
class GitLabCiLocal:
    command: Path
    repo: Path
    home: Path
    helper_image: str
    wheelhouse: Path | None = None

    def run_job(
        self,
        job: str,
        image: str | None = None,
        timeout: float = 900,
        variables: dict[str, str] | None = None,
    ) -> JobRun:
        """Runs *job* of the repository's pipeline (in *image*: DRIFTCHECK_IMAGE), as a
        runner would, with the CI/CD *variables* given."""
        return self.run_jobs([job], image, timeout, variables)

    def run_jobs(
        self,
        jobs: list[str],
        image: str | None = None,
        timeout: float = 900,
        variables: dict[str, str] | None = None,
    ) -> JobRun:
        """Runs *jobs* side by side; the artifacts are the first job's."""
        variables = {
            **({"DRIFTCHECK_IMAGE": image} if image else {}),
            **(variables or {}),
        }
        if self.wheelhouse is not None:
            variables |= {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": WHEELHOUSE_IN_JOB}
        volumes = (
            ["--volume", f"{self.wheelhouse}:{WHEELHOUSE_IN_JOB}:ro"] if self.wheelhouse else []
        )
        command = [
            str(self.command),
            "--cwd",  # relative, as gitlab-ci-local requires: the process runs in the repo
            ".",
            "--home",
            str(self.home),
            "--helper-image",
            self.helper_image,
            "--pull-policy",
            "if-not-present",
            # Run as the image's user, as GitLab's Docker executor does (not as root).
            "--no-umask",
            "--network",
            "none",
            *volumes,
            "--no-color",
            *(
                arg
                for name, value in variables.items()
                for arg in ("--variable", f"{name}={value}")
            ),
            *jobs,
        ]
        done = subprocess.run(
            command,
            cwd=self.repo,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        return JobRun(
            done.returncode,
            done.stdout + done.stderr,
            self.repo / ".gitlab-ci-local" / "artifacts" / jobs[0],
        )

    def add_file(self, source: Path, path: str, message: str) -> None:
        """Commits a copy of *source* at *path* in the repository (mode 0644)."""
        target = self.repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        target.chmod(0o644)
        self.commit(path, message=message)

    def commit(self, *paths: str, message: str) -> None:
        git(self.repo, "add", *paths)
        git(self.repo, "commit", "--quiet", "-m", message)
