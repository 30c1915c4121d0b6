"""The errors an error text holds, and what each points at.

A table of recognisers, one per mechanism: a pattern that finds the error on a
line, and a function that turns the match into pointers (pointers.py). Lines are
cleaned first (colour codes, CI timestamps, pytest's `E` prefix). What is quoted
of a line is only the error itself, redacted and shortened.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from driftcheck.diff.symptom import pointers as p
from driftcheck.diff.symptom.pointers import Pointer
from driftcheck.diff.symptom.reading import ErrorText
from driftcheck.redaction.rules import scrub_text

QUOTE_LIMIT = 160
MAX_ERRORS = 20  # distinct errors kept from one text
FRAME_WINDOW = 60  # lines before an error searched for traceback frames

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
_PREFIX = re.compile(
    r"^(?:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z\s?)?(?:##\[error\]|::error[^:]*::)?"
    r"(?:E\s{2,}|\s*\|\s?)?"
)
_FRAME = re.compile(r'^\s*File "([^"]+)", line \d+')
_PACKAGE_DIR = re.compile(r"[/\\](?:site|dist)-packages[/\\]([A-Za-z_][\w]*)")

_PEP_594: tuple[str, ...] = (
    "aifc",
    "audioop",
    "cgi",
    "cgitb",
    "chunk",
    "crypt",
    "imghdr",
    "mailcap",
    "msilib",
)
_PEP_594 += ("nis", "nntplib", "ossaudiodev", "pipes", "sndhdr", "spwd", "sunau", "telnetlib")
_PEP_594 += ("uu", "xdrlib", "lib2to3")
# Standard-library modules that a newer Python no longer ships (PEP 594, PEP 632 …).
REMOVED_STDLIB = {
    **dict.fromkeys(("formatter", "parser", "symbol"), "3.10"),
    "binhex": "3.11",
    **dict.fromkeys(("distutils", "imp", "asynchat", "asyncore", "smtpd"), "3.12"),
    **dict.fromkeys(_PEP_594, "3.13"),
}
# C extension modules of the standard library that exist only when the build found a library.
NATIVE_STDLIB = {
    "_ssl": "OpenSSL",
    "_hashlib": "OpenSSL",
    "_ctypes": "libffi",
    "_sqlite3": "SQLite",
    "_lzma": "liblzma",
    "_bz2": "libbz2",
    "zlib": "zlib",
    "_tkinter": "Tk",
    "_curses": "ncurses",
    "readline": "readline",
    "_uuid": "libuuid",
    "_dbm": "dbm",
    "_gdbm": "gdbm",
}
SONAME_FAMILIES = {"libssl": "OpenSSL", "libcrypto": "OpenSSL", "libstdc++": "libstdc++"}


@dataclass(frozen=True)
class ErrorLine:
    """One error found in the text."""

    line: int | None  # the log's line number; None: the --symptom text
    quote: str  # the error, redacted and shortened: safe to print once made visible
    points_at: str  # what it points at, in a few words ("the module yaml")
    pointers: tuple[Pointer, ...]

    @property
    def where(self) -> str:
        return "the symptom" if self.line is None else f"line {self.line}"


@dataclass(frozen=True)
class _Hit:
    points_at: str
    pointers: tuple[Pointer, ...]


_Recogniser = Callable[["re.Match[str]", Sequence[str]], _Hit | None]
# (words one of which the line must hold, the pattern, what it points at): the words are
# looked for first, so that a line of a long log costs a few substring tests, and a
# pattern only ever runs on a line that can match it, at most MAX_LINE characters long.
_TABLE: list[tuple[tuple[str, ...], re.Pattern[str], _Recogniser]] = []
MAX_LINE = 1000


def _rule(pattern: str, *, needles: tuple[str, ...]) -> Callable[[_Recogniser], _Recogniser]:
    def register(function: _Recogniser) -> _Recogniser:
        _TABLE.append((needles, re.compile(pattern), function))
        return function

    return register


def find_errors(texts: Sequence[ErrorText]) -> tuple[ErrorLine, ...]:
    """Every distinct error the texts hold, in their order (at most MAX_ERRORS)."""
    found: list[ErrorLine] = []
    seen: set[str] = set()
    for text in texts:
        cleaned = [clean(line) for line in text.lines]
        for index, line in enumerate(cleaned):
            before = cleaned[max(0, index - FRAME_WINDOW) : index]
            # A progress bar redraws its line with carriage returns: each part on its own.
            parts = (_recognise(part, before) for part in reversed(line.split("\r")))
            hit = next((h for h in parts if h is not None), None)
            if hit is None:
                continue
            quote = quoted(hit[0])
            if quote in seen:
                continue
            seen.add(quote)
            number = None if text.first_line is None else text.first_line + index
            if text.first_line is None and len(text.lines) > 1:
                number = index + 1
            found.append(ErrorLine(number, quote, hit[1].points_at, hit[1].pointers))
            if len(found) >= MAX_ERRORS:
                return tuple(found)
    return tuple(found)


def clean(line: str) -> str:
    line = _ANSI.sub("", line)
    return _PREFIX.sub("", line, count=1).rstrip()


def quoted(text: str) -> str:
    """The error as it may be shown: secrets redacted, at most QUOTE_LIMIT characters."""
    redacted = scrub_text(text.strip())[0]
    if len(redacted) > QUOTE_LIMIT:
        redacted = redacted[: QUOTE_LIMIT - 1].rstrip() + "…"
    return redacted


def _recognise(line: str, before: Sequence[str]) -> tuple[str, _Hit] | None:
    line = line[:MAX_LINE]  # an error is short; a minified blob is not one
    if not _ANY_NEEDLE.search(line):
        return None
    for needles, pattern, recogniser in _TABLE:
        if not any(needle in line for needle in needles):
            continue
        match = pattern.search(line)
        if match is None:
            continue
        hit = recogniser(match, before)
        if hit is not None:
            return line, hit
    return None


def _any_needle() -> re.Pattern[str]:
    """One scan per line of a long log: does it hold any rule's words at all?"""
    words = sorted({needle for needles, _, _ in _TABLE for needle in needles}, key=len)
    return re.compile("|".join(re.escape(word) for word in reversed(words)))


