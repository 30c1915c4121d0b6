"""Secrets that only their context gives away: option values in command lines, image
labels named like secrets, literal pairs in code, credentials quoted by an error line;
and public values that must stay in clear (CI predefined variables, URLs and paths).

The secrets here are short random words that no token pattern and no entropy rule
knows, so each case is caught by its grammar or not at all.
"""

from __future__ import annotations

import random
import string

import pytest
from ci_environments import planted_ci_environment

from driftcheck.errors import ProbeError
from driftcheck.probe import status_error
from driftcheck.redaction.ci_variables import (
    CI_PUBLIC_VARIABLES,
    CI_SECRET_VARIABLES,
    GITHUB_PREDEFINED,
    GITLAB_PREDEFINED,
)
from driftcheck.redaction.image_config import redact_image_config
from driftcheck.redaction.rules import (
    REDACTED,
    redact_argv,
    redact_environment,
    redact_labels,
    redact_value,
    scrub_text,
    secret_name_rule,
    secret_value_rule,
)

RNG = random.Random(20261206)


def word(n: int = 16) -> str:
    while True:
        s = "".join(RNG.choice(string.ascii_letters + string.digits) for _ in range(n))
        if any(c.isdigit() for c in s) and any(c.isalpha() for c in s):
            return s


S = [word() for _ in range(40)]

# (text, the secret in it): every option grammar, in free text.
IN_TEXT = [
    (f"--db-password {S[0]}", S[0]),
    (f"--password={S[1]}", S[1]),
    (f"app --api-token {S[2]} --workers 4", S[2]),
    (f"-Dspring.datasource.password={S[3]} -jar app.jar", S[3]),
    (f"keytool -list -storepass {S[4]} -keystore ks.jks", S[4]),
    (f"openssl pkcs12 -passin pass:{S[5]} -in a.p12", S[5]),
    (f"mysql -uroot -p{S[6]} app", S[6]),
    (f"mysqldump --user=root -p{S[7]} --all-databases", S[7]),
    (f"mariadb-admin -p{S[8]} status", S[8]),
    (f"sshpass -p {S[9]} ssh deploy@host", S[9]),
    (f"redis-cli -h cache -a {S[10]} ping", S[10]),
    (f"curl -fsS -u deploy:{S[11]} https://config.internal/app", S[11]),
    (f"curl --proxy-user proxy:{S[12]} https://example.org", S[12]),
    (f"wget --http-password={S[13]} https://example.org/file", S[13]),
    (f"twine upload -u __token__ -p {S[14]} dist/*", S[14]),
    (f"docker login -u ci -p {S[15]} registry.example", S[15]),
    (f"7z x -p{S[16]} archive.7z", S[16]),
    (f"smbclient //srv/share -U alice%{S[17]}", S[17]),
    (f"ldapsearch -x -D cn=admin -w {S[18]} -b dc=example", S[18]),
    (f"sqlcmd -S db -U sa -P {S[19]} -Q 'select 1'", S[19]),
    # Quoted values, a repr of an argv, a shell string inside a repr
    (f'--client-secret "{S[20]} and more"', S[20]),
    (f"Command '['curl', '-u', 'ci:{S[21]}', 'https://x.example']' returned 6", S[21]),
    (f"Command '['sh', '-c', 'mysql -uroot -p{S[22]} app']' returned 127", S[22]),
    (f"+ curl -u ci:{S[23]} https://x.example", S[23]),
    # Other shapes of name and value
    (f"DB_PW={S[24]}", S[24]),
    (f"SMTP_PSWD={S[25]}", S[25]),
    (f"{{user: app, pass: {S[26]}}}", S[26]),
    (f"host=db user=app pass: {S[27]} sslmode=require", S[27]),
    (f"import os; os.environ['DB_PW'] = '{S[28]}'", S[28]),
    (f'os.environ.setdefault("API_TOKEN", "{S[29]}")', S[29]),
    (f"{{'password' => '{S[30]}'}}", S[30]),
    (f"https://{S[31]}@github.com/org/repo.git", S[31]),
    (f"git+https://{S[32]}@git.corp.example/team/pkg.git@v1", S[32]),
    (f"OPTS=-h db.internal -uroot -p{S[33]}", S[33]),
    (f"--registry-auth='{S[34]}1234'", S[34]),
    (f"app --pwd {S[35]} run", S[35]),
    (f"app --api-key {S[36][:7]}", S[36][:7]),
    (f"app --auth admin:{S[37]}", S[37]),
    (f'curl -H "X-Api-Key: {S[38]}" https://api.example', S[38]),
    (f"db_pass={S[39][:6]} host=db", S[39][:6]),
]


