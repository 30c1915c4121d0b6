"""Pairs built from virtual environments on this machine: versions, missing packages,
inconsistent installs, interpreters, variables and start-up mechanisms.

Each program is what a project really runs; each B fails the way real environments do.
Noise (dev tools on the laptop side, CI variables on the other, machine paths, HOME,
HOSTNAME, TERM, an unrelated package a minor step apart) is added by sides.py.
"""

from __future__ import annotations

from recipe import Pair, VenvSide

NUMPY1 = ("numpy==1.26.4", "pandas==2.0.3")
REQUESTS = ("requests==2.32.3", "urllib3==2.2.2", "idna==3.7", "charset-normalizer==3.3.2")

TLS_SERVER = """\
import http.server, ssl, threading

class Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"prices: ok")

    def log_message(self, *args):
        pass

server = http.server.HTTPServer(("127.0.0.1", 0), Hello)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain("tls/server.pem", "tls/server-key.pem")
server.socket = context.wrap_socket(server.socket, server_side=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
URL = f"https://localhost:{server.server_address[1]}/prices"
"""

VERSION_STEPS = (
    Pair(
        name="numpy2-breaks-pandas-abi",
        mechanism="version step",
        expected="packages:numpy",
        why="pandas 2.0.3 was compiled against numpy 1.x; numpy 2 changed the dtype size",
        program="import pandas\nprint(pandas.Series([1, 2, 3]).sum())\n",
        a=VenvSide(install=NUMPY1),
        b=VenvSide(install=("numpy==2.1.0", "pandas==2.0.3")),
        declares=("pandas>=2.0",),
        fix_test=True,
    ),
    Pair(
        name="numpy-float-alias-removed",
        mechanism="version step",
        expected="packages:numpy",
        why="numpy 1.24 removed the np.float alias (deprecated in 1.20)",
        program="import numpy as np\nprint(np.float(1.5) * 2)\n",
        a=VenvSide(install=("numpy==1.23.5",)),
        b=VenvSide(install=("numpy==1.26.4",)),
        declares=("numpy",),
        fix_test=True,
        laptop="b",
    ),
    Pair(
        name="urllib3-2-drops-method-whitelist",
        mechanism="version step",
        expected="packages:urllib3",
        why="urllib3 2.0 removed Retry(method_whitelist=...) (renamed allowed_methods)",
        program=(
            "import requests\nfrom urllib3.util.retry import Retry\n"
            "retry = Retry(total=3, method_whitelist=['GET'])\n"
            "requests.Session().mount('https://', "
            "requests.adapters.HTTPAdapter(max_retries=retry))\n"
            "print('session ready')\n"
        ),
        a=VenvSide(install=("requests==2.32.3", "urllib3==1.26.18", "idna==3.7")),
        b=VenvSide(install=REQUESTS),
        declares=("requests",),
        fix_test=True,
    ),
    Pair(
        name="packaging-22-drops-legacyversion",
        mechanism="version step",
        expected="packages:packaging",
        why="packaging 22 removed LegacyVersion",
        program=(
            "from packaging.version import LegacyVersion, parse\n"
            "print(isinstance(parse('2024-rc'), LegacyVersion))\n"
        ),
        a=VenvSide(install=("packaging==21.3", "pyparsing==3.1.2")),
        b=VenvSide(install=("packaging==24.1",)),
        declares=("packaging",),
    ),
    Pair(
        name="jinja2-31-drops-markup",
        mechanism="version step",
        expected="packages:jinja2",
        why="Jinja2 3.1 removed jinja2.Markup (use markupsafe.Markup)",
        program=(
            "from jinja2 import Markup, Template\n"
            "print(Template('{{ x }}').render(x=Markup('<b>')))\n"
        ),
        a=VenvSide(install=("Jinja2==3.0.3", "MarkupSafe==2.1.5")),
        b=VenvSide(install=("Jinja2==3.1.4", "MarkupSafe==2.1.5")),
        declares=("jinja2",),
        fix_test=True,
    ),
    Pair(
        name="importlib-metadata-5-entry-points",
        mechanism="version step",
        expected="packages:importlib-metadata",
        why="importlib-metadata 5 removed the dict interface of entry_points()",
        program=(
            "import importlib_metadata\n"
            "scripts = importlib_metadata.entry_points().get('console_scripts', [])\n"
            "print(len(scripts))\n"
        ),
        a=VenvSide(install=("importlib-metadata==4.13.0", "zipp==3.20.2")),
        b=VenvSide(install=("importlib-metadata==8.5.0", "zipp==3.20.2")),
        declares=("importlib-metadata",),
        laptop="b",
    ),
    Pair(
        name="attrs-downgrade-no-attrs-namespace",
        mechanism="version step",
        expected="packages:attrs",
        why="B pins an older attrs: the `attrs` namespace came in 21.3",
        program=(
            "import attrs\n\n@attrs.define\nclass Item:\n    name: str\n\nprint(Item('pen'))\n"
        ),
        a=VenvSide(install=("attrs==23.2.0",)),
        b=VenvSide(install=("attrs==21.2.0",)),
        declares=("attrs",),
        fix_test=True,
    ),
    Pair(
        name="typing-extensions-downgrade",
        mechanism="version step",
        expected="packages:typing-extensions",
        why="B has typing_extensions 4.1.1; TypeIs came in 4.10",
        program=(
            "from typing_extensions import TypeIs\n\n"
            "def is_str(x: object) -> TypeIs[str]:\n    return isinstance(x, str)\n\n"
            "print(is_str('a'))\n"
        ),
        a=VenvSide(install=("typing_extensions==4.12.2",)),
        b=VenvSide(install=("typing_extensions==4.1.1",)),
        declares=("typing-extensions",),
        laptop="b",
    ),
    Pair(
        name="packaging-downgrade-no-metadata-module",
        mechanism="version step",
        expected="packages:packaging",
        why="B has packaging 21.3, which has no packaging.metadata (23.1)",
        program=(
            "from packaging.metadata import parse_email\n"
            "raw, rest = parse_email('Metadata-Version: 2.1\\nName: shop\\nVersion: 1.0\\n')\n"
            "print(raw['name'])\n"
        ),
        a=VenvSide(install=("packaging==24.1",)),
        b=VenvSide(install=("packaging==21.3", "pyparsing==3.1.2")),
        declares=("packaging>=21",),
    ),
)

