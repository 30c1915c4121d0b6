"""The property tests' profiles: pinned under CI, unpinned and long when asked for.

Each case imports tests/hostile/properties.py in a fresh interpreter with the
environment a developer or CI would set, and reads back the settings the property
tests then run with (the profile's, and a test's own ``examples(n)``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

HOSTILE = Path(__file__).resolve().parent
READ_SETTINGS = """\
import json, properties
from hypothesis import settings
test = properties.examples(300)
print(json.dumps({
    "profile": properties.PROFILE,
    "derandomize": settings.default.derandomize,
    "database": settings.default.database is not None,
    "max_examples": test.max_examples,
}))
"""


def settings_under(**variables: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRIFTCHECK_PROPERTY_")}
    env.pop("CI", None)
    env.update(variables)
    done = subprocess.run(
        [sys.executable, "-c", READ_SETTINGS],
        cwd=HOSTILE,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_ci_runs_the_pinned_examples() -> None:
    got = settings_under(CI="true")
    assert got == {"profile": "ci", "derandomize": True, "database": False, "max_examples": 300}


def test_a_developer_runs_random_remembered_examples() -> None:
    got = settings_under()
    assert got == {"profile": "dev", "derandomize": False, "database": True, "max_examples": 300}


@pytest.mark.parametrize("ci", ["", "true"])
def test_the_thorough_profile_is_unpinned_and_long(ci: str) -> None:
    got = settings_under(CI=ci, DRIFTCHECK_PROPERTY_PROFILE="thorough")
    assert got["profile"] == "thorough" and got["derandomize"] is False
    assert got["max_examples"] == 5000  # not capped at the test's own 300
    more = settings_under(
        DRIFTCHECK_PROPERTY_PROFILE="thorough", DRIFTCHECK_PROPERTY_EXAMPLES="20000"
    )
    assert more["max_examples"] == 20000


def test_an_unknown_profile_is_refused_by_name() -> None:
    env = {**os.environ, "DRIFTCHECK_PROPERTY_PROFILE": "fast"}
    done = subprocess.run(
        [sys.executable, "-c", "import properties"],
        cwd=HOSTILE,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0 and "DRIFTCHECK_PROPERTY_PROFILE='fast'" in done.stderr