def frame_pointers(
    before: Sequence[str], line: str = "", inner: int = p.MECHANISM
) -> tuple[Pointer, ...]:
    """The distributions whose files the traceback passed through: the innermost one
    (that raised) as ``inner`` (a mechanism), the others as contributors; and a path on
    the line."""
    modules: list[str] = []
    starts = [n for n, text in enumerate(before) if text.startswith("Traceback")]
    before = before[starts[-1] :] if starts else before[-10:]  # this traceback's frames only
    for text in [*before, line]:
        frame = _FRAME.match(text)
        where = frame.group(1) if frame else (text if text is line else "")
        for found in _PACKAGE_DIR.finditer(where):
            module = _module_name(found.group(1))
            if module in modules:
                modules.remove(module)
            modules.append(module)
    if not modules:
        return ()
    *outer, raised = modules
    out = [*p.module_pointers(raised, inner)]
    for module in outer[-3:]:
        out.extend(p.module_pointers(module, p.CONTRIBUTES))
    return tuple(out)


def debian_packages(soname: str) -> tuple[str, ...]:
    """The Debian package names a soname ships in by policy: libssl.so.1.1 → libssl1.1,
    libgfortran.so.5 → libgfortran5, libfoo2.so.3 → libfoo2-3 (and the t64 renames)."""
    stem, _, version = soname.partition(".so.")
    if not version or not stem.startswith("lib"):
        return ()
    joined = f"{stem}-{version}" if stem[-1].isdigit() else f"{stem}{version}"
    return (joined.lower(), f"{joined.lower()}t64")


