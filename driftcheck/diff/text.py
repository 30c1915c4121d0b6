"""Small helpers that turn values into short strings for findings."""

from __future__ import annotations

import json
from typing import Any

MAX_VALUE = 120


def short(value: Any) -> str | None:
    """A value as a one-line string, bounded; redacted values stay redacted."""
    if value is None:
        return None
    if isinstance(value, dict) and value.get("redacted") is True:
        return "<redacted>"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    text = " ".join(text.split())
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"
