"""An N-way diff of 20 real containers (`sleep`, one cached test image), --jobs."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from support import run_cli

pytestmark = pytest.mark.docker

FLEET_SIZE = 20
ODD_ONES = (4, 13)  # started with another FEATURE_FLAG


def test_twenty_containers_compared_at_once_name_the_two_that_differ(
    bookworm_image: str, run_container: Callable[..., Any]
) -> None:
    names = []
    for i in range(FLEET_SIZE):
        flag = "new-checkout" if i in ODD_ONES else "classic"
        container = run_container(bookworm_image, environment={"FEATURE_FLAG": flag})
        names.append(container.name)
    sides = [f"container:{name}" for name in names]
    gone = f"container:driftcheck-test-gone-{uuid.uuid4().hex[:8]}"  # fails; the rest go on
    result = run_cli("diff", *sides, gone, "--jobs", "4", "--format", "json", timeout=900)
    assert result.returncode == 4 or result.returncode == 5, result.stderr
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 1 and gone in errors[0], result.stderr
    document = json.loads(result.stdout)
    assert document["sides"] == sides and document["failed"][0]["side"] == gone
    above_info = [r for r in document["rows"] if r["severity"] != "info"]
    assert [(r["category"], r["subject"]) for r in above_info] == [
        ("environment", "FEATURE_FLAG")
    ], above_info
    flag = above_info[0]
    assert flag["reference"] == "classic"
    assert flag["outliers"] == [sides[i] for i in ODD_ONES]
    assert flag["summary"].startswith(f"{sides[4]}, {sides[13]} have FEATURE_FLAG new-checkout")
