"""Anonymization (``--anonymize``): the user's home, user name and host name.

Paths and metadata carry ``/home/alice/...`` or ``C:\\Users\\alice\\...`` and the
machine's name. These are not secrets, but they identify a person, so a report meant
for a public ticket replaces them with ``<home>``, ``<user>`` and ``<host>``.

Replacement is token-aware: a name is replaced only where it stands alone (a path
component, or between non-alphanumerics), never inside another word, so user ``al``
leaves ``calendar.py`` and ``ALSA`` alone.

Generic account and host names (``root``, ``runner``, ``ubuntu``, ``python``...) are
never replaced as words: they identify no one and also name things the report is
about (``Ubuntu 22.04``, ``python3``). Their homes (``/root``, ``/home/runner``) are
still replaced by the home rule. Names shorter than two characters are ignored.
"""

from __future__ import annotations

import re
from typing import Any

from driftcheck.redaction.rules import is_redaction_marker

HOME, USER, HOST = "<home>", "<user>", "<host>"

_GENERIC = frozenset(
    """root admin administrator user users home host guest nobody daemon www-data
    runner vagrant ec2-user ubuntu debian fedora centos rocky alma alpine arch kali
    python node app build builder docker jenkins gitlab-runner circleci codespace
    vscode test dev ci pi raspberrypi localhost localdomain""".split()  # noqa: SIM905
)
_WINDOWS_HOME = re.compile(r"[A-Za-z]:[\\/]")


def _usable(name: str | None) -> str | None:
    if name is None:
        return None
    name = name.strip()
    if len(name) < 2 or name.lower() in _GENERIC:
        return None
    return name


class Anonymizer:
    """Replaces one machine's home directory, user name and host name in text."""

    def __init__(self, user: str | None, home: str | None, hostname: str | None) -> None:
        self._rules: list[tuple[re.Pattern[str], str]] = []
        home = (home or "").rstrip("/\\")
        windows = _WINDOWS_HOME.match(home) is not None
        case = re.IGNORECASE if windows else 0  # Windows paths and user names ignore case
        if len(home) >= 2 and ("/" in home or "\\" in home):  # never "/" or a bare "C:"
            variants = {home, home.replace("\\", "/")}
            # A whole path prefix: not preceded or followed by a path-name character,
            # so /home/alice matches in "file:///home/alice/x" but not /home/alice2.
            alternatives = "|".join(re.escape(v) for v in sorted(variants, key=len, reverse=True))
            pattern = rf"(?<![A-Za-z0-9._-])(?:{alternatives})(?![A-Za-z0-9._-])"
            self._rules.append((re.compile(pattern, case), HOME))
        names: list[tuple[int, re.Pattern[str], str]] = []  # (length, rule, placeholder)
        name = _usable(user)
        if name is not None:
            pattern = rf"(?<![A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9])"
            names.append((len(name), re.compile(pattern, case), USER))
        hosts = {_usable(hostname), _usable((hostname or "").split(".")[0])}
        ordered = sorted((h for h in hosts if h is not None), key=len, reverse=True)
        if ordered:
            # Host names contain hyphens, so a hyphen does not end the token.
            alternatives = "|".join(re.escape(h) for h in ordered)
            pattern = rf"(?<![A-Za-z0-9-])(?:{alternatives})(?![A-Za-z0-9-])"
            names.append((len(ordered[0]), re.compile(pattern, re.IGNORECASE), HOST))
        # The longer name first: host "alice-laptop" of user "alice" becomes <host>, not
        # <user>-laptop.
        names.sort(key=lambda item: item[0], reverse=True)
        self._rules.extend((rule, placeholder) for _, rule, placeholder in names)

    def apply(self, text: str) -> str:
        """TEXT with home, then user and host names (the longer first) replaced."""
        for pattern, replacement in self._rules:
            text = pattern.sub(replacement, text)
        return text

    def apply_tree(self, obj: Any) -> Any:
        """A copy of the JSON-like OBJ with every string and dict key anonymized.

        In a redaction marker only the preview is text from the target; the rule and
        fingerprint are left alone.
        """
        if isinstance(obj, str):
            return self.apply(obj)
        if isinstance(obj, dict):
            if is_redaction_marker(obj):
                preview = obj["preview"]
                return {**obj, "preview": None if preview is None else self.apply(preview)}
            return {
                (self.apply(k) if isinstance(k, str) else k): self.apply_tree(v)
                for k, v in obj.items()
            }
        if isinstance(obj, list):
            return [self.apply_tree(item) for item in obj]
        if isinstance(obj, tuple):
            return tuple(self.apply_tree(item) for item in obj)
        return obj
