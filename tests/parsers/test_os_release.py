"""os-release parsing, on this machine's real file and on the spec's quoting rules."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from driftcheck.parsers import parse_os_release

FIXTURES = Path(__file__).parent / "fixtures"


def test_real_debian_12_file() -> None:
    text = (FIXTURES / "debian12-os-release").read_text(encoding="utf-8")
    assert parse_os_release(text) == {
        "PRETTY_NAME": "Debian GNU/Linux 12 (bookworm)",
        "NAME": "Debian GNU/Linux",
        "VERSION_ID": "12",
        "VERSION": "12 (bookworm)",
        "VERSION_CODENAME": "bookworm",
        "ID": "debian",
        "HOME_URL": "https://www.debian.org/",
        "SUPPORT_URL": "https://www.debian.org/support",
        "BUG_REPORT_URL": "https://bugs.debian.org/",
    }


def test_crlf_line_endings_read_the_same() -> None:
    text = (FIXTURES / "debian12-os-release").read_text(encoding="utf-8")
    assert parse_os_release(text.replace("\n", "\r\n")) == parse_os_release(text)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("ID=fedora", {"ID": "fedora"}),
        ('NAME="Fedora Linux"', {"NAME": "Fedora Linux"}),
        ("NAME='Fedora Linux'", {"NAME": "Fedora Linux"}),
        # The four characters the spec lets "..." escape.
        (r'X="a\"b"', {"X": 'a"b'}),
        (r'X="\$HOME"', {"X": "$HOME"}),
        (r'X="back\\slash"', {"X": "back\\slash"}),
        (r'X="tick\`"', {"X": "tick`"}),
        # Any other backslash inside "..." stays, as in shell.
        (r'X="keep\n"', {"X": "keep\\n"}),
        # Nothing is escaped inside '...'.
        (r"X='no \" escapes'", {"X": 'no \\" escapes'}),
        # Outside quotes a backslash escapes the next character.
        (r"X=a\ b", {"X": "a b"}),
        ("X=", {"X": ""}),
        ('X=""', {"X": ""}),
        ("X=v # trailing comment", {"X": "v"}),
        ("X=v#not-a-comment", {"X": "v#not-a-comment"}),
        ('X="v" # comment', {"X": "v"}),
        ("X=unquoted with spaces", {"X": "unquoted with spaces"}),
        ('X="unterminated', {"X": "unterminated"}),
        ("  X=indented", {"X": "indented"}),
        ("X=v   ", {"X": "v"}),
        ("# ID=commented", {}),
        ("", {}),
        ("no equals sign", {}),
        ("1X=bad-name", {}),
        ("X Y=bad-name", {}),
        ("export X=1", {}),
        ("\ufeffID=bom", {"ID": "bom"}),
    ],
)
def test_quoting_rules(line: str, expected: dict[str, str]) -> None:
    assert parse_os_release(line + "\n") == expected


def test_later_assignment_wins() -> None:
    assert parse_os_release("ID=a\nID=b\n") == {"ID": "b"}


def test_empty_file() -> None:
    assert parse_os_release("") == {}


@pytest.mark.parametrize("seed", range(5))
def test_binary_garbage_never_raises(seed: int) -> None:
    garbage = random.Random(seed).randbytes(4096).decode("latin-1")
    result = parse_os_release(garbage + "\nID=debian\n")
    assert result["ID"] == "debian"
