"""The snapshot: a frozen, typed record of what a Python program runs on.

Collections are tuples sorted by identity so that two snapshots of the same
machine serialise identically; `key` gives each record's identity for the diff.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

FORMAT = "driftcheck-snapshot"
# MODEL.REVISION: MODEL changes when an older reader would misread the file;
# REVISION when fields are only added (an older reader ignores them, with a warning).
SCHEMA_VERSION = "1.2"  # 1.1: static_python; container working_dir and diff_ids
# 1.2: the target mode sbom; start_up_blockers (interpreter and static_python);
# native_needs; startup


@dataclass(frozen=True)
class Redacted:
    """A value that looked secret. It keeps no length and no plain hash."""

    rule: str
    fingerprint: str | None = None
    preview: str | None = None


EnvValue = str | Redacted


@dataclass(frozen=True)
class Unknown:
    """Something the snapshot could not learn, and why: a partial snapshot says so."""

    field: str
    reason: str


@dataclass(frozen=True)
class Generator:
    name: str
    version: str


@dataclass(frozen=True)
class TargetInfo:
    kind: str
    description: str
    interpreter: str | None = None
    pid: int | None = None
    mode: str = "live"


@dataclass(frozen=True)
class RedactionInfo:
    rules_version: str
    redacted_count: int
    fingerprinted: bool
    anonymized: bool


@dataclass(frozen=True)
class Interpreter:
    implementation: str
    version: str
    cache_tag: str | None
    soabi: str | None
    ext_suffix: str | None
    executable: str
    prefix: str
    base_prefix: str
    environment_kind: str
    sys_path: tuple[str, ...]
    flags: Mapping[str, int]
    free_threaded: bool
    debug_build: bool
    pointer_bits: int
    default_encoding: str
    filesystem_encoding: str
    locale: Mapping[str, str | None]
    build: Mapping[str, str | None]
    compiler: str | None = None
    conda_prefix: str | None = None
    uv: bool = False
    # .pth files in its site folders that are not regular files (a FIFO): CPython's site.py
    # blocks reading them at every start, so no program this interpreter starts runs.
    start_up_blockers: tuple[str, ...] = ()

    @property
    def major_minor(self) -> str:
        return ".".join(self.version.split(".")[:2])


# The start of the `python` unknown of an image read as files that holds no interpreter
# where a live probe looks. A static snapshot without static_python and without it was
# written before static_python existed (schema 1.0): its interpreter is unknown, not absent.
NO_INTERPRETER_FOUND = "static reading runs no interpreter, and none was found"


@dataclass(frozen=True)
class StaticPython:
    """The interpreter an image read as files would start, as far as its files tell.

    Nothing ran, so each fact is None when no file says it, and ``sources`` names
    the file behind each fact that is known ({"version": "the version string in
    /usr/bin/python3.11"}). ``version`` is as precise as its source: "3.11.2" from
    the binary or the OS package that owns it, "3.11" from a folder name alone; the
    diff compares only what both sides know.
    """

    executable: str
    implementation: str | None = None
    version: str | None = None
    soabi: str | None = None
    ext_suffix: str | None = None
    cache_tag: str | None = None
    free_threaded: bool | None = None
    os_package: str | None = None  # "python3.11-minimal 3.11.2-6+deb12u6"
    sources: Mapping[str, str] = field(default_factory=dict)
    start_up_blockers: tuple[str, ...] = ()  # as Interpreter's, from the modelled sys.path

    @property
    def major_minor(self) -> str | None:
        return ".".join(self.version.split(".")[:2]) if self.version else None


@dataclass(frozen=True)
class PthFile:
    path: str
    path_lines: tuple[str, ...]
    code_lines: tuple[str, ...]

    @property
    def key(self) -> str:
        return self.path


@dataclass(frozen=True)
class ImportOrigin:
    """Which file `import name` would load, read from folder listings (nothing imported).

    ``kind``: package, module, extension, bytecode, namespace, builtin, frozen, or
    unresolved (no file on sys.path: a meta-path finder, or nothing, would answer).
    ``distribution``: the distribution that owns the file (its top-level names in that
    folder, or an editable project's folder), None when none does: a stray or vendored
    copy. ``hidden_*``: the next copy along sys.path, which this one hides.
    """

    name: str
    kind: str
    origin: str | None = None
    distribution: str | None = None
    hidden_origin: str | None = None
    hidden_distribution: str | None = None


@dataclass(frozen=True)
class StartupHook:
    """sitecustomize or usercustomize: the file site.py imports at every start-up."""

    name: str
    path: str
    sha256: str | None = None
    loaded: bool | None = None  # site.py imported it in the probed interpreter


@dataclass(frozen=True)
class SiteSettings:
    system_site_packages: bool | None = None  # a venv's setting; None outside a venv
    user_site_enabled: bool | None = None
    user_site: str | None = None


@dataclass(frozen=True)
class Startup:
    """Start-up mechanisms; a fact None was not read (a static snapshot, an old probe)."""

    site: SiteSettings | None = None
    hooks: tuple[StartupHook, ...] | None = None
    imports: tuple[ImportOrigin, ...] | None = None


@dataclass(frozen=True)
class Distribution:
    name: str
    canonical_name: str
    version: str
    location: str
    metadata_dir: str
    installer: str | None = None
    requested: bool | None = None
    editable: bool = False
    direct_url: str | None = None
    vcs: str | None = None
    vcs_commit: str | None = None
    requires_dist: tuple[str, ...] = ()
    requires_python: str | None = None
    wheel_tags: tuple[str, ...] = ()
    top_level: tuple[str, ...] = ()
    shadowed_by: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.canonical_name, self.location)


@dataclass(frozen=True)
class LibcInfo:
    family: str
    version: str | None


@dataclass(frozen=True)
class CpuInfo:
    model: str | None
    flags: tuple[str, ...]
    count: int | None
    usable: int | None


@dataclass(frozen=True)
class OsInfo:
    system: str
    kernel: str | None
    machine: str
    os_release: Mapping[str, str]
    libc: LibcInfo
    cpu: CpuInfo
    memory_bytes: int | None
    hostname: str | None
    platform_version: str | None = None

    @property
    def pretty_name(self) -> str:
        return (
            self.os_release.get("PRETTY_NAME")
            or " ".join(filter(None, (self.system, self.platform_version)))
            or self.system
        )


@dataclass(frozen=True)
class OsPackage:
    manager: str
    name: str
    version: str
    architecture: str | None = None
    source: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.manager, self.name, self.architecture or "")


@dataclass(frozen=True)
class NativeLibrary:
    name: str
    soname: str | None
    path: str | None
    version: str | None

    @property
    def key(self) -> tuple[str, str]:
        return (self.name, self.path or "")


@dataclass(frozen=True)
class NeededLibrary:
    """One DT_NEEDED entry of a shared object, resolved as the dynamic loader would on
    that side: `path` is the file it maps (None: missing), `found_by` where it looked
    ("rpath", "LD_LIBRARY_PATH", "runpath", "system", or "loaded": the interpreter had
    loaded it already, as a shared libpython), `real_name` the file behind the
    symlinks (libgfortran.so.5.0.0: its version), `os_package` the package that ships it
    according to `package_manager`'s database ("dpkg", "apk")."""

    soname: str
    path: str | None = None
    found_by: str | None = None
    real_name: str | None = None
    os_package: str | None = None
    package_manager: str | None = None


@dataclass(frozen=True)
class NativeModule:
    """A shared object under a site folder (an extension module, or a library a wheel
    bundles in `<name>.libs/`), `file` relative to `site`, what it needs, and where it
    tells the loader to look."""

    site: str
    file: str
    needed: tuple[NeededLibrary, ...] = ()
    soname: str | None = None  # DT_SONAME: set on the libraries wheels bundle
    rpath: tuple[str, ...] = ()  # DT_RPATH and DT_RUNPATH as written ($ORIGIN kept)
    runpath: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return self.file


@dataclass(frozen=True)
class ContainerInfo:
    """What the engine says about the container or image a snapshot came from."""

    image: str
    image_id: str
    platform: str
    repo_digests: tuple[str, ...] = ()
    container_id: str | None = None
    container_name: str | None = None
    user: str | None = None
    entrypoint: tuple[str, ...] = ()
    command: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    configured_env: Mapping[str, EnvValue] = field(default_factory=dict)
    created: str | None = None
    layers: int | None = None
    history_entries: int | None = None
    working_dir: str | None = None
    # The config's rootfs.diff_ids (the engine's RootFS.Layers): the digests of the
    # uncompressed layers, equal whenever two images hold the same files.
    diff_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Snapshot:
    generator: Generator
    created_at: str
    label: str
    target: TargetInfo
    redaction: RedactionInfo
    os: OsInfo
    python: Interpreter | None = None
    pth_files: tuple[PthFile, ...] = ()
    distributions: tuple[Distribution, ...] = ()
    environment: Mapping[str, EnvValue] = field(default_factory=dict)
    os_packages: tuple[OsPackage, ...] = ()
    native_libraries: tuple[NativeLibrary, ...] = ()
    unknowns: tuple[Unknown, ...] = ()
    container: ContainerInfo | None = None
    static_python: StaticPython | None = None  # only in static snapshots (python is None)
    # None: not read (an older snapshot, a static one, not Linux): not comparable.
    native_needs: tuple[NativeModule, ...] | None = None
    startup: Startup | None = None  # schema 1.2; None: not recorded
    format: str = FORMAT
    schema_version: str = SCHEMA_VERSION

    @property
    def partial(self) -> bool:
        return bool(self.unknowns)

    @property
    def active_distributions(self) -> tuple[Distribution, ...]:
        """The copies an import would find: shadowed copies left out."""
        return tuple(d for d in self.distributions if d.shadowed_by is None)
