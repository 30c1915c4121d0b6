"""Finding, reading and validating a policy file; every error names the file and the key.

A policy lives in `driftcheck.toml` (top-level keys) or in `pyproject.toml`
under `[tool.driftcheck]`, in the current folder, or in the file `--policy`
names. Unknown keys are errors: a typo in a policy silently ignoring nothing
(or everything) is worse than a failed run.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from driftcheck.diff.categories import CATEGORIES, category_of
from driftcheck.diff.model import Severity
from driftcheck.errors import UsageError
from driftcheck.gate.policy import (
    ANY,
    CHANGE_KINDS,
    AllowRule,
    IgnoreRule,
    Policy,
    SeverityRule,
    canonical_package,
)
from driftcheck.regular_files import NotReadError, read_regular_file
from driftcheck.untrusted_toml import TomlInputError, load_toml

POLICY_FILE = "driftcheck.toml"
PYPROJECT = "pyproject.toml"
FAIL_ON_LEVELS = ("never", *(s.label for s in Severity))
MAX_POLICY_BYTES = 1024 * 1024
TOP_KEYS = ("fail_on", "ignore", "allow", "severity")
IGNORE_KEYS = ("category", "pattern", "reason", "expires")
ALLOW_KEYS = ("package", "change", "reason")
SEVERITY_KEYS = ("category", "pattern", "severity", "reason")
T = TypeVar("T")


class PolicyError(UsageError):
    """An invalid policy: exit 2, naming the file and the key."""


def find_policy(explicit: str | None, folder: Path) -> Policy:
    """The policy `--policy` names, else the one in `folder`, else the defaults."""
    if explicit is not None:
        path = Path(explicit)
        if not path.exists():
            raise PolicyError(f"policy file {path} does not exist; fix --policy or create it")
        return parse_policy(_policy_table(path, required=True) or {}, path)
    own, pyproject = folder / POLICY_FILE, folder / PYPROJECT
    in_pyproject = _policy_table(pyproject, required=False) if pyproject.exists() else None
    if own.exists():  # a FIFO or a folder by that name is an error, not "no policy"
        if in_pyproject is not None:
            raise PolicyError(
                f"both {POLICY_FILE} and {PYPROJECT} [tool.driftcheck] hold a policy; "
                "keep one, or choose with --policy FILE"
            )
        return parse_policy(_policy_table(own, required=True) or {}, own)
    if in_pyproject is not None:
        return parse_policy(in_pyproject, pyproject)
    return Policy()


def _where(path: Path) -> str:
    prefix = "tool.driftcheck." if path.name == PYPROJECT else ""
    return f"{path}: {prefix}"


def _policy_table(path: Path, *, required: bool) -> dict[str, Any] | None:
    document = _read_toml(path)
    if path.name != PYPROJECT:
        return document
    tool = document.get("tool")
    table = tool.get("driftcheck") if isinstance(tool, dict) else None
    if table is None:
        if required:
            raise PolicyError(
                f"{path} has no [tool.driftcheck] table; add one or pass another file"
            )
        return None
    if not isinstance(table, dict):
        raise PolicyError(f"{path}: tool.driftcheck must be a table")
    return table


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        raw = read_regular_file(path, MAX_POLICY_BYTES)
    except NotReadError as exc:  # a FIFO or a device named like a policy: never waited on
        raise PolicyError(f"cannot read policy {path}: {exc}; pass a regular file") from exc
    except OSError as exc:
        raise PolicyError(f"cannot read policy {path}: {exc.strerror or exc}") from exc
    if len(raw) > MAX_POLICY_BYTES:
        raise PolicyError(f"{path}: larger than {MAX_POLICY_BYTES} bytes; is it a policy file?")
    try:
        return load_toml(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise PolicyError(f"{path}: not UTF-8 text; a policy is a TOML file") from exc
    except TomlInputError as exc:
        raise PolicyError(f"{path}: {exc}") from exc


def parse_policy(table: Mapping[str, Any], path: Path) -> Policy:
    where = _where(path)  # prefixes every key in messages
    _known_keys(table, TOP_KEYS, where, "")
    fail_on = table.get("fail_on")
    if fail_on is not None:
        fail_on = _choice(fail_on, FAIL_ON_LEVELS, f"{where}fail_on")
    return Policy(
        source=str(path),
        fail_on=fail_on,
        ignore=_rules(table, "ignore", where, _ignore_rule),
        allow=_rules(table, "allow", where, _allow_rule),
        severity=_rules(table, "severity", where, _severity_rule),
    )


def _rules(
    table: Mapping[str, Any],
    key: str,
    where: str,
    build: Callable[[Mapping[str, Any], str], T],
) -> tuple[T, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise PolicyError(f"{where}{key} must be a list of tables ([[{key}]] blocks)")
    # Numbered from 1, as a reader counts the blocks in the file.
    return tuple(build(item, f"{where}{key}[{n}]") for n, item in enumerate(value, 1))


def _ignore_rule(item: Mapping[str, Any], where: str) -> IgnoreRule:
    _known_keys(item, IGNORE_KEYS, where, ".")
    category = _category(item, where)
    reason = _text(item.get("reason"), f"{where}.reason", required=True)
    assert reason is not None
    return IgnoreRule(
        where=where,
        category=category,
        pattern=_pattern(item, category, where),
        reason=reason,
        expires=_date(item.get("expires"), f"{where}.expires"),
    )


def _allow_rule(item: Mapping[str, Any], where: str) -> AllowRule:
    _known_keys(item, ALLOW_KEYS, where, ".")
    package = _text(item.get("package"), f"{where}.package", required=True)
    assert package is not None
    change = item.get("change")
    kinds = [change] if isinstance(change, str) else change
    if not isinstance(kinds, list) or not kinds:
        raise PolicyError(
            f"{where}.change is required: one of {', '.join(CHANGE_KINDS)}, or a list of them"
        )
    checked = frozenset(_choice(k, CHANGE_KINDS, f"{where}.change") for k in kinds)
    return AllowRule(
        where=where,
        package=canonical_package(package),
        changes=checked,
        reason=_text(item.get("reason"), f"{where}.reason", required=False),
    )


def _severity_rule(item: Mapping[str, Any], where: str) -> SeverityRule:
    _known_keys(item, SEVERITY_KEYS, where, ".")
    category = _category(item, where)
    level = _choice(item.get("severity"), [s.label for s in Severity], f"{where}.severity")
    return SeverityRule(
        where=where,
        category=category,
        pattern=_pattern(item, category, where),
        severity=Severity.parse(level),
        reason=_text(item.get("reason"), f"{where}.reason", required=False),
    )


def _known_keys(table: Mapping[str, Any], known: tuple[str, ...], where: str, dot: str) -> None:
    for key in table:
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}"
            raise PolicyError(f"{where}{dot}{key} is not a policy key; {hint}")


def _category(item: Mapping[str, Any], where: str) -> str:
    """A category in its one spelling (``native_libraries`` reads as ``native-libraries``)."""
    value = item.get("category")
    known = category_of(value) if isinstance(value, str) else None
    return _choice(known or value, [ANY, *CATEGORIES], f"{where}.category")


def _pattern(item: Mapping[str, Any], category: str, where: str) -> str:
    pattern = _text(item.get("pattern", ANY), f"{where}.pattern", required=True)
    assert pattern is not None
    return canonical_package(pattern) if category == "packages" else pattern


def _choice(value: object, choices: list[str] | tuple[str, ...], key: str) -> str:
    if value is None:
        raise PolicyError(f"{key} is required: one of {', '.join(choices)}")
    if not isinstance(value, str) or value not in choices:
        raise PolicyError(f"{key} is {value!r}; use one of {', '.join(choices)}")
    return value


def _text(value: object, key: str, *, required: bool) -> str | None:
    if value is None and not required:
        return None
    if value is None:
        raise PolicyError(f"{key} is required")
    if not isinstance(value, str):
        raise PolicyError(f"{key} is {value!r}; it must be a quoted text")
    if not value.strip():
        raise PolicyError(f"{key} is empty; write it out")
    return value.strip()


def _date(value: object, key: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):  # TOML 1979-05-27T07:32:00: the day is what counts
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise PolicyError(f"{key} is {value!r}; write an ISO date such as 2026-06-30")
