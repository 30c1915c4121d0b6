"""Turns the probe's raw answer into a `Snapshot`.

The host is the authority on redaction: whatever the probe says, the
environment is redacted again and every string is swept for secrets before
anything is modelled, so a compromised probe cannot leak into a file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import fields, replace
from datetime import datetime, timezone
from typing import Any
from urllib.parse import unquote, urlsplit

from driftcheck import __version__
from driftcheck.parsers.apk import parse_apk_installed
from driftcheck.parsers.dpkg import parse_dpkg_status
from driftcheck.parsers.os_release import parse_os_release
from driftcheck.parsers.result import ParseResult
from driftcheck.parsers.rpm import parse_rpm_query
from driftcheck.probe import invalid_output
from driftcheck.redaction.anonymize import Anonymizer
from driftcheck.redaction.image_config import redact_image_config
from driftcheck.redaction.rules import RULES_VERSION, redact_url, scrub_text
from driftcheck.redaction.sweep import host_redact_environment, sweep
from driftcheck.snapshot import raw
from driftcheck.snapshot.codec import ShapeError, from_jsonable, to_jsonable
from driftcheck.snapshot.model import (
    ContainerInfo,
    CpuInfo,
    Distribution,
    EnvValue,
    Generator,
    Interpreter,
    LibcInfo,
    NativeLibrary,
    NativeModule,
    OsInfo,
    OsPackage,
    PthFile,
    Redacted,
    RedactionInfo,
    Snapshot,
    Startup,
    StaticPython,
    TargetInfo,
    Unknown,
)

_SEPARATORS = re.compile(r"[-_.]+")
_PACKAGE_FIELDS = tuple(f.name for f in fields(OsPackage))


def canonicalize_name(name: str) -> str:
    """PEP 503's normalisation, the same as packaging.utils.canonicalize_name, whose
    import (it pulls in packaging.tags, logging and subprocess) costs ~20 ms of start-up."""
    return _SEPARATORS.sub("-", name).lower()


def build_snapshot(
    answer: Mapping[str, Any],
    *,
    target: TargetInfo,
    label: str,
    fingerprint_key: bytes | None = None,
    anonymize: bool = False,
    container: Mapping[str, Any] | None = None,
    os_packages: ParseResult | None = None,
) -> Snapshot:
    """OS_PACKAGES: parsed by the host already (a local target), else parsed here from
    the answer's os_packages_raw."""
    try:
        return _build(answer, target, label, fingerprint_key, anonymize, container, os_packages)
    except (raw.RawShapeError, ShapeError) as exc:
        raise invalid_output(target.description, str(exc)) from exc


