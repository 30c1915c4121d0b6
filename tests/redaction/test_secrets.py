"""The redaction rules in driftcheck/redaction/rules.py (shared by probe and host).

The canary tokens are built here in the real formats (prefixes, lengths, alphabets)
from a seeded random generator, so no real credential is in the repository and the
rules are exercised on realistic shapes.
"""

from __future__ import annotations

import ast
import base64
import json
import random
import string
import subprocess
import sys
from pathlib import Path

import pytest

from driftcheck.redaction import rules
from driftcheck.redaction.rules import (
    RULE_IDS,
    RULES_VERSION,
    fingerprint,
    is_redaction_marker,
    redact_environment,
    redact_url,
    scrub_text,
    secret_name_rule,
    secret_value_rule,
)

SECRETS_PY = Path(rules.__file__)
CI_VARIABLES_PY = SECRETS_PY.parents[1] / "redaction" / "ci_variables.py"
KEY = b"team-fingerprint-key"
RNG = random.Random(20240229)
ALNUM = string.ascii_letters + string.digits
B64 = ALNUM + "+/"
B64URL = ALNUM + "-_"
UPPER_DIGITS = string.ascii_uppercase + "234567"
HEX = "0123456789abcdef"


def rand(alphabet: str, n: int) -> str:
    while True:
        s = "".join(RNG.choice(alphabet) for _ in range(n))
        # Random tokens of these alphabets nearly always mix letters and digits; make sure.
        mixed_alphabet = any(c.isdigit() for c in alphabet) and any(c.isalpha() for c in alphabet)
        if (
            alphabet in (HEX, string.digits)
            or not mixed_alphabet
            or (any(c.isdigit() for c in s) and any(c.isalpha() for c in s))
        ):
            return s


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt() -> str:
    header = b64url(json.dumps({"alg": "RS256", "typ": "JWT", "kid": rand(HEX, 16)}).encode())
    claims = {"sub": "1234567890", "iss": "https://gitlab.example.com", "iat": 1700000000}
    payload = b64url(json.dumps(claims).encode())
    return f"{header}.{payload}.{b64url(RNG.randbytes(256))}"


def make_pem(kind: str) -> tuple[str, str]:
    body = base64.b64encode(RNG.randbytes(600)).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    block = f"-----BEGIN {kind}-----\n" + "\n".join(lines) + f"\n-----END {kind}-----\n"
    return block, lines[3]


AKIA = "AKIA" + rand(UPPER_DIGITS, 16)
AWS_SECRET = rand(B64, 40)
GHP = "ghp_" + rand(ALNUM, 36)
GHO = "gho_" + rand(ALNUM, 36)
GITHUB_PAT = "github_pat_" + rand(ALNUM, 22) + "_" + rand(ALNUM, 59)
GLPAT = "glpat-" + rand(B64URL, 20)
GLRT = "glrt-" + rand(B64URL, 20)
GLDT = "gldt-" + rand(B64URL, 20)
GR = "GR1348941" + rand(B64URL, 20)
XOXB = f"xoxb-{rand(string.digits, 12)}-{rand(string.digits, 13)}-{rand(ALNUM, 24)}"
SLACK_HOOK = f"https://hooks.slack.com/services/T{rand(UPPER_DIGITS, 8)}/B{rand(UPPER_DIGITS, 10)}/{rand(ALNUM, 24)}"  # noqa: E501
DISCORD_HOOK = f"https://discord.com/api/webhooks/{rand(string.digits, 18)}/{rand(B64URL, 68)}"
STRIPE = "sk_live_" + rand(ALNUM, 24)
GOOGLE = "AIza" + rand(B64URL, 35)
JWT = make_jwt()
PEM_RSA, PEM_RSA_LINE = make_pem("RSA PRIVATE KEY")
PEM_SSH, PEM_SSH_LINE = make_pem("OPENSSH PRIVATE KEY")
PEM_PGP, PEM_PGP_LINE = make_pem("PGP PRIVATE KEY BLOCK")
NPM = "npm_" + rand(ALNUM, 36)
PYPI = "pypi-AgEIcHlwaS5vcmc" + rand(B64URL, 70)
OPENAI = "sk-proj-" + rand(B64URL, 64)
ANTHROPIC = "sk-ant-api03-" + rand(B64URL, 93) + "AA"
HF = "hf_" + rand(string.ascii_letters, 34)
DOCKER = "dckr_pat_" + rand(B64URL, 27)
VAULT = "hvs." + rand(B64URL, 90)
SENDGRID = f"SG.{rand(B64URL, 22)}.{rand(B64URL, 43)}"
TWILIO = "SK" + rand(HEX, 32)
AZURE_KEY = base64.b64encode(RNG.randbytes(64)).decode()
SENTRY_KEY = rand(HEX, 32)
AMZ_SIG = rand(HEX, 64)
ENTROPY = rand(ALNUM, 40)