MISSING = (
    Pair(
        name="requests-missing-idna",
        mechanism="missing package",
        expected="packages:idna",
        why="idna was uninstalled on B; requests needs it",
        program="import requests\nprint(requests.utils.requote_uri('http://example.com/a b'))\n",
        a=VenvSide(install=REQUESTS),
        b=VenvSide(install=REQUESTS, uninstall=("idna",)),
        declares=("requests",),
        fix_test=True,
    ),
    Pair(
        name="pyyaml-not-installed",
        mechanism="missing package",
        expected="packages:pyyaml",
        why="the project imports yaml; B's requirements forgot PyYAML",
        program="import yaml\nprint(yaml.safe_dump({'stock': 3}))\n",
        a=VenvSide(install=("PyYAML==6.0.2", "attrs==23.2.0")),
        b=VenvSide(install=("attrs==23.2.0",)),
        declares=("PyYAML", "attrs"),
        fix_test=True,
    ),
    Pair(
        name="socks-extra-not-installed",
        mechanism="missing package",
        expected="packages:pysocks",
        why="B installed requests without the [socks] extra: PySocks is missing",
        program=(
            "from requests.adapters import HTTPAdapter\n"
            "manager = HTTPAdapter().proxy_manager_for('socks5://127.0.0.1:1080')\n"
            "print(type(manager).__name__)\n"
        ),
        a=VenvSide(install=(*REQUESTS, "PySocks==1.7.1")),
        b=VenvSide(install=REQUESTS),
        declares=("requests[socks]",),
        fix_test=True,
        laptop="b",
    ),
    Pair(
        name="dateutil-not-installed",
        mechanism="missing package",
        expected="packages:python-dateutil",
        why="B's image never installed python-dateutil",
        program="from dateutil import parser\nprint(parser.parse('2026-12-06T08:00').year)\n",
        a=VenvSide(install=("python-dateutil==2.9.0.post0", "six==1.16.0")),
        b=VenvSide(install=("six==1.16.0",)),
        declares=("python-dateutil",),
    ),
)

