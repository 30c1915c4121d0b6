"""Real Docker images for the test suite, built from nothing but Debian packages.

Nothing is pulled from a registry. The base image is a Debian root filesystem
made on this machine with ``debootstrap`` and turned into an image with
``docker import``; the second image is built ``FROM`` it with a Dockerfile and
holds a virtual environment filled with wheels that the *host* downloaded
(containers never reach PyPI: builds and test containers run without network).

Everything is cached by a hash of its recipe:

* the image tag carries the hash, so ``docker image inspect`` tells whether an
  image is already there (reruns take milliseconds);
* the debootstrap result is kept as a tarball under
  ``~/.cache/driftcheck-tests/`` (``$DRIFTCHECK_TEST_CACHE`` overrides), so a
  pruned engine, or a second engine, gets the image back in seconds;
* the wheels are kept there as well.

A file lock in the cache directory keeps parallel runs from building twice.
Change anything that shapes an image? Bump ``RECIPE_VERSION``.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker  # type: ignore[import-untyped]
import docker.errors  # type: ignore[import-untyped]

__all__ = [
    "BASE_RECIPE",
    "BULLSEYE_RECIPE",
    "BULLSEYE_VENV_RECIPE",
    "BULLSEYE_VENV_WHEELS",
    "CANARY_ENV",
    "CANARY_TOKEN",
    "NO_PYTHON_RECIPE",
    "NO_SHELL_RECIPE",
    "RECIPE_VERSION",
    "TRIXIE_RECIPE",
    "VENV_PATH",
    "VENV_RECIPE",
    "VENV_UID",
    "VENV_WHEELS",
    "BaseRecipe",
    "ImageBuildUnavailable",
    "NoPythonRecipe",
    "NoShellRecipe",
    "VenvRecipe",
    "apt_mirror",
    "build_client",
    "build_dockerfile",
    "cache_dir",
    "ensure_base_image",
    "ensure_no_python_image",
    "ensure_no_shell_image",
    "ensure_venv_image",
    "image_exists",
    "pinned_versions",
]

#: Bump when anything that shapes the images changes (build steps, excludes, ...).
RECIPE_VERSION = 1

DEFAULT_MIRROR = "http://deb.debian.org/debian"
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

#: The fake secret planted in the venv image; tests assert it never leaks.
#: Shape of a GitHub classic token (``ghp_`` + 36 characters), obviously fake.
CANARY_ENV = "DRIFTCHECK_TEST_CANARY_TOKEN"
CANARY_TOKEN = "ghp_" + "DriftcheckTestCanary" + "0123456789abcdef"

VENV_PATH = "/opt/venv"
VENV_UID = 10001

#: Real wheels installed into the venv image, downloaded on the host.
#: MarkupSafe is a compiled (manylinux, cp311) wheel; the others are pure Python.
VENV_WHEELS: tuple[str, ...] = (
    "six==1.17.0",
    "idna==3.10",
    "packaging==24.2",
    "attrs==24.3.0",
    "MarkupSafe==3.0.2",
)

#: The same distributions for the bullseye venv image (CPython 3.9), two of them at
#: other versions, so that the two releases differ in packages as well.
BULLSEYE_VENV_WHEELS: tuple[str, ...] = (
    "six==1.16.0",
    "idna==3.10",
    "packaging==24.2",
    "attrs==23.2.0",
    "MarkupSafe==3.0.2",
)

# Not worth shipping in the image (runtime-only or re-created by Docker).
_TAR_EXCLUDES = (
    "./dev/*",
    "./proc/*",
    "./sys/*",
    "./run/*",
    "./tmp/*",
    "./var/cache/apt/archives/*.deb",
    "./var/cache/apt/*.bin",
    "./var/lib/apt/lists/*",
    "./var/log/*",
)


def pinned_versions(wheels: tuple[str, ...]) -> dict[str, str]:
    """{"markupsafe": "3.0.2", ...} from ("MarkupSafe==3.0.2", ...)."""
    return {name.lower(): version for name, _, version in (w.partition("==") for w in wheels)}


class ImageBuildUnavailable(RuntimeError):
    """This machine cannot build the test images (no debootstrap, not root, ...)."""


# --------------------------------------------------------------------------- recipes


def _short_hash(payload: dict[str, Any]) -> str:
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()[:12]


@dataclass(frozen=True)
class BaseRecipe:
    """A debootstrap root filesystem with Debian's own python3."""

    suite: str = "bookworm"
    variant: str = "minbase"
    # python3-venv brings the venv module and the wheels ensurepip needs.
    include: tuple[str, ...] = ("python3", "python3-venv")
    version: int = RECIPE_VERSION
    repository: str = "driftcheck-test/bookworm-python"

    @property
    def digest(self) -> str:
        return _short_hash(
            {
                "kind": "debootstrap",
                "suite": self.suite,
                "variant": self.variant,
                "include": sorted(self.include),
                "arch": platform.machine(),
                "version": self.version,
            }
        )

    @property
    def tag(self) -> str:
        return f"{self.repository}:{self.digest}"


