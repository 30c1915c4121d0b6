"""What each environment variable does to a Python program, and how much a change matters.

A table, not code: the rule for a variable is its group (variables reported
together), a severity, a reason in a few words, and the interpreter fields it
drives (PYTHONHASHSEED sets sys.flags.hash_randomization), so that the one
finding about the variable also explains the interpreter change it caused.
"""

from __future__ import annotations

from dataclasses import dataclass

from driftcheck.diff.model import Severity

ENCODING_FIELDS = ("default_encoding", "filesystem_encoding", "locale.")


@dataclass(frozen=True)
class VariableRule:
    group: str
    severity: Severity
    why: str
    drives: tuple[str, ...] = ()  # interpreter fields ("flags.optimize"; "locale." = prefix)


def _rule(group: str, severity: Severity, why: str, *drives: str) -> VariableRule:
    return VariableRule(group, severity, why, drives)


LOADER = _rule(
    "loader",
    Severity.HIGH,
    "the dynamic loader searches or preloads these libraries first, so compiled extensions "
    "can load other native libraries",
)
PROXY = _rule(
    "proxies",
    Severity.MEDIUM,
    "HTTP clients route requests through a different proxy (or none), so network calls can "
    "fail or reach other hosts",
)
CA_BUNDLE = _rule(
    "CA bundles",
    Severity.MEDIUM,
    "TLS clients trust a different set of certificates, so HTTPS calls can fail verification "
    "on one side",
)
THREADS = _rule(
    "thread counts",
    Severity.LOW,
    "they use another number of threads: speed and memory differ, floating-point reductions "
    "can sum in another order, and an unset count in a container can start one thread per "
    "host CPU",
)
# Who reads each thread count, for the finding's first words.
THREAD_READERS = {
    "OMP_NUM_THREADS": "OpenMP code (scikit-learn, PyTorch, OpenMP builds of OpenBLAS)",
    "OPENBLAS_NUM_THREADS": "OpenBLAS (numpy's and scipy's wheels)",
    "GOTO_NUM_THREADS": "OpenBLAS",
    "MKL_NUM_THREADS": "Intel MKL (conda's numpy and scipy)",
    "NUMEXPR_NUM_THREADS": "numexpr (pandas.eval, PyTables)",
    "NUMEXPR_MAX_THREADS": "numexpr (pandas.eval, PyTables)",
    "VECLIB_MAXIMUM_THREADS": "Apple Accelerate (numpy on macOS)",
    "BLIS_NUM_THREADS": "BLIS",
}
LOCALE = _rule(
    "locale",
    Severity.MEDIUM,
    "text encoding defaults, sorting and number formatting differ",
    "flags.utf8_mode",
    *ENCODING_FIELDS,
)
INSTALLER = _rule(
    "installer settings",
    Severity.LOW,
    "the installer reads other settings (index, constraints, cache), so installs resolve "
    "differently",
)
NOISE = _rule("session", Severity.INFO, "session details that differ per login and machine")

