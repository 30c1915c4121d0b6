"""An SBOM read as a snapshot: recognised by its content, whatever the file's name.

`snapshot_document` is the one hook of the snapshot reader (snapshot/files.py): it
turns a CycloneDX or SPDX JSON document (or an in-toto statement holding one, as
docker buildx attaches) into the JSON of a snapshot, which then goes through the
reader's usual path, the host's redaction sweep and the typed decoder included.
The snapshot holds what package URLs say: Python distributions (pkg:pypi) and OS
packages (pkg:deb, pkg:apk, pkg:rpm), and the OS release where the document
names it. Everything else is listed in `unknowns`, and the diff calls it not
comparable (sbom/comparable.py).
"""

from __future__ import annotations

import re
from typing import Any

from packageurl import PackageURL

from driftcheck import __version__
from driftcheck.errors import InvalidSnapshotError
from driftcheck.redaction.rules import RULES_VERSION
from driftcheck.sbom.cyclonedx_read import is_cyclonedx, read_cyclonedx
from driftcheck.sbom.document import (
    MAX_TEXT,
    SBOM_MODE,
    OsRelease,
    SbomContent,
    SbomShapeError,
)
from driftcheck.sbom.purls import PurlError, parse_purl, record_from_purl
from driftcheck.sbom.spdx_read import is_spdx, read_spdx
from driftcheck.snapshot.codec import to_jsonable
from driftcheck.snapshot.model import (
    CpuInfo,
    Distribution,
    Generator,
    LibcInfo,
    OsInfo,
    OsPackage,
    RedactionInfo,
    Snapshot,
    TargetInfo,
    Unknown,
)

_DISTRO = re.compile(r"(?:(?P<id>[a-z][a-z0-9._]{0,40})-)?(?P<version>[0-9][0-9A-Za-z._~+-]{0,40})")
# What no SBOM tells, listed in every snapshot read from one.
NOT_IN_AN_SBOM = (
    Unknown("python", "an SBOM does not describe the interpreter a program runs"),
    Unknown("environment", "an SBOM does not record environment variables"),
    Unknown("native_libraries", "an SBOM does not say which libraries the loader finds"),
    Unknown("os.kernel", "an SBOM does not record the kernel"),
    Unknown("os.cpu", "an SBOM does not record the CPU"),
    Unknown("os.memory_bytes", "an SBOM does not record the memory"),
    Unknown("os.libc", "an SBOM does not record the libc as such"),
    Unknown("os.machine", "an SBOM does not record the machine"),
    Unknown(
        "distributions",
        "from package URLs only: no location, requirements, installer or wheel tags",
    ),
)


def snapshot_document(data: dict[str, Any], name: str) -> dict[str, Any] | None:
    """The snapshot JSON of an SBOM document; None when `data` is not an SBOM."""
    document = _unwrapped(data)
    if is_cyclonedx(document):
        reader = read_cyclonedx
    elif is_spdx(document):
        reader = read_spdx
    else:
        return None
    try:
        content = reader(document)
    except SbomShapeError as exc:
        raise InvalidSnapshotError(
            f"{name}: not a valid SBOM ({exc}); pass the JSON document syft, trivy or "
            "`driftcheck export` wrote"
        ) from None
    snapshot: dict[str, Any] = to_jsonable(_snapshot(content, name))
    return snapshot


def _unwrapped(data: dict[str, Any]) -> dict[str, Any]:
    """An in-toto statement (docker buildx's SBOM attestation) holds the SBOM as its
    predicate."""
    predicate = data.get("predicate")
    if isinstance(data.get("predicateType"), str) and isinstance(predicate, dict):
        return predicate
    return data