@pytest.mark.parametrize(("text", "secret"), IN_TEXT, ids=[t[:28] for t, _ in IN_TEXT])
def test_option_values_and_named_values_are_scrubbed(text: str, secret: str) -> None:
    scrubbed, count = scrub_text(text)
    assert secret not in scrubbed, scrubbed
    assert count >= 1
    assert REDACTED in scrubbed or "***" in scrubbed
    # The option, key or program stays readable.
    head = text.split(secret)[0].rstrip("\"' :=%")
    assert scrubbed.startswith(head[: max(0, len(head) - 6)])


# Words that look like options or pairs but hold nothing secret.
NOT_SECRET = [
    "docker run -p 8080:80 -p 127.0.0.1:9000:9000/tcp app",
    "mkdir -p /var/lib/app/data && exec app",
    "ssh -p 2222 deploy@host",
    "pytest -p no:cacheprovider -q tests",
    "tar -pxzf archive.tar.gz",
    "docker login --password-stdin -u ci registry.example",
    "useradd --user-group app && docker run --user 1000:1000 app",
    "gunicorn --workers 4 --bind 0.0.0.0:8000 app:wsgi",
    "python -m pip install --index-url https://pypi.org/simple app",
    "app --password $DB_PASSWORD --token ${API_TOKEN}",
    "app --password-file /run/secrets/db --token-url https://auth.example/token",
    "curl -u $USER:$PASS https://example.org",
    "git@github.com:org/repo.git ssh://git@github.com/org/repo.git",
    "CI_PROJECT_URL=https://gitlab.example.com/group/project",
    "app --pwd /srv/app --sort-key name --private-key-id 7 --auth-type basic",
    # -p with no program and no user option: compiler and test-runner flags
    "-O2 -pipe -g -pthread",
    "-Wl,-z,relro -pie",
    "-pno:cacheprovider -v",
    "-mod=mod -p=4",
    "gcc -pthread -o app app.c",
]


@pytest.mark.parametrize("text", NOT_SECRET, ids=[t[:28] for t in NOT_SECRET])
def test_ordinary_command_lines_are_left_alone(text: str) -> None:
    assert scrub_text(text) == (text, 0)


def test_argv_keeps_the_option_names_and_redacts_the_values() -> None:
    argv = [
        "/usr/local/bin/app", "--db-password", S[0], f"--password={S[1]}", "-storepass", S[2],
        "--workers", "4", "--password-stdin", "sh", "-c", f"mysql -uroot -p{S[3]} app",
        "--auth-token", f"'{S[4]}'", "--log-level", "debug",
    ]  # fmt: skip
    out, count = redact_argv(argv)
    assert out == [
        "/usr/local/bin/app", "--db-password", REDACTED, f"--password={REDACTED}", "-storepass",
        REDACTED, "--workers", "4", "--password-stdin", "sh", "-c",
        f"mysql -uroot -p{REDACTED} app", "--auth-token", f"'{REDACTED}'", "--log-level", "debug",
    ]  # fmt: skip
    assert count == 5
    mysql = ["mysql", "-uroot", f"-p{S[5]}", "app"]  # -p is mysql's password only when glued
    assert redact_argv(mysql) == (["mysql", "-uroot", f"-p{REDACTED}", "app"], 1)
    assert redact_argv(["mysql", "-p", "app"]) == (["mysql", "-p", "app"], 0)
    assert redact_argv(["curl", "-u", f"ci:{S[6]}", "https://x"])[0][2] == f"ci:{REDACTED}"


