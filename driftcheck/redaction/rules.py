"""Secret detection and redaction rules, shared by the probe and the host.

This file is prepended to the probe script that runs inside arbitrary target
interpreters and is also imported on the host, which re-applies the same rules
as the authoritative pass. Hence: standard library only, CPython 3.8 syntax, no
driftcheck imports, no ``from __future__`` (it would not be the first statement
once prepended), and private helpers prefixed with ``_``.

Rule ids (``name:token``, ``value:github-token``, ...) are stable strings that
end up in snapshots: bump RULES_VERSION whenever the rules change what they flag.

Every regex is linear-time: repetitions are bounded, or the pattern ends right
after them, or a look-behind makes it start only at the first character of a
run, so a failed attempt cannot be retried from every position inside the run.
"""

import base64
import binascii
import bisect
import math
import re
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

if "CI_PUBLIC_VARIABLES" not in globals():  # imported as a module on the host
    from driftcheck.redaction.ci_variables import CI_PUBLIC_VARIABLES, CI_SECRET_VARIABLES

RULES_VERSION = "2"
MASK = "***"  # replaces URL credentials and secret query values (the URL stays readable)
REDACTED = "<redacted>"  # replaces any other secret substring in free text

# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------


def _words(text: str) -> List[str]:
    return text.split()


_NAME_SPLIT = re.compile(r"[_.\-\s\[\]]+")
# Names that read as secret but hold public values wherever they occur.
_PUBLIC_NAMES = frozenset(
    {
        "PWD",  # the shell's working directory, not a password
        "OLDPWD",
        "GPG_KEY",  # python:* Docker images: fingerprint of the public release-signing key
        "DESKTOP_SESSION",  # desktop session names and addresses
        "GDMSESSION",
        "SESSION_MANAGER",
    }
)
_PUBLIC_PREFIXES = ("XDG_", "DBUS_")  # XDG_SESSION_ID, DBUS_SESSION_BUS_ADDRESS, ...
# A last component saying *where* a secret lives or *what kind* it is, not the secret:
# PASSWORD_FILE, SSH_AUTH_SOCK, TOKEN_URL, AUTH_TYPE, KEY_NAME. The value rules still
# inspect these values (a URL with credentials is caught by its value).
_POINTER_SUFFIXES = frozenset(
    _words(
        "FILE FILES DIR DIRS DIRECTORY SOCK SOCKET HOME URL URLS URI ENDPOINT HOST HOSTS PORT "
        "TYPE TYPES MODE METHOD METHODS ALGORITHM ALG BACKEND PROVIDER ENABLED DISABLED ENABLE "
        "DISABLE REQUIRED LENGTH LEN SIZE BITS TTL TIMEOUT EXPIRY EXPIRES EXPIRATION LIFETIME "
        "USER USERNAME EMAIL NAME REGION FORMAT VERSION HEADER COMMAND CMD HELPER STDIN PROMPT"
    )
)
# English words ending in KEY / PASS that are not keys or passwords.
_NOT_KEYS = frozenset(_words("MONKEY DONKEY TURKEY HOCKEY JOCKEY WHISKEY LACKEY HOTKEY TURNKEY"))
_NOT_PASSES = frozenset(_words("BYPASS COMPASS ASKPASS SURPASS OVERPASS TRESPASS ENCOMPASS"))
# openssl takes -passin / -passout.
_PASSWORD_ABBREVIATIONS = frozenset(
    _words("PW PSW PSWD PWORD PASSWRD PASSW PASSCODE PASSIN PASSOUT")
)


def _auth_word(part: str) -> bool:
    # AUTH, OAUTH, AUTHN, AUTHTOKEN, AUTHORIZATION are secret-ish; AUTHOR (GIT_AUTHOR_NAME)
    # and AUTHORITY (certificate authority paths) are not.
    if part.startswith("AUTHORIZ"):
        return True
    if part.startswith("AUTHOR"):
        return False
    return part.startswith("AUTH") or part.endswith("AUTH")


def _part_rule(part: str, from_end: int) -> Optional[str]:
    if "PASSWORD" in part or "PASSWD" in part or "PASSPHRASE" in part:
        return "name:password"
    if part.endswith("PASS") and part not in _NOT_PASSES:
        return "name:password"
    if part == "PWD":  # MYSQL_PWD; a bare PWD is public (see _PUBLIC_NAMES)
        return "name:pwd"
    if part in _PASSWORD_ABBREVIATIONS:  # DB_PW, SMTP_PSWD
        return "name:password"
    if ("TOKEN" in part and "TOKENIZ" not in part) or "JWT" in part or part == "BEARER":
        return "name:token"
    if "SECRET" in part:
        return "name:secret"
    if "CREDENTIAL" in part or part == "CREDS":
        return "name:credential"
    if "PRIVATE" in part:
        return "name:private"
    if "COOKIE" in part:
        return "name:cookie"
    if "SIGNATURE" in part or part == "SIG":
        return "name:signature"
    if part in ("SESSION", "SESSIONID", "SESSIONKEY"):
        return "name:session"
    if part.endswith("DSN"):
        return "name:dsn"
    if part.endswith("SALT"):
        return "name:salt"
    if _auth_word(part):
        return "name:auth"
    # KEY only near the end of the name: API_KEY, AWS_SECRET_ACCESS_KEY, KEY_ID, SSHKEY;
    # not APT_KEY_DONT_WARN_ON_DANGEROUS_USAGE, nor KEYBOARD_LAYOUT / KEYRING (prefix).
    single = part[:-1] if part.endswith("S") else part
    if from_end <= 3 and single.endswith("KEY") and single not in _NOT_KEYS:
        return "name:key"
    return None


def secret_name_rule(name: str) -> Optional[str]:
    """The rule id when an environment variable NAME says its value is secret."""
    upper = name.upper()
    if upper in _PUBLIC_NAMES or upper.startswith(_PUBLIC_PREFIXES):
        return None
    if upper in CI_PUBLIC_VARIABLES:  # CI_JOB_ID, CI_RUNNER_SHORT_TOKEN: documented as public
        return None
    parts = [p for p in _NAME_SPLIT.split(upper) if p]
    if not parts:
        return None
    if upper in CI_SECRET_VARIABLES:
        return next(filter(None, (_part_rule(p, 1) for p in parts)), "name:credential")
    if any("WEBHOOK" in p for p in parts):  # SLACK_WEBHOOK_URL: the URL is the secret
        return "name:webhook"
    if parts[-1] in _POINTER_SUFFIXES or parts[-1].endswith("PATH"):
        return None
    if "CONNECTIONSTRING" in "".join(parts) or "CONNSTR" in parts:
        return "name:connection-string"
    for index, part in enumerate(parts):
        rule = _part_rule(part, len(parts) - index)
        if rule is not None:
            return rule
    return None