@dataclass(frozen=True)
class VenvRecipe:
    """The base image plus a virtualenv at /opt/venv, a non-root user and a canary."""

    base: BaseRecipe
    wheels: tuple[str, ...] = VENV_WHEELS
    python_version: str = "3.11"
    version: int = RECIPE_VERSION
    repository: str = "driftcheck-test/bookworm-venv"

    @property
    def wheel_platforms(self) -> tuple[str, ...]:
        machine = platform.machine()
        return (f"manylinux2014_{machine}", f"manylinux_2_17_{machine}")

    @property
    def wheels_digest(self) -> str:
        return _short_hash(
            {
                "wheels": list(self.wheels),
                "python": self.python_version,
                "platforms": list(self.wheel_platforms),
            }
        )

    def dockerfile(self) -> str:
        requirements = " ".join(f"'{w}'" for w in self.wheels)
        return textwrap.dedent(
            f"""\
            FROM {self.base.tag}
            COPY wheels/ /tmp/wheels/
            RUN python3 -m venv {VENV_PATH} \\
             && {VENV_PATH}/bin/python -m pip install --no-index --no-cache-dir \\
                    --disable-pip-version-check --find-links /tmp/wheels {requirements} \\
             && rm -rf /tmp/wheels
            ENV VIRTUAL_ENV={VENV_PATH} PATH={VENV_PATH}/bin:$PATH
            ENV {CANARY_ENV}={CANARY_TOKEN}
            USER {VENV_UID}
            """
        )

    @property
    def digest(self) -> str:
        return _short_hash(
            {
                "kind": "venv",
                "base": self.base.tag,
                "dockerfile": self.dockerfile(),
                "wheels": self.wheels_digest,
                "version": self.version,
            }
        )

    @property
    def tag(self) -> str:
        return f"{self.repository}:{self.digest}"


@dataclass(frozen=True)
class NoPythonRecipe:
    """Only what a distroless image keeps of Debian: the dpkg database and os-release.

    Copied out of a real debootstrap image into an empty one, so the package
    database is Debian's own; there is no interpreter, no shell, nothing to run.
    """

    base: BaseRecipe
    version: int = RECIPE_VERSION
    repository: str = "driftcheck-test/bookworm-no-python"

    def dockerfile(self) -> str:
        return textwrap.dedent(
            f"""\
            FROM {self.base.tag} AS debian
            FROM scratch
            COPY --from=debian /usr/lib/os-release /etc/os-release
            COPY --from=debian /etc/debian_version /etc/debian_version
            COPY --from=debian /var/lib/dpkg/status /var/lib/dpkg/status
            COPY --from=debian /var/lib/dpkg/info/ /var/lib/dpkg/info/
            ENV APP_MODE=static
            """
        )

    @property
    def digest(self) -> str:
        return _short_hash(
            {"kind": "no-python", "dockerfile": self.dockerfile(), "v": self.version}
        )

    @property
    def tag(self) -> str:
        return f"{self.repository}:{self.digest}"


@dataclass(frozen=True)
class NoShellRecipe:
    """The venv image with every shell deleted: Python runs, ``sh -c`` cannot."""

    venv: VenvRecipe
    shells: tuple[str, ...] = ("sh", "bash", "dash", "rbash")
    version: int = RECIPE_VERSION
    repository: str = "driftcheck-test/bookworm-no-shell"

    def dockerfile(self) -> str:
        paths = [f"{d}/{name}" for name in self.shells for d in ("/usr/bin", "/bin")]
        argv = json.dumps(["/usr/bin/rm", "-f", *paths])
        return textwrap.dedent(
            f"""\
            FROM {self.venv.tag}
            USER 0
            RUN {argv}
            USER {VENV_UID}
            """
        )

    @property
    def digest(self) -> str:
        return _short_hash({"kind": "no-shell", "dockerfile": self.dockerfile(), "v": self.version})

    @property
    def tag(self) -> str:
        return f"{self.repository}:{self.digest}"