def test_labels_are_judged_by_their_key_like_variables() -> None:
    labels = {
        "org.example.db.password": S[0],
        "com.example.api_token": S[1],
        "io.example.smtp.pw": S[2],
        "com.example.start": f"app --api-key {S[3]}9 --port 8080",
        "org.opencontainers.image.source": f"https://ci:{S[4]}@git.corp.example/app",
        "org.opencontainers.image.revision": "3f786850e387550fdab836ed7e6dc881de23001b",
        "org.opencontainers.image.authors": "Team <team@example.com>",
        "org.opencontainers.image.url": "https://example.com/app",
        "maintainer": "someone",
        "com.example.build-number": "1234",
    }
    out, count = redact_labels(labels)
    assert out["org.example.db.password"] == REDACTED
    assert out["com.example.api_token"] == REDACTED
    assert out["io.example.smtp.pw"] == REDACTED
    assert out["com.example.start"] == f"app --api-key {REDACTED} --port 8080"
    assert out["org.opencontainers.image.source"] == "https://***@git.corp.example/app"
    for key in ("revision", "authors", "url"):
        key = f"org.opencontainers.image.{key}"
        assert out[key] == labels[key]
    assert out["maintainer"] == "someone" and out["com.example.build-number"] == "1234"
    assert count == 5
    metadata = {"labels": labels, "entrypoint": ["app", "--token", S[5]], "command": ["run"]}
    redacted, total = redact_image_config(metadata)
    assert redacted["entrypoint"] == ["app", "--token", REDACTED]
    assert total == 6 and S[5] not in str(redacted)


def test_password_names_in_every_spelling() -> None:
    for name in (
        "DB_PW",
        "MYSQL_ROOT_PW",
        "SMTP_PASS",
        "LDAP_BIND_PSWD",
        "app.db.pw",
        "vault-pass",
    ):
        assert secret_name_rule(name) == "name:password", name
    for name in (
        "PWD",
        "OLDPWD",
        "PW_RESET_URL",
        "BYPASS_CACHE",
        "PASSWORD_FILE",
        "PASSWORD_STDIN",
    ):
        assert secret_name_rule(name) is None, name


# ------------------------------------------------------------------ CI predefined variables


def test_every_gitlab_and_github_predefined_variable_is_planted() -> None:
    env = planted_ci_environment()
    assert set(env) == GITLAB_PREDEFINED | GITHUB_PREDEFINED | CI_SECRET_VARIABLES
    assert len(GITLAB_PREDEFINED) > 150 and len(GITHUB_PREDEFINED) > 45


def test_predefined_ci_variables_are_never_called_secrets() -> None:
    env = planted_ci_environment()
    out, _ = redact_environment(env, None)
    kept = {name for name in CI_PUBLIC_VARIABLES if out[name] == env[name]}
    # The one public variable whose value holds a token: redacted by the token's pattern,
    # and kept readable as a preview.
    assert CI_PUBLIC_VARIABLES - kept == {"CI_REPOSITORY_URL"}
    assert out["CI_REPOSITORY_URL"]["preview"] == "https://***@gitlab.example.com/g/p.git"
    for name in CI_SECRET_VARIABLES:
        assert out[name]["redacted"] is True, name
        assert env[name] not in str(out)


def test_a_token_in_a_public_ci_variable_is_still_redacted() -> None:
    token = "glpat-" + word(20)
    assert redact_value("CI_COMMIT_MESSAGE", f"oops, pasted {token}", None) is not None
    assert redact_value("CI_COMMIT_MESSAGE", "Fix the cache key", None) is None