# (env name, value, canary that must vanish, expected rule id or None for "any")
CANARIES = [
    ("SETTING_A", AKIA, AKIA, "value:aws-access-key-id"),
    (
        "AWS_SHARED_CREDENTIALS_BLOB",
        f"[default]\naws_access_key_id = {AKIA}\naws_secret_access_key = {AWS_SECRET}\n",
        AWS_SECRET,
        None,
    ),
    ("SETTING_B", GHP, GHP, "value:github-token"),
    ("SETTING_C", GHO, GHO, "value:github-token"),
    ("SETTING_D", GITHUB_PAT, GITHUB_PAT, "value:github-token"),
    ("SETTING_E", GLPAT, GLPAT, "value:gitlab-token"),
    ("SETTING_F", GLRT, GLRT, "value:gitlab-token"),
    ("SETTING_G", GLDT, GLDT, "value:gitlab-token"),
    ("RUNNER_REGISTRATION", GR, GR, "value:gitlab-token"),
    ("SETTING_H", XOXB, XOXB, "value:slack-token"),
    ("NOTIFY_TARGET", SLACK_HOOK, SLACK_HOOK.rsplit("/", 1)[1], "value:slack-webhook"),
    ("NOTIFY_DISCORD", DISCORD_HOOK, DISCORD_HOOK.rsplit("/", 1)[1], "value:discord-webhook"),
    ("SETTING_I", STRIPE, STRIPE, "value:stripe-key"),
    ("MAPS", GOOGLE, GOOGLE, "value:google-api-key"),
    ("SETTING_J", JWT, JWT.split(".")[2][:40], "value:jwt"),
    ("DEPLOY_MATERIAL", PEM_RSA, PEM_RSA_LINE, "value:pem-private-key"),
    ("SETTING_K", PEM_SSH, PEM_SSH_LINE, "value:pem-private-key"),
    ("SETTING_L", PEM_PGP, PEM_PGP_LINE, "value:pem-private-key"),
    ("SETTING_M", NPM, NPM, "value:npm-token"),
    ("TWINE_CONFIG", PYPI, PYPI, "value:pypi-token"),
    ("LLM_A", OPENAI, OPENAI, "value:openai-key"),
    ("LLM_B", ANTHROPIC, ANTHROPIC, "value:anthropic-key"),
    ("HUB", HF, HF, "value:huggingface-token"),
    ("REGISTRY", DOCKER, DOCKER, "value:docker-hub-token"),
    ("VAULT_ADDR_AND_MORE", VAULT, VAULT, "value:vault-token"),
    ("MAILER", SENDGRID, SENDGRID, "value:sendgrid-key"),
    ("SMS", TWILIO, TWILIO, "value:twilio-key"),
    (
        "STORAGE",
        f"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={AZURE_KEY};"
        "EndpointSuffix=core.windows.net",
        AZURE_KEY[:40],
        None,
    ),
    ("PIP_INDEX_URL", "https://deploy:s3cr3tPw0rd@pypi.example.com/simple", "s3cr3tPw0rd", None),
    ("HTTPS_PROXY", "http://proxyuser:Pr0xyPa55@proxy.corp.example:3128", "Pr0xyPa55", None),
    ("DATABASE_URL", "postgres://app:dbPassw0rd@db.internal:5432/app", "dbPassw0rd", None),
    ("REDIS_URL", "redis://:r3disPa55word@cache:6379/0", "r3disPa55word", None),
    ("ERROR_REPORTING", f"https://{SENTRY_KEY}@o1234.ingest.sentry.io/56", SENTRY_KEY, None),
    ("SENTRY_DSN", f"https://{SENTRY_KEY}@o1234.ingest.sentry.io/56", SENTRY_KEY, "name:dsn"),
    (
        "ARTIFACT",
        "https://bucket.s3.amazonaws.com/a.whl?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        f"&X-Amz-Date=20240101T000000Z&X-Amz-Signature={AMZ_SIG}",
        AMZ_SIG,
        "value:url-query",
    ),
    ("ENCODED_BLOB", base64.b64encode(GHP.encode()).decode(), GHP, "value:base64:github-token"),
    (
        "REGISTRY_LOGIN_B64",
        base64.b64encode(b"ci-bot:Wh4tEver-P4ss").decode(),
        base64.b64encode(b"ci-bot:Wh4tEver-P4ss").decode(),
        "value:base64:basic-auth",
    ),
    (
        "APP_CONFIG_YAML",
        "server:\n  port: 8080\n  password: hunter2-Secret\nlogging: info\n",
        "hunter2-Secret",
        "value:secret-assignment",
    ),
    (
        "JAVA_TOOL_OPTIONS",
        "-Xmx2g -Ddb.password=Sup3rS3cret -Dfile.encoding=UTF-8",
        "Sup3rS3cret",
        None,
    ),
    ("EXTRA_HEADERS", f"Authorization: Bearer {rand(B64URL, 40)}", None, "value:auth-header"),
    (
        "GOOGLE_SA_JSON",
        json.dumps({"type": "service_account", "private_key": PEM_RSA}),
        PEM_RSA_LINE,
        None,
    ),
    ("APP_DB", "Server=db;Database=app;User Id=sa;Password=Pa55w0rd!;", "Pa55w0rd!", None),
    ("SOME_OPAQUE_VALUE", ENTROPY, ENTROPY, "value:high-entropy"),
    ("NETRC_CONTENT", "machine pypi.example.com login ci password Ne7rcPass\n", "Ne7rcPass", None),
    ("DB_PASSWORD", "hunter2", "hunter2", "name:password"),
    ("MYSQL_PWD", "letmein42", "letmein42", "name:pwd"),
    ("SECRET_KEY_BASE", rand(HEX, 128), None, "name:secret"),
    ("CI_JOB_TOKEN", rand(B64URL, 20), None, "name:token"),
    ("GH_TOKEN", GHP, GHP, "name:token"),
]