def _is_path(value: str) -> bool:
    return value.startswith("/") or re.match(r"[A-Za-z]:[\\/]", value) is not None


# ---------------------------------------------------------------------------
# Values: pattern rules
# ---------------------------------------------------------------------------

_START = r"(?<![A-Za-z0-9_-])"  # a token starts here, not inside a longer run
_PLACEHOLDERS = frozenset({"", MASK, REDACTED, "true", "false", "none", "null", "yes", "no"})
_QUERY_NAMES = frozenset({"pwd", "pass", "sig", "code", "key"})


def _has_letter_and_digit(text: str) -> bool:
    return any(c.isdigit() for c in text) and any(c.isalpha() for c in text)


# Names that say "secret" outright; the others (KEY, PRIVATE, AUTH, SESSION...) are also
# ordinary words in code and prose ("key": "value", private_clean=0), so in free text
# their value must look like a token too.
_STRONG_NAME_RULES = frozenset(
    "name:" + n for n in _words("password pwd token secret credential webhook connection-string")
)
_CODE_CALL = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,200}\(")


def _secret_param(m: "re.Match[str]", extra: "frozenset[str]", strict: bool) -> bool:
    """NAME=VALUE where the name looks secret and the value is not a placeholder."""
    name = m.group("k").strip("\"'-").lower()
    value = m.group("s").strip("\"'")
    if value.lower() in _PLACEHOLDERS or value.startswith(("$", "%", "{{", "<")):
        return False
    if not any(c.isalnum() for c in value):
        return False
    rule = secret_name_rule(name) or ("name:pwd" if name in extra else None)
    if rule is None or (rule == "name:pwd" and _is_path(value)):
        return False
    if strict and _CODE_CALL.match(m.string, m.start("s")):  # key = Fernet.generate_key()
        return False
    if strict and rule not in _STRONG_NAME_RULES:
        return _token_like(value)
    return True


def _query_ok(m: "re.Match[str]") -> bool:
    return _secret_param(m, _QUERY_NAMES, strict=False)


def _assignment_ok(m: "re.Match[str]") -> bool:
    return _secret_param(m, frozenset({"pwd", "pass"}), strict=True)


def _userinfo_ok(m: "re.Match[str]") -> bool:
    # user:password is always a secret (unless the password is empty or already masked).
    # A bare user is one too over HTTP(S), where it is how a token travels
    # (https://TOKEN@github.com/...); elsewhere (ssh://git@host, postgres://app@db) only
    # when it looks like a token.
    userinfo = m.group("s")
    if userinfo == MASK:
        return False
    user, sep, password = userinfo.partition(":")
    if sep:
        return password not in ("", MASK)
    scheme = m.group(0).partition(":")[0].lower()
    if scheme.endswith(("http", "https")) or scheme in ("ws", "wss"):
        return user != ""
    return len(user) >= 16 and _has_letter_and_digit(user)


def _bare_userinfo_ok(m: "re.Match[str]") -> bool:
    # name:tag@sha256:... is an image reference (excluded by the pattern); a port or a
    # time (host:8080@, 12:30@) is not a password.
    password = m.group("s")
    return password != MASK and not password.isdigit() and not _placeholder(password)


def _auth_header_ok(m: "re.Match[str]") -> bool:
    token = m.group("s")
    if m.group(0)[:5].lower() == "basic":
        decoded = _b64_text(token)
        return decoded is not None and _basic_auth(decoded)
    return _has_letter_and_digit(token)


def _mixed_case_ok(m: "re.Match[str]") -> bool:
    tail = m.group(0)[3:]
    return any(c.isupper() for c in tail) and any(c.islower() for c in tail)


def _openai_ok(m: "re.Match[str]") -> bool:
    return _has_letter_and_digit(m.group(0)[3:])


def _literal_pair_ok(m: "re.Match[str]") -> bool:
    # ('--password', '--verbose') is two options, not an option and its value.
    if m.group("k").startswith("-") and m.group("s")[1:2] == "-":
        return False
    return _assignment_ok(m)


# A rule: (id, pattern, validator or None, masked, triggers). The span replaced is group
# "s" if the pattern has one, else the whole match; masked spans become MASK, others
# REDACTED. Triggers are substrings one of which every match contains (lower-case ones
# are looked for case-insensitively): a rule whose triggers are all absent is skipped,
# which keeps scrub_text cheap on the tens of thousands of ordinary strings it sees.
_Triggers = Tuple[Tuple[str, ...], Tuple[str, ...]]  # (case-insensitive, exact)
_Rule = Tuple[str, "re.Pattern[str]", Optional[Callable[["re.Match[str]"], bool]], bool, _Triggers]
# Words one of which a secret-looking parameter name contains (see secret_name_rule).
_NAME_WORDS = (
    "pass pwd pw psw token jwt bearer secret cred private cookie sig session dsn salt auth key "
    "webhook conn code"
)
# fmt: off
_RULE_SOURCES = [
    ("value:url-credentials", r"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,30}://"
     r"(?P<s>[^\s/?#]{1,512})@", _userinfo_ok, True, "@"),
    # user:password@host with no scheme: a registry reference, a mangled URL in a path.
    ("value:userinfo-credentials", r"(?<![A-Za-z0-9._%+~-])[A-Za-z0-9._%+~-]{1,128}:"
     r"(?P<s>[^\s/?#@:]{1,512})@(?=[A-Za-z0-9\[])(?!sha(?:256|384|512):)",
     _bare_userinfo_ok, True, "@"),
    ("value:url-query",
     r"[?&#](?P<k>[A-Za-z0-9_.\-\[\]]{1,64})=(?P<s>[^&#\s\"'<>()\[\]`]{1,4096})",
     _query_ok, True, _NAME_WORDS),
    ("value:pem-private-key", r"-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----"
     r"(?s:.*?)(?:-----END[A-Z0-9 ]{0,40}-----|\Z)", None, False, "-----BEGIN"),
    ("value:aws-access-key-id", r"(?<![A-Z0-9])(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|"
     r"AIPA|ANPA|ANVA|APKA|AROA|ASCA)[A-Z0-9]{16}(?![A-Z0-9])", None, False,
     "A3T AKIA ASIA ABIA ACCA AGPA AIDA AIPA ANPA ANVA APKA AROA ASCA"),
    ("value:aws-secret-access-key", r"(?i:aws_?secret_?(?:access_?)?key)[\"']?\s{0,3}[:=]\s{0,3}"
     r"[\"']?(?P<s>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])", None, False, "secret"),
    ("value:github-token", r"gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,}", None, False,
     "ghp_ gho_ ghu_ ghs_ ghr_ github_pat_"),
    ("value:gitlab-token", r"gl(?:pat|dt|rt|cbt|ptt|ft|imt|agent|soat|oas|ffct)-[A-Za-z0-9_-]{20,}"
     r"|GR1348941[A-Za-z0-9_-]{20,}", None, False,
     "glpat- gldt- glrt- glcbt- glptt- glft- glimt- glagent- glsoat- gloas- glffct- GR1348941"),
    ("value:slack-token", r"xox[abposer]-[A-Za-z0-9-]{10,}|xapp-[0-9]-[A-Za-z0-9-]{10,}",
     None, False, "xox xapp-"),
    ("value:slack-webhook", r"hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/-]{8,}",
     None, False, "hooks.slack.com/"),
    ("value:discord-webhook", r"discord(?:app)?\.com/api/webhooks/[0-9]{5,30}/[A-Za-z0-9_-]{20,}",
     None, False, "/api/webhooks/"),
    ("value:stripe-key", r"(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}|whsec_[A-Za-z0-9]{24,}",
     None, False, "_live_ _test_ whsec_"),
    ("value:google-api-key", r"AIza[A-Za-z0-9_-]{35}", None, False, "AIza"),
    ("value:google-oauth", r"GOCSPX-[A-Za-z0-9_-]{28}|ya29\.[A-Za-z0-9_-]{20,}", None, False,
     "GOCSPX- ya29."),
    ("value:jwt", _START + r"eyJ[A-Za-z0-9_-]{4,1000}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*",
     None, False, "eyJ"),
    ("value:npm-token", r"npm_[A-Za-z0-9]{36,}", None, False, "npm_"),
    ("value:pypi-token", r"pypi-AgE[A-Za-z0-9_-]{50,}", None, False, "pypi-AgE"),
    ("value:anthropic-key", _START + r"sk-ant-[a-z]{2,8}[0-9]{2}-[A-Za-z0-9_-]{20,}", None, False,
     "sk-ant-"),
    ("value:openai-key", _START + r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}",
     _openai_ok, False, "sk-"),
    ("value:huggingface-token", _START + r"hf_[A-Za-z0-9]{30,}", _mixed_case_ok, False, "hf_"),
    ("value:docker-hub-token", r"dckr_(?:pat|oat)_[A-Za-z0-9_-]{20,}", None, False, "dckr_"),
    ("value:vault-token", r"hv[sbr]\.[A-Za-z0-9_-]{24,}", None, False, "hvs. hvb. hvr."),
    ("value:sendgrid-key", r"SG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64}", None, False, "SG."),
    ("value:twilio-key", r"(?<![A-Za-z0-9])(?:AC|SK)[0-9a-f]{32}(?![A-Za-z0-9])", None, False,
     "AC SK"),
    ("value:azure-key", r"(?i:AccountKey|SharedAccessKey|SharedSecret)\s{0,3}=\s{0,3}"
     r"(?P<s>[A-Za-z0-9+/=]{20,})", None, False, "key secret"),
    ("value:auth-header", r"\b(?i:bearer|basic) {1,3}(?P<s>[A-Za-z0-9+/=._~-]{16,})",
     _auth_header_ok, False, "bearer basic"),
    # name=value and "name": "value" where the name looks secret: command lines, config
    # lines, connection strings (Password=...;), JSON. A colon needs a quoted value.
    ("value:secret-assignment", r"(?<![A-Za-z0-9_.\-])(?P<k>-{0,2}[A-Za-z][A-Za-z0-9_.\-]{0,63})"
     r"[\"']?\s{0,3}(?:=|:(?=\s{0,3}[\"']))\s{0,3}"
     r"(?P<s>\"[^\"\n]{1,1024}\"|'[^'\n]{1,1024}'|[^\s;&,'\"<>()\[\]`]{1,1024})",
     _assignment_ok, False, _NAME_WORDS),
    # .netrc lines: machine HOST [login USER] password SECRET
    ("value:netrc", r"\bmachine\s{1,8}\S{1,256}\s{1,8}(?:login\s{1,8}\S{1,256}\s{1,8})?"
     r"password\s{1,8}(?P<s>\S{1,1024})", None, False, "password"),
    # YAML-style "password: value" at the start of a line of a multi-line value.
    ("value:secret-assignment", r"(?m)^[ \t]{0,16}(?P<k>[A-Za-z][A-Za-z0-9_.\-]{0,63}):[ \t]{1,3}"
     r"(?P<s>[^\s'\"#][^\n]{0,1023})", _assignment_ok, False, _NAME_WORDS),
    # "pass: value" anywhere else (flow mappings, one-line settings): up to a delimiter.
    ("value:secret-assignment",
     r"(?<![A-Za-z0-9_.\-])(?P<k>[A-Za-z][A-Za-z0-9_.\-]{0,63}):[ \t]{1,3}"
     r"(?P<s>[^\s'\"#,;{}\[\]()<>`][^\s'\",;{}\[\]()<>`]{0,1023})",
     _assignment_ok, False, _NAME_WORDS),
    # Two string literals, a name and its value, in code or in a repr: environ['DB_PW'] =
    # 'x', setdefault("TOKEN", "x"), {'pass' => 'x'}, ['mysql', '--password', 'x'].
    ("value:secret-assignment", r"(?P<q>[\"'])(?P<k>-{0,2}[A-Za-z][A-Za-z0-9_.\-]{0,63})(?P=q)"
     r"\s{0,3}(?:,|\]\s{0,3}=|\)\s{0,3}=|=>)\s{0,3}(?P<s>\"[^\"\n]{1,1024}\"|'[^'\n]{1,1024}')",
     _literal_pair_ok, False, _NAME_WORDS),
]
# fmt: on


