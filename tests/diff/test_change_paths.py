"""A change names the field that changed, whatever characters its keys hold."""

from __future__ import annotations

from dataclasses import replace

import pytest

from driftcheck.diff.changes import compute_changes

from support import small_snapshot


@pytest.mark.parametrize("key", ["it's", 'say "hi"', "a]['b", "back\\slash", "[0]", "ünï"])
def test_a_key_with_quotes_or_brackets_is_named_whole(key: str) -> None:
    base = small_snapshot()
    assert base.os is not None
    left = replace(base, os=replace(base.os, os_release={**base.os.os_release, key: "1"}))
    right = replace(base, os=replace(base.os, os_release={**base.os.os_release, key: "2"}))
    changes = compute_changes(left, right).changes
    assert [(c.section, c.field, c.left, c.right) for c in changes] == [
        ("os", f"os_release.{key}", "1", "2")
    ]


def test_an_added_key_is_added_and_a_changed_list_is_changed_whole() -> None:
    base = small_snapshot()
    assert base.os is not None
    six = base.distributions[0]
    right = replace(
        base,
        os=replace(base.os, os_release={**base.os.os_release, "it's": "new"}),
        distributions=(replace(six, requires_dist=("a", "b")),),
    )
    left = replace(base, distributions=(replace(six, requires_dist=("a", "c")),))
    found = {(c.field, c.kind) for c in compute_changes(left, right).changes}
    assert found == {("os_release.it's", "added"), ("requires_dist", "changed")}