@pytest.mark.parametrize(
    ("name", "value", "canary", "rule"), CANARIES, ids=[c[0] for c in CANARIES]
)
def test_canary_is_redacted(name: str, value: str, canary: str | None, rule: str | None) -> None:
    out, count = redact_environment({name: value, "LANG": "C.UTF-8"}, KEY)
    assert count == 1
    assert out["LANG"] == "C.UTF-8"
    marker = out[name]
    assert is_redaction_marker(marker), marker
    assert set(marker) == {"redacted", "rule", "fingerprint", "preview"}  # no length field
    assert marker["rule"] in RULE_IDS
    if rule is not None:
        assert marker["rule"] == rule
    assert marker["fingerprint"] == fingerprint(value, KEY)
    dumped = json.dumps(out)
    assert value not in dumped
    if canary is not None:
        assert canary not in dumped


def test_there_are_enough_canaries() -> None:
    assert len(CANARIES) >= 30


@pytest.mark.parametrize(
    ("name", "value", "preview"),
    [
        (
            "PIP_INDEX_URL",
            "https://deploy:s3cr3tPw0rd@pypi.example.com/simple",
            "https://***@pypi.example.com/simple",
        ),
        ("HTTPS_PROXY", "http://u:Pr0xyPa55@proxy:3128", "http://***@proxy:3128"),
        (
            "PIP_EXTRA_INDEX_URL",
            "https://a:b1@one.example/simple https://two.example/simple,https://c:d2@three/x",
            "https://***@one.example/simple https://two.example/simple,https://***@three/x",
        ),
        (
            "ARTIFACT",
            "https://host/f.whl?X-Amz-Signature=abc123def456&X-Amz-Date=20240101",
            "https://host/f.whl?X-Amz-Signature=***&X-Amz-Date=20240101",
        ),
        (
            "CI_REPOSITORY_URL",
            "https://gitlab-ci-token:[MASKED]@gitlab.com/g/p.git",
            "https://***@gitlab.com/g/p.git",
        ),
    ],
)
def test_url_preview(name: str, value: str, preview: str | None) -> None:
    out, count = redact_environment({name: value}, None)
    assert count == 1
    assert out[name]["preview"] == preview
    assert out[name]["fingerprint"] is None


def test_no_preview_when_name_is_secret_or_url_holds_more() -> None:
    env = {
        "SENTRY_DSN": "https://abc123def456abc123@o1.ingest.sentry.io/5",
        "INSTALL_CMD": "pip install --index-url https://u:pw1@host/simple pkg",
        "MIRROR": f"https://u:pw1@host/{GHP}/simple",
    }
    out, count = redact_environment(env, None)
    assert count == 3
    assert all(out[name]["preview"] is None for name in env)
    assert out["MIRROR"]["rule"] == "value:github-token"