INCONSISTENT = (
    Pair(
        name="no-deps-dateutil-without-six",
        mechanism="inconsistent install",
        expected="packages:six",
        why="B installed python-dateutil with --no-deps: six, which it requires, is missing",
        program="from dateutil import tz\nprint(tz.gettz('UTC'))\n",
        a=VenvSide(install=("python-dateutil==2.9.0.post0",)),
        b=VenvSide(no_deps=("python-dateutil==2.9.0.post0",)),
        declares=("python-dateutil",),
        fix_test=True,
    ),
    Pair(
        name="no-deps-jinja2-without-markupsafe",
        mechanism="inconsistent install",
        expected="packages:markupsafe",
        why="B installed Jinja2 with --no-deps: MarkupSafe is missing",
        program="import jinja2\nprint(jinja2.Template('{{ n }} items').render(n=3))\n",
        a=VenvSide(install=("Jinja2==3.1.4",)),
        b=VenvSide(no_deps=("Jinja2==3.1.4",)),
        declares=("jinja2",),
        fix_test=True,
        laptop="b",
    ),
    Pair(
        name="no-deps-requests-without-urllib3",
        mechanism="inconsistent install",
        expected="packages:urllib3",
        why="B installed requests with --no-deps beside the others: urllib3 is missing",
        program="import requests\nprint(requests.__version__)\n",
        a=VenvSide(install=REQUESTS),
        b=VenvSide(
            install=("idna==3.7", "charset-normalizer==3.3.2", "certifi==2024.7.4"),
            no_deps=("requests==2.32.3",),
        ),
        declares=("requests",),
    ),
)

INTERPRETERS = (
    Pair(
        name="py313-removed-cgi",
        mechanism="interpreter",
        expected="python:version",
        why="Python 3.13 removed cgi (PEP 594)",
        program=(
            "import cgi\n"
            "print(cgi.escape if hasattr(cgi, 'escape') else cgi.parse_header('a; b=1'))\n"
        ),
        a=VenvSide(install=("attrs==23.2.0",)),
        b=VenvSide(install=("attrs==23.2.0",), python="3.13"),
        declares=("attrs",),
    ),
    Pair(
        name="py313-removed-distutils",
        mechanism="interpreter",
        expected="python:version",
        why="Python 3.12 removed distutils; B's 3.13 venv has no setuptools to stand in",
        program=(
            "import warnings\nwarnings.simplefilter('ignore')\n"
            "from distutils.version import LooseVersion\nprint(LooseVersion('1.10') > '1.9')\n"
        ),
        a=VenvSide(install=("six==1.16.0",)),
        b=VenvSide(install=("six==1.16.0",), python="3.13"),
        laptop="b",
    ),
    Pair(
        name="py311-cannot-parse-type-statement",
        mechanism="interpreter",
        expected="python:version",
        why="the code uses the 3.12 `type` statement; B runs 3.11",
        program=(
            "type Price = float\n\n"
            "def total(x: list[Price]) -> Price:\n    return sum(x)\n\n"
            "print(total([1.5, 2.5]))\n"
        ),
        a=VenvSide(install=("attrs==23.2.0",), python="3.13"),
        b=VenvSide(install=("attrs==23.2.0",)),
    ),
)

