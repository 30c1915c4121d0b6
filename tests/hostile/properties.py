"""Hypothesis settings for the property tests: moderate and deterministic under CI.

Under CI=true every run explores the same examples (derandomize) and keeps no
example database; on a developer's machine runs are random and remembered, so
that a failure found once is replayed first next time.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(
    "ci" if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"} else "dev"
)