def _triggers(words: str) -> _Triggers:
    # A lower-case trigger is looked for case-insensitively: a superset, which is safe.
    return (
        tuple(w for w in words.split() if w == w.lower()),
        tuple(w for w in words.split() if w != w.lower()),
    )


_RULES: "List[_Rule]" = [
    (rid, re.compile(src), check, masked, _triggers(words))
    for rid, src, check, masked, words in _RULE_SOURCES
]
_URL_RULES: "List[_Rule]" = [rule for rule in _RULES if rule[3]]
_URL_RULE_IDS = frozenset(rule[0] for rule in _URL_RULES)
_NAME_RULE_IDS = frozenset(
    "name:" + n
    for n in _words(
        "password pwd token secret credential private cookie signature session dsn salt "
        "auth key webhook connection-string"
    )
)
# Every rule id a marker can carry; the host refuses markers naming anything else.
RULE_IDS = (
    _NAME_RULE_IDS
    | frozenset(rule[0] for rule in _RULES)
    | frozenset("value:base64:" + rule[0][len("value:") :] for rule in _RULES)
    | frozenset({"value:base64:basic-auth", "value:high-entropy", "value:not-text"})
    | frozenset({"value:secret-option", "value:user-password"})
)

_B64_CANDIDATE = re.compile(r"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{16,}={0,2}(?![A-Za-z0-9+/=_-])")
_BASIC_AUTH = re.compile(r"[^\s:]{1,256}:(?!//)[^\s:]{1,256}")