ENVIRONMENT = (
    Pair(
        name="pythonwarnings-error",
        mechanism="environment variable",
        expected="environment:PYTHONWARNINGS",
        why="B's job sets PYTHONWARNINGS=error; the code calls a deprecated function",
        program="import locale\nprint(locale.getdefaultlocale()[1])\n",
        a=VenvSide(install=("attrs==23.2.0",)),
        b=VenvSide(install=("attrs==23.2.0",), env={"PYTHONWARNINGS": "error"}),
        fix_test=True,
    ),
    Pair(
        name="omp-num-threads-reproducibility",
        mechanism="environment variable",
        expected="environment:OMP_NUM_THREADS",
        why="the laptop's shell sets OMP_NUM_THREADS=1; the job lets OpenBLAS use every core",
        program=(
            "import numpy\nfrom threadpoolctl import threadpool_info\n"
            "threads = sorted({i['num_threads'] for i in threadpool_info()})\n"
            "assert threads == [1], f'BLAS runs {threads} threads: results are not reproducible'\n"
            "print(numpy.ones(4) @ numpy.ones(4))\n"
        ),
        a=VenvSide(install=("numpy==1.26.4", "threadpoolctl==3.5.0"), env={"OMP_NUM_THREADS": "1"}),
        b=VenvSide(install=("numpy==1.26.4", "threadpoolctl==3.5.0"), env={"OMP_NUM_THREADS": "4"}),
        declares=("numpy", "threadpoolctl"),
    ),
    Pair(
        name="pythonhashseed-unset",
        mechanism="environment variable",
        expected="environment:PYTHONHASHSEED",
        why="cache keys built from hash() are stable only with the laptop's PYTHONHASHSEED=0",
        program=(
            "key = hash('report-2026')  # the whole 64-bit hash: no chance match\n"
            "stored = -6020393908191287288\n"
            "assert key == stored, f'cache key {key} != {stored}: stored reports unreachable'\n"
            "print('cache key', key)\n"
        ),
        a=VenvSide(install=("six==1.16.0",), env={"PYTHONHASHSEED": "0"}),
        b=VenvSide(install=("six==1.16.0",)),
        fix_test=True,
    ),
    Pair(
        name="pythonioencoding-ascii",
        mechanism="environment variable",
        expected="environment:PYTHONIOENCODING",
        why="B's job sets PYTHONIOENCODING=ascii; the report prints non-ASCII text",
        program="print('Größe: 3 m² — prêt')\n",
        a=VenvSide(install=("attrs==23.2.0",)),
        b=VenvSide(install=("attrs==23.2.0",), env={"PYTHONIOENCODING": "ascii"}),
        fix_test=True,
        laptop="b",
    ),
    Pair(
        name="ssl-cert-file-not-set",
        mechanism="environment variable",
        expected="environment:SSL_CERT_FILE",
        why="the laptop trusts the company CA through SSL_CERT_FILE; the job does not",
        program=TLS_SERVER
        + "import urllib.request\nprint(urllib.request.urlopen(URL, timeout=20).read())\n",
        a=VenvSide(install=("six==1.16.0",), env={"SSL_CERT_FILE": "{pair}/project/tls/ca.pem"}),
        b=VenvSide(install=("six==1.16.0",)),
        fix_test=True,
    ),
    Pair(
        name="requests-ca-bundle-not-set",
        mechanism="environment variable",
        expected="environment:REQUESTS_CA_BUNDLE",
        why="requests trusts the company CA only through REQUESTS_CA_BUNDLE",
        program=TLS_SERVER + "import requests\nprint(requests.get(URL, timeout=20).text)\n",
        a=VenvSide(
            install=(*REQUESTS, "certifi==2024.7.4"),
            env={"REQUESTS_CA_BUNDLE": "{pair}/project/tls/ca.pem"},
        ),
        b=VenvSide(install=(*REQUESTS, "certifi==2024.7.4")),
        declares=("requests",),
        fix_test=True,
        laptop="b",
    ),
    Pair(
        name="pythonpath-old-six-copy",
        mechanism="environment variable",
        expected="environment:PYTHONPATH",
        why="B's job puts a vendor folder holding an old six.py first on sys.path",
        program="import six\nprint(six.ensure_str(b'stock'))\n",
        a=VenvSide(install=("six==1.17.0", "python-dateutil==2.9.0.post0")),
        b=VenvSide(
            install=("six==1.17.0", "python-dateutil==2.9.0.post0"),
            env={"PYTHONPATH": "{side}/builds/shop/app/vendor"},
            files={
                "{side}/builds/shop/app/vendor/six.py": (
                    '"""six 1.10 (vendored)."""\n__version__ = "1.10.0"\nPY3 = True\n'
                )
            },
        ),
        declares=("six",),
        fix_test=True,
    ),
    Pair(
        name="pythonsafepath-hides-the-app",
        mechanism="environment variable",
        expected="environment:PYTHONSAFEPATH",
        why="B's job sets PYTHONSAFEPATH=1: `python -m app` no longer sees the working folder",
        program="print('app started')\n",
        a=VenvSide(install=("attrs==23.2.0",)),
        b=VenvSide(install=("attrs==23.2.0",), env={"PYTHONSAFEPATH": "1"}),
        as_module=True,
        fix_test=True,
    ),
)

