"""--anonymize: driftcheck/redaction/anonymize.py."""

from __future__ import annotations

import pytest

from driftcheck.redaction.anonymize import Anonymizer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/home/alice/project/.venv/bin/python", "<home>/project/.venv/bin/python"),
        ("/home/alice", "<home>"),
        ("/home/alice:/usr/bin", "<home>:/usr/bin"),
        ("file:///home/alice/src/pkg", "file://<home>/src/pkg"),
        ("/home/alice2/x", "/home/alice2/x"),
        ("/home/alice.bak/x", "/home/<user>.bak/x"),  # not the home, but still the name
        ("/mnt/home/alice/x", "/mnt/home/<user>/x"),
        ("/tmp/alice/build", "/tmp/<user>/build"),
        ("alice_project", "<user>_project"),
        ("Author: alice <alice@example.com>", "Author: <user> <<user>@example.com>"),
        ("malice and alicent", "malice and alicent"),
        ("Alice", "Alice"),
        ("built on devbox-7 by alice", "built on <host> by <user>"),
        ("devbox-7.corp.example.com", "<host>"),
        ("devbox-7.other.example", "<host>.other.example"),
        ("DEVBOX-7", "<host>"),
        ("devbox-70 and my-devbox-7", "devbox-70 and my-devbox-7"),
    ],
)
def test_posix(text: str, expected: str) -> None:
    anon = Anonymizer("alice", "/home/alice/", "devbox-7.corp.example.com")
    assert anon.apply(text) == expected


def test_short_user_names_are_token_aware() -> None:
    anon = Anonymizer("al", "/home/al", None)
    assert anon.apply("/usr/lib/python3/dist-packages/calendar.py") == (
        "/usr/lib/python3/dist-packages/calendar.py"
    )
    assert anon.apply("ALSA al-2023 /srv/al/x totally") == "ALSA <user>-2023 /srv/<user>/x totally"
    assert anon.apply("/home/al/.local") == "<home>/.local"


def test_one_letter_user_is_ignored() -> None:
    anon = Anonymizer("a", "/home/a", None)
    assert anon.apply("a b /srv/a") == "a b /srv/a"
    assert anon.apply("/home/a/x") == "<home>/x"


def test_generic_names_keep_their_words_but_lose_their_home() -> None:
    anon = Anonymizer("root", "/root", "ubuntu")
    assert anon.apply("/root/.cache/pip") == "<home>/.cache/pip"
    assert anon.apply("/rootfs/etc") == "/rootfs/etc"
    assert anon.apply("root of the tree on Ubuntu 22.04") == "root of the tree on Ubuntu 22.04"
    runner = Anonymizer("python", "/home/python", "localhost")
    assert runner.apply("/home/python/app python3 localhost") == "<home>/app python3 localhost"


def test_windows() -> None:
    anon = Anonymizer("Alice", "C:\\Users\\Alice", "DESKTOP-AB12CD")
    assert anon.apply(r"C:\Users\Alice\AppData\Local\pip") == r"<home>\AppData\Local\pip"
    assert anon.apply(r"c:\users\alice\x") == r"<home>\x"
    assert anon.apply("C:/Users/Alice/x") == "<home>/x"
    assert anon.apply(r"D:\work\alice\x on desktop-ab12cd") == r"D:\work\<user>\x on <host>"


def test_nothing_to_anonymize() -> None:
    anon = Anonymizer(None, None, None)
    assert anon.apply("/home/alice") == "/home/alice"
    assert Anonymizer("", "/", "").apply("/x") == "/x"
    assert Anonymizer(None, "C:\\", None).apply(r"C:\x C:/y") == r"C:\x C:/y"


def test_apply_tree() -> None:
    anon = Anonymizer("alice", "/home/alice", "devbox")
    marker = {
        "redacted": True,
        "rule": "value:url-credentials",
        "fingerprint": "hmac-sha256:" + "0" * 32,
        "preview": "https://***@devbox:8080/simple",
    }
    tree = {
        "/home/alice/x": ["/home/alice/y", ("alice", 3)],
        "env": {"PIP_INDEX_URL": marker, "N": None},
    }
    out = anon.apply_tree(tree)
    assert out == {
        "<home>/x": ["<home>/y", ("<user>", 3)],
        "env": {
            "PIP_INDEX_URL": {**marker, "preview": "https://***@<host>:8080/simple"},
            "N": None,
        },
    }
    assert tree["env"]["PIP_INDEX_URL"]["preview"] == "https://***@devbox:8080/simple"


def test_a_host_named_after_its_user_becomes_the_host() -> None:
    anon = Anonymizer("alice", "/home/alice", "alice-laptop")
    assert anon.apply("alice-laptop: alice in /home/alice") == "<host>: <user> in <home>"
    assert Anonymizer("al", "/home/al", "al-box").apply("al-box al alpha /usr/local") == (
        "<host> <user> alpha /usr/local"
    )