DEBIAN_CI_ENV = {
    "PATH": "/builds/g/p/.venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOME": "/root",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "PWD": "/builds/group/project",
    "OLDPWD": "/builds/group",
    "VIRTUAL_ENV": "/builds/group/project/.venv",
    "PYTHONPATH": "/builds/group/project/src:/opt/lib/python",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHON_VERSION": "3.12.1",
    "PYTHON_SHA256": "8dfb8f426fcd226657f9e2bd5f1e96e53264965176fa17d32658e873591aeb21",
    "GPG_KEY": "7169605F62C751356D054A26A821E680E5FA6305",
    "CI": "true",
    "GITLAB_CI": "true",
    "CI_COMMIT_SHA": "1f0e3dad99908345f7439f8ffabdffc4a1b2c3d4",
    "CI_COMMIT_SHORT_SHA": "1f0e3dad",
    "CI_COMMIT_REF_NAME": "feature/drift-check",
    "CI_COMMIT_MESSAGE": "Fix wheel tags on aarch64 (#123)\n\nSigned-off-by: Dev <dev@example.com>",
    "CI_PIPELINE_ID": "1122334455",
    "CI_JOB_ID": "6677889900",
    "CI_JOB_NAME": "test: [3.12, bookworm]",
    "CI_PROJECT_DIR": "/builds/group/project",
    "CI_PROJECT_URL": "https://gitlab.example.com/group/project",
    "CI_SERVER_URL": "https://gitlab.example.com",
    "CI_SERVER_TLS_CA_FILE": "/builds/group/project.tmp/CI_SERVER_TLS_CA_FILE",
    "CI_RUNNER_ID": "42",
    "CI_RUNNER_TAGS": '["docker", "linux"]',
    "GITLAB_USER_EMAIL": "dev@example.com",
    "GIT_AUTHOR_NAME": "Dev Eloper",
    "HOSTNAME": "runner-xyz12ab-project-1234-concurrent-0",
    "TERM": "xterm-256color",
    "SHELL": "/bin/bash",
    "SHLVL": "1",
    "PIP_INDEX_URL": "https://pypi.org/simple",
    "PIP_NO_CACHE_DIR": "off",
    "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    "HTTPS_PROXY": "http://proxy.corp.example:3128",
    "NO_PROXY": "localhost,127.0.0.1,.svc,.cluster.local",
    "LD_LIBRARY_PATH": "/usr/local/lib:/usr/lib/x86_64-linux-gnu",
    "JAVA_HOME": "/usr/lib/jvm/java-17-openjdk-amd64",
    "DEBIAN_FRONTEND": "noninteractive",
    "TZ": "Etc/UTC",
    "REQUEST_ID": "550e8400-e29b-41d4-a716-446655440000",
    "INVOCATION_ID": "0f8fad5bd9cb469fa16570867728950e",
    "KUBERNETES_SERVICE_HOST": "10.96.0.1",
    "KUBERNETES_PORT": "tcp://10.96.0.1:443",
    "POD_NAME": "myapp-deployment-7d4b9c8f6-x2x9z",
    "RUNNER_TRACKING_ID": "github_c3e1c1a4-5f1b-4c1e-9a6e-2b8c1e1c8e3a",
    "DJANGO_SETTINGS_MODULE": "myproject.settings.ci",
    "TOKENIZERS_PARALLELISM": "false",
    "KEYBOARD_LAYOUT": "us",
    "APT_KEY_DONT_WARN_ON_DANGEROUS_USAGE": "1",
    "SSH_AUTH_SOCK": "/tmp/ssh-XXXXabcd/agent.1234",
    "GIT_ASKPASS": "/usr/lib/git-core/git-gui--askpass",
    "XAUTHORITY": "/run/user/1000/gdm/Xauthority",
    "XDG_SESSION_ID": "3",
    "DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/1000/bus",
    "SESSION_MANAGER": "local/laptop:@/tmp/.ICE-unix/1234,unix/laptop:/tmp/.ICE-unix/1234",
    "GNOME_KEYRING_CONTROL": "/run/user/1000/keyring",
    "GOOGLE_APPLICATION_CREDENTIALS_FILE": "/secrets/sa.json",
    "LS_COLORS": "rs=0:di=01;34:ln=01;36:mh=00:pi=40;33:so=01;35:*.tar=01;31:*.tgz=01;31",
    "PS1": r"\u@\h:\w\$ ",
    "EMPTY_TOKEN": "",
    "IMAGE": "registry.example.com/group/project/ci@sha256:" + "ab" * 32,
    "GIT_REMOTE": "git@github.com:org/repo.git",
    "SSH_REMOTE": "ssh://git@github.com/org/repo.git",
    "NUMBER": "12345678901234567890",
    "ENABLE_FEATURE": "yes",
}