BASE_RECIPE = BaseRecipe()
VENV_RECIPE = VenvRecipe(base=BASE_RECIPE)
#: A second Debian release for another Python minor (3.9) and glibc (2.31).
BULLSEYE_RECIPE = BaseRecipe(suite="bullseye", repository="driftcheck-test/bullseye-python")
BULLSEYE_VENV_RECIPE = VenvRecipe(
    base=BULLSEYE_RECIPE,
    wheels=BULLSEYE_VENV_WHEELS,
    python_version="3.9",
    repository="driftcheck-test/bullseye-venv",
)
#: The release after bookworm: Python 3.13, for reading two releases as files.
TRIXIE_RECIPE = BaseRecipe(suite="trixie", repository="driftcheck-test/trixie-python")
NO_PYTHON_RECIPE = NoPythonRecipe(base=BASE_RECIPE)
NO_SHELL_RECIPE = NoShellRecipe(venv=VENV_RECIPE)


# --------------------------------------------------------------------------- host facts


def cache_dir() -> Path:
    """Where tarballs, wheels and the build lock live (created on demand)."""
    override = os.environ.get("DRIFTCHECK_TEST_CACHE")
    if override:
        path = Path(override)
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        path = (Path(xdg) if xdg else Path.home() / ".cache") / "driftcheck-tests"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _deb822_paragraphs(text: str) -> Iterator[dict[str, str]]:
    fields: dict[str, str] = {}
    last: str | None = None
    for raw in [*text.splitlines(), ""]:
        if raw.startswith("#"):
            continue
        if not raw.strip():
            if fields:
                yield fields
            fields, last = {}, None
        elif raw[0] in " \t" and last is not None:
            fields[last] += " " + raw.strip()
        elif ":" in raw:
            key, _, value = raw.partition(":")
            last = key.strip().lower()
            fields[last] = value.strip()


def _mirror_from_deb822(text: str, suite: str) -> str | None:
    for fields in _deb822_paragraphs(text):
        if fields.get("enabled", "yes").lower() == "no":
            continue
        if "deb" not in fields.get("types", "").split():
            continue
        if suite not in fields.get("suites", "").split():
            continue
        uris = fields.get("uris", "").split()
        if uris:
            return uris[0]
    return None


def _mirror_from_one_line(text: str, suite: str) -> str | None:
    for raw in text.splitlines():
        words = raw.split("#", 1)[0].split()
        if not words or words[0] != "deb":
            continue
        words = words[1:]
        if words and words[0].startswith("["):  # [arch=amd64 signed-by=...]
            while words and not words[0].endswith("]"):
                words = words[1:]
            words = words[1:]
        if len(words) >= 2 and words[1] == suite:
            return words[0]
    return None


def apt_mirror(suite: str = "bookworm", apt_dir: Path = Path("/etc/apt")) -> str:
    """The Debian mirror this machine's own apt uses for *suite*.

    ``$DRIFTCHECK_TEST_DEBIAN_MIRROR`` wins; then deb822 ``*.sources`` files
    (``debian.sources`` first), then one-line ``sources.list`` files; for a suite
    they do not list, the mirror of this machine's own release; then
    ``http://deb.debian.org/debian``.
    """
    override = os.environ.get("DRIFTCHECK_TEST_DEBIAN_MIRROR")
    if override:
        return override
    found = _configured_mirror(suite, apt_dir)
    if found is None and suite != _host_codename():
        # Another release (bullseye on a bookworm host): the mirror that serves this
        # machine's own release carries the others too.
        found = _configured_mirror(_host_codename(), apt_dir)
    return found or DEFAULT_MIRROR


def _host_codename() -> str:
    with contextlib.suppress(OSError):
        return platform.freedesktop_os_release().get("VERSION_CODENAME", "")
    return ""