def test_urls_and_paths_are_not_entropy_secrets_but_random_keys_are() -> None:
    for value in (
        "gitlab.example.com:443/MyGroup/dependency_proxy/containers",
        "https://pypi.org/simple/some-long-package-name-for-testing/",
        "/home/runner/work/_temp/aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY",
        "/usr/local/bin:/usr/bin:/bin",
        "/opt/app/aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY:/usr/bin",
    ):  # fmt: skip
        assert secret_value_rule(value) is None, value
    # A runner's service URL is random, and public by the CI's documentation: kept.
    runtime = "https://pipelines.actions.githubusercontent.com/2rPKq3q9lRkcQ5pQm1fYfMiKMfiU2F3oEWlBV5ONxGFakfB4rj/"
    assert redact_value("ACTIONS_CACHE_URL", runtime, None) is None
    # Elsewhere a random part of a URL is a key: a bot token, a ping or ingest key.
    for value in (
        f"https://api.telegram.org/bot123456789:{word(35)}/sendMessage",
        f"https://hc-ping.com/{word(32)}",
        f"https://events.example.com/ingest/{word(30)}?source=ci",
        runtime,
    ):
        assert secret_value_rule(value) == "value:high-entropy", value
    assert secret_value_rule("wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ8kL3mN") == "value:high-entropy"
    assert secret_value_rule(word(40)) == "value:high-entropy"
    url = f"https://ci:{S[0]}@gitlab.example.com/group/project"
    assert secret_value_rule(url) == "value:url-credentials"


def test_a_probe_error_line_is_scrubbed_before_it_is_cut() -> None:
    token = "ghp_" + word(36)
    # The token straddles the 300th character: cut first, its pattern would not match.
    line = "x" * 280 + " " + token + " failed"
    error = status_error(1, f"Traceback (most recent call last):\n{line}\n".encode(), "t")
    assert isinstance(error, ProbeError)
    assert token[:12] not in str(error)
    assert REDACTED in str(error)
    curl = f"SystemExit: Command '['curl', '-u', 'ci:{S[1]}', 'https://x']' returned 6"
    assert S[1] not in str(status_error(1, curl.encode(), "t"))


def test_entrypoint_and_cmd_are_one_command_line() -> None:
    """The engine runs Entrypoint then Cmd as one argv: an option in one, its value in
    the other; the program the Entrypoint names reads the Cmd's short options."""
    cases = [
        (["app", "--password"], [S[7]], ["app", "--password"], [REDACTED]),
        (["redis-cli"], ["-a", S[8], "ping"], ["redis-cli"], ["-a", REDACTED, "ping"]),
        (["curl"], ["-u", f"admin:{S[9]}", "https://x"], ["curl"],
         ["-u", f"admin:{REDACTED}", "https://x"]),
        (["sshpass"], ["-p", S[10], "ssh", "h"], ["sshpass"], ["-p", REDACTED, "ssh", "h"]),
        (["myapp", "-password"], [S[11]], ["myapp", "-password"], [REDACTED]),
    ]  # fmt: skip
    for entrypoint, command, want_entrypoint, want_command in cases:
        out, count = redact_image_config({"entrypoint": entrypoint, "command": command})
        assert (out["entrypoint"], out["command"], count) == (want_entrypoint, want_command, 1)
    out, _ = redact_image_config({"entrypoint": None, "command": ["python", "-m", "app"]})
    assert out["entrypoint"] is None and out["command"] == ["python", "-m", "app"]


def test_labels_that_hold_a_flag_or_name_something_public_are_kept() -> None:
    labels = {"com.example.private": "false", "org.example.db.password": S[12]}
    assert redact_labels(labels)[0] == {"com.example.private": "false",
                                       "org.example.db.password": REDACTED}  # fmt: skip