def test_realistic_ci_environment_stays_in_clear() -> None:
    out, count = redact_environment(DEBIAN_CI_ENV, KEY)
    flagged = {k: v for k, v in out.items() if is_redaction_marker(v)}
    assert flagged == {}
    assert count == 0
    assert out == DEBIAN_CI_ENV


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("GITHUB_TOKEN", "name:token"),
        ("ci_job_token", "name:token"),
        ("AWS_SECRET_ACCESS_KEY", "name:secret"),
        ("AWS_ACCESS_KEY_ID", "name:key"),
        ("API_KEY", "name:key"),
        ("APIKEY", "name:key"),
        ("STRIPE_KEYS", "name:key"),
        ("SSH_KEY", "name:key"),
        ("DB_PASSWORD", "name:password"),
        ("PGPASSWORD", "name:password"),
        ("CERT_PASSWORD", "name:password"),
        ("GPG_PASSPHRASE", "name:password"),
        ("SMTP_PASS", "name:password"),
        ("HTPASSWD", "name:password"),
        ("MYSQL_PWD", "name:pwd"),
        ("GOOGLE_CREDENTIALS", "name:credential"),
        ("NPM_AUTH", "name:auth"),
        ("HTTP_AUTHORIZATION", "name:auth"),
        ("OAUTH_CLIENT", "name:auth"),
        ("SSH_PRIVATE_KEY", "name:private"),
        ("SESSION_ID", "name:session"),
        ("COOKIE_JAR_CONTENT", "name:cookie"),
        ("SENTRY_DSN", "name:dsn"),
        ("REQUEST_SIGNATURE", "name:signature"),
        ("PASSWORD_SALT", "name:password"),
        ("HASH_SALT", "name:salt"),
        ("SLACK_WEBHOOK_URL", "name:webhook"),
        ("AZURE_STORAGE_CONNECTION_STRING", "name:connection-string"),
        ("CI_JOB_JWT_V2", "name:token"),
        ("my.secret-value", "name:secret"),
    ],
)
def test_secret_names(name: str, rule: str) -> None:
    assert secret_name_rule(name) == rule
    assert rule in RULE_IDS


@pytest.mark.parametrize(
    "name",
    [
        "PWD",
        "OLDPWD",
        "PATH",
        "PYTHONPATH",
        "KEYPATH",
        "MANPATH",
        "HOME",
        "KEYBOARD_LAYOUT",
        "MONKEY_PATCH",
        "DONKEY",
        "TOKENIZERS_PARALLELISM",
        "GIT_AUTHOR_NAME",
        "CERT_AUTHORITY",
        "XAUTHORITY",
        "SSH_AUTH_SOCK",
        "GIT_ASKPASS",
        "SSH_ASKPASS",
        "PASSWORD_FILE",
        "SECRET_KEY_FILE",
        "TOKEN_URL",
        "AUTH_TYPE",
        "APT_KEY_DONT_WARN_ON_DANGEROUS_USAGE",
        "GNOME_KEYRING_CONTROL",
        "XDG_SESSION_TYPE",
        "DBUS_SESSION_BUS_ADDRESS",
        "DESKTOP_SESSION",
        "GPG_KEY",
        "BYPASS_CACHE",
        "",
        "__",
    ],
)
def test_public_names(name: str) -> None:
    assert secret_name_rule(name) is None