def _build(
    answer: Mapping[str, Any],
    target: TargetInfo,
    label: str,
    key: bytes | None,
    anonymize: bool,
    container: Mapping[str, Any] | None,
    os_packages: ParseResult | None,
) -> Snapshot:
    # In a container, PID 1's environment (when readable) is what the application sees.
    main_env = answer.get("main_process_environment")
    env_raw = raw.obj(main_env if main_env is not None else answer.get("environment"), "env")
    environment, env_redacted = host_redact_environment(env_raw, key)
    engine_env: dict[str, Any] = {}
    if container is not None:
        configured = raw.obj(container.get("configured_env"), "container.configured_env")
        engine_env, engine_redacted = host_redact_environment(configured, key)
        env_redacted += engine_redacted
    # Package databases are parsed first and only their records are swept: the raw
    # text is large, holds no secrets by construction, and is not kept.
    if os_packages is None:
        databases = raw.obj(answer.get("os_packages_raw"), "os_packages_raw")
        os_packages = parse_package_databases(databases)
    packages, package_unknowns = os_packages.packages, os_packages.unknowns
    skipped = ("environment", "main_process_environment", "os_packages_raw")
    # What the host sets itself (target, container) is never taken from the answer.
    rest = {k: v for k, v in answer.items() if k not in (*skipped, "container")}
    # As tuples of field values: swept and anonymized like any list, rebuilt directly
    # (the generic decoder cost ~10 ms for a host's 750 packages).
    rest["os_packages"] = [tuple(getattr(p, f) for f in _PACKAGE_FIELDS) for p in packages]
    config_redacted = 0
    if container is not None:
        config = {k: v for k, v in container.items() if k != "configured_env"}
        rest["container"], config_redacted = redact_image_config(config)
    rest["target"] = {"description": target.description, "interpreter": target.interpreter}
    rest["package_unknowns"] = [to_jsonable(u) for u in package_unknowns]
    swept, swept_count = sweep(rest)
    described = raw.obj(swept.get("target"), "target")
    target = replace(
        target,
        description=raw.text(described, "description", "target"),
        interpreter=raw.opt_text(described, "interpreter", "target"),
    )
    if anonymize:
        anonymizer = _anonymizer(swept)
        swept = anonymizer.apply_tree(swept)
        environment = anonymizer.apply_tree(environment)
        engine_env = anonymizer.apply_tree(engine_env)
        target = replace(
            target,
            description=anonymizer.apply(target.description),
            interpreter=anonymizer.apply(target.interpreter) if target.interpreter else None,
        )
    unknowns = [_unknown(u) for u in raw.objects(swept, "unknowns", "probe")]
    unknowns += [_unknown(u) for u in raw.objects(swept, "package_unknowns", "probe")]
    python = _interpreter(swept.get("python"), environment) if swept.get("python") else None
    if python is None and target.interpreter is not None:
        unknowns.append(Unknown("python", "the probe could not describe the interpreter"))
    distributions, unreadable = _distributions(swept, python)
    unknowns += unreadable
    static = target.mode == "static"  # a live probe's answer never sets these facts
    static_python = _static_python(swept.get("static_python")) if static else None
    return Snapshot(
        generator=Generator("driftcheck", __version__),
        created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        label=scrub_text(label)[0],  # a user's words, swept like every other string
        target=target,
        redaction=RedactionInfo(
            rules_version=RULES_VERSION,
            redacted_count=env_redacted + config_redacted + swept_count,
            fingerprinted=key is not None,
            anonymized=anonymize,
        ),
        os=_os(raw.obj(swept.get("os"), "os")),
        python=python,
        pth_files=tuple(sorted(_pth_files(swept), key=lambda p: p.key)),
        distributions=distributions,
        environment=_environment(environment),
        os_packages=tuple(OsPackage(*values) for values in swept["os_packages"]),
        native_libraries=tuple(sorted(_native_libraries(swept), key=lambda n: n.key)),
        unknowns=tuple(unknowns),
        container=_container(swept.get("container"), engine_env),
        static_python=static_python,
        native_needs=_native_needs(swept.get("native_needs")),
        startup=_startup(swept.get("startup")),
    )


def _startup(data: Any) -> Startup | None:
    """Start-up mechanisms (probe 1.2+): absent from older answers and static readings."""
    if data is None:
        return None
    return from_jsonable(Startup, dict(raw.obj(data, "startup")), "startup")


def _container(data: Any, configured_env: Mapping[str, Any]) -> ContainerInfo | None:
    if data is None:
        return None
    info = dict(raw.obj(data, "container"))
    info["configured_env"] = {}
    decoded = from_jsonable(ContainerInfo, info, "container")
    return replace(decoded, configured_env=_environment(configured_env))


def _static_python(data: Any) -> StaticPython | None:
    """What an image's files say about its interpreter (static reading only)."""
    if data is None:
        return None
    return from_jsonable(StaticPython, dict(raw.obj(data, "static_python")), "static_python")


def _anonymizer(swept: Mapping[str, Any]) -> Anonymizer:
    identity = raw.obj(swept.get("identity"), "identity")
    return Anonymizer(
        user=raw.opt_text(identity, "user", "identity"),
        home=raw.opt_text(identity, "home", "identity"),
        hostname=raw.opt_text(raw.obj(swept.get("os"), "os"), "hostname", "os"),
    )


def _unknown(item: Mapping[str, Any]) -> Unknown:
    return Unknown(raw.text(item, "field", "unknowns"), raw.text(item, "reason", "unknowns"))


def _environment(env: Mapping[str, Any]) -> dict[str, EnvValue]:
    out: dict[str, EnvValue] = {}
    for name in sorted(env):
        value = env[name]
        out[name] = value if isinstance(value, str) else from_jsonable(Redacted, value, name)
    return out


def environment_kind(python: Mapping[str, Any], env: Mapping[str, Any]) -> str:
    cfg = raw.text_map(python, "pyvenv_cfg", "python")
    if python.get("conda_meta"):
        return "conda"
    if "uv" in cfg:
        return "uv-venv"
    if "virtualenv" in cfg:
        return "virtualenv"
    if python.get("real_prefix"):
        return "virtualenv-legacy"
    if python.get("prefix") != python.get("base_prefix"):
        return "venv"
    return "system"


