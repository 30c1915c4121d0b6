"""One parser for live references, shared by every command that reads a snapshot.

`host`, `python:PATH`, `pid:N`, `container:NAME`, `image:REF`, `archive:PATH`,
`registry:HOST/REPO:TAG`, `ssh:[user@]HOST[:PORT][/PATH/TO/PYTHON]` name a live target;
`@last-pass[:LABEL]`, `@latest[:LABEL]` and `@ID` a snapshot in the history store
(driftcheck/store); anything else names a snapshot file.
A registry reference is read with the default platform, and plain HTTP only to
loopback hosts and those listed in DRIFTCHECK_INSECURE_REGISTRIES.
"""

from __future__ import annotations

from dataclasses import dataclass

from driftcheck.errors import UsageError
from driftcheck.numbers import small_int
from driftcheck.targets.interface import Target
from driftcheck.targets.select import select_target

KINDS = ("host", "python", "pid", "container", "image", "archive", "registry", "ssh")


@dataclass(frozen=True)
class Reference:
    kind: str  # one of KINDS, "store" (@last-pass, …) or "file"
    value: str


def parse_reference(text: str) -> Reference:
    if text == "host":
        return Reference("host", "")
    if text.startswith("@"):  # read from the history store: driftcheck/store/references.py
        return Reference("store", text)
    kind, sep, value = text.partition(":")
    if sep and kind in KINDS:
        if kind == "host" and value:  # host takes no value: python:PATH names one
            raise UsageError(
                f"{text!r}: host takes no value; write host, or python:PATH for an interpreter"
            )
        if not value and kind != "host":
            raise UsageError(f"{text!r} names no {kind}; write {kind}:VALUE")
        return Reference(kind, value)
    return Reference("file", text)


def target_for(reference: Reference) -> Target:
    kind, value = reference.kind, reference.value
    if kind == "host":
        return select_target()
    if kind == "python":
        return select_target(python=value)
    if kind == "pid":
        pid = small_int(value)
        if not pid:
            raise UsageError(f"pid:{value} is not a process id; write pid:1234")
        return select_target(pid=pid)
    if kind == "container":
        return select_target(container=value)
    if kind == "image":
        return select_target(image=value)
    if kind == "archive":
        return select_target(archive=value)
    if kind == "registry":
        return select_target(registry=value)
    if kind == "ssh":  # ssh:HOST/usr/bin/python3.12: a host name holds no '/'
        address, slash, python = value.partition("/")
        return select_target(ssh=address, python=slash + python if slash else None)
    raise UsageError(f"{kind}: is not a kind of live reference; the kinds are {', '.join(KINDS)}")