def _configured_mirror(suite: str, apt_dir: Path) -> str | None:
    if not suite:
        return None
    parts = apt_dir / "sources.list.d"
    deb822 = sorted(parts.glob("*.sources"), key=lambda p: (p.name != "debian.sources", p.name))
    for path in deb822:
        with contextlib.suppress(OSError, UnicodeDecodeError):
            found = _mirror_from_deb822(path.read_text(), suite)
            if found:
                return found
    for path in [apt_dir / "sources.list", *sorted(parts.glob("*.list"))]:
        with contextlib.suppress(OSError, UnicodeDecodeError):
            found = _mirror_from_one_line(path.read_text(), suite)
            if found:
                return found
    return None


def _which(name: str) -> str | None:
    return shutil.which(name) or shutil.which(name, path="/usr/local/sbin:/usr/sbin:/sbin")


# --------------------------------------------------------------------------- engine


def build_client() -> Any:
    """A Docker client for long builds/imports; honours ``DOCKER_HOST`` like the tests."""
    return docker.from_env(timeout=900)


def image_exists(client: Any, tag: str) -> bool:
    try:
        client.images.get(tag)
    except docker.errors.ImageNotFound:
        return False
    return True


@contextlib.contextmanager
def _build_lock() -> Iterator[None]:
    with open(cache_dir() / "build.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --------------------------------------------------------------------------- base image


def _mounts_under(root: Path) -> list[str]:
    prefix = str(root.resolve()) + "/"
    found: list[str] = []
    with contextlib.suppress(OSError), open("/proc/self/mounts") as mounts:
        for line in mounts:
            point = line.split()[1].replace("\\040", " ")
            if point.startswith(prefix):
                found.append(point)
    return sorted(found, key=len, reverse=True)


def _remove_rootfs(root: Path) -> None:
    """Delete a debootstrap target; never descend into what a failed run left mounted."""
    for point in _mounts_under(root):
        subprocess.run(["umount", "-l", point], check=False, capture_output=True)
    if _mounts_under(root):
        raise RuntimeError(f"refusing to delete {root}: something is still mounted under it")
    subprocess.run(["rm", "-rf", "--one-file-system", str(root)], check=False)


def _debootstrap_tarball(recipe: BaseRecipe, tarball: Path) -> None:
    """Run debootstrap and write the root filesystem to *tarball* (atomically)."""
    debootstrap = _which("debootstrap")
    if debootstrap is None:
        raise ImageBuildUnavailable(
            "debootstrap is not installed (apt-get install debootstrap, or run "
            "`bash scripts/test.sh`, which installs it)"
        )
    if os.geteuid() != 0:
        raise ImageBuildUnavailable("debootstrap needs root to build the test root filesystem")
    mirror = apt_mirror(recipe.suite)
    work = Path(tempfile.mkdtemp(prefix="debootstrap-", dir=cache_dir()))
    root = work / "rootfs"
    log = cache_dir() / f"debootstrap-{recipe.digest}.log"
    command = [
        debootstrap,
        f"--variant={recipe.variant}",
        f"--include={','.join(recipe.include)}",
        recipe.suite,
        str(root),
        mirror,
    ]
    try:
        with open(log, "w") as out:
            out.write("$ " + " ".join(command) + "\n")
            out.flush()
            done = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, check=False)
        if done.returncode != 0:
            tail = "".join(log.read_text(errors="replace").splitlines(keepends=True)[-25:])
            raise RuntimeError(
                f"debootstrap failed with exit code {done.returncode} (mirror {mirror}); "
                f"full log: {log}\n{tail}"
            )
        partial = work / "rootfs.tar"
        subprocess.run(
            [
                "tar",
                "--numeric-owner",
                "--xattrs",
                *(f"--exclude={pattern}" for pattern in _TAR_EXCLUDES),
                "-C",
                str(root),
                "-cf",
                str(partial),
                ".",
            ],
            check=True,
        )
        os.replace(partial, tarball)
    finally:
        _remove_rootfs(work)