def _snapshot(content: SbomContent, name: str) -> Snapshot:
    distributions: dict[str, Distribution] = {}
    packages: dict[tuple[str, str, str], OsPackage] = {}
    other_kinds = content.without_purl
    distros: set[tuple[str, str]] = set()
    for component in content.components:
        try:
            purl = parse_purl(component.purl)
            record = record_from_purl(purl)
        except PurlError as exc:
            content.problem(f"{component.where}: {exc}")
            continue
        if record is None:
            other_kinds += 1
        elif not _short(record):
            content.problem(f"{component.where}: a name or version longer than {MAX_TEXT}")
        elif isinstance(record, Distribution):
            _keep(distributions, record.canonical_name, record, component.where, content)
        else:
            _keep(packages, record.key, record, component.where, content)
            distros.add((purl.namespace or "", _qualifier(purl, "distro")))
    if content.operating_system is None and len(distros) == 1:
        content.operating_system = _os_from_distro(*distros.pop())
    unknowns = list(NOT_IN_AN_SBOM)
    if content.operating_system is None:
        unknowns.append(Unknown("os.os_release", "the SBOM does not name the OS"))
    if other_kinds:
        unknowns.append(
            Unknown("sbom", f"{other_kinds} {_components(other_kinds)} of other kinds not compared")
        )
    unknowns.extend(Unknown("sbom", problem) for problem in content.problems)
    if content.problem_count > len(content.problems):
        more = content.problem_count - len(content.problems)
        unknowns.append(Unknown("sbom", f"and {more} more components that could not be read"))
    subject = content.subject or name
    by = f" by {content.tool}" if content.tool else ""
    return Snapshot(
        generator=Generator("driftcheck", __version__),
        created_at=content.created or "",
        label=subject[:100],
        target=TargetInfo(
            kind="sbom",
            description=f"{content.format} SBOM{by} of {subject}"[:300],
            mode=SBOM_MODE,
        ),
        redaction=RedactionInfo(RULES_VERSION, 0, False, False),
        os=_os(content),
        distributions=tuple(distributions[k] for k in sorted(distributions)),
        os_packages=tuple(packages[k] for k in sorted(packages)),
        unknowns=tuple(unknowns),
    )


def _components(count: int) -> str:
    return "component" if count == 1 else "components"


def _qualifier(purl: PackageURL, name: str) -> str:
    qualifiers = purl.qualifiers if isinstance(purl.qualifiers, dict) else {}
    value = qualifiers.get(name, "")
    return value if isinstance(value, str) else ""


def _os_from_distro(namespace: str, distro: str) -> OsRelease | None:
    """Every OS package names one distro (`distro=alpine-3.10.9`, trivy's `distro=3.16.0`
    under `pkg:apk/alpine`): the document says which OS, though in no OS component."""
    match = _DISTRO.fullmatch(distro)
    if match is None or not (match["id"] or namespace):
        return None
    return OsRelease(id=(match["id"] or namespace).lower(), version_id=match["version"])


def _short(record: Distribution | OsPackage) -> bool:
    texts = (record.name, record.version, getattr(record, "architecture", None) or "")
    return all(len(text) <= MAX_TEXT for text in texts)


def _keep(
    kept: dict[Any, Any],
    key: Any,
    record: Distribution | OsPackage,
    where: str,
    content: SbomContent,
) -> None:
    """An SBOM of an image lists every environment in it: the first copy is compared."""
    first = kept.setdefault(key, record)
    if first.version != record.version:
        content.problem(
            f"{where}: {record.name} {record.version} is listed again (first {first.version}, "
            "in another environment of the image perhaps); the first is compared"
        )


def _os(content: SbomContent) -> OsInfo:
    release: dict[str, str] = {}
    found = content.operating_system
    if found is not None:
        release["ID"] = found.id
        if found.version_id:
            release["VERSION_ID"] = found.version_id
        pretty = found.pretty_name or " ".join(filter(None, (found.id, found.version_id)))
        release["PRETTY_NAME"] = pretty
    return OsInfo(
        system="Linux" if found is not None else "",
        kernel=None,
        machine="",
        os_release=release,
        libc=LibcInfo("unknown", None),
        cpu=CpuInfo(None, (), None, None),
        memory_bytes=None,
        hostname=None,
    )