_Span = Tuple[int, int, str, bool]


def _trigger_index(rules: "List[_Rule]", exact: int) -> "_TriggerIndex":
    """A regex finding every trigger at every position, and trigger -> rule indexes.

    At each position the longest trigger wins, so a trigger maps to the rules of every
    trigger it contains ("sk-ant-" also triggers the "sk-" rule).
    """
    words = sorted({t for rule in rules for t in rule[4][exact]}, key=len, reverse=True)
    if not words:
        return re.compile(r"(?!)"), {}
    owners = {
        w: frozenset(i for i, rule in enumerate(rules) if any(t in w for t in rule[4][exact]))
        for w in words
    }
    # The leading character class lets the regex engine skip hopeless positions fast.
    first = "".join(sorted({re.escape(w[0]) for w in words}))
    alternatives = "|".join(re.escape(w) for w in words)
    return re.compile("(?=[" + first + "])(?=(" + alternatives + "))"), owners


_TriggerIndex = Tuple["re.Pattern[str]", Dict[str, "frozenset[int]"]]
_RuleSet = Tuple["List[_Rule]", _TriggerIndex, _TriggerIndex]


def _rule_set(rules: "List[_Rule]") -> "_RuleSet":
    return rules, _trigger_index(rules, 0), _trigger_index(rules, 1)


_ALL = _rule_set(_RULES)
_URL = _rule_set(_URL_RULES)


def _any_trigger(exact: int) -> "re.Pattern[str]":
    """Any trigger of any rule (lower-case ones to be looked for in lower-cased text): a
    plain alternation, found faster than the index's look-ahead at every position."""
    words = sorted({t for rule in _RULES for t in rule[4][exact]}, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words) or r"(?!)")


_ANY_LOWER_TRIGGER = _any_trigger(0)
_ANY_EXACT_TRIGGER = _any_trigger(1)


def _active_rules(text: str, rule_set: "_RuleSet") -> "List[_Rule]":
    """The rules whose triggers occur in TEXT: the only ones that can match it."""
    rules, (lower_rx, lower_owners), (exact_rx, exact_owners) = rule_set
    active: "set[int]" = set()
    for m in lower_rx.finditer(text.lower()):
        active |= lower_owners[m.group(1)]
    for m in exact_rx.finditer(text):
        active |= exact_owners[m.group(1)]
    return [rules[i] for i in sorted(active)]


def _find_spans(text: str, rule_set: "_RuleSet", first: bool = False) -> "List[_Span]":
    spans: "List[_Span]" = []
    for rule_id, pattern, check, masked, _ in _active_rules(text, rule_set):
        has_group = "s" in pattern.groupindex
        for m in pattern.finditer(text):
            if check is not None and not check(m):
                continue
            start, end = m.span("s") if has_group else m.span()
            spans.append((start, end, rule_id, masked))
            if first:
                return spans
    return spans


def _b64_text(token: str) -> Optional[str]:
    """The decoded text when TOKEN is base64 (or base64url) of mostly printable ASCII."""
    body = token.rstrip("=")
    if len(body) % 4 == 1:
        return None
    urlsafe = "-" in body or "_" in body
    if urlsafe and ("+" in body or "/" in body):
        return None
    try:
        raw = base64.b64decode(
            body + "=" * (-len(body) % 4), altchars=b"-_" if urlsafe else b"+/", validate=True
        )
    except (binascii.Error, ValueError):
        return None
    printable = sum(1 for b in raw if 32 <= b < 127 or b in (9, 10, 13))
    if not raw or printable < 0.9 * len(raw):
        return None
    return raw.decode("ascii", "replace")


def _basic_auth(text: str) -> bool:
    return _BASIC_AUTH.fullmatch(text.strip()) is not None


def _decoded_rule(token: str, depth: int = 2) -> Optional[str]:
    """The rule matching the base64-decoded TOKEN, as ``value:base64:<rule>``."""
    text = _b64_text(token)
    if text is None:
        return None
    spans = _find_spans(text, _ALL, first=True)
    if spans:
        return "value:base64:" + spans[0][2][len("value:") :]
    if _basic_auth(text):
        return "value:base64:basic-auth"
    if depth > 1:
        for m in _B64_CANDIDATE.finditer(text):
            inner = _decoded_rule(m.group(), depth - 1)
            if inner is not None:
                return inner
    return None


# ---------------------------------------------------------------------------
# Values: command lines
# ---------------------------------------------------------------------------
#
# Options follow one grammar whatever the program: --name=VALUE, --name VALUE, and
# -name VALUE (keytool -storepass, openssl -passin). The option's name says whether its
# value is secret (secret_name_rule, as for a variable), and --user-like options hold
# user:password. Single-letter options have no name: only the program gives them a
# meaning, so those that take a secret are data, per program, from each one's manual.

