"""The whole diagnosis corpus: every pair, venv and image ones."""

from __future__ import annotations

from pairs_image import IMAGE_PAIRS
from pairs_venv import VENV_PAIRS
from recipe import Pair

PAIRS: tuple[Pair, ...] = (*VENV_PAIRS, *IMAGE_PAIRS)
BY_NAME = {p.name: p for p in PAIRS}
assert len(BY_NAME) == len(PAIRS), "pair names must be unique"
