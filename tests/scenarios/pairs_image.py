"""Pairs with a side built as an image from the suite's debootstrap images (tests/images.py):
Debian releases, the system site and the user site, native libraries, host vs container."""

from __future__ import annotations

from recipe import ImageSide, Pair, VenvSide

from images import DEFAULT_PATH, SYSTEM_PIP

PIP = "/opt/venv/bin/pip install -q --no-index --no-cache-dir --find-links /tmp/wheels"
VENV_ENV = f"ENV VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:{DEFAULT_PATH}"
DEV = "pytest==8.3.3 iniconfig==2.0.0 pluggy==1.5.0 packaging==24.1"
DEV_WHEELS = ("pytest", "iniconfig", "pluggy", "packaging")
ARCH_LIBS = "/usr/lib/x86_64-linux-gnu"


def venv_image(requirements: str, before: str = "", venv_options: str = "") -> str:
    """A Dockerfile body: the program in /app, a venv at /opt/venv filled from the wheels."""
    return (
        "COPY wheels/ /tmp/wheels/\nCOPY project/ /app/\n"
        + before
        + f"RUN python3 -m venv {venv_options} /opt/venv && {PIP} {requirements}"
        + " && rm -rf /tmp/wheels\n"
        + VENV_ENV
    )


FASTCALC = "import fastcalc\nprint(fastcalc.scale(6, 7))\n"
NEW_LIB = f"COPY native/new/libfastcalc.so.1 {ARCH_LIBS}/\n"
OLD_LIB_FIRST = "COPY native/old/libfastcalc.so.1 /usr/local/lib/\n"

