"""Fake secrets in real token formats, shared by every leak test."""

from __future__ import annotations

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