@pytest.mark.parametrize(
    "value",
    [
        "/usr/local/bin:/usr/bin:/bin",
        "/home/alice/projects/my-app-2024/venv/lib/python3.12/site-packages",
        r"C:\Users\alice\AppData\Local\Programs\Python\Python312",
        "https://pypi.org/simple",
        "https://files.pythonhosted.org/packages/ab/cd/numpy-2.0.0-cp312-cp312-manylinux_2_17_x86_64.whl",
        "git+https://github.com/org/repo.git@v1.2.3#egg=repo",
        "3.12.1",
        "2.0.0rc1+local.build.7",
        "true",
        "0",
        "-1.5e10",
        "en_US.UTF-8",
        "C.UTF-8",
        "sha256:" + "0123456789abcdef" * 4,
        "da39a3ee5e6b4b0d3255bfef95601890afd80709",
        "550e8400-e29b-41d4-a716-446655440000",
        "numpy>=1.26; python_version >= '3.9'",
        "--index-url https://pypi.org/simple --extra-index-url https://example.com/simple",
        "ThisIsALongCamelCaseName2",
        "x86_64-linux-gnu-gcc-12-build7",
        "/run/user/1000/vscode-git-1a2b3c4d5e.sock",
        "myapp-deployment-7d4b9c8f6-x2x9z",
        "Programming Language :: Python :: 3 :: Only",
        "password=",
        "password=$DB_PASSWORD",
        "token=***",
        "https://***@pypi.example/simple",
        "short",
    ],
)
def test_ordinary_values_are_not_secret(value: str) -> None:
    assert secret_value_rule(value) is None
    assert scrub_text(value) == (value, 0)


def test_entropy_rule_skips_hex_but_catches_random_base64() -> None:
    assert secret_value_rule(rand(HEX, 64)) is None
    assert secret_value_rule(rand(HEX, 40).upper()) is None
    assert secret_value_rule(rand(B64, 48)) == "value:high-entropy"
    assert secret_value_rule("token is " + rand(B64URL, 32) + " ok") == "value:high-entropy"
    # The entropy rule is for env values only: free text keeps its hashes and ids.
    value = rand(B64, 48)
    assert scrub_text(f"id {value} here") == (f"id {value} here", 0)


def test_base64_of_secrets() -> None:
    for secret in (GHP, PEM_RSA, "https://u:p4ssw0rd@host/x", SENDGRID):
        std = base64.b64encode(secret.encode()).decode()
        url = base64.urlsafe_b64encode(secret.encode()).decode().rstrip("=")
        assert (secret_value_rule(std) or "").startswith("value:base64:")
        assert (secret_value_rule(url) or "").startswith("value:base64:")
        assert scrub_text(f"x={std} y")[1] == 1
    twice = base64.b64encode(base64.b64encode(NPM.encode())).decode()
    assert secret_value_rule(twice) == "value:base64:npm-token"


def test_multi_line_value_is_scanned_whole() -> None:
    value = "first line\nsecond line\n" * 50 + f"export NPM_TOKEN={NPM}\n" + "tail\n" * 50
    assert secret_value_rule(value) is not None
    text, count = scrub_text(value)
    assert NPM not in text
    assert count == 1


def test_fingerprints() -> None:
    a1 = fingerprint("hunter2", KEY)
    assert a1 is not None
    assert a1.startswith("hmac-sha256:")
    assert len(a1) == len("hmac-sha256:") + 32
    assert a1 == fingerprint("hunter2", KEY)
    assert a1 != fingerprint("hunter3", KEY)
    assert a1 != fingerprint("hunter2", b"another-key")
    assert fingerprint("hunter2", None) is None
    assert fingerprint("hunter2", b"") is None
    import hashlib

    assert a1[12:] not in hashlib.sha256(b"hunter2").hexdigest()
    assert fingerprint("\udcff surrogate", KEY) is not None


def test_markers_compare_across_snapshots() -> None:
    left, _ = redact_environment({"API_KEY": "same", "DB_PASSWORD": "one"}, KEY)
    right, _ = redact_environment({"API_KEY": "same", "DB_PASSWORD": "two"}, KEY)
    assert left["API_KEY"] == right["API_KEY"]
    assert left["DB_PASSWORD"] != right["DB_PASSWORD"]


def test_non_text_values_are_redacted() -> None:
    out, count = redact_environment({"WEIRD": 42}, KEY)  # type: ignore[dict-item]
    assert count == 1
    assert out["WEIRD"]["rule"] == "value:not-text"


def test_is_redaction_marker() -> None:
    good = {"redacted": True, "rule": "name:token", "fingerprint": None, "preview": None}
    assert is_redaction_marker(good)
    assert not is_redaction_marker({**good, "length": 12})
    assert not is_redaction_marker({**good, "redacted": 1})
    assert not is_redaction_marker({**good, "rule": None})
    assert not is_redaction_marker({**good, "preview": 3})
    assert not is_redaction_marker([good])
    assert not is_redaction_marker("redacted")