def _module_name(part: str) -> str:
    return part.split(".")[0]


def _module_words(module: str) -> str:
    top = module.partition(".")[0]
    if top in REMOVED_STDLIB:
        return f"the standard-library module {top} (removed in Python {REMOVED_STDLIB[top]})"
    if top in NATIVE_STDLIB:
        return f"the module {top}, built only where Python found {NATIVE_STDLIB[top]}"
    return f"the module {module}"


def _import_pointers(module: str, before: Sequence[str]) -> tuple[Pointer, ...]:
    top = module.partition(".")[0]
    out: list[Pointer] = [*p.module_pointers(module)]
    if top in REMOVED_STDLIB:
        out += [p.exact("python", "version"), p.mechanism("packages", "setuptools")]
    if top in NATIVE_STDLIB:
        out += [
            p.mechanism("python", "bundled libraries"),
            p.mechanism("native-libraries"),
            p.mechanism("python", "interpreter"),
            p.contributes("os"),
        ]
    out += [*p.IMPORT_PATH, *frame_pointers(before)]
    return tuple(out)


@_rule(
    r"\b(?:ModuleNotFoundError|ImportError): No module named '?([\w.]+)'?",
    needles=("No module named",),
)
def _no_module(match: re.Match[str], before: Sequence[str]) -> _Hit:
    module = match.group(1)
    return _Hit(_module_words(module), _import_pointers(module, before))


@_rule(
    r"\bImportError: cannot import name '?(\w+)'?(?: from '?([\w.]+)'?)?",
    needles=("cannot import name",),
)
def _cannot_import(match: re.Match[str], before: Sequence[str]) -> _Hit:
    module = match.group(2)
    if module is None:
        return _Hit(f"the name {match.group(1)}", frame_pointers(before))
    return _Hit(f"{match.group(1)} in {_module_words(module)}", _import_pointers(module, before))


@_rule(
    r"\bAttributeError: (?:partially initialized )?module '([\w.]+)' has no attribute '?(\w+)",
    needles=("has no attribute",),
)
def _no_attribute(match: re.Match[str], before: Sequence[str]) -> _Hit:
    module = match.group(1)
    return _Hit(f"{match.group(2)} in {_module_words(module)}", _import_pointers(module, before))


@_rule(
    r"(?:undefined symbol|Symbol not found):\s*(\S+)",
    needles=("undefined symbol", "Symbol not found"),
)
def _undefined_symbol(match: re.Match[str], before: Sequence[str]) -> _Hit:
    symbol = match.group(1).lstrip("_") if match.group(1).startswith("__") else match.group(1)
    line = match.string
    found = [*frame_pointers(before, line)]
    if re.match(r"_?_?Py", symbol):
        found += p.PYTHON_ABI
        words = f"the Python C-API symbol {symbol} (an extension built for another Python)"
    else:
        found += [p.mechanism("native-libraries"), p.contributes("os"), *p.LOADER]
        words = f"the native symbol {symbol}"
    return _Hit(words, tuple(found))


@_rule(
    # A token's start only (the lookbehind): each token is tried once, so a long line of
    # dots and letters costs linear time, not quadratic.
    r"(?<![\w+.-])(lib[\w+.-]*?\.so(?:\.[\d.]+)?|[\w+.-]+?\.dylib)(?::| =>)?"
    r"\s*(?:cannot open shared object file|not found|image not found)",
    needles=("cannot open shared object file", "not found"),
)
def _missing_library(match: re.Match[str], before: Sequence[str]) -> _Hit:
    soname = match.group(1)
    stem = soname.split(".so")[0].split(".dylib")[0]
    found = [p.exact("native-libraries", soname)]
    family = SONAME_FAMILIES.get(stem)
    if family:
        found.append(p.exact("native-libraries", family))
    found += [
        p.contributes("native-libraries"),
        *p.LOADER,
        *(p.mechanism("os", name) for name in debian_packages(soname)),
    ]
    found += frame_pointers(before, match.string)
    return _Hit(f"the shared library {soname}", tuple(found))


