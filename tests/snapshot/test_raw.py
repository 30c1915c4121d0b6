"""The typed accessors of a probe's raw answer: fast paths must refuse what they refused."""

from __future__ import annotations

import pytest

from driftcheck.snapshot import raw


class Text(str):
    pass


def test_texts_accepts_lists_of_strings():
    assert raw.texts({"k": ["a", Text("b")]}, "k", "f") == ("a", "b")
    assert raw.texts({}, "k", "f") == ()
    assert raw.texts({"k": None}, "k", "f") == ()


@pytest.mark.parametrize("value", [["a", 1], [None], [["a"]], "abc", {"a": "b"}, [b"a"]])
def test_texts_refuses_anything_else(value):
    with pytest.raises(raw.RawShapeError, match=r"f\.k is not a list of strings"):
        raw.texts({"k": value}, "k", "f")


def test_opt_text():
    assert raw.opt_text({"k": "v"}, "k", "f") == "v"
    assert raw.opt_text({"k": Text("v")}, "k", "f") == "v"
    assert raw.opt_text({"k": 3}, "k", "f") == "3"  # a version written as a number
    assert raw.opt_text({}, "k", "f") is None
    for bad in (True, ["v"], {"v": 1}):
        with pytest.raises(raw.RawShapeError, match=r"f\.k is not a string"):
            raw.opt_text({"k": bad}, "k", "f")