def ensure_base_image(client: Any | None = None, recipe: BaseRecipe = BASE_RECIPE) -> str:
    """Return the tag of the debootstrap image, building it (or re-importing it) if needed."""
    client = client or build_client()
    if image_exists(client, recipe.tag):
        return recipe.tag
    with _build_lock():
        if image_exists(client, recipe.tag):  # another run built it while we waited
            return recipe.tag
        tarball = cache_dir() / f"rootfs-{recipe.suite}-{recipe.variant}-{recipe.digest}.tar"
        if not tarball.is_file():
            _debootstrap_tarball(recipe, tarball)
        repository, _, tag = recipe.tag.rpartition(":")
        client.api.import_image_from_file(
            str(tarball),
            repository=repository,
            tag=tag,
            changes=[
                f"ENV PATH={DEFAULT_PATH}",
                f"LABEL org.driftcheck.test.recipe={recipe.digest}",
                'CMD ["python3"]',
            ],
        )
        if not image_exists(client, recipe.tag):
            raise RuntimeError(f"docker import of {tarball} did not produce {recipe.tag}")
    return recipe.tag


# --------------------------------------------------------------------------- venv image


def _download_wheels(recipe: VenvRecipe) -> Path:
    """Wheels for the image, fetched by the host's pip (cached, no install)."""
    target = cache_dir() / f"wheels-{recipe.wheels_digest}"
    if (target / ".complete").is_file():
        return target
    partial = Path(tempfile.mkdtemp(prefix="wheels-", dir=cache_dir()))
    platforms = [arg for p in recipe.wheel_platforms for arg in ("--platform", p)]
    abi = "cp" + recipe.python_version.replace(".", "")
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--disable-pip-version-check",
        "--quiet",
        "--no-deps",
        "--only-binary=:all:",
        "--python-version",
        recipe.python_version,
        "--implementation",
        "cp",
        "--abi",
        abi,
        *platforms,
        "--dest",
        str(partial),
        *recipe.wheels,
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(
                f"pip download of the test wheels failed ({done.returncode}):\n{done.stderr}"
            )
        (partial / ".complete").write_text("\n".join(recipe.wheels) + "\n")
        shutil.rmtree(target, ignore_errors=True)
        os.replace(partial, target)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return target


def build_dockerfile(client: Any, tag: str, dockerfile: str, files: Path | None = None) -> None:
    """``docker build`` with no network; *files* (if any) become ``wheels/`` in the context."""
    with tempfile.TemporaryDirectory(prefix="test-image-") as context:
        if files is not None:
            shutil.copytree(files, Path(context) / "wheels", ignore=shutil.ignore_patterns(".*"))
        (Path(context) / "Dockerfile").write_text(dockerfile)
        build_context(client, Path(context), tag)


def build_context(
    client: Any, context: Path, tag: str, buildargs: dict[str, str] | None = None
) -> None:
    """``docker build`` of a prepared context with no network, labelled with its recipe hash;
    a failed build raises with the end of its log."""
    try:
        client.images.build(
            path=str(context),
            tag=tag,
            buildargs=buildargs or {},
            pull=False,
            rm=True,
            forcerm=True,
            network_mode="none",
            labels={"org.driftcheck.test.recipe": tag.rpartition(":")[2]},
        )
    except docker.errors.BuildError as exc:
        lines = [str(chunk.get("stream") or chunk.get("error") or "") for chunk in exc.build_log]
        raise RuntimeError(
            f"docker build of {tag} failed: {exc.msg}\n{''.join(lines)[-3000:]}"
        ) from exc


def ensure_venv_image(client: Any | None = None, recipe: VenvRecipe = VENV_RECIPE) -> str:
    """Return the tag of the venv image (base + /opt/venv + USER 10001 + canary)."""
    client = client or build_client()
    if image_exists(client, recipe.tag):
        return recipe.tag
    ensure_base_image(client, recipe.base)  # takes the lock itself: do not nest
    with _build_lock():
        if not image_exists(client, recipe.tag):
            build_dockerfile(client, recipe.tag, recipe.dockerfile(), _download_wheels(recipe))
    return recipe.tag


def ensure_no_python_image(
    client: Any | None = None, recipe: NoPythonRecipe = NO_PYTHON_RECIPE
) -> str:
    """Return the tag of the image holding only Debian's dpkg database and os-release."""
    client = client or build_client()
    if image_exists(client, recipe.tag):
        return recipe.tag
    ensure_base_image(client, recipe.base)
    with _build_lock():
        if not image_exists(client, recipe.tag):
            build_dockerfile(client, recipe.tag, recipe.dockerfile())
    return recipe.tag


