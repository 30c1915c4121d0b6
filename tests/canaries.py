"""Fake secrets in real token formats, shared by every leak test.

`CANARIES` is the small set the host tests plant; `SECRET_SHAPES` is the full suite
(more than 30 shapes: cloud and forge tokens, JWTs, PEM blocks, credentials in URLs,
base64-encoded and high-entropy values, multi-line values), each with the
substrings that must never appear in any output. Values are built from a seeded
generator in the real alphabets and lengths: no real credential is in the repository.
"""

from __future__ import annotations

import base64
import json
import random
import string
from dataclasses import dataclass

# Fake secrets in real token formats, planted in the probed environment. None
# of them may appear in a snapshot, on a terminal or in an error message.
CANARIES = {
    "AWS_ACCESS_KEY_ID": "AKIAZ7QWERTY12345ABC",
    "GITHUB_TOKEN": "ghp_" + "Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv1Wx2",
    "CI_JOB_TOKEN_X": "glpat-" + "Zx9Yw8Vu7Ts6Rq5Po4Nm",
    "DEPLOY_PEM": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n"
    "-----END PRIVATE KEY-----",
    "SESSION_JWT": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkphbmUifQ."
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    "PIP_INDEX_URL": "https://deploy:s3cr3tPassw0rdXYZ@pypi.corp.example/simple",
}
CANARY_SUBSTRINGS = (
    "AKIAZ7QWERTY12345ABC",
    "Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv1Wx2",
    "Zx9Yw8Vu7Ts6Rq5Po4Nm",
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    "s3cr3tPassw0rdXYZ",
)


def assert_no_canary(*texts: str) -> None:
    for text in texts:
        for canary in CANARY_SUBSTRINGS:
            assert canary not in text, f"secret {canary[:6]}... leaked"


# --------------------------------------------------------------------------- full suite

_RNG = random.Random(20261128)
_ALNUM = string.ascii_letters + string.digits
_B64 = _ALNUM + "+/"
_B64URL = _ALNUM + "-_"
_UPPER = string.ascii_uppercase + string.digits
_HEX = "0123456789abcdef"


def _rand(alphabet: str, n: int) -> str:
    while True:  # mixed letters and digits, as real tokens nearly always are
        s = "".join(_RNG.choice(alphabet) for _ in range(n))
        mixed_alphabet = any(c.isdigit() for c in alphabet) and any(c.isalpha() for c in alphabet)
        mixed = any(c.isdigit() for c in s) and any(c.isalpha() for c in s)
        if alphabet == _HEX or not mixed_alphabet or mixed:
            return s


def _pem(kind: str) -> tuple[str, str]:
    body = base64.b64encode(_RNG.randbytes(480)).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return f"-----BEGIN {kind}-----\n" + "\n".join(lines) + f"\n-----END {kind}-----\n", lines[2]