_OPTION_RULE = "value:secret-option"
_USER_PASSWORD_RULE = "value:user-password"
_ATTACHED = "attached"  # -pSECRET only: a separate word is something else (mysql: the database)
_ATTACHED_NOT_PORT = "attached-not-port"
_VALUE = "value"  # -p SECRET or -pSECRET
_PORT_OR_VALUE = "port-or-value"  # docker -p: a published port (8080:80), or login's password
_USER_COLON = "user:"  # -u user:password
_USER_PERCENT = "user%"  # -U user%password (Samba)
_USER_COMMA = "user,"  # -u user,password (lftp)
_PWD = "pwd"  # --pwd SECRET, unless a path
_SHORT_SECRET_OPTIONS = {
    "mysql": {"p": _ATTACHED},  # MySQL manual, "Command Options": -p[password], no space
    "mariadb": {"p": _ATTACHED},
    "7z": {"p": _ATTACHED},  # 7-Zip: -p{Password}
    "sshpass": {"p": _VALUE},
    "redis-cli": {"a": _VALUE},
    "mongo": {"p": _VALUE},
    "mongosh": {"p": _VALUE},
    "cqlsh": {"p": _VALUE},
    "mycli": {"p": _VALUE},
    "twine": {"p": _VALUE},  # twine upload -u __token__ -p pypi-...
    "rabbitmqadmin": {"p": _VALUE},
    "ncftp": {"p": _VALUE},
    "az": {"p": _VALUE},
    "oras": {"p": _VALUE},
    "crane": {"p": _VALUE},
    "docker": {"p": _PORT_OR_VALUE},  # docker login -p; docker run -p 8080:80
    "podman": {"p": _PORT_OR_VALUE},
    "nerdctl": {"p": _PORT_OR_VALUE},
    "buildah": {"p": _VALUE},
    "sqlcmd": {"P": _VALUE},
    "bcp": {"P": _VALUE},
    "zip": {"P": _VALUE},
    "unzip": {"P": _VALUE},
    "zipcloak": {"P": _VALUE},
    "openssl": {"k": _VALUE},  # openssl enc -k password
    "ldapsearch": {"w": _VALUE},  # OpenLDAP clients: -w passwd
    "curl": {"u": _USER_COLON, "U": _USER_COLON},  # curl(1): -u user:password, -U (proxy)
    "smbclient": {"U": _USER_PERCENT},
    "lftp": {"u": _USER_COMMA},
}
# Program families: every mysql*/mariadb* client, every mongo* tool, every ldap* client.
_SHORT_FAMILIES = (
    ("mysql", "mysql"),
    ("mariadb", "mariadb"),
    ("mongo", "mongo"),
    ("ldap", "ldapsearch"),
    ("7z", "7z"),
)
# Options before any program word (APP_OPTS=-uroot -pSECRET): mysql's -p, the classic,
# once a user option came first; without one, -pthread, -pipe and -pie are compiler flags.
_NO_PROGRAM = {"p": _ATTACHED_NOT_PORT}
_USER_OPTION = re.compile(r"-u[A-Za-z0-9_]|-u$|--user(?:=|$)")
_SHELLS = frozenset(_words("sh bash dash zsh ash ksh busybox"))
# Words after which the next word is a program again.
_COMMAND_BREAKS = frozenset(
    _words("; ;; & && | || |& ( ) { } ! then do else elif exec sudo env nohup time nice xargs")
)
_OPTION_GATE = re.compile(r"(?:^|[\s'\"\[(,=])-{1,2}[A-Za-z]")
_SHELL_WORD = re.compile(r"""(?:[^\s"']+|"[^"\n]{0,4096}"|'[^'\n]{0,4096}'|["'])+""")
_PLAIN_WORD = re.compile(r"\S+")
_OPTION = re.compile(r"(-{1,2})([A-Za-z][A-Za-z0-9_.\-]{0,63})")
_ENV_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_PORT = re.compile(r"[0-9][0-9.:\-]*(?:/(?:tcp|udp|sctp))?")
_EDGES = "[](),;{}`"
_WRAPPERS = frozenset(_EDGES + "'\"")
_Hit = Tuple[int, int, int, str]  # word index, start, end, rule


def _program(word: str) -> str:
    name = word.split()[0] if word.split() else ""
    name = name.rsplit("/", 1)[-1].strip("'\"").lower()
    for prefix, family in _SHORT_FAMILIES:
        if name.startswith(prefix):
            return family
    return name.rstrip("0123456789.")  # python3.11 -> python, 7za stays (family above)


def _placeholder(value: str) -> bool:
    return value.lower() in _PLACEHOLDERS or value.startswith(("$", "%", "{{", "<"))


def _unquoted(word: str, start: int, end: int = -1) -> Tuple[int, int]:
    end = len(word) if end < 0 else end
    if end - start >= 2 and word[start] in "\"'" and word[end - 1] == word[start]:
        return start + 1, end - 1
    return start, end


def _core(text: str, start: int, end: int) -> Tuple[int, int]:
    """TEXT[START:END] without the brackets, commas and quotes around it (shell, repr)."""
    if text[start] not in _WRAPPERS and text[end - 1] not in _WRAPPERS:
        return start, end  # the usual word: nothing around it
    for _ in range(2):
        while start < end and text[start] in _EDGES:
            start += 1
        while end > start and text[end - 1] in _EDGES:
            end -= 1
        start, end = _unquoted(text, start, end)
    return start, end


def _value_hit(index: int, word: str, start: int, how: str, strong: bool) -> Optional[_Hit]:
    """The secret part of WORD[START:] given as the value of an option of kind HOW."""
    start, end = _unquoted(word, start)
    value = word[start:end]
    if not value or _placeholder(value) or not any(c.isalnum() for c in value):
        return None
    if how in (_USER_COLON, _USER_PERCENT, _USER_COMMA):
        cut = value.find(how[-1])
        if cut < 0 or value[cut + 1 : cut + 3] == "//":
            return None
        secret = value[cut + 1 :]
        if not secret or secret.isdigit() or _placeholder(secret):  # uid:gid, user:$PASS
            return None
        return index, start + cut + 1, end, _USER_PASSWORD_RULE
    if how in (_PORT_OR_VALUE, _ATTACHED_NOT_PORT) and _PORT.fullmatch(value):
        return None
    if how == _PWD and _is_path(value):  # --pwd /srv/app: a working directory
        return None
    if not strong and ":" in value:  # --auth user:password
        return _value_hit(index, word, start, _USER_COLON, True)
    if not strong and not _token_like(value):  # --sort-key name, --private-key-id 7
        return None
    return index, start, end, _OPTION_RULE