@_rule(
    r"version [`']?(GLIBC(XX|CXX)?_[\d.]+|CXXABI_[\d.]+)'? not found",
    needles=("not found",),
)
def _symbol_version(match: re.Match[str], before: Sequence[str]) -> _Hit:
    version = match.group(1)
    found = [*frame_pointers(before, match.string)]
    if version.startswith("GLIBC_"):
        found += p.LIBC
        words = f"the C library ({version})"
    else:
        found += [
            p.exact("native-libraries", "libstdc++"),
            p.exact("native-libraries", "libstdc++.so.6"),
            *p.LIBC[3:],
        ]
        words = f"the C++ runtime libstdc++ ({version})"
    return _Hit(words, tuple(found))


@_rule(
    r"CERTIFICATE_VERIFY_FAILED|certificate verify failed|SSLCertVerificationError",
    needles=("CERTIFICATE_VERIFY_FAILED", "certificate verify failed", "SSLCertVerificationError"),
)
def _certificate(match: re.Match[str], before: Sequence[str]) -> _Hit:
    return _Hit("the CA certificates TLS trusts", p.CA_BUNDLES)


@_rule(
    r"digital envelope routines|unsupported hash type|error:0308010C|UNSUPPORTED_PROTOCOL|"
    r"WRONG_VERSION_NUMBER|unsafe legacy renegotiation|ssl\.SSLError",
    needles=(
        "digital envelope routines",
        "unsupported hash type",
        "0308010C",
        "UNSUPPORTED_PROTOCOL",
        "WRONG_VERSION_NUMBER",
        "legacy renegotiation",
        "ssl.SSLError",
    ),
)
def _openssl(match: re.Match[str], before: Sequence[str]) -> _Hit:
    return _Hit("OpenSSL", (*p.OPENSSL, *frame_pointers(before)))


@_rule(
    r"\bUnicode(?:Encode|Decode)Error\b|LookupError: unknown encoding|unsupported locale setting",
    needles=(
        "UnicodeEncodeError",
        "UnicodeDecodeError",
        "unknown encoding",
        "unsupported locale setting",
    ),
)
def _encoding(match: re.Match[str], before: Sequence[str]) -> _Hit:
    return _Hit(
        "the text encoding (the locale, PYTHONIOENCODING, UTF-8 mode)",
        (*p.LOCALE, *frame_pointers(before)),
    )


@_rule(
    r"numpy\.(?:dtype|ufunc|ndarray) size changed|compiled using NumPy 1\.x cannot be run in|"
    r"_ARRAY_API not found|numpy\.core\.multiarray failed to import|"
    r"module compiled against (?:ABI|API) version",
    needles=(
        "size changed",
        "NumPy 1.x",
        "_ARRAY_API",
        "numpy.core.multiarray",
        "module compiled against",
    ),
)
def _numpy_abi(match: re.Match[str], before: Sequence[str]) -> _Hit:
    found = [Pointer("packages", strength=p.NAMES_EXACTLY, module="numpy")]
    return _Hit(
        "numpy's binary interface (an extension built against another numpy)",
        (*found, *frame_pointers(before)),
    )


@_rule(
    r"^(?:\w+\.)*(\w*Warning): (.*)",
    needles=("Warning: ",),
)
def _warning_as_error(match: re.Match[str], before: Sequence[str]) -> _Hit | None:
    """`DeprecationWarning: …` alone on a line ends a traceback: a warning raised as an
    error (PYTHONWARNINGS=error, -W error, pytest's filterwarnings). `file.py:3: …Warning`
    is a warning printed, not raised, and does not match."""
    if (
        not any(line.startswith("Traceback") for line in before)
        and "error" not in " ".join(before[-5:]).lower()
    ):
        return None
    found: list[Pointer] = [
        p.exact("environment", "PYTHONWARNINGS"),
        p.mechanism("python", "interpreter flags"),
        *frame_pointers(before),
        p.contributes("python", "version"),
    ]
    for name in re.findall(r"'([A-Za-z_][\w.]*)'", match.group(2))[:2]:
        found += p.module_pointers(name, p.MECHANISM)
    return _Hit(f"a {match.group(1)} raised as an error", tuple(found))