def ensure_no_shell_image(
    client: Any | None = None, recipe: NoShellRecipe = NO_SHELL_RECIPE
) -> str:
    """Return the tag of the venv image without any shell."""
    client = client or build_client()
    if image_exists(client, recipe.tag):
        return recipe.tag
    ensure_venv_image(client, recipe.venv)
    with _build_lock():
        if not image_exists(client, recipe.tag):
            build_dockerfile(client, recipe.tag, recipe.dockerfile())
    return recipe.tag


# --------------------------------------------------------------------------- sys.path images

#: Wheels the sys.path images add to ``VENV_WHEELS`` (also cached): older six and attrs, to
#: put two versions of one distribution on one sys.path, and a setuptools that builds PEP 660
#: editable installs without the ``wheel`` package.
OLDER_WHEELS: tuple[str, ...] = ("six==1.16.0", "attrs==23.2.0", "setuptools==75.3.0")
#: pip from Debian's own wheel (python3-venv brings it): no pip package in the base image.
SYSTEM_PIP = (
    "python3 $(echo /usr/share/python-wheels/pip-*.whl)/pip install --no-index --no-cache-dir "
    "--disable-pip-version-check --break-system-packages"
)
#: A src-layout project installed editable into /opt/venv of ``VENV_BESIDE_SYSTEM_RECIPE``.
EDITABLE_PROJECT = {
    "pyproject.toml": (
        '[build-system]\nrequires = ["setuptools>=64"]\nbuild-backend = "setuptools.build_meta"\n'
        '\n[project]\nname = "myproject"\nversion = "0.3.0"\ndependencies = ["six>=1.15", "idna"]\n'
    ),
    "src/myproject/__init__.py": "VALUE = 1\n",
}


@dataclass(frozen=True)
class PathsRecipe:
    """An image FROM another one, built by a Dockerfile body with the host's wheels in
    /tmp/wheels (``VENV_WHEELS``) and /tmp/older (``OLDER_WHEELS``), and, with ``project``,
    ``EDITABLE_PROJECT`` in /tmp/project."""

    parent: BaseRecipe | PathsRecipe
    body: str
    repository: str
    project: bool = False
    version: int = RECIPE_VERSION

    def dockerfile(self) -> str:
        return f"FROM {self.parent.tag}\n" + textwrap.dedent(self.body)

    @property
    def digest(self) -> str:
        return _short_hash(
            {
                "kind": "paths",
                "dockerfile": self.dockerfile(),
                "wheels": [r.wheels_digest for r in _paths_wheel_recipes()],
                "project": EDITABLE_PROJECT if self.project else None,
                "version": self.version,
            }
        )

    @property
    def tag(self) -> str:
        return f"{self.repository}:{self.digest}"


def _paths_wheel_recipes() -> tuple[VenvRecipe, VenvRecipe]:
    return VENV_RECIPE, VenvRecipe(base=BASE_RECIPE, wheels=OLDER_WHEELS)


#: Debian's python3 as root, no venv: an older attrs in the user site (/root/.local) ahead of
#: a newer one in /usr/local's dist-packages, a .pth file there adding /opt/plugins (absolute
#: line) and /srv/extra (relative line), and PYTHONPATH=/opt/pp holding an older six.
SITE_PATHS_RECIPE = PathsRecipe(
    parent=BASE_RECIPE,
    repository="driftcheck-test/bookworm-site-paths",
    body=f"""\
    COPY wheels/ /tmp/wheels/
    COPY older/ /tmp/older/
    RUN set -e; \\
        {SYSTEM_PIP} --find-links /tmp/wheels attrs==24.3.0 six==1.17.0; \\
        {SYSTEM_PIP} --find-links /tmp/wheels --target /usr/lib/python3/dist-packages idna==3.10; \\
        {SYSTEM_PIP} --find-links /tmp/older --user attrs==23.2.0; \\
        {SYSTEM_PIP} --find-links /tmp/wheels --target /opt/plugins packaging==24.2; \\
        {SYSTEM_PIP} --find-links /tmp/wheels --target /srv/extra MarkupSafe==3.0.2; \\
        {SYSTEM_PIP} --find-links /tmp/older --target /opt/pp six==1.16.0; \\
        printf '# plugins\\n/opt/plugins\\n../../../../../srv/extra\\nimport sys\\n/opt/none\\n' \\
            > /usr/local/lib/python3.11/dist-packages/zz-plugins.pth; \\
        rm -rf /tmp/wheels /tmp/older /root/.cache
    ENV PYTHONPATH=/opt/pp
    """,
)