def _token_like(value: str) -> bool:
    """Not a plain word: a digit, a capital or a symbol in six characters or more."""
    return len(value) >= 6 and not (value.isalpha() and value.islower())


# One of these is in every option name that _option_kind accepts: most names have none,
# and are answered without the name rules.
_OPTION_NAME_HINT = re.compile(
    r"pass|pw|psw|token|jwt|bearer|secret|cred|private|cookie|sig|session|dsn|salt|auth|key"
    r"|webhook|conn|user",
    re.IGNORECASE,
)


def _option_kind(name: str) -> Optional[Tuple[str, bool]]:
    """How the value of option NAME is secret (kind, strong), or None."""
    if _OPTION_NAME_HINT.search(name) is None:
        return None
    if name.lower() == "pwd":  # --pwd SECRET (a bare PWD variable is the shell's folder)
        return _PWD, True
    rule = secret_name_rule(name)
    if rule is not None:
        return _VALUE, rule in _STRONG_NAME_RULES
    if [p for p in _NAME_SPLIT.split(name.upper()) if p][-1:] == ["USER"]:  # --user, --proxy-user
        return _USER_COLON, True
    return None


def _is_option(word: str) -> bool:
    return len(word) > 1 and word[0] == "-" and (word[1].isalpha() or word[1] == "-")


def _option_hits(words: Sequence[str]) -> List[_Hit]:
    """The secret values in a command line given as WORDS (argv, or words of a text)."""
    hits: List[_Hit] = []
    program: Optional[str] = None
    expect_program = True
    pending: Optional[Tuple[str, bool]] = None
    user_given = False  # a -u/--user option seen: a bare -pVALUE then is a password
    for index, word in enumerate(words):
        offset = 0
        glued = _ENV_ASSIGNMENT.match(word)
        if glued and word[glued.end() : glued.end() + 1] == "-":  # OPTS=-h db -pSECRET
            offset, word = glued.end(), word[glued.end() :]
        if pending is not None:
            how, strong = pending
            pending = None
            if word and not _is_option(word):
                _add_hit(hits, _value_hit(index, word, 0, how, strong), offset)
                continue
        if not word:
            continue
        if word in _COMMAND_BREAKS or (word == "-c" and program in _SHELLS):
            expect_program = True
            continue
        m = _OPTION.match(word)
        if m is None or not _is_option(word):
            # In free text a known program starts a command wherever it appears.
            named = _program(word)
            if (
                expect_program and not _ENV_ASSIGNMENT.match(word)
            ) or named in _SHORT_SECRET_OPTIONS:
                program, expect_program = named, False
            continue
        expect_program = False  # options before any program: APP_OPTS=-uroot -pSECRET
        dashes, name = m.group(1), m.group(2)
        user_given = user_given or _USER_OPTION.match(word) is not None
        if program:
            shorts = _SHORT_SECRET_OPTIONS.get(program, {})
        else:
            shorts = _NO_PROGRAM if user_given else {}
        letter = shorts.get(word[1]) if dashes == "-" else None
        if letter is not None:
            if len(word) > 2:
                _add_hit(hits, _value_hit(index, word, 2, letter, True), offset)
            elif letter not in (_ATTACHED, _ATTACHED_NOT_PORT):
                pending = letter, True
            continue
        kind = _option_kind(name)
        if kind is None:
            continue
        if word[m.end() : m.end() + 1] == "=":
            _add_hit(hits, _value_hit(index, word, m.end() + 1, kind[0], kind[1]), offset)
        elif m.end() == len(word):
            pending = kind
    return hits


def _add_hit(hits: List[_Hit], hit: Optional[_Hit], offset: int) -> None:
    if hit is not None:
        hits.append((hit[0], hit[1] + offset, hit[2] + offset, hit[3]))


def _option_spans(text: str, depth: int = 3) -> "List[_Span]":
    """The secret option values in free text: a command line, an error quoting one.

    A quoted word holding spaces (sh -c '...', a repr of an argv) is read as a command
    line of its own, a few levels deep.
    """
    if _OPTION_GATE.search(text) is None:
        return []
    spans: "List[_Span]" = []
    # Words as a shell reads them ("two words" is one), then as a repr shows them
    # (['curl', '-u', 'user:pw'] has quotes a shell would pair wrongly).
    quoted = "'" in text or '"' in text
    for splitter in (_SHELL_WORD, _PLAIN_WORD) if quoted else (_PLAIN_WORD,):
        cores = [_core(text, *m.span()) for m in splitter.finditer(text)]
        for start, end in cores:
            word = text[start:end]
            if splitter is _SHELL_WORD and depth > 1 and (" " in word or "\t" in word):
                inner = _option_spans(word, depth - 1)
                spans += [(start + a, start + b, r, k) for a, b, r, k in inner]
        hits = _option_hits([text[start:end] for start, end in cores])
        spans += [(cores[i][0] + s, cores[i][0] + e, rule, False) for i, s, e, rule in hits]
    return spans


# ---------------------------------------------------------------------------
# Values: entropy
# ---------------------------------------------------------------------------

_ENTROPY_TOKEN = re.compile(r"[A-Za-z0-9+/_-]{24,}")
_SIMPLE_PART = re.compile(r"[0-9A-Fa-f]*|[A-Za-z]*|[0-9]*")


def _entropy(text: str) -> float:
    counts: Dict[str, int] = {}
    for char in text:
        counts[char] = counts.get(char, 0) + 1
    n = float(len(text))
    return -sum(c / n * math.log2(c / n) for c in counts.values())


