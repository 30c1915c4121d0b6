"""What an error points at, as finding names (`category:subject`), and how strongly.

A pointer is data, not a rule: the matcher compares it with each finding's
category and the names the finding is about (its subject, the keys of the
changes it claims, the distributions it names, its members' subjects), so a
new kind of finding (imports:, startup:, native-libraries:<soname>) is matched
as soon as an explainer produces it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NAMES_EXACTLY = 3  # the finding is about what the error names (the module, the soname)
MECHANISM = 2  # the finding is a mechanism that raises this error
CONTRIBUTES = 1  # the finding can play a part


@dataclass(frozen=True)
class Pointer:
    category: str
    subject: str | None = None  # None: any finding of the category
    strength: int = MECHANISM
    module: str | None = None  # an import name: the distributions that install it, on each side
    contains: str | None = None  # a word the subject holds ("requires python")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def exact(category: str, subject: str) -> Pointer:
    return Pointer(category, subject, NAMES_EXACTLY)


def mechanism(category: str, subject: str | None = None) -> Pointer:
    return Pointer(category, subject, MECHANISM)


def contributes(category: str, subject: str | None = None) -> Pointer:
    return Pointer(category, subject, CONTRIBUTES)


def module_pointers(module: str, strength: int = NAMES_EXACTLY) -> tuple[Pointer, ...]:
    """`import module` failing or changing: the distributions that install it, and the
    finding about which file that import loads."""
    top = module.partition(".")[0]
    return (
        Pointer("packages", strength=strength, module=top),
        Pointer("imports", top, strength),
    )


# What makes `import x` find another file or none at all: paths and start-up mechanisms.
IMPORT_PATH = (
    mechanism("environment", "PYTHONPATH"),
    mechanism("environment", "PYTHONHOME"),
    mechanism("environment", "PYTHONNOUSERSITE"),
    mechanism("environment", "PYTHONSAFEPATH"),
    mechanism("startup"),
    mechanism("python", "sys.path"),
    mechanism("python", "sys.path order"),
    mechanism("python", "environment kind"),
    contributes("python", "version"),
)
LOCALE = (
    exact("environment", "locale"),
    exact("environment", "LANG"),
    exact("environment", "LC_ALL"),
    exact("environment", "LC_CTYPE"),
    exact("environment", "PYTHONIOENCODING"),
    exact("environment", "PYTHONUTF8"),
    exact("python", "text encoding"),
    mechanism("python", "interpreter flags"),
    contributes("python", "version"),
)
CA_BUNDLES = (
    exact("environment", "CA bundles"),
    exact("environment", "SSL_CERT_FILE"),
    exact("environment", "SSL_CERT_DIR"),
    exact("environment", "REQUESTS_CA_BUNDLE"),
    exact("environment", "CURL_CA_BUNDLE"),
    exact("environment", "PIP_CERT"),
    exact("packages", "certifi"),
    exact("os", "ca-certificates"),
    mechanism("packages", "truststore"),
    mechanism("packages", "pip-system-certs"),
    mechanism("environment", "proxies"),
    mechanism("environment", "HTTPS_PROXY"),
    mechanism("environment", "https_proxy"),
    mechanism("native-libraries", "OpenSSL"),
    mechanism("python", "ssl module OpenSSL"),
    contributes("packages", "requests"),
    contributes("packages", "urllib3"),
)
OPENSSL = (
    exact("native-libraries", "OpenSSL"),
    exact("python", "ssl module OpenSSL"),
    mechanism("packages", "cryptography"),
    mechanism("packages", "pyopenssl"),
    mechanism("environment", "OPENSSL_CONF"),
    contributes("os"),
)
THREADS = (
    exact("environment", "thread counts"),
    *(
        exact("environment", name)
        for name in (
            "OMP_NUM_THREADS",
            "OPENBLAS_NUM_THREADS",
            "GOTO_NUM_THREADS",
            "MKL_NUM_THREADS",
            "NUMEXPR_NUM_THREADS",
            "NUMEXPR_MAX_THREADS",
            "BLIS_NUM_THREADS",
            "VECLIB_MAXIMUM_THREADS",
            "KMP_DUPLICATE_LIB_OK",
        )
    ),
    contributes("platform", "hardware and kernel"),
    contributes("container"),
)
PYTHON_ABI = (
    exact("python", "version"),
    exact("python", "extension ABI"),
    mechanism("python", "debug build"),
    mechanism("python", "free-threaded build"),
    mechanism("python", "implementation"),
    mechanism("python", "interpreter"),
)
LIBC = (
    exact("platform", "libc"),
    exact("platform", "libc version"),
    exact("platform", "wheels vs libc"),
    mechanism("os", "OS release"),
    mechanism("platform", "operating system"),
    contributes("container", "image"),
)
LOADER = (
    mechanism("environment", "loader"),
    mechanism("environment", "LD_LIBRARY_PATH"),
    mechanism("environment", "LD_PRELOAD"),
    contributes("os"),
)