@_rule(
    r"^\s*(?:SyntaxError|TabError): |TypeError: 'type' object is not subscriptable|"
    r"TypeError: unsupported operand type\(s\) for \|",
    needles=("SyntaxError: ", "TabError: ", "not subscriptable", "unsupported operand"),
)
def _grammar(match: re.Match[str], before: Sequence[str]) -> _Hit:
    found = [
        p.exact("python", "version"),
        Pointer("dependencies", strength=p.NAMES_EXACTLY, contains="requires python"),
        p.mechanism("python", "implementation"),
        *frame_pointers(before),
    ]
    return _Hit("the Python version (code written for a newer grammar)", tuple(found))


@_rule(
    r"requires a different Python|Requires-Python|requires Python [<>=!~]",
    needles=("requires a different Python", "Requires-Python", "requires Python "),
)
def _requires_python(match: re.Match[str], before: Sequence[str]) -> _Hit:
    found = (
        p.exact("python", "version"),
        Pointer("dependencies", strength=p.NAMES_EXACTLY, contains="requires python"),
    )
    return _Hit("the Python version a package requires", found)


@_rule(
    r"DistributionNotFound: The '([\w.-]+)|PackageNotFoundError: ([\w.-]+)|"
    r"No package metadata was found for ([\w.-]+)",
    needles=("DistributionNotFound", "PackageNotFoundError", "No package metadata"),
)
def _distribution_not_found(match: re.Match[str], before: Sequence[str]) -> _Hit:
    name = next(g for g in match.groups() if g)
    return _Hit(
        f"the distribution {name}",
        (p.exact("packages", p.canonical(name)), *p.IMPORT_PATH),
    )


@_rule(
    r"VersionConflict: \(([\w.-]+) [^\s,()]+|"
    r"(?<![\w.-])([\w.-]+) [^\s,]+ requires ([\w.-]+)[^,]*, but you have",
    needles=("VersionConflict", "but you have"),
)
def _version_conflict(match: re.Match[str], before: Sequence[str]) -> _Hit:
    if match.group(1):
        return _Hit(
            f"the version of {match.group(1)}", (p.exact("packages", p.canonical(match.group(1))),)
        )
    requirer, needed = match.group(2), match.group(3)
    return _Hit(
        f"{needed} as {requirer} requires it",
        (p.exact("packages", p.canonical(needed)), p.mechanism("packages", p.canonical(requirer))),
    )


@_rule(
    r"No matching distribution found for ([\w.-]+)|satisfies the requirement ([\w.-]+)",
    needles=("No matching distribution", "satisfies the requirement"),
)
def _no_distribution(match: re.Match[str], before: Sequence[str]) -> _Hit:
    name = next(g for g in match.groups() if g)
    return _Hit(
        f"what the index offers for {name}",
        (
            p.exact("environment", "installer settings"),
            p.mechanism("packages", p.canonical(name)),
            p.mechanism("python", "version"),
            p.contributes("platform", "architecture"),
            p.contributes("platform", "libc"),
        ),
    )


@_rule(
    r"pthread_create failed|Thread creation failed|blas_thread_init|OMP: Error #\d+|"
    r"can't start new thread|Resource temporarily unavailable",
    needles=(
        "pthread_create failed",
        "Thread creation failed",
        "blas_thread_init",
        "OMP: Error",
        "can't start new thread",
        "Resource temporarily unavailable",
    ),
)
def _threads(match: re.Match[str], before: Sequence[str]) -> _Hit:
    return _Hit("the number of threads (OMP_NUM_THREADS and friends)", p.THREADS)