@pytest.mark.parametrize(
    ("url", "expected", "changed"),
    [
        ("https://user:pw@host/simple", "https://***@host/simple", True),
        ("https://host/simple", "https://host/simple", False),
        ("git@github.com:org/repo.git", "git@github.com:org/repo.git", False),
        ("ssh://git@github.com/org/repo", "ssh://git@github.com/org/repo", False),
        (f"https://{GHP}@github.com/o/r.git", "https://***@github.com/o/r.git", True),
        (f"https://x-access-token:{GHP}@github.com/o/r", "https://***@github.com/o/r", True),
        ("https://u:p@ss@host/x", "https://***@host/x", True),
        ("https://h/p?a=1&access_token=abc&b=2", "https://h/p?a=1&access_token=***&b=2", True),
        ("https://h/p?sig=abc&se=2024", "https://h/p?sig=***&se=2024", True),
        ("https://h/cb#id_token=abc.def&state=x", "https://h/cb#id_token=***&state=x", True),
        ("https://h/p?token_type=bearer", "https://h/p?token_type=bearer", False),
        ("", "", False),
        ("://", "://", False),
        ("http://@", "http://@", False),
        ("http://[::1", "http://[::1", False),
        ("\x00\udcff://a:b@", "\x00\udcff://a:b@", False),
    ],
)
def test_redact_url(url: str, expected: str, changed: bool) -> None:
    assert redact_url(url) == (expected, changed)


def test_redact_url_never_raises() -> None:
    rng = random.Random(7)
    pieces = ["://", "@", ":", "/", "?", "&", "=", "#", "%", "[", "]", "a", "1", " ", "\n", "é"]
    for _ in range(2000):
        url = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        result, changed = redact_url(url)
        assert isinstance(result, str)
        assert changed == (result != url)


@pytest.mark.parametrize(
    ("text", "expected", "count"),
    [
        ("plain words only", "plain words only", 0),
        ("/usr/lib/python3/dist-packages/foo.py", "/usr/lib/python3/dist-packages/foo.py", 0),
        (
            "git+https://u:pw@gitlab.example/g/p.git@abc",
            "git+https://***@gitlab.example/g/p.git@abc",
            1,
        ),
        (f"export GITHUB_TOKEN={GHP}", "export GITHUB_TOKEN=<redacted>", 1),
        (f"curl -H 'X: {GLPAT}' https://h", "curl -H 'X: <redacted>' https://h", 1),
        ("mysql --password=hunter2 db", "mysql --password=<redacted> db", 1),
        ('{"client_secret": "abc123"}', '{"client_secret": <redacted>}', 1),
        (f"a {AKIA} b {NPM} c", "a <redacted> b <redacted> c", 2),
        ("see https://h/x?api_key=k1&v=2", "see https://h/x?api_key=***&v=2", 1),
        ("import _virtualenv", "import _virtualenv", 0),
        ("numpy==1.26.4; extra == 'test'", "numpy==1.26.4; extra == 'test'", 0),
        ("sha256=" + "ab" * 32, "sha256=" + "ab" * 32, 0),
    ],
)
def test_scrub_text(text: str, expected: str, count: int) -> None:
    assert scrub_text(text) == (expected, count)


def test_scrub_text_removes_whole_pem_block() -> None:
    text = "before\n" + PEM_RSA + "after"
    scrubbed, count = scrub_text(text)
    assert scrubbed == "before\n<redacted>\nafter"
    assert count == 1


def test_scrub_text_canaries() -> None:
    """Every canary a pattern rule finds also vanishes from free text."""
    for name, value, canary, rule in CANARIES:
        if rule is not None and rule.startswith(("name:", "value:high-entropy")):
            continue
        scrubbed, count = scrub_text(f"{name}={value}")
        assert count >= 1, name
        assert value not in scrubbed, name
        if canary is not None:
            assert canary not in scrubbed, name


ADVERSARIAL = [
    "a" * 1_000_000,
    "eyJ" * 333_333,
    "eyJhbGciOi." * 90_000,
    "-----BEGIN RSA PRIVATE KEY-----" * 32_000,
    "https://" + "a" * 1_000_000,
    "a://" * 250_000,
    "?a=" * 333_333,
    "&" * 1_000_000,
    "a=" * 500_000,
    "--password" * 100_000,
    "=" * 1_000_000,
    "/" * 1_000_000,
    "@" * 1_000_000,
    ":" * 1_000_000,
    "ab1+" * 250_000,
    "AKIA" * 250_000,
    "sk-" * 333_333,
    "ghp_" * 250_000,
    "xoxb-" * 200_000,
    "\n password: x" * 70_000,
    "Bearer " * 140_000,
    "aws_secret_access_key=" * 45_000,
    "SG." * 333_333,
    "hooks.slack.com/services/" * 40_000,
    "A1b2" * 250_000,
    "a-b_" * 250_000,
    "machine x password " * 50_000,
    "password machine " * 60_000,
]


