"""The host's authoritative pass: driftcheck/redaction/sweep.py."""

from __future__ import annotations

import json

from driftcheck.redaction.rules import fingerprint, is_redaction_marker, redact_environment
from driftcheck.redaction.sweep import HOST_MALFORMED, check_marker, host_redact_environment, sweep

KEY = b"k3y"
GHP = "ghp_" + "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6"
NPM = "npm_" + "Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa"


def marker(rule: str = "name:token", fp: str | None = None, preview: str | None = None) -> dict:
    return {"redacted": True, "rule": rule, "fingerprint": fp, "preview": preview}


def test_sweep_scrubs_every_string_and_key() -> None:
    tree = {
        "distributions": [
            {
                "name": "pkg",
                "direct_url": f"git+https://{GHP}@github.com/org/pkg.git@abc123",
                "location": "/srv/app/.venv/lib/python3.12/site-packages",
                "requires_dist": ("numpy>=1.26", f"private @ https://u:pw9@h/p-{1}.whl"),
                "size": 12,
                "editable": False,
                "none": None,
            }
        ],
        "pth_files": [{"code_lines": [f"import os; os.environ['NPM_TOKEN'] = '{NPM}'"]}],
        f"weird key {NPM}": "value",
    }
    clean, count = sweep(tree)
    dumped = json.dumps(clean)
    assert GHP not in dumped
    assert NPM not in dumped
    assert "pw9" not in dumped
    assert count == 4
    dist = clean["distributions"][0]
    assert dist["direct_url"] == "git+https://***@github.com/org/pkg.git@abc123"
    assert dist["location"] == tree["distributions"][0]["location"]
    assert isinstance(dist["requires_dist"], tuple)
    assert dist["requires_dist"][0] == "numpy>=1.26"
    assert (dist["size"], dist["editable"], dist["none"]) == (12, False, None)
    assert "weird key <redacted>" in clean
    assert tree["distributions"][0]["direct_url"].startswith("git+https://ghp_")  # a copy


def test_sweep_of_clean_tree_is_identity() -> None:
    tree = {"a": ["/usr/lib/python3/dist-packages", "3.12.1", {"b": (1, 2.5, True)}], "c": ""}
    assert sweep(tree) == (tree, 0)


def test_sweep_leaves_sound_markers_alone() -> None:
    fp = fingerprint("secret", KEY)
    env = {
        "GITHUB_TOKEN": marker("name:token", fp),
        "PIP_INDEX_URL": marker("value:url-credentials", fp, "https://***@pypi.example/simple"),
        "PATH": "/usr/bin",
    }
    assert sweep({"environment": env}) == ({"environment": env}, 0)


def test_sweep_repairs_markers() -> None:
    leaky = marker("value:url-credentials", None, "https://u:pw@pypi.example/simple")
    unknown_rule = marker(f"name:{GHP}")
    bad_fp = marker("name:token", GHP)
    extra = {**marker(), "value": GHP}
    clean, count = sweep({"a": leaky, "b": unknown_rule, "c": bad_fp, "d": extra})
    assert count == 4
    assert clean["a"] == marker("value:url-credentials", None, None)
    assert clean["b"] == clean["c"] == clean["d"] == marker(HOST_MALFORMED)
    assert GHP not in json.dumps(clean)


def test_check_marker() -> None:
    good = marker("value:github-token", fingerprint("x", KEY))
    assert check_marker(good) == (good, 0)
    assert check_marker("not a marker") == (marker(HOST_MALFORMED), 1)
    assert check_marker(marker(HOST_MALFORMED)) == (marker(HOST_MALFORMED), 0)


def test_host_redact_environment() -> None:
    probe_env, probe_count = redact_environment(
        {"GITHUB_TOKEN": GHP, "PIP_INDEX_URL": "https://u:pw@pypi.example/simple"}, KEY
    )
    assert probe_count == 2
    env = {
        **probe_env,
        "PATH": "/usr/local/bin:/usr/bin",
        "MISSED_BY_AN_OLD_PROBE": NPM,
        "LEAKY": marker("value:url-credentials", None, "https://u:pw@h/simple"),
        "NUMBER": 42,
        "NONE": None,
        "LIST": ["a"],
        "HALF_MARKER": {"redacted": True, "rule": "name:token"},
    }
    out, count = host_redact_environment(env, KEY)
    assert out["GITHUB_TOKEN"] == probe_env["GITHUB_TOKEN"]
    assert out["PIP_INDEX_URL"]["preview"] == "https://***@pypi.example/simple"
    assert out["PATH"] == "/usr/local/bin:/usr/bin"
    assert out["MISSED_BY_AN_OLD_PROBE"] == marker("value:npm-token", fingerprint(NPM, KEY))
    assert out["LEAKY"] == marker("value:url-credentials")
    for name in ("NUMBER", "NONE", "LIST", "HALF_MARKER"):
        assert out[name] == marker(HOST_MALFORMED), name
    assert count == 8
    assert all(is_redaction_marker(v) for k, v in out.items() if k != "PATH")
    dumped = json.dumps(out)
    assert GHP not in dumped
    assert NPM not in dumped
    assert ":pw@" not in dumped


def test_host_redact_environment_without_key() -> None:
    out, count = host_redact_environment({"API_KEY": "abc", "HOME": "/root"}, None)
    assert out == {"API_KEY": marker("name:key"), "HOME": "/root"}
    assert count == 1
