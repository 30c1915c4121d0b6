"""The explainers, in the order they claim changes (most specific first)."""

from __future__ import annotations

from driftcheck.diff.explainers.interface import Explainer

EXPLAINERS: list[type[Explainer]] = []