IMAGE_PAIRS = (
    Pair(
        name="trixie-python313-removed-imp",
        mechanism="interpreter",
        expected="python:version",
        why="the image moved from bookworm (3.11) to trixie (3.13), which removed imp",
        program="import imp\nprint(imp.get_suffixes()[0])\n",
        a=ImageSide("bookworm", venv_image(f"six==1.17.0 {DEV}"), ("six", *DEV_WHEELS)),
        b=ImageSide("trixie", venv_image("six==1.17.0"), ("six",)),
    ),
    Pair(
        name="system-site-packages-old-typing-extensions",
        mechanism="start-up",
        expected="startup:system-site-packages",
        why=(
            "B's venv sees the system site, whose old typing_extensions satisfied pip's "
            "unpinned requirement, so the venv never got its own"
        ),
        program=(
            "from typing_extensions import TypeIs\n\n"
            "def is_str(x: object) -> TypeIs[str]:\n    return isinstance(x, str)\n\n"
            "print(is_str('a'))\n"
        ),
        a=ImageSide(
            "bookworm",
            venv_image(
                "'typing_extensions>=4.0' six==1.17.0",
                before=f"RUN {SYSTEM_PIP} --find-links /tmp/wheels typing_extensions==4.1.1\n",
            ).replace("'typing_extensions>=4.0'", "typing_extensions==4.12.2"),
            ("typing-extensions", "six"),
        ),
        b=ImageSide(
            "bookworm",
            venv_image(
                "'typing_extensions>=4.0' six==1.17.0",
                before=f"RUN {SYSTEM_PIP} --find-links /tmp/wheels typing_extensions==4.1.1\n",
                venv_options="--system-site-packages",
            ),
            ("typing-extensions", "six"),
        ),
        declares=("typing-extensions>=4.0",),
    ),
    Pair(
        name="user-site-old-attrs",
        mechanism="start-up",
        expected="startup:user-site",
        why="B's root has an old attrs in its user site, ahead of the system's",
        program="import attrs\n\n@attrs.define\nclass Item:\n    name: str\n\nprint(Item('pen'))\n",
        a=ImageSide(
            "bookworm",
            "COPY wheels/ /tmp/wheels/\nCOPY project/ /app/\n"
            f"RUN {SYSTEM_PIP} --find-links /tmp/wheels attrs==23.2.0 six==1.17.0"
            " && rm -rf /root/.cache\n",
            ("attrs", "six"),
            python="python3",
        ),
        b=ImageSide(
            "bookworm",
            "COPY wheels/ /tmp/wheels/\nCOPY project/ /app/\n"
            f"RUN {SYSTEM_PIP} --find-links /tmp/wheels attrs==23.2.0 six==1.17.0 "
            f"&& {SYSTEM_PIP} --find-links /tmp/wheels --user attrs==21.2.0"
            " && rm -rf /root/.cache\n",
            ("attrs", "six"),
            python="python3",
        ),
        declares=("attrs",),
    ),
    Pair(
        name="usercustomize-lowers-decimal-precision",
        mechanism="start-up",
        expected="startup:usercustomize",
        why="B's root keeps a usercustomize that sets decimal precision to 6 digits",
        program=(
            "from decimal import Decimal\n"
            "total = Decimal('1234567.891') + Decimal('0.009')\n"
            "assert total == Decimal('1234567.900'), f'total is {total}'\n"
            "print(total)\n"
        ),
        a=ImageSide(
            "bookworm",
            "COPY wheels/ /tmp/wheels/\nCOPY project/ /app/\n"
            f"RUN {SYSTEM_PIP} --find-links /tmp/wheels six==1.17.0 && rm -rf /root/.cache\n",
            ("six",),
            python="python3",
        ),
        b=ImageSide(
            "bookworm",
            "COPY wheels/ /tmp/wheels/\nCOPY project/ /app/\n"
            f"RUN {SYSTEM_PIP} --find-links /tmp/wheels six==1.17.0 && rm -rf /root/.cache"
            " && mkdir -p /root/.local/lib/python3.11/site-packages"
            " && printf 'import decimal\\ndecimal.getcontext().prec = 6\\n'"
            " > /root/.local/lib/python3.11/site-packages/usercustomize.py\n",
            ("six",),
            python="python3",
        ),
    ),
    Pair(
        name="missing-native-library",
        mechanism="native library",
        expected="native-libraries:libfastcalc.so.1",
        why="fastcalc's extension needs libfastcalc.so.1, which B's image does not have",
        program=FASTCALC,
        a=ImageSide(
            "bookworm",
            NEW_LIB + "RUN ldconfig\n" + venv_image(f"fastcalc==1.0.0 six==1.17.0 {DEV}"),
            ("fastcalc", "six", *DEV_WHEELS),
        ),
        b=ImageSide("bookworm", venv_image("fastcalc==1.0.0 six==1.16.0"), ("fastcalc", "six")),
        declares=("fastcalc",),
        native=True,
    ),
    Pair(
        name="older-native-library-first",
        mechanism="native library",
        expected="native-libraries:libfastcalc.so.1",
        why="B's /usr/local/lib holds libfastcalc 1.0, found before the 2.0 the extension needs",
        program=FASTCALC,
        a=ImageSide(
            "bookworm",
            NEW_LIB + "RUN ldconfig\n" + venv_image("fastcalc==1.0.0 six==1.17.0"),
            ("fastcalc", "six"),
        ),
        b=ImageSide(
            "bookworm",
            NEW_LIB + OLD_LIB_FIRST + "RUN ldconfig\n" + venv_image("fastcalc==1.0.0 six==1.16.0"),
            ("fastcalc", "six"),
        ),
        declares=("fastcalc",),
        native=True,
    ),
    Pair(
        name="host-venv-vs-image-without-pyyaml",
        mechanism="host vs container",
        expected="packages:pyyaml",
        why="the laptop's venv has PyYAML; the image's requirements forgot it",
        program="import yaml, attrs\nprint(yaml.safe_dump({'stock': 3}))\n",
        a=VenvSide(install=("PyYAML==6.0.2", "attrs==23.2.0")),
        b=ImageSide("bookworm", venv_image("attrs==23.2.0 six==1.17.0"), ("attrs", "six")),
        declares=("PyYAML", "attrs"),
        fix_test=True,
    ),
)