@pytest.mark.parametrize("text", ADVERSARIAL, ids=[t[:12] for t in ADVERSARIAL])
def test_adversarial_megabyte_strings_finish(text: str) -> None:
    # No wall-clock assertion (see DESIGN.md): a regex with catastrophic backtracking
    # would make this test hang, which is the failure this guards against.
    scrub_text(text)
    secret_value_rule(text)
    redact_url(text)


def test_rules_version_and_ids() -> None:
    assert RULES_VERSION == "2"
    assert all(rule.startswith(("name:", "value:")) for rule in RULE_IDS)


def test_secrets_module_runs_on_python_38() -> None:
    # vermin has no __main__ module: run its console-script function in this interpreter.
    run_vermin = "import sys, vermin; sys.exit(vermin.main())"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            run_vermin,
            "--target=3.8-",
            "--no-tips",
            "--violations",
            str(SECRETS_PY),
            str(CI_VARIABLES_PY),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_secrets_module_imports_only_the_standard_library() -> None:
    tree = ast.parse(SECRETS_PY.read_text(encoding="utf-8"))
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "no relative imports"
            assert node.module is not None
            modules.add(node.module.split(".")[0])
    assert modules
    assert "__future__" not in modules  # it would not be first once prepended to the probe
    # The one exception: the CI variable lists, plain data prepended to the probe before it.
    modules.discard("driftcheck")
    assert modules <= set(sys.stdlib_module_names), modules - set(sys.stdlib_module_names)
    data = ast.parse(CI_VARIABLES_PY.read_text(encoding="utf-8"))
    assert not [n for n in ast.walk(data) if isinstance(n, ast.Import | ast.ImportFrom)]


def _other_interpreters() -> list[str]:
    """CPython 3.8+ interpreters on this machine other than the one running the tests."""
    import glob
    import os
    import shutil

    found = {shutil.which(f"python3.{minor}") for minor in range(8, 15)}
    found.update(glob.glob(os.path.expanduser("~/.pyenv/versions/3.*/bin/python3")))
    usable = set()
    for exe in sorted(p for p in found if p):
        probe = "import sys; print(sys.version_info >= (3, 8), sys.version_info[:2] != %r)"
        check = subprocess.run(
            [exe, "-c", probe % (tuple(sys.version_info[:2]),)],
            capture_output=True,
            text=True,
            check=False,
        )
        if check.returncode == 0 and check.stdout.split() == ["True", "True"]:
            usable.add(os.path.realpath(exe))
    return sorted(usable)


def test_same_results_when_run_inside_other_interpreters() -> None:
    """The file runs as the probe's prefix (exec'd, not imported) on old and new CPythons."""
    interpreters = _other_interpreters()
    if not interpreters:
        pytest.skip("no other CPython 3.8+ interpreter on this machine")
    env = {name: value for name, value, _, _ in CANARIES} | DEBIAN_CI_ENV
    texts = [f"{name}={value}" for name, value, _, _ in CANARIES] + ADVERSARIAL[:3]
    script = (
        "import json, sys\n"
        "ns = {'__name__': 'probe'}\n"
        f"exec(compile(open({str(CI_VARIABLES_PY)!r}).read(), 'ci_variables.py', 'exec'), ns)\n"
        f"exec(compile(open({str(SECRETS_PY)!r}).read(), 'rules.py', 'exec'), ns)\n"
        "data = json.load(sys.stdin)\n"
        "key = data['key'].encode()\n"
        "out = [ns['redact_environment'](data['env'], key)]\n"
        "out.append([ns['scrub_text'](t) for t in data['texts']])\n"
        "json.dump(out, sys.stdout)\n"
    )
    expected = json.loads(
        json.dumps(
            [redact_environment(env, KEY), [scrub_text(t) for t in texts]],
        )
    )
    stdin = json.dumps({"env": env, "texts": texts, "key": KEY.decode()})
    for exe in interpreters:
        result = subprocess.run(
            [exe, "-c", script], input=stdin, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, (exe, result.stderr)
        assert json.loads(result.stdout) == expected, exe
