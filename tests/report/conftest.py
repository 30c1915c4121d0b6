"""Real environments for the report tests: a venv with planted secrets in a user's home."""

from __future__ import annotations

import os

import pytest

from canaries import DIRECT_URL_SECRETS, PTH_SECRETS, SECRET_ENVIRONMENT
from report_builders import DIRECT_URL, TOKEN_URL, USER, Venv, install_distribution, make_venv


@pytest.fixture(scope="session")
def secret_venv(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """A venv in a home folder named after USER, with credentials in two direct URLs."""
    home = tmp_path_factory.mktemp("home") / USER
    venv = make_venv(home / "project" / ".venv")
    install_distribution(
        venv.site,
        "privatepkg",
        "1.0",
        direct_url={"url": DIRECT_URL, "vcs_info": {"vcs": "git", "commit_id": "a" * 40}},
    )
    install_distribution(
        venv.site,
        "tokenpkg",
        "2.0",
        direct_url={"url": TOKEN_URL, "vcs_info": {"vcs": "git", "commit_id": "b" * 40}},
    )
    install_distribution(venv.site, "alpha-tools", "1.0")  # --anonymize leaves it alone
    for name, url, _ in DIRECT_URL_SECRETS:  # a user-only token: https://TOKEN@host/...
        install_distribution(
            venv.site, name, "3.0", direct_url={"url": url, "vcs_info": {"vcs": "git"}}
        )
    # Executable .pth lines that carry secrets (they run, harmlessly, in the probe).
    lines = [line for line, _ in PTH_SECRETS]
    (venv.site / "zz_settings.pth").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return venv


@pytest.fixture()
def secret_environ(secret_venv: Venv) -> dict[str, str]:
    """The environment of a user who has every secret shape set."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "CONDA_PREFIX")}
    env.update(SECRET_ENVIRONMENT)
    env.update(HOME=str(secret_venv.home), USER=USER, LOGNAME=USER)
    return env