# A URL, a path, or host[:port][/path] (registry.example.com:443/group/image): where a
# thing is, not a key. Credentials in a URL are caught by the pattern rules before.
_LOCATION = re.compile(
    r"[A-Za-z][A-Za-z0-9+.-]{0,30}://\S*|(?:~[A-Za-z0-9_.-]{0,32}|\.{1,2})?/\S*"
    r"|[A-Za-z]:[\\/]\S*|\\\\\S*"
    r"|(?:[a-z0-9-]{1,63}\.){1,16}[a-z]{2,63}(?::[0-9]{1,5})?(?:/\S*)?"
    r"|(?:localhost|[0-9]{1,3}(?:\.[0-9]{1,3}){3})(?::[0-9]{1,5})?(?:/\S*)?"
)
_LIST_SEPARATORS = re.compile(r"[\s,;]+")
# What separates the parts of a URL: each part is judged as a token of its own.
_LOCATION_PARTS = re.compile(r"[\s,;/?&=#:@.+~]+")
# Local paths only, one or a list (PATH): /usr/bin:/bin, ~/x, ./y, C:\\x.
_FILE_PATHS = re.compile(
    r"(?:(?:~[A-Za-z0-9_.-]{0,32}|\.{1,2})?/[^\s:;,]*|[A-Za-z]:[\\/][^\s;,]*)"
    r"(?:[\s:;,]+(?:(?:~[A-Za-z0-9_.-]{0,32}|\.{1,2})?/[^\s:;,]*|[A-Za-z]:[\\/][^\s;,]*))*"
)


def _locations(value: str) -> bool:
    """True when VALUE is only URLs and paths (a list of them, as in PATH, counts)."""
    pieces = [p for p in _LIST_SEPARATORS.split(value.strip()) if p]
    return bool(pieces) and all(_LOCATION.fullmatch(p) for p in pieces)


def _looks_random(token: str) -> bool:
    """A single token that looks like a random key rather than a name, path or digest.

    Pure hex (commit SHAs, sha256 digests, container ids, UUIDs) is never flagged by
    entropy alone: digests are common and harmless, and hex secrets are usually named
    (API_KEY=...) so the name rule catches them. Lower-case slugs with two or more
    separators (Kubernetes pod names) are names, not keys.
    """
    if token.startswith("/") or "//" in token or token.count("/") * 12 > len(token):
        return any(_looks_random(seg) for seg in token.split("/") if len(seg) >= 24)
    if not _has_letter_and_digit(token):
        return False
    parts = re.split(r"[-_]", token)
    if all(_SIMPLE_PART.fullmatch(p) for p in parts):
        return False
    if not any(c.isupper() for c in token) and len(parts) >= 3:
        return False
    return _entropy(token) >= min(4.0, math.log2(len(token)) - 0.7)


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def secret_value_rule(value: str, entropy: bool = True) -> Optional[str]:
    """The rule id when VALUE (any text, possibly multi-line) looks like or holds a secret.

    ENTROPY False: token patterns only (for values documented as public).
    """
    if len(value) < 8:
        return None
    spans = _find_spans(value, _ALL, first=True) or _option_spans(value)
    if spans:
        return spans[0][2]
    for m in _B64_CANDIDATE.finditer(value):
        rule = _decoded_rule(m.group())
        if rule is not None:
            return rule
    if not entropy:
        return None
    if _locations(value):
        # A file's path is no key (a temporary folder's random name is not a secret); a
        # URL can carry one in its path or query (a bot token, a webhook's or a ping
        # URL's key): each part of it is judged as a token of its own.
        pieces = [] if _FILE_PATHS.fullmatch(value.strip()) else _LOCATION_PARTS.split(value)
        if any(len(p) >= 24 and _looks_random(p) for p in pieces):
            return "value:high-entropy"
        return None
    for m in _ENTROPY_TOKEN.finditer(value):
        if _looks_random(m.group()):
            return "value:high-entropy"
    return None


def _apply_spans(text: str, spans: "List[_Span]") -> Tuple[str, int]:
    # A REDACTED span inside a MASK span (a token in a URL's userinfo) is left to the mask.
    masks = [(s, e) for s, e, _, masked in spans if masked]
    kept = [sp for sp in spans if sp[3] or not any(ms <= sp[0] and sp[1] <= me for ms, me in masks)]
    kept.sort()
    merged: List[List[Any]] = []
    for start, end, _, masked in kept:
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            merged[-1][2] = merged[-1][2] and masked
        else:
            merged.append([start, end, masked])
    pieces: List[str] = []
    pos = 0
    for start, end, masked in merged:
        pieces.append(text[pos:start])
        pieces.append(MASK if masked else REDACTED)
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces), len(merged)


def redact_url(url: str) -> Tuple[str, bool]:
    """URL with its userinfo and secret query values replaced by ``***``; and whether it changed."""
    if not isinstance(url, str):
        return url, False
    new, count = _apply_spans(url, _find_spans(url, _URL))
    return new, count > 0


def scrub_text(text: str) -> Tuple[str, int]:
    """TEXT with every secret-looking substring replaced, and the number of replacements.

    For free text (paths, metadata URLs, .pth lines, command lines): pattern rules and
    base64-encoded secrets only. The entropy rule is left out because it would mangle
    hashes and identifiers.
    """
    if len(text) < 8:
        return text, 0
    spans = _find_spans(text, _ALL) + _option_spans(text)
    for m in _B64_CANDIDATE.finditer(text):
        rule = _decoded_rule(m.group())
        if rule is not None:
            spans.append((m.start(), m.end(), rule, False))
    if not spans:
        return text, 0
    return _apply_spans(text, spans)


def screen_texts(texts: Sequence[str]) -> "List[int]":
    """The indexes of the ASCII TEXTS that `scrub_text` may change; it leaves the others
    as they are.

    One scan of all of them joined by newlines, with the same trigger index, option gate
    and base64 candidates that `scrub_text` applies to each: a newline is in none of the
    triggers and no base64 character, and it stands where a text's start or end would
    (whitespace to the option gate, a non-token character to the base64 bounds). So
    every hit in one text is a hit in the joined scan at the same offset; a hit spanning
    two texts cannot occur, and a spurious one would only send a clean text to
    `scrub_text`. A text with neither a trigger nor an option has no rule span; one with
    no decodable secret in its base64 candidates has none of those: it is clean.
    """
    joined = "\n".join(texts)
    if not joined.isascii():  # lower() may change a non-ASCII text's length
        return list(range(len(texts)))
    starts: "List[int]" = []
    position = 0
    for text in texts:
        starts.append(position)
        position += len(text) + 1
    hits: "set[int]" = set()
    # A match found in a text lies in it (no trigger holds a newline); one text may hide
    # another of its triggers behind the first, but one hit is enough to flag it.
    for m in _ANY_LOWER_TRIGGER.finditer(joined.lower()):
        hits.add(m.start())
    for m in _ANY_EXACT_TRIGGER.finditer(joined):
        hits.add(m.start())
    for m in _OPTION_GATE.finditer(joined):
        hits.add(m.end() - 1)  # the option's first letter: inside the text
    decoded: "Dict[str, Optional[str]]" = {}
    for m in _B64_CANDIDATE.finditer(joined):
        token = m.group()
        if token not in decoded:
            decoded[token] = _decoded_rule(token)
        if decoded[token] is not None:
            hits.add(m.start())
    return sorted({bisect.bisect_right(starts, hit) - 1 for hit in hits})


