"""Every variable GitLab CI and GitHub Actions predefine, with a value of the shape their
documentation gives, for the tests that plant them all (none may be redacted but the
credentials among them)."""

from __future__ import annotations

import random
import string

from driftcheck.redaction.ci_variables import CI_PUBLIC_VARIABLES, CI_SECRET_VARIABLES

_RNG = random.Random(20261207)


def word(n: int) -> str:
    while True:
        s = "".join(_RNG.choice(string.ascii_letters + string.digits) for _ in range(n))
        if any(c.isdigit() for c in s) and any(c.isalpha() for c in s):
            return s


SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b"
PROXY = "gitlab.example.com:443/my-group"
FILES = "/home/runner/work/_temp/_runner_file_commands"


def realistic_value(name: str) -> str:
    """A value of the shape GitLab or GitHub gives NAME (their documentation's examples)."""
    special = {
        "CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX": f"{PROXY}/dependency_proxy/containers",
        "CI_DEPENDENCY_PROXY_DIRECT_GROUP_IMAGE_PREFIX": f"{PROXY}/sub/dependency_proxy/containers",
        "CI_DEPENDENCY_PROXY_SERVER": "gitlab.example.com:443",
        "CI_DEPENDENCY_PROXY_USER": "gitlab-ci-token",
        "CI_REGISTRY_USER": "gitlab-ci-token",
        "CI_REGISTRY": "registry.gitlab.example.com",
        "CI_REGISTRY_IMAGE": "registry.gitlab.example.com/my-group/my-project",
        "CI_TEMPLATE_REGISTRY_HOST": "registry.gitlab.com",
        "CI_JOB_IMAGE": "registry.gitlab.example.com/my-group/ci-images/python:3.12-bookworm",
        "CI_COMMIT_AUTHOR": "Jane Doe <jane@example.com>",
        "CI_COMMIT_MESSAGE": "Fix the cache key\n\nThe key now includes the lockfile hash.",
        "CI_COMMIT_DESCRIPTION": "The key now includes the lockfile hash.",
        "CI_COMMIT_TITLE": "Fix the cache key",
        "CI_COMMIT_TIMESTAMP": "2022-01-31T16:47:55Z",
        "CI_JOB_STARTED_AT": "2022-01-31T16:47:55Z",
        "CI_PIPELINE_CREATED_AT": "2022-01-31T16:47:55Z",
        "CI_COMMIT_SHORT_SHA": SHA[:8],
        "CI_RUNNER_SHORT_TOKEN": "glrt-t3_xZ9aB7cD",
        "CI_TRIGGER_SHORT_TOKEN": "1234",
        "CI_RUNNER_TAGS": '["docker", "linux"]',
        "CI_RUNNER_REVISION": "66a723c3",
        "CI_RUNNER_EXECUTABLE_ARCH": "linux/amd64",
        "CI_SERVER_REVISION": "c1d2e3f4a5b",
        "CI_OPEN_MERGE_REQUESTS": "gitlab-org/gitlab!333,gitlab-org/gitlab-foss!11",
        "CI_PROJECT_REPOSITORY_LANGUAGES": "ruby,javascript,html,css",
        "GITLAB_FEATURES": "audit_events,burndown_charts,code_owners,dependency_proxy",
        "GITLAB_USER_EMAIL": "jane@example.com",
        "CI_RUNNER_DESCRIPTION": "shared-runner-7f3a9c",
        "CI_CONFIG_REF_URI": "gitlab.example.com/g/p//.gitlab-ci.yml@refs/heads/main",
        "CI_MERGE_REQUEST_REF_PATH": "refs/merge-requests/1/head",
        "KUBECONFIG": "/builds/my-group/my-project.tmp/KUBECONFIG",
        "TRIGGER_PAYLOAD": "/builds/my-group/my-project.tmp/TRIGGER_PAYLOAD",
        "GITHUB_ACTION": "__actions_checkout",
        "GITHUB_ACTION_PATH": "/home/runner/work/_actions/repo-owner/name-of-action-repo/v1",
        "GITHUB_ENV": f"{FILES}/set_env_87406d6e-4979-4d42-98e1-3dab1f48b13a",
        "GITHUB_OUTPUT": f"{FILES}/set_output_a50ef383-b063-46d9-9157-57953fc9f3f0",
        "GITHUB_PATH": f"{FILES}/add_path_899b9445-ad4a-400c-aa89-249f18632cf5",
        "GITHUB_STATE": f"{FILES}/save_state_4b2c1a36-0c52-4a8a-9d4e-1f5f2c9e0b11",
        "GITHUB_STEP_SUMMARY": f"{FILES}/step_summary_1cb22d7f-5663-41a8-9ffc-13472605c76c",
        "GITHUB_EVENT_PATH": "/home/runner/work/_temp/_github_workflow/event.json",
        "GITHUB_REF": "refs/heads/feature-branch-1",
        "GITHUB_WORKFLOW_REF": "octocat/hello-world/.github/workflows/ci.yml@refs/heads/my_branch",
        "GITHUB_REPOSITORY": "octocat/Hello-World",
        "GITHUB_WORKFLOW": "My test workflow",
        "RUNNER_NAME": "GitHub Actions 12",
        "RUNNER_OS": "Linux",
        "RUNNER_ARCH": "X64",
        "RUNNER_ENVIRONMENT": "github-hosted",
        "RUNNER_TEMP": "/home/runner/work/_temp",
        "RUNNER_TOOL_CACHE": "/opt/hostedtoolcache",
        "RUNNER_WORKSPACE": "/home/runner/work/Hello-World",
        "RUNNER_TRACKING_ID": "github_3c1f7a52-8d0e-4b8f-9a0e-6f2d1b7c9e44",
        "ACTIONS_RUNTIME_URL": "https://pipelines.actions.githubusercontent.com/2rPKq3q9lRkcQ5pQm1fYfMiKMfiU2F3oEWlBV5ONxGFakfB4rj/",
        "ACTIONS_CACHE_URL": "https://acghubeus1.actions.githubusercontent.com/8fDWPfNeFtbLUsRoD7NCuZHpS7rYTg6TBT6uXkZpRdfGgHzRmq/",
        "ACTIONS_RESULTS_URL": "https://results-receiver.actions.githubusercontent.com/",
        "ACTIONS_ID_TOKEN_REQUEST_URL": "https://pipelines.actions.githubusercontent.com/2rPKq3q9lRkcQ5pQm1fYfMiKMfiU2F3oEWlBV5ONxGFakfB4rj/00000000-0000-0000-0000-000000000000/_apis/distributedtask/hubs/Actions/plans/4c2d7c6e-8e1b-4f5e-9e41-5f0d2c3b1a77/jobs/9a1b2c3d-4e5f-6789-abcd-ef0123456789/idtoken?api-version=2.0",
        "HARBOR_OCI": "oci://harbor.example.com/my-project",
        "APP_STORE_CONNECT_API_KEY_ISSUER_ID": "69a6de7f-03e3-47e3-e053-5b8c7c11a4d1",
        "APP_STORE_CONNECT_API_KEY_KEY_ID": "D383SF739",
        "SUPPLY_PACKAGE_NAME": "com.example.app",
        "DIFFBLUE_ACCESS_TOKEN_NAME": "ci-token",
        "CI_PROJECT_CLASSIFICATION_LABEL": "internal-only",
    }  # fmt: skip
    if name in special:
        return special[name]
    if name.endswith(("_SHA", "_BEFORE_SHA", "_DIFF_BASE_SHA")):
        return SHA
    if name.endswith("_URL") or name.endswith("_URI"):
        return "https://gitlab.example.com/my-group/my-project/-/jobs/4815162342"
    if name.endswith(("_DIR", "_PATH", "_FILE", "WORKSPACE")):
        return "/builds/my-group/my-project/.gitlab/ci/file.pem"
    if name.endswith(("_ID", "_IID", "_NUMBER", "_ATTEMPT", "_INDEX", "_TOTAL", "_DAYS", "_PORT")):
        return "4815162342"
    if name.endswith(("_HOST", "_FQDN", "_DOMAIN", "_HOSTNAME")):
        return "gitlab.example.com"
    return {"CI": "true", "GITLAB_CI": "true", "GITHUB_ACTIONS": "true", "CI_SERVER": "yes"}.get(
        name, "main-feature_1.2"
    )


SECRET_VALUES = {
    "CI_JOB_TOKEN": "glcbt-64_" + word(20),
    "CI_REGISTRY_PASSWORD": "glcbt-64_" + word(20),
    "CI_DEPLOY_PASSWORD": "gldt-" + word(20),
    "CI_DEPENDENCY_PROXY_PASSWORD": "glcbt-64_" + word(20),
    "ACTIONS_RUNTIME_TOKEN": "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9." + word(30) + "." + word(40),
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN": word(24),
    "GITHUB_TOKEN": "ghs_" + word(36),
}


def planted_ci_environment() -> dict[str, str]:
    env = {name: realistic_value(name) for name in sorted(CI_PUBLIC_VARIABLES)}
    env["CI_REPOSITORY_URL"] = (
        f"https://gitlab-ci-token:{SECRET_VALUES['CI_JOB_TOKEN']}@gitlab.example.com/g/p.git"
    )
    for name in sorted(CI_SECRET_VARIABLES):
        env[name] = SECRET_VALUES.get(name, word(24))
    return env