def _jwt() -> str:
    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = part(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
    claims = part(json.dumps({"sub": "ci", "iss": "https://ci.example", "iat": 1}).encode())
    return f"{header}.{claims}.{part(_RNG.randbytes(128))}"


@dataclass(frozen=True)
class SecretShape:
    name: str  # the environment variable it is planted in
    value: str
    never: tuple[str, ...]  # substrings that must not appear in any output


_PEM_RSA, _PEM_RSA_LINE = _pem("RSA PRIVATE KEY")
_PEM_EC, _PEM_EC_LINE = _pem("EC PRIVATE KEY")
_PEM_SSH, _PEM_SSH_LINE = _pem("OPENSSH PRIVATE KEY")
_PEM_GCP, _PEM_GCP_LINE = _pem("PRIVATE KEY")
_AWS_ID = "AKIA" + _rand(_UPPER, 16)
_AWS_SECRET = _rand(_B64, 40)
_AZURE_KEY = base64.b64encode(_RNG.randbytes(64)).decode()
_SAS_SIG = _rand(_ALNUM, 43) + "%3D"
_GHP = "ghp_" + _rand(_ALNUM, 36)
_JWT = _jwt()
_ENTROPY = _rand(_ALNUM, 40)
_TWILIO_AUTH = _rand(_HEX, 32)
_STRIPE = "sk_live_" + _rand(_ALNUM, 24)
_GCP_JSON = json.dumps(
    {
        "type": "service_account",
        "project_id": "demo-project",
        "private_key_id": _rand(_HEX, 40),
        "private_key": _PEM_GCP,
        "client_email": "ci@demo-project.iam.gserviceaccount.com",
    }
)


def _shape(name: str, value: str, *never: str) -> SecretShape:
    return SecretShape(name, value, never or (value,))


SECRET_SHAPES: tuple[SecretShape, ...] = (
    _shape("CLOUD_A", _AWS_ID),
    _shape("AWS_SECRET_ACCESS_KEY", _AWS_SECRET),
    _shape(
        "CLOUD_PROFILE",
        f"[default]\naws_access_key_id = {_AWS_ID}\naws_secret_access_key = {_AWS_SECRET}\n",
        _AWS_ID,
        _AWS_SECRET,
    ),
    _shape("GCP_SA", _GCP_JSON, _PEM_GCP_LINE),
    _shape(
        "AZURE_STORAGE",
        f"DefaultEndpointsProtocol=https;AccountName=demo;AccountKey={_AZURE_KEY};"
        "EndpointSuffix=core.windows.net",
        _AZURE_KEY[:40],
    ),
    _shape(
        "BLOB_URL",
        "https://demo.blob.core.windows.net/c/a.whl?sv=2022-11-02&ss=b&srt=o&sp=r"
        f"&se=2030-01-01T00:00:00Z&sig={_SAS_SIG}",
        _SAS_SIG[:43],
    ),
    _shape("FORGE_A", _GHP),
    _shape("FORGE_B", "gho_" + _rand(_ALNUM, 36)),
    _shape("FORGE_C", "ghs_" + _rand(_ALNUM, 36)),
    _shape("FORGE_D", "github_pat_" + _rand(_ALNUM, 22) + "_" + _rand(_ALNUM, 59)),
    _shape("FORGE_E", "glpat-" + _rand(_B64URL, 20)),
    _shape(
        "CHAT_A", f"xoxb-{_rand(string.digits, 12)}-{_rand(string.digits, 13)}-{_rand(_ALNUM, 24)}"
    ),
    _shape(
        "CHAT_B", f"xoxp-{_rand(string.digits, 12)}-{_rand(string.digits, 12)}-{_rand(_ALNUM, 32)}"
    ),
    _shape(
        "CHAT_HOOK",
        f"https://hooks.slack.com/services/T{_rand(_UPPER, 8)}/B{_rand(_UPPER, 10)}/"
        + (_hook := _rand(_ALNUM, 24)),
        _hook,
    ),
    _shape("PAYMENTS", _STRIPE),
    _shape("SMS_KEY", "SK" + _rand(_HEX, 32)),
    _shape("TWILIO_AUTH_TOKEN", _TWILIO_AUTH),
    _shape("MAILER", f"SG.{_rand(_B64URL, 22)}.{_rand(_B64URL, 43)}"),
    _shape("REGISTRY_NPM", "npm_" + _rand(_ALNUM, 36)),
    _shape("UPLOAD", "pypi-AgEIcHlwaS5vcmc" + _rand(_B64URL, 70)),
    _shape("HUB_LOGIN", "dckr_pat_" + _rand(_B64URL, 27)),
    _shape("LLM_A", "sk-proj-" + _rand(_B64URL, 64)),
    _shape("LLM_B", "sk-ant-api03-" + _rand(_B64URL, 93) + "AA"),
    _shape("ID_CLAIMS", _JWT, _JWT.split(".")[2][:40]),
    _shape("KEY_MATERIAL_RSA", _PEM_RSA, _PEM_RSA_LINE),
    _shape("KEY_MATERIAL_EC", _PEM_EC, _PEM_EC_LINE),
    _shape("KEY_MATERIAL_SSH", _PEM_SSH, _PEM_SSH_LINE),
    _shape(
        "HTTPS_PROXY", "http://proxyuser:Pr0xyPa55w0rd@proxy.corp.example:3128", "Pr0xyPa55w0rd"
    ),
    _shape(
        "PIP_INDEX_URL", "https://deploy:IdxS3cretPw0rd@pypi.corp.example/simple", "IdxS3cretPw0rd"
    ),
    _shape(
        "PIP_EXTRA_INDEX_URL",
        "https://ci:Xtra1Pa55word@a.example/simple https://bot:Xtra2Pa55word@b.example/simple",
        "Xtra1Pa55word",
        "Xtra2Pa55word",
    ),
    _shape("DATABASE_URL", "postgres://app:DbPa55w0rdZ@db.internal:5432/app", "DbPa55w0rdZ"),
    _shape("ENCODED_BLOB", _encoded := base64.b64encode(_GHP.encode()).decode(), _encoded, _GHP),
    _shape(
        "LOGIN_B64",
        base64.b64encode(b"ci-bot:B4sic-Auth-P4ss").decode(),
        base64.b64encode(b"ci-bot:B4sic-Auth-P4ss").decode(),
    ),
    _shape("OPAQUE_VALUE", _ENTROPY),
    _shape(
        "APP_CONFIG",
        "server:\n  port: 8080\n  password: Mult1LineS3cret\nlogging: info\n",
        "Mult1LineS3cret",
    ),
    _shape("MAPS", "AIza" + _rand(_B64URL, 35)),
    _shape("HUB_TOKEN_HF", "hf_" + _rand(string.ascii_letters, 34)),
    _shape("VAULT_LOGIN", "hvs." + _rand(_B64URL, 90)),
)

#: Every shape as the environment to plant.
SECRET_ENVIRONMENT = {shape.name: shape.value for shape in SECRET_SHAPES}
#: Every substring that must never appear anywhere.
NEVER = tuple(sorted({s for shape in SECRET_SHAPES for s in shape.never} | set(CANARY_SUBSTRINGS)))


def assert_no_secret(*texts: str | bytes) -> None:
    """No substring of any secret shape in TEXTS (raw bytes are read as UTF-8)."""
    for text in texts:
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        leaked = [s for s in NEVER if s in text]
        assert not leaked, f"{len(leaked)} secret(s) leaked, first {leaked[0][:8]}..."


# --------------------------------------------------------------------------- round two
# Secrets outside the plain values of variables (issue 12): option values inside
# variables, image labels, Entrypoint and Cmd, executable .pth lines, direct_url.json,
# a failing probe's stderr. Each secret is a short random word that no token pattern
# and no entropy rule knows: only the name of its option, key or label gives it away.


def _word() -> str:
    return _rand(_ALNUM, 18)


_OPT = [_word() for _ in range(12)]
#: Option values and other named secrets inside environment values.
OPTION_SHAPES: tuple[SecretShape, ...] = (
    _shape("APP_OPTS", f"--workers 4 --api-token {_OPT[0]} --log-level info", _OPT[0]),
    _shape("JAVA_TOOL_OPTIONS", f"-Xmx512m -Djavax.net.ssl.keyStorePassword={_OPT[1]}", _OPT[1]),
    _shape("MYSQL_CLIENT_ARGS", f"-h db.internal -uroot -p{_OPT[2]} app", _OPT[2]),
    _shape("DB_PW", _OPT[3]),
    _shape("SMTP_PASS", _OPT[4]),
    _shape("FETCH_CONFIG", f"curl -fsS -u deploy:{_OPT[5]} https://config.internal/app", _OPT[5]),
    _shape("DB_SETTINGS", f"{{host: db.internal, user: app, pass: {_OPT[6]}}}", _OPT[6]),
    _shape("LIBPQ_DSN_PARTS", f"host=db port=5432 user=app password={_OPT[7]} dbname=app", _OPT[7]),
    _shape("GIT_REMOTE", f"https://{_OPT[8]}@git.corp.example/team/app.git", _OPT[8]),
    _shape(
        "WORKER_ARGS",
        f"--queue jobs --redis-password '{_OPT[9]} two' --db-pw={_OPT[10]}",
        _OPT[9],
        _OPT[10],
    ),
)
SECRET_SHAPES += OPTION_SHAPES

_LBL = [_word() for _ in range(8)]
#: Image labels: (key, value, secret).
LABEL_SECRETS: tuple[tuple[str, str, str], ...] = (
    ("org.example.db.password", _LBL[0], _LBL[0]),
    ("com.example.api_token", _LBL[1], _LBL[1]),
    ("io.example.client-secret", _LBL[2], _LBL[2]),
    ("org.example.smtp.pw", _LBL[3], _LBL[3]),
    ("com.example.registry.credentials", f"ci-bot:{_LBL[4]}", _LBL[4]),
    ("org.opencontainers.image.source", f"https://ci:{_LBL[5]}@git.corp.example/app", _LBL[5]),
    ("com.example.start", f"app --api-key {_LBL[6]}1 --port 8080", _LBL[6]),
    ("com.example.vault.passphrase", _LBL[7], _LBL[7]),
)
_ARG = [_word() for _ in range(9)]
#: An Entrypoint that still runs (python -c sleeps; the rest is sys.argv), and a Cmd.
ENTRYPOINT_SECRETS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("--api-token", _ARG[0]), _ARG[0]),
    ((f"--client-secret={_ARG[1]}",), _ARG[1]),
    (("-storepass", _ARG[2]), _ARG[2]),
    ((f"--db-pw={_ARG[3]}",), _ARG[3]),
)
COMMAND_SECRETS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("--db-password", _ARG[4]), _ARG[4]),
    ((f"--password={_ARG[5]}",), _ARG[5]),
    (("sh", "-c", f"mysql -uroot -p{_ARG[6]} app"), _ARG[6]),
    (("sh", "-c", f"curl -fsS -u deploy:{_ARG[7]} https://config.internal/app"), _ARG[7]),
    (("--auth-token", f"'{_ARG[8]}'"), _ARG[8]),
)
_PTH = [_word() for _ in range(3)]
#: Executable lines of a .pth file (they run, harmlessly, in the probed interpreter).
PTH_SECRETS: tuple[tuple[str, str], ...] = (
    (f"import os; os.environ.setdefault('DB_PASSWORD', '{_PTH[0]}')", _PTH[0]),
    (f"import os; os.environ['SMTP_PW'] = \"{_PTH[1]}\"", _PTH[1]),
    (f"import os; os.environ.setdefault('JOB_ARGS', '--api-token {_PTH[2]}')", _PTH[2]),
)
_URL_TOKEN = _word()
#: direct_url.json URLs: (distribution name, URL, secret).
DIRECT_URL_SECRETS: tuple[tuple[str, str, str], ...] = (
    ("userpkg", f"https://{_URL_TOKEN}@git.corp.example/team/userpkg.git", _URL_TOKEN),
)
_ERR = [_word() for _ in range(3)]
#: A failing probe's stderr: (what the target's start-up runs and fails, secret).
STDERR_SECRETS: tuple[tuple[str, str], ...] = (
    (f"curl -fsS -u deploy:{_ERR[0]} http://127.0.0.1:9/config", _ERR[0]),
    (f"mysql -uroot -p{_ERR[1]} -h db.internal app", _ERR[1]),
    (f"psql 'host=db.internal user=app password={_ERR[2]} dbname=app'", _ERR[2]),
)
#: Every placement of a secret across the leak tests.
PLACEMENTS = (
    len(SECRET_SHAPES) + len(LABEL_SECRETS) + len(ENTRYPOINT_SECRETS) + len(COMMAND_SECRETS)
    + len(PTH_SECRETS) + len(DIRECT_URL_SECRETS) + len(STDERR_SECRETS)
)  # fmt: skip
SECRET_ENVIRONMENT = {shape.name: shape.value for shape in SECRET_SHAPES}
NEVER = tuple(
    sorted(
        set(NEVER)
        | {s for shape in OPTION_SHAPES for s in shape.never}
        | {s for *_, s in LABEL_SECRETS}
        | {s for _, s in (*ENTRYPOINT_SECRETS, *COMMAND_SECRETS, *PTH_SECRETS, *STDERR_SECRETS)}
        | {s for *_, s in DIRECT_URL_SECRETS}
    )
)
