"""The host's authoritative redaction pass over everything a probe returned.

A probe redacts what it collects, but the probe runs in a target we do not control
and may be an older copy, so the host never trusts it: every string and dict key is
scrubbed again, environment values are re-judged, and the redaction markers a probe
produced are kept only when they are well-formed and hold nothing secret.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from driftcheck.redaction.rules import (
    RULE_IDS,
    is_redaction_marker,
    make_marker,
    redact_value,
    screen_texts,
    scrub_text,
    secret_value_rule,
)

HOST_MALFORMED = "host:malformed"
_KNOWN_RULES = RULE_IDS | {HOST_MALFORMED}
_FINGERPRINT = re.compile(r"hmac-sha256:[0-9a-f]{32}")


def check_marker(marker: object) -> tuple[dict[str, Any], int]:
    """A sound copy of a probe's MARKER, and 1 when it had to be repaired.

    A marker is kept only if it is well-formed, names a known rule and carries a
    well-formed fingerprint: these fields are not scrubbed, so nothing else may hide
    there. A preview that still holds a secret is dropped; anything else is replaced
    by a fresh ``host:malformed`` marker.
    """
    if not is_redaction_marker(marker):
        return make_marker(HOST_MALFORMED), 1
    assert isinstance(marker, dict)
    rule, fp, preview = marker["rule"], marker["fingerprint"], marker["preview"]
    if rule not in _KNOWN_RULES or (fp is not None and not _FINGERPRINT.fullmatch(fp)):
        return make_marker(HOST_MALFORMED), 1
    if preview is not None and secret_value_rule(preview) is not None:
        return make_marker(rule, fp, None), 1
    return make_marker(rule, fp, preview), 0


def host_redact_environment(
    env: Mapping[str, object], key: bytes | None
) -> tuple[dict[str, object], int]:
    """ENV with every secret entry as a marker, and the number of markers.

    Plain strings are judged by the rules; markers a probe produced are checked
    (`check_marker`); any other value is replaced by a ``host:malformed`` marker.
    """
    out: dict[str, object] = {}
    count = 0
    for name, value in env.items():
        if isinstance(value, str):
            marker = redact_value(name, value, key)
            out[name] = value if marker is None else marker
            count += 0 if marker is None else 1
        else:
            out[name], _ = check_marker(value)
            count += 1
    return out, count


_CACHE_LIMIT = 65536
_CACHEABLE = 4096
# scrub_text depends on its input only, and snapshots repeat strings (every
# distribution's location, every field name): short strings are answered from here.
_scrubbed: dict[str, tuple[str, int]] = {}


def _scrub(text: str) -> tuple[str, int]:
    found = _scrubbed.get(text)
    if found is not None:
        return found
    result = scrub_text(text)
    if len(text) <= _CACHEABLE:
        if len(_scrubbed) >= _CACHE_LIMIT:
            _scrubbed.clear()
        _scrubbed[text] = result
    return result


def prescrub(texts: Iterable[str]) -> None:
    """Scrubs TEXTS into the cache now (while a probe runs): a later sweep finds them."""
    for text in texts:
        _scrub(text)


def sweep(obj: Any) -> tuple[Any, int]:
    """A copy of the JSON-like OBJ with every string and key scrubbed, and the count.

    Redaction markers are checked (`check_marker`) rather than scrubbed; a sound one
    comes back unchanged. Recursion depth is that of the input, which the probe-output
    reader bounds. Runs over every value of every snapshot (100,000s for a large
    environment): exact types are tested first, the cache is looked up inline.
    """
    kind = type(obj)
    if kind is str:
        return _scrubbed.get(obj) or _scrub(obj)
    if kind is dict or (kind is not list and kind is not tuple and isinstance(obj, dict)):
        if obj.get("redacted") is True:
            return check_marker(obj)
        out: dict[Any, Any] = {}
        total = 0
        for key, value in obj.items():
            if type(key) is str or isinstance(key, str):
                key, n = _scrubbed.get(key) or _scrub(key)
                total += n
                if key in out:
                    key = _unique(key, out)
            kind = type(value)
            if kind is str:
                value, n = _scrubbed.get(value) or _scrub(value)
            elif value is None or kind is int or kind is bool or kind is float:
                n = 0
            else:
                value, n = sweep(value)
            out[key] = value
            total += n
        return out, total
    if kind is list or kind is tuple or isinstance(obj, list | tuple):
        items = []
        total = 0
        for item in obj:
            if type(item) is str:
                clean, n = _scrubbed.get(item) or _scrub(item)
            else:
                clean, n = sweep(item)
            items.append(clean)
            total += n
        return (tuple(items) if isinstance(obj, tuple) else items), total
    if isinstance(obj, str):
        return _scrub(obj)
    return obj, 0


def _unique(key: str, taken: Mapping[Any, Any]) -> str:
    # Two keys that differed only by a secret would collide once scrubbed.
    candidate, n = key, 1
    while candidate in taken:
        n += 1
        candidate = f"{key}#{n}"
    return candidate


def sweep_document(document: Any) -> Any:
    """``sweep(document)[0]`` for a document fresh from ``json``, the same result, faster.

    A snapshot file is swept whole on every load (100,000s of strings for 5,000
    distributions), and almost every string in it is clean. So the strings are gathered
    first and screened together (`_needing_scrub`: one scan of their concatenation by
    the very triggers and gates `scrub_text` applies one string at a time); only when one
    of them would change, or a redaction marker needs repairing, is the document swept
    as before. Otherwise nothing in it would change: it comes back as it is.
    """
    texts: set[str] = set()
    if not _gather(document, texts) or _needing_scrub(texts):
        return sweep(document)[0]
    return document


def _gather(obj: Any, texts: set[str]) -> bool:
    """Adds every string and key of OBJ to TEXTS; False when a marker in it would change,
    or OBJ holds what JSON does not (then the caller sweeps, which handles anything)."""
    kind = type(obj)
    if kind is dict:
        if obj.get("redacted") is True:
            return check_marker(obj) == (obj, 0)
        for key, value in obj.items():
            if type(key) is not str:
                return False
            texts.add(key)
            kind = type(value)
            if kind is str:
                texts.add(value)
            elif not (
                value is None or kind is int or kind is bool or kind is float
            ) and not _gather(value, texts):
                return False
        return True
    if kind is list:
        for item in obj:
            if type(item) is str:
                texts.add(item)
            elif not _gather(item, texts):
                return False
        return True
    if kind is str:
        texts.add(obj)
        return True
    return obj is None or kind is int or kind is bool or kind is float


def _needing_scrub(texts: set[str]) -> bool:
    """True when `scrub_text` would change one of TEXTS. Every text is looked at, and
    the results cached, even once one is found: the sweep that follows then finds them."""
    dirty = False
    fresh = []
    for text in texts:
        known = _scrubbed.get(text)
        if known is not None:
            dirty = dirty or known[1] > 0
        elif len(text) >= 8:
            fresh.append(text)
    ascii_texts = [t for t in fresh if t.isascii()]
    flagged_at = set(screen_texts(ascii_texts))
    for index, text in enumerate(ascii_texts):
        if index not in flagged_at:  # scrub_text leaves it as it is
            _remember(text, (text, 0))
    flagged = [t for t in fresh if not t.isascii()]  # str.lower() may change their length
    flagged += [ascii_texts[i] for i in sorted(flagged_at)]
    for text in flagged:
        dirty = _scrub(text)[1] > 0 or dirty
    return dirty


def _remember(text: str, result: tuple[str, int]) -> None:
    if len(text) <= _CACHEABLE:
        if len(_scrubbed) >= _CACHE_LIMIT:
            _scrubbed.clear()
        _scrubbed[text] = result