def fingerprint(value: str, key: Optional[bytes]) -> Optional[str]:
    """Keyed HMAC-SHA256 of VALUE, or None without a key.

    Never a plain hash: a plain hash of a short secret can be guessed offline.
    """
    if not key:
        return None
    import hashlib  # here: without a key (the usual case) the probe need not load OpenSSL
    import hmac

    digest = hmac.new(key, value.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()
    return "hmac-sha256:" + digest[:32]


def make_marker(
    rule: str, fp: Optional[str] = None, preview: Optional[str] = None
) -> Dict[str, Any]:
    """The marker standing for a redacted value: no length, no plain hash, no substring."""
    return {"redacted": True, "rule": rule, "fingerprint": fp, "preview": preview}


def is_redaction_marker(obj: Any) -> bool:
    """True for a well-formed marker dict (exactly the four keys, right types)."""
    return (
        isinstance(obj, dict)
        and set(obj) == {"redacted", "rule", "fingerprint", "preview"}
        and obj["redacted"] is True
        and isinstance(obj["rule"], str)
        and (obj["fingerprint"] is None or isinstance(obj["fingerprint"], str))
        and (obj["preview"] is None or isinstance(obj["preview"], str))
    )


_URL_LIST = re.compile(
    r"[A-Za-z][A-Za-z0-9+.-]{0,30}://[^\s,]+(?:[\s,]+[A-Za-z][A-Za-z0-9+.-]{0,30}://[^\s,]+)*"
)


def _url_preview(value: str, rule: str) -> Tuple[Optional[str], str]:
    """VALUE with URL credentials masked, when it is only URLs and nothing else is secret.

    Also the rule to report: the one that still fires on the masked value, if any, since
    it says more than "a URL had credentials".
    """
    preview, changed = redact_url(value)
    other = secret_value_rule(preview)
    if other is not None:
        return None, other
    if not changed or _URL_LIST.fullmatch(value.strip()) is None:
        return None, rule
    return preview, rule


def _option_preview(value: str, rule: str) -> Tuple[Optional[str], str]:
    """VALUE with its secret option values replaced (--workers 4 --api-token <redacted>),
    when nothing else in it is secret."""
    preview = scrub_text(value)[0]
    other = secret_value_rule(preview)
    return (None, other) if other is not None else (preview, rule)


def redact_value(name: str, value: str, key: Optional[bytes]) -> Optional[Dict[str, Any]]:
    """The marker for one environment entry, or None when it can stay in clear.

    The variables GitLab CI and GitHub Actions document as public (ci_variables.py) are
    judged by token patterns only: neither their name nor their entropy redacts them.
    """
    if value == "":
        return None  # "set but empty" is a useful fact and holds no secret
    name_rule = secret_name_rule(name)
    if name_rule == "name:pwd" and _is_path(value):
        name_rule = None
    value_rule = secret_value_rule(value, entropy=name.upper() not in CI_PUBLIC_VARIABLES)
    if name_rule is None and value_rule is None:
        return None
    preview = None
    # A name-flagged value gets no preview: the name says all of it is secret.
    if name_rule is None and value_rule in _URL_RULE_IDS:
        preview, value_rule = _url_preview(value, str(value_rule))
    elif name_rule is None and value_rule in (_OPTION_RULE, _USER_PASSWORD_RULE):
        preview, value_rule = _option_preview(value, str(value_rule))
    return make_marker(name_rule or str(value_rule), fingerprint(value, key), preview)


def redact_argv(argv: Sequence[str]) -> Tuple[List[str], int]:
    """ARGV (an image's Entrypoint or Cmd) with each secret option value replaced, and how
    many words changed: --db-password <redacted>, --password=<redacted>, -p<redacted>.

    The option names stay, so the command still reads; words holding whole command lines
    (sh -c '...') and token patterns are scrubbed as free text.
    """
    words = [word if isinstance(word, str) else "" for word in argv]
    spans: Dict[int, "List[_Span]"] = {}
    for index, start, end, rule in _option_hits(words):
        spans.setdefault(index, []).append((start, end, rule, False))
    out: List[str] = []
    count = 0
    for index, word in enumerate(words):
        changed = 0
        if index in spans:
            word, changed = _apply_spans(word, spans[index])
        word, scrubbed = scrub_text(word)
        out.append(word)
        count += 1 if changed or scrubbed else 0
    return out, count


def redact_labels(labels: Mapping[str, str]) -> Tuple[Dict[str, str], int]:
    """LABELS (an image's) with each secret value replaced, and how many: a label is judged
    like a variable, its key as the name (org.example.db.password names a password).

    Values stay text (the snapshot's schema): ``<redacted>``, or the URL with ``***``.
    """
    out: Dict[str, str] = {}
    count = 0
    for name, value in labels.items():
        if isinstance(value, str) and _plain_label(name, value):
            out[name] = value
            continue
        marker = redact_value(name, value, None) if isinstance(value, str) else None
        if marker is None:
            out[name] = value
        else:
            out[name] = marker["preview"] or REDACTED
            count += 1
    return out, count


def _plain_label(name: str, value: str) -> bool:
    """A label whose value cannot be a secret: a flag (`…private: "false"`), or a key that
    names something public (`…public-key`), unless the value itself holds a token."""
    if value.lower() in _PLACEHOLDERS:
        return True
    return "PUBLIC" in name.upper() and secret_value_rule(value) is None


def redact_environment(env: Mapping[str, str], key: Optional[bytes]) -> Tuple[Dict[str, Any], int]:
    """A copy of ENV with secret-looking entries replaced by markers, and how many."""
    out: Dict[str, Any] = {}
    count = 0
    for name, value in env.items():
        if isinstance(value, str):
            marker = redact_value(name, value, key)
        else:  # os.environ holds only text; anything else is suspect
            marker = make_marker("value:not-text")
        if marker is None:
            out[name] = value
        else:
            out[name] = marker
            count += 1
    return out, count
