"""Policy files: where they are found, what they may hold, and one clear error for each mistake."""

from __future__ import annotations

import ast
import textwrap
from datetime import date
from pathlib import Path

import pytest

import driftcheck.diff.explainers as explainers_package
from driftcheck.diff.categories import CATEGORIES, category_of
from driftcheck.diff.changes import sections
from driftcheck.diff.model import Severity
from driftcheck.gate.policy import Policy
from driftcheck.gate.policy_file import PolicyError, find_policy

from support import small_snapshot


def policy_from(tmp_path: Path, text: str, name: str = "driftcheck.toml") -> Policy:
    (tmp_path / name).write_text(textwrap.dedent(text))
    return find_policy(None, tmp_path)


def error_of(tmp_path: Path, text: str, name: str = "driftcheck.toml") -> str:
    with pytest.raises(PolicyError) as caught:
        policy_from(tmp_path, text, name)
    message = str(caught.value)
    assert "\n" not in message
    return message.replace(str(tmp_path) + "/", "")


def test_full_policy_is_read(tmp_path):
    policy = policy_from(
        tmp_path,
        """\
        fail_on = "medium"

        [[ignore]]
        category = "environment"
        pattern = "CI_*"
        reason = "set by the runner"
        expires = 2030-01-31

        [[ignore]]
        category = "packages"
        pattern = "Zope.Interface"
        reason = "vendored"
        expires = "2030-02-28"

        [[allow]]
        package = "certifi"
        change = "patch"

        [[severity]]
        category = "os"
        pattern = "libssl*"
        severity = "high"
        """,
    )
    assert policy.fail_on == "medium"
    assert [r.expires for r in policy.ignore] == [date(2030, 1, 31), date(2030, 2, 28)]
    assert policy.ignore[1].pattern == "zope-interface"  # package names are normalised
    assert policy.allow[0].changes == frozenset({"patch"})
    assert policy.severity[0].severity is Severity.HIGH
    assert policy.source == str(tmp_path / "driftcheck.toml")


def test_no_policy_file_means_the_defaults(tmp_path):
    assert find_policy(None, tmp_path) == Policy()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('fail_on = "hihg"', "driftcheck.toml: fail_on is 'hihg'; use one of never, info, low"),
        ("fail_on = 3", "driftcheck.toml: fail_on is 3; use one of"),
        ("severty = []", "driftcheck.toml: severty is not a policy key; did you mean 'severity'?"),
        ("zzz = 1", "driftcheck.toml: zzz is not a policy key; known keys: fail_on, ignore"),
        ('ignore = "x"', "driftcheck.toml: ignore must be a list of tables ([[ignore]] blocks)"),
        (
            '[[ignore]]\ncategory = "packages"\npattern = "x"',
            "driftcheck.toml: ignore[1].reason is required",
        ),
        (
            '[[ignore]]\ncategory = "packages"\nreason = "  "',
            "driftcheck.toml: ignore[1].reason is empty",
        ),
        (
            '[[ignore]]\ncategory = "package"\nreason = "r"',
            "driftcheck.toml: ignore[1].category is 'package'; use one of *, packages",
        ),
        (
            '[[ignore]]\npattern = "x"\nreason = "r"',
            "driftcheck.toml: ignore[1].category is required: one of *, packages",
        ),
        (
            '[[ignore]]\ncategory = "os"\nreason = "r"\nexpire = 2030-01-01',
            "driftcheck.toml: ignore[1].expire is not a policy key; did you mean 'expires'?",
        ),
        (
            '[[ignore]]\ncategory = "os"\nreason = "r"\nexpires = "next year"',
            "driftcheck.toml: ignore[1].expires is 'next year'; write an ISO date",
        ),
        (
            '[[ignore]]\ncategory = "os"\nreason = "r"\npattern = 5',
            "driftcheck.toml: ignore[1].pattern is 5; it must be a quoted text",
        ),
        ('[[allow]]\nchange = "patch"', "driftcheck.toml: allow[1].package is required"),
        (
            '[[allow]]\npackage = "certifi"',
            "driftcheck.toml: allow[1].change is required: one of patch, minor, major",
        ),
        (
            '[[allow]]\npackage = "certifi"\nchange = ["patch", "bugfix"]',
            "driftcheck.toml: allow[1].change is 'bugfix'; use one of patch, minor",
        ),
        (
            '[[severity]]\ncategory = "os"',
            "driftcheck.toml: severity[1].severity is required: one of info, low, medium",
        ),
        (
            '[[severity]]\ncategory = "os"\nseverity = "blocker"',
            "driftcheck.toml: severity[1].severity is 'blocker'; use one of info",
        ),
        ("fail_on = ", "driftcheck.toml: not valid TOML (Invalid value"),
    ],
)
def test_each_mistake_names_the_file_and_key(tmp_path, text, expected):
    assert error_of(tmp_path, text).startswith(expected)


def test_pyproject_keys_are_named_with_their_table(tmp_path):
    message = error_of(tmp_path, '[tool.driftcheck]\nfail_on = "x"\n', name="pyproject.toml")
    assert message.startswith("pyproject.toml: tool.driftcheck.fail_on is 'x'")
    bad_table = error_of(tmp_path, "[tool]\ndriftcheck = 1\n", name="pyproject.toml")
    assert bad_table == "pyproject.toml: tool.driftcheck must be a table"


def test_a_file_that_is_not_text_or_too_big(tmp_path):
    (tmp_path / "driftcheck.toml").write_bytes(b"\xff\xfe\x00 binary")
    with pytest.raises(PolicyError, match="not UTF-8 text"):
        find_policy(None, tmp_path)
    (tmp_path / "driftcheck.toml").write_bytes(b"#" * (1024 * 1024 + 1))
    with pytest.raises(PolicyError, match="larger than"):
        find_policy(None, tmp_path)


def test_categories_cover_everything_a_finding_can_carry():
    """An explainer that adds a category must add it to the policy's list, or policies reject it."""
    folder = Path(explainers_package.__file__).parent
    emitted: set[str] = set()
    for module in folder.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if (
                isinstance(node, ast.keyword)
                and node.arg == "category"
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                emitted.add(node.value.value)
    assert {"packages", "environment", "os", "python"} <= emitted
    assert emitted <= set(CATEGORIES), emitted - set(CATEGORIES)
    fallback_sections = set(sections(small_snapshot())) | {"container"}
    fallback_categories = {category_of(section) for section in fallback_sections}
    assert None not in fallback_categories, fallback_sections
    # One spelling each: a snapshot section names its category, never a second one.
    assert category_of("native_libraries") == "native-libraries"
    assert "native_libraries" not in CATEGORIES


def test_the_readme_policy_example_is_valid(tmp_path):
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme.split("### Drift policy", 1)[1]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "pyproject.toml").write_text(example)
    policy = find_policy(str(tmp_path / "pyproject.toml"), tmp_path)
    assert policy.fail_on == "medium"
    assert len(policy.ignore) == 2 and policy.ignore[1].expires is not None
    assert policy.allow[0].changes == frozenset({"patch", "minor"})
    assert policy.severity[0].severity is Severity.HIGH