STARTUP = (
    Pair(
        name="stray-yaml-on-pythonpath",
        mechanism="start-up",
        expected="imports:yaml",
        why="both sides set PYTHONPATH to the checkout's lib/; B's holds a stray yaml.py stub",
        program="import yaml\nprint(yaml.safe_dump({'stock': 3}))\n",
        a=VenvSide(
            install=("PyYAML==6.0.2",),
            env={"PYTHONPATH": "{side}/lib"},
            files={"{side}/lib/shop_helpers.py": "X = 1\n"},
        ),
        b=VenvSide(
            install=("PyYAML==6.0.2",),
            env={"PYTHONPATH": "{side}/lib"},
            files={
                "{side}/lib/shop_helpers.py": "X = 1\n",
                "{side}/lib/yaml.py": "def load(text):\n    return {}\n",
            },
        ),
        declares=("PyYAML",),
    ),
    Pair(
        name="pth-import-line-turns-warnings-into-errors",
        mechanism="start-up",
        expected="startup:zz_debug_hooks.pth",
        why="a .pth file on B runs code at start-up that makes DeprecationWarning an error",
        program="import sre_constants\nprint(sre_constants.MAXREPEAT > 0)\n",
        a=VenvSide(install=("attrs==23.2.0",)),
        b=VenvSide(
            install=("attrs==23.2.0",),
            files={
                "{site}/zz_debug_hooks.pth": (
                    "import warnings; "
                    "warnings.filterwarnings('error', category=DeprecationWarning)\n"
                ),
            },
        ),
    ),
    Pair(
        name="pth-path-line-adds-stray-yaml",
        mechanism="start-up",
        expected="imports:yaml",
        why="a .pth file on B adds /opt/legacy, whose old yaml package stands in for PyYAML",
        program="import yaml\nprint(yaml.safe_dump({'stock': 3}))\n",
        a=VenvSide(install=("PyYAML==6.0.2",)),
        b=VenvSide(
            install=("six==1.16.0",),
            files={
                "{site}/legacy-tools.pth": "{side}/opt/legacy\n",
                "{side}/opt/legacy/yaml/__init__.py": (
                    '__version__ = "3.10"\n\ndef load(stream):\n    raise NotImplementedError\n'
                ),
            },
        ),
        declares=("PyYAML",),
    ),
    Pair(
        name="sitecustomize-lowers-recursion-limit",
        mechanism="start-up",
        expected="startup:sitecustomize",
        why="B's image ships a sitecustomize that lowers the recursion limit",
        program=(
            "import json\nnested = []\nfor _ in range(300):\n    nested = [nested]\n"
            "print(len(json.dumps(nested)))\n"
        ),
        a=VenvSide(install=("attrs==23.2.0",)),
        b=VenvSide(
            install=("attrs==23.2.0",),
            files={
                "{site}/sitecustomize.py": (
                    "import sys\nsys.setrecursionlimit(120)  # fail fast in CI\n"
                ),
            },
        ),
    ),
)

VENV_PAIRS = (*VERSION_STEPS, *MISSING, *INCONSISTENT, *INTERPRETERS, *ENVIRONMENT, *STARTUP)
