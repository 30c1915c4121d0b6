"""The fast redaction pass of a loaded snapshot (`sweep_document`) gives what `sweep` does.

`sweep_document` screens all the strings of a document in one scan (`screen_texts`)
and sweeps only when one would change: if the screen missed a text that `scrub_text`
changes, a secret in an edited snapshot file would survive its load. So the screen is
held to `scrub_text` on every secret shape the leak tests know, on the command lines
of the command-line tests, at every place in a text and among clean texts, and on
random texts built from the rules' own trigger words.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from driftcheck.redaction.rules import make_marker, screen_texts, scrub_text
from driftcheck.redaction.sweep import sweep, sweep_document

from canaries import CANARIES, SECRET_SHAPES

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hostile"))
import properties  # loads the ci, dev or thorough profile
from test_command_lines import IN_TEXT, NOT_SECRET

SECRETS = [shape.value for shape in SECRET_SHAPES] + list(CANARIES.values())
COMMANDS = [text for text, _ in IN_TEXT] + list(NOT_SECRET)
CLEAN = ['numpy>=1.26; python_version < "3.12"', "/usr/lib/python3/dist-packages", "3.12.1"]


def _placed(secret: str) -> list[str]:
    """SECRET alone, and at the start, the middle and the end of a longer text."""
    return [secret, f"{secret} tail", f"head {secret}", f"x={secret};y", f"-p{secret}"]


def _missed(texts: list[str]) -> list[str]:
    flagged = set(screen_texts(texts))
    return [t for i, t in enumerate(texts) if scrub_text(t)[1] and i not in flagged]


def test_the_screen_flags_every_secret_shape_wherever_it_stands() -> None:
    texts = [t for s in SECRETS for t in _placed(s)] + COMMANDS
    texts = [t for t in texts if t.isascii()]
    assert any(scrub_text(t)[1] for t in texts)  # the corpus holds what it should
    assert _missed(texts) == []
    assert _missed(CLEAN + texts + CLEAN) == []  # among clean texts, on either side
    for text in texts:  # alone, where the joined scan starts and ends at the text
        assert _missed([text]) == []


def test_the_screen_lets_ordinary_texts_through() -> None:
    assert screen_texts(CLEAN) == []


@given(
    st.lists(
        st.lists(
            st.sampled_from(
                [
                    "ghp_",
                    "sk-",
                    "AKIA",
                    "eyJ",
                    "://",
                    "@",
                    ":",
                    "=",
                    "-p",
                    "--password",
                    " ",
                    "\n",
                    "token",
                    "PASSWORD",
                    "x",
                    "Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv1Wx2",
                    "dXNlcjpwYXNzd29yZDEyMw==",
                    "'",
                    '"',
                    "https",
                    "AIza",
                    "-",
                    "_",
                ]
            ),
            max_size=12,
        ).map("".join),
        max_size=8,
    )
)
@properties.examples(300)
def test_the_screen_never_misses_what_scrub_text_changes(texts: list[str]) -> None:
    assert _missed(texts) == []


def _document(secret: str) -> dict[str, object]:
    return {
        "format": "driftcheck-snapshot",
        "distributions": [
            {"name": "pkg", "requires_dist": ["numpy>=1.26", secret], "size": 3, "ok": True},
        ],
        "environment": {"HOME": "/root", "GITHUB_TOKEN": make_marker("name:token")},
        f"key {secret}": None,
        "nested": [[{"deep": [secret, 1.5]}]],
    }


def test_sweep_document_equals_sweep_for_every_secret_shape() -> None:
    for secret in SECRETS + COMMANDS:
        document = _document(secret)
        expected = sweep(json.loads(json.dumps(document)))[0]
        assert sweep_document(json.loads(json.dumps(document))) == expected


def test_a_clean_document_comes_back_as_it_is() -> None:
    document = _document("numpy>=1.26")
    assert sweep_document(document) is document


def test_a_marker_in_need_of_repair_is_repaired() -> None:
    document = {
        "environment": {
            "T": {"redacted": True, "rule": "name:nope", "fingerprint": None, "preview": None}
        }
    }
    assert sweep_document(json.loads(json.dumps(document))) == sweep(document)[0]
    assert sweep_document(document)["environment"]["T"]["rule"] == "host:malformed"