def _interpreter(data: Any, env: Mapping[str, Any]) -> Interpreter:
    p = raw.obj(data, "python")
    flags = raw.obj(p.get("flags"), "python.flags")
    conda_prefix = env.get("CONDA_PREFIX")
    return Interpreter(
        implementation=raw.text(p, "implementation", "python"),
        version=raw.text(p, "version", "python"),
        cache_tag=raw.opt_text(p, "cache_tag", "python"),
        soabi=raw.opt_text(p, "soabi", "python"),
        ext_suffix=raw.opt_text(p, "ext_suffix", "python"),
        executable=raw.text(p, "executable", "python"),
        prefix=raw.text(p, "prefix", "python"),
        base_prefix=raw.text(p, "base_prefix", "python"),
        environment_kind=environment_kind(p, env),
        sys_path=raw.texts(p, "sys_path", "python"),
        flags={str(k): int(v) for k, v in flags.items() if isinstance(v, int)},
        free_threaded=raw.flag(p, "free_threaded", "python"),
        debug_build=raw.flag(p, "debug_build", "python"),
        pointer_bits=raw.opt_int(p, "pointer_bits", "python") or 0,
        default_encoding=raw.text(p, "default_encoding", "python", ""),
        filesystem_encoding=raw.text(p, "filesystem_encoding", "python", ""),
        locale=raw.text_map(p, "locale", "python"),
        build=raw.text_map(p, "build", "python"),
        compiler=raw.opt_text(p, "compiler", "python"),
        conda_prefix=conda_prefix if isinstance(conda_prefix, str) else None,
        uv="uv" in raw.text_map(p, "pyvenv_cfg", "python"),
        start_up_blockers=raw.texts(p, "start_up_blockers", "python"),
    )


def _pth_files(answer: Mapping[str, Any]) -> list[PthFile]:
    return [
        PthFile(
            path=raw.text(item, "path", "pth_files"),
            path_lines=raw.texts(item, "path_lines", "pth_files"),
            code_lines=raw.texts(item, "code_lines", "pth_files"),
        )
        for item in raw.objects(answer, "pth_files", "probe")
    ]


def _distributions(
    answer: Mapping[str, Any], python: Interpreter | None
) -> tuple[tuple[Distribution, ...], list[Unknown]]:
    """The distributions, and an unknown for each metadata folder without a name or version."""
    found: list[Distribution] = []
    unreadable: list[Unknown] = []
    first_location: dict[str, str] = {}
    order = {entry: i for i, entry in enumerate(python.sys_path if python else ())}
    items = raw.objects(answer, "distributions", "probe")
    # The first copy along sys.path is the one an import finds.
    items.sort(key=lambda d: order.get(str(d.get("location")), len(order)))
    items = _without_editable_leftovers(items)
    for item in items:
        name = raw.opt_text(item, "name", "distributions")
        version = raw.opt_text(item, "version", "distributions")
        if not name or version is None:
            folder = "/".join(
                raw.opt_text(item, key, "distributions") or "?"
                for key in ("location", "metadata_dir")
            )
            missing = "Name" if not name else "Version"
            unreadable.append(
                Unknown("distributions", f"{folder}: its metadata has no {missing}; not counted")
            )
            continue
        dist = _distribution(item, name, version)
        winner = first_location.setdefault(dist.canonical_name, dist.location)
        if winner != dist.location:
            dist = replace(dist, shadowed_by=winner)
        found.append(dist)
    return tuple(sorted(found, key=lambda d: d.key)), unreadable