@_rule(
    r"Illegal instruction|SIGILL",
    needles=("Illegal instruction", "SIGILL"),
)
def _illegal_instruction(match: re.Match[str], before: Sequence[str]) -> _Hit:
    return _Hit(
        "the CPU's instruction set",
        (
            p.exact("platform", "CPU flags"),
            p.mechanism("platform", "architecture"),
            *frame_pointers(before),
        ),
    )


@_rule(
    r"wrong ELF class|Exec format error|cannot execute binary file|incompatible architecture",
    needles=(
        "wrong ELF class",
        "Exec format error",
        "cannot execute binary file",
        "incompatible architecture",
    ),
)
def _architecture(match: re.Match[str], before: Sequence[str]) -> _Hit:
    return _Hit(
        "the CPU architecture",
        (
            p.exact("platform", "architecture"),
            p.mechanism("platform", "wheels vs libc"),
            *frame_pointers(before, match.string),
        ),
    )


@_rule(
    r"ZoneInfoNotFoundError|No time zone found with key|UnknownTimeZoneError",
    needles=("ZoneInfoNotFoundError", "No time zone found", "UnknownTimeZoneError"),
)
def _time_zone(match: re.Match[str], before: Sequence[str]) -> _Hit:
    return _Hit(
        "the time-zone database",
        (p.exact("packages", "tzdata"), p.exact("os", "tzdata"), p.exact("environment", "TZ")),
    )


@_rule(
    r"Fatal Python error: init_fs_encoding|Could not find platform (?:in)?dependent libraries",
    needles=("Fatal Python error: init_fs_encoding", "Could not find platform"),
)
def _python_home(match: re.Match[str], before: Sequence[str]) -> _Hit:
    return _Hit(
        "where Python finds its standard library",
        (
            p.exact("environment", "PYTHONHOME"),
            p.exact("environment", "PYTHONPATH"),
            p.mechanism("python", "interpreter"),
        ),
    )


_ERRNO_WORDS = {
    "24": "the open-file limit (ulimit -n)",
    "28": "free disk space",
    "12": "memory",
    "13": "file permissions",
}


@_rule(
    r"\[Errno (\d+)\] ([^:'\"]+)|\bMemoryError\b|Too many open files",
    needles=("[Errno ", "MemoryError", "Too many open files"),
)
def _os_error(match: re.Match[str], before: Sequence[str]) -> _Hit | None:
    number = match.group(1) or ("12" if "Memory" in match.group(0) else "24")
    words = _ERRNO_WORDS.get(number)
    if words is None:
        return None
    found: tuple[Pointer, ...] = ()
    if number == "13":
        found = (p.mechanism("container", "user"), p.contributes("container", "working directory"))
    elif number == "12":
        found = (*p.THREADS[:1], p.contributes("container"))
    return _Hit(words, found)


@_rule(
    r"^(?:\w+\.)*(\w+(?:Error|Exception)): ",
    needles=("Error: ", "Exception: "),
)
def _any_exception(match: re.Match[str], before: Sequence[str]) -> _Hit | None:
    """The last line of a traceback nothing above recognised: the frames it went through."""
    if not any(line.startswith("Traceback") for line in before):
        return None
    # An error no rule knows: the package that raised it explains a TypeError or an
    # AttributeError (its API changed); an OSError (ConnectionRefusedError, a missing
    # file) comes from the world around the program, where that code plays a part only.
    raised = getattr(builtins, match.group(1), None)
    from_outside = isinstance(raised, type) and issubclass(raised, OSError)
    found = frame_pointers(before, inner=p.CONTRIBUTES if from_outside else p.MECHANISM)
    return _Hit(f"a {match.group(1)} raised in the code it ran", found)


_ANY_NEEDLE = _any_needle()  # after the table is filled
