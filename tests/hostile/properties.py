"""Hypothesis settings for the property tests: pinned under CI, unpinned and long on demand.

Three profiles, chosen by DRIFTCHECK_PROPERTY_PROFILE (else by CI):

* ``ci`` (CI=true): every run explores the same examples (derandomize), no example
  database. A failure it cannot find never shows there: so every failure ever found
  elsewhere stays as an ``@example`` on the test that found it, and CI replays it.
* ``dev`` (default on a developer's machine): random, remembered in ``.hypothesis/``,
  so that a failure found once is replayed first next time.
* ``thorough`` (DRIFTCHECK_PROPERTY_PROFILE=thorough): random, never pinned, and
  ``THOROUGH_EXAMPLES`` examples per test (DRIFTCHECK_PROPERTY_EXAMPLES=N to change it),
  to hunt for new failures; run it for a while now and then (see the README).

Tests take their example count from ``examples(n)``, never from a bare
``settings(max_examples=n)``, which would cap the thorough profile at n.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

PROFILE_VARIABLE = "DRIFTCHECK_PROPERTY_PROFILE"
EXAMPLES_VARIABLE = "DRIFTCHECK_PROPERTY_EXAMPLES"
THOROUGH_EXAMPLES = 5000
PROFILES = ("ci", "dev", "thorough")

_QUIET = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}

settings.register_profile("ci", derandomize=True, database=None, print_blob=True, **_QUIET)
settings.register_profile("dev", **_QUIET)
settings.register_profile(
    "thorough",
    derandomize=False,
    max_examples=int(os.environ.get(EXAMPLES_VARIABLE) or THOROUGH_EXAMPLES),
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    deadline=None,
)


def chosen_profile() -> str:
    asked = os.environ.get(PROFILE_VARIABLE, "").strip().lower()
    if asked:
        if asked not in PROFILES:
            raise ValueError(f"{PROFILE_VARIABLE}={asked!r}: pick one of {', '.join(PROFILES)}")
        return asked
    return "ci" if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"} else "dev"


PROFILE = chosen_profile()
settings.load_profile(PROFILE)


def examples(count: int) -> settings:
    """COUNT examples a run (pinned or dev), or the thorough profile's count if larger."""
    if PROFILE == "thorough":
        return settings(max_examples=max(count, settings.get_profile("thorough").max_examples))
    return settings(max_examples=count)