def _without_editable_leftovers(items: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Drops the *.egg-info that setuptools leaves inside an editable project (``src/`` of a
    src layout), which its .pth line puts on sys.path: it describes the editable install
    recorded in site-packages, not a second copy."""
    projects: dict[str, list[str]] = {}
    for item in items:
        direct = item.get("direct_url")
        dir_info = direct.get("dir_info") if isinstance(direct, Mapping) else None
        url = direct.get("url") if isinstance(direct, Mapping) else None
        name = item.get("name")
        if not (isinstance(dir_info, Mapping) and dir_info.get("editable") is True):
            continue
        if isinstance(url, str) and url.startswith("file://") and isinstance(name, str):
            folder = unquote(urlsplit(url).path).rstrip("/")
            projects.setdefault(canonicalize_name(name), []).append(folder)

    def leftover(item: Mapping[str, Any]) -> bool:
        name, location = item.get("name"), str(item.get("location") or "")
        if not isinstance(name, str) or not str(item.get("metadata_dir")).endswith(".egg-info"):
            return False
        return any(
            folder and (location == folder or location.startswith(folder + "/"))
            for folder in projects.get(canonicalize_name(name), ())
        )

    return [item for item in items if not leftover(item)] if projects else items


def _distribution(item: Mapping[str, Any], name: str, version: str) -> Distribution:
    direct = raw.obj(item.get("direct_url"), "direct_url")
    url = raw.opt_text(direct, "url", "direct_url")
    vcs_info = raw.obj(direct.get("vcs_info"), "direct_url.vcs_info")
    dir_info = raw.obj(direct.get("dir_info"), "direct_url.dir_info")
    requires = raw.texts(item, "requires_dist", "distributions")
    requires_txt = raw.opt_text(item, "requires_txt", "distributions")
    if not requires and requires_txt:
        requires = requires_from_egg_info(requires_txt)
    requested = item.get("requested")
    return Distribution(
        name=name,
        canonical_name=canonicalize_name(name),
        version=version,
        location=raw.text(item, "location", "distributions"),
        metadata_dir=raw.text(item, "metadata_dir", "distributions"),
        installer=raw.opt_text(item, "installer", "distributions"),
        requested=requested if isinstance(requested, bool) else None,
        editable=bool(dir_info.get("editable")),
        direct_url=redact_url(url)[0] if url else None,
        vcs=raw.opt_text(vcs_info, "vcs", "direct_url.vcs_info"),
        vcs_commit=raw.opt_text(vcs_info, "commit_id", "direct_url.vcs_info"),
        requires_dist=requires,
        requires_python=raw.opt_text(item, "requires_python", "distributions"),
        wheel_tags=raw.texts(item, "wheel_tags", "distributions"),
        top_level=raw.texts(item, "top_level", "distributions"),
    )


def requires_from_egg_info(text: str) -> tuple[str, ...]:
    """requires.txt sections (`[extra]`, `[:marker]`, `[extra:marker]`) as Requires-Dist."""
    out: list[str] = []
    marker = ""
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            extra, _, condition = line[1:-1].partition(":")
            parts = [f"({condition})" if condition else "", f'extra == "{extra}"' if extra else ""]
            marker = " and ".join(p for p in parts if p)
            continue
        out.append(f"{line}; {marker}" if marker else line)
    return tuple(out)


def _os(data: Mapping[str, Any]) -> OsInfo:
    libc = raw.obj(data.get("libc"), "os.libc")
    cpu = raw.obj(data.get("cpu"), "os.cpu")
    release_text = raw.opt_text(data, "os_release_text", "os")
    return OsInfo(
        system=raw.text(data, "system", "os", ""),
        kernel=raw.opt_text(data, "kernel", "os"),
        machine=raw.text(data, "machine", "os", ""),
        os_release=parse_os_release(release_text) if release_text else {},
        libc=LibcInfo(
            family=raw.text(libc, "family", "os.libc", "unknown"),
            version=raw.opt_text(libc, "version", "os.libc"),
        ),
        cpu=CpuInfo(
            model=raw.opt_text(cpu, "model", "os.cpu"),
            flags=raw.texts(cpu, "flags", "os.cpu"),
            count=raw.opt_int(cpu, "count", "os.cpu"),
            usable=raw.opt_int(cpu, "usable", "os.cpu"),
        ),
        memory_bytes=raw.opt_int(data, "memory_bytes", "os"),
        hostname=raw.opt_text(data, "hostname", "os"),
        platform_version=raw.opt_text(data, "platform_version", "os"),
    )


def parse_package_databases(data: Mapping[str, Any]) -> ParseResult:
    """The packages of the raw databases (os_packages_raw: dpkg, apk, rpm), and problems."""
    packages: list[OsPackage] = []
    unknowns: list[Unknown] = []
    for manager, parse in (
        ("dpkg", parse_dpkg_status),
        ("apk", parse_apk_installed),
        ("rpm", parse_rpm_query),
    ):
        text = raw.opt_text(data, manager, "os_packages_raw")
        if text:
            result = parse(text)
            packages.extend(result.packages)
            unknowns.extend(result.unknowns)
    return ParseResult(tuple(sorted(packages, key=lambda p: p.key)), tuple(unknowns))


def _native_needs(data: Any) -> tuple[NativeModule, ...] | None:
    """None when the probe did not read them (off Linux, an older probe)."""
    if data is None:
        return None
    modules = from_jsonable(tuple[NativeModule, ...], data, "native_needs")
    return tuple(sorted(modules, key=lambda m: (m.key, m.site)))


def _native_libraries(answer: Mapping[str, Any]) -> list[NativeLibrary]:
    return [
        NativeLibrary(
            name=raw.text(item, "name", "native_libraries"),
            soname=raw.opt_text(item, "soname", "native_libraries"),
            path=raw.opt_text(item, "path", "native_libraries"),
            version=raw.opt_text(item, "version", "native_libraries"),
        )
        for item in raw.objects(answer, "native_libraries", "probe")
    ]