#: An isolated venv (/opt/venv, USER app) beside filled system folders (/usr/local's
#: dist-packages, /usr/lib/python3/dist-packages, app's user site), holding an editable
#: src-layout install of ``EDITABLE_PROJECT`` at /app, whose src/ also holds the
#: myproject.egg-info that builds leave there (egg_info, `python -m build`, setuptools < 64
#: editable installs) and that the editable .pth line puts on sys.path; and a second venv,
#: /opt/sysvenv, made with --system-site-packages (not the one the config points at).
VENV_BESIDE_SYSTEM_RECIPE = PathsRecipe(
    parent=BASE_RECIPE,
    repository="driftcheck-test/bookworm-venv-beside-system",
    project=True,
    body=f"""\
    COPY wheels/ /tmp/wheels/
    COPY older/ /tmp/older/
    COPY project/ /app/
    RUN set -e; \\
        {SYSTEM_PIP} --find-links /tmp/older six==1.16.0 attrs==23.2.0; \\
        {SYSTEM_PIP} --find-links /tmp/wheels --target /usr/lib/python3/dist-packages \\
            packaging==24.2; \\
        useradd --create-home --uid 10002 app; \\
        {SYSTEM_PIP} --find-links /tmp/wheels \\
            --target /home/app/.local/lib/python3.11/site-packages idna==3.10; \\
        python3 -m venv /opt/venv; \\
        /opt/venv/bin/pip install --no-index --no-cache-dir --disable-pip-version-check \\
            --find-links /tmp/wheels --find-links /tmp/older \\
            six==1.17.0 idna==3.10 attrs==24.3.0 setuptools==75.3.0; \\
        /opt/venv/bin/pip install --no-index --no-cache-dir --disable-pip-version-check \\
            --no-build-isolation -e /app; \\
        cd /app && /opt/venv/bin/python -c 'from setuptools import setup; setup()' -q egg_info; \\
        test -f /app/src/myproject.egg-info/PKG-INFO; cd /; \\
        python3 -m venv --system-site-packages /opt/sysvenv; \\
        /opt/sysvenv/bin/pip install --no-index --no-cache-dir --disable-pip-version-check \\
            --find-links /tmp/wheels MarkupSafe==3.0.2; \\
        chown -R app /home/app; \\
        rm -rf /tmp/wheels /tmp/older /root/.cache
    ENV VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:{DEFAULT_PATH}
    USER app
    """,
)

#: The same files, configured to run /opt/sysvenv: a venv that also sees the system's
#: folders, and app's user site (enabled there), ahead of its own site-packages.
SYSTEM_SITE_VENV_RECIPE = PathsRecipe(
    parent=VENV_BESIDE_SYSTEM_RECIPE,
    repository="driftcheck-test/bookworm-system-site-venv",
    body=f"""\
    ENV VIRTUAL_ENV=/opt/sysvenv PATH=/opt/sysvenv/bin:{DEFAULT_PATH}
    """,
)


def ensure_paths_image(recipe: PathsRecipe, client: Any | None = None) -> str:
    """Return the tag of a sys.path image (and of the images it is built FROM)."""
    client = client or build_client()
    if image_exists(client, recipe.tag):
        return recipe.tag
    if isinstance(recipe.parent, PathsRecipe):
        ensure_paths_image(recipe.parent, client)
    else:
        ensure_base_image(client, recipe.parent)
    wheels, older = (_download_wheels(r) for r in _paths_wheel_recipes())
    with _build_lock():
        if image_exists(client, recipe.tag):
            return recipe.tag
        with tempfile.TemporaryDirectory(prefix="test-image-") as folder:
            context = Path(folder)
            skip = shutil.ignore_patterns(".*")
            shutil.copytree(wheels, context / "wheels", ignore=skip)
            shutil.copytree(older, context / "older", ignore=skip)
            for name, text in EDITABLE_PROJECT.items() if recipe.project else ():
                (context / "project" / name).parent.mkdir(parents=True, exist_ok=True)
                (context / "project" / name).write_text(text)
            (context / "Dockerfile").write_text(recipe.dockerfile())
            build_context(client, context, recipe.tag)
    return recipe.tag