EXACT: dict[str, VariableRule] = {
    "PYTHONPATH": _rule(
        "PYTHONPATH",
        Severity.HIGH,
        "its folders come before site-packages, so imports can load other code than the "
        "installed packages",
    ),
    "PYTHONHOME": _rule(
        "PYTHONHOME",
        Severity.HIGH,
        "it moves where Python looks for its standard library and site-packages",
    ),
    "PYTHONHASHSEED": _rule(
        "PYTHONHASHSEED",
        Severity.MEDIUM,
        "string hashing is seeded differently, so the iteration order of sets and anything "
        "ordered by hash() differs",
        "flags.hash_randomization",
    ),
    "PYTHONUTF8": _rule(
        "PYTHONUTF8",
        Severity.MEDIUM,
        "UTF-8 mode is on one side only, so open() and the standard streams default to "
        "different encodings",
        "flags.utf8_mode",
        *ENCODING_FIELDS,
    ),
    "PYTHONIOENCODING": _rule(
        "PYTHONIOENCODING",
        Severity.MEDIUM,
        "stdin, stdout and stderr encode text differently",
    ),
    "PYTHONOPTIMIZE": _rule(
        "PYTHONOPTIMIZE",
        Severity.MEDIUM,
        "assert statements (and with level 2 docstrings) are stripped on one side",
        "flags.optimize",
    ),
    "PYTHONNOUSERSITE": _rule(
        "PYTHONNOUSERSITE",
        Severity.MEDIUM,
        "the user site-packages is left off sys.path on one side",
        "flags.no_user_site",
    ),
    "PYTHONSAFEPATH": _rule(
        "PYTHONSAFEPATH",
        Severity.MEDIUM,
        "the script's folder is not put first on sys.path on one side",
        "flags.safe_path",
    ),
    "PYTHON_GIL": _rule(
        "PYTHON_GIL",
        Severity.MEDIUM,
        "a free-threaded build runs with or without the GIL",
    ),
    "PYTHONWARNINGS": _rule(
        "PYTHONWARNINGS",
        Severity.LOW,
        "warnings are shown, hidden or turned into errors differently",
    ),
    "PYTHONUSERBASE": _rule(
        "PYTHONUSERBASE",
        Severity.MEDIUM,
        "the user site-packages is another folder, so packages installed with --user differ",
    ),
    "PYTHONPLATLIBDIR": _rule(
        "PYTHONPLATLIBDIR",
        Severity.MEDIUM,
        "Python looks for its platform-specific library folder elsewhere",
    ),
    "PYTHONHTTPSVERIFY": _rule(
        "PYTHONHTTPSVERIFY",
        Severity.MEDIUM,
        "with 0, urllib and http.client skip certificate verification on that side",
    ),
    "SETUPTOOLS_USE_DISTUTILS": _rule(
        "SETUPTOOLS_USE_DISTUTILS",
        Severity.MEDIUM,
        "`import distutils` loads setuptools' copy on one side and the standard library's "
        "(or nothing, from Python 3.12) on the other",
    ),
    "DJANGO_SETTINGS_MODULE": _rule(
        "DJANGO_SETTINGS_MODULE",
        Severity.MEDIUM,
        "Django loads another settings module",
    ),
    "PYTHON_CPU_COUNT": _rule(
        "PYTHON_CPU_COUNT",
        Severity.LOW,
        "os.cpu_count() reports another number, so pools size themselves differently",
    ),
    "PYTHONFAULTHANDLER": _rule(
        "PYTHONFAULTHANDLER",
        Severity.LOW,
        "a crash dumps the Python traceback on one side only",
    ),
    "PYTHONBREAKPOINT": _rule(
        "PYTHONBREAKPOINT",
        Severity.LOW,
        "breakpoint() calls another debugger, or does nothing with 0",
    ),
    "PYTHONMALLOC": _rule(
        "PYTHONMALLOC",
        Severity.LOW,
        "another memory allocator (or its debug hooks) runs, so memory errors surface differently",
    ),
    "PYTHONASYNCIODEBUG": _rule(
        "PYTHONASYNCIODEBUG",
        Severity.LOW,
        "asyncio runs in debug mode on one side: slower, with warnings about slow callbacks",
    ),
    "TMPDIR": _rule(
        "TMPDIR",
        Severity.LOW,
        "tempfile writes elsewhere, on a file system that can be smaller, read-only or not shared",
    ),
    "MPLBACKEND": _rule(
        "MPLBACKEND",
        Severity.LOW,
        "matplotlib draws with another backend (a GUI one fails without a display)",
    ),
    "KMP_DUPLICATE_LIB_OK": _rule(
        "KMP_DUPLICATE_LIB_OK",
        Severity.LOW,
        "Intel's OpenMP runtime tolerates being loaded twice on one side and aborts on the other",
    ),
    "PYTHONSTARTUP": _rule("PYTHONSTARTUP", Severity.INFO, "read by the interactive shell only"),
    "PYTHONPYCACHEPREFIX": _rule(
        "PYTHONPYCACHEPREFIX", Severity.INFO, "only where .pyc files are written"
    ),
    "PYTHONDEVMODE": _rule(
        "PYTHONDEVMODE",
        Severity.LOW,
        "development mode adds warnings and runtime checks",
        "flags.dev_mode",
    ),
    "PYTHONINTMAXSTRDIGITS": _rule(
        "PYTHONINTMAXSTRDIGITS",
        Severity.LOW,
        "int/str conversions of long numbers are limited differently",
        "flags.int_max_str_digits",
    ),
    "PYTHONWARNDEFAULTENCODING": _rule(
        "PYTHONWARNDEFAULTENCODING",
        Severity.LOW,
        "open() without an encoding warns on one side",
        "flags.warn_default_encoding",
    ),
    "PYTHONUNBUFFERED": _rule(
        "PYTHONUNBUFFERED",
        Severity.LOW,
        "output is buffered on one side, so interleaved stdout and stderr appear in another order",
    ),
    "PYTHONDONTWRITEBYTECODE": _rule(
        "PYTHONDONTWRITEBYTECODE",
        Severity.INFO,
        "only whether .pyc files are written",
        "flags.dont_write_bytecode",
    ),
    "PYTHONVERBOSE": _rule("PYTHONVERBOSE", Severity.INFO, "import tracing", "flags.verbose"),
    "PYTHONINSPECT": _rule("PYTHONINSPECT", Severity.INFO, "interactive mode", "flags.inspect"),
    "TZ": _rule(
        "TZ",
        Severity.MEDIUM,
        "local time differs, so naive datetimes and time.localtime() give other results",
    ),
    "CUDA_VISIBLE_DEVICES": _rule(
        "CUDA_VISIBLE_DEVICES",
        Severity.LOW,
        "processes see different GPUs (none when it is empty)",
    ),
    "LD_LIBRARY_PATH": LOADER,
    "LD_PRELOAD": LOADER,
    "DYLD_LIBRARY_PATH": LOADER,
    "DYLD_INSERT_LIBRARIES": LOADER,
    "DYLD_FALLBACK_LIBRARY_PATH": LOADER,
    "REQUESTS_CA_BUNDLE": CA_BUNDLE,
    "SSL_CERT_FILE": CA_BUNDLE,
    "SSL_CERT_DIR": CA_BUNDLE,
    "CURL_CA_BUNDLE": CA_BUNDLE,
    "NODE_EXTRA_CA_CERTS": CA_BUNDLE,
    "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH": CA_BUNDLE,
}
LOCALE_NAMES = (
    "LANG",
    "LANGUAGE",
    "LC_ALL",
    "LC_CTYPE",
    "LC_COLLATE",
    "LC_NUMERIC",
    "LC_TIME",
    "LC_MONETARY",
    "LC_MESSAGES",
)
PROXY_NAMES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "ftp_proxy")
THREAD_NAMES = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "NUMEXPR_MAX_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "BLIS_NUM_THREADS",
    "GOTO_NUM_THREADS",
)
NOISE_NAMES = frozenset(
    {
        "_",
        "CI",
        "CONTINUOUS_INTEGRATION",
        "BUILD_ID",
        "BUILD_NUMBER",
        "BUILD_URL",
        "JOB_NAME",
        "JOB_ID",
        "NODE_NAME",
        "EXECUTOR_NUMBER",
        "TRAVIS",
        "CIRCLECI",
        "TF_BUILD",
        "DEBIAN_FRONTEND",
        "HOSTTYPE",
        "OSTYPE",
        "MACHTYPE",
        "LESS",
        "MANPATH",
        "INFOPATH",
        "HOSTNAME",
        "HOME",
        "PWD",
        "OLDPWD",
        "SHLVL",
        "TERM",
        "USER",
        "USERNAME",
        "LOGNAME",
        "SHELL",
        "MAIL",
        "DISPLAY",
        "COLORTERM",
        "LS_COLORS",
        "LESSOPEN",
        "LESSCLOSE",
        "PS1",
        "PS2",
        "PROMPT_COMMAND",
        "HISTFILE",
        "HISTSIZE",
        "HISTFILESIZE",
        "HISTCONTROL",
        "EDITOR",
        "VISUAL",
        "PAGER",
        "COLUMNS",
        "LINES",
        "TMUX",
        "TMUX_PANE",
        "STY",
        "WINDOWID",
        "MOTD_SHOWN",
        "DBUS_SESSION_BUS_ADDRESS",
        "SESSION_MANAGER",
        "DESKTOP_SESSION",
        "XAUTHORITY",
        "GPG_TTY",
        "INVOCATION_ID",
        "JOURNAL_STREAM",
        "LC_TERMINAL",
        "LC_TERMINAL_VERSION",
        "VIRTUAL_ENV",
        "VIRTUAL_ENV_PROMPT",
        "CONDA_PREFIX",
        "CONDA_DEFAULT_ENV",
        "CONDA_SHLVL",
        "CONDA_PROMPT_MODIFIER",
        "CONDA_EXE",
        "CONDA_PYTHON_EXE",
        "_CE_CONDA",
        "_CE_M",
        "container",
    }
)
NOISE_PREFIXES = (
    "SSH_",
    "XDG_",
    "TERM_",
    "SUDO_",
    "GITHUB_",
    "RUNNER_",
    "CI_",
    "GITLAB_",
    "BUILDKITE_",
    "JENKINS_",
    "ACTIONS_",
    "VSCODE_",
    "ITERM_",
    "KONSOLE_",
    "GNOME_",
    "WAYLAND_",
    "KUBERNETES_",
    "WSL_",
    "CIRCLE_",
    "TRAVIS_",
    "DRONE_",
    "BITBUCKET_",
    "TEAMCITY_",
    "SYSTEM_",  # Azure Pipelines
    "AGENT_",  # Azure Pipelines
)


def severity_of(name: str, rule: VariableRule, values: tuple[object, ...]) -> Severity:
    """The rule's severity, raised where the value says more: warnings turned into errors
    make a program fail where the other side only prints them."""
    if name == "PYTHONWARNINGS" and any("error" in str(v).lower() for v in values if v):
        return Severity.MEDIUM
    return rule.severity


def rule_for(name: str) -> VariableRule | None:
    """The rule for a variable; None for PATH (its own rule) and variables nobody rates."""
    if name in EXACT:
        return EXACT[name]
    if name in LOCALE_NAMES:
        return LOCALE
    if name.lower() in PROXY_NAMES:
        return PROXY
    if name in THREAD_NAMES:
        return THREADS
    if name.startswith(("PIP_", "UV_")):
        return INSTALLER
    if name in NOISE_NAMES or name.startswith(NOISE_PREFIXES):
        return NOISE
    return None
