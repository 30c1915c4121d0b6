"""The hand-written JSON Schema and the snapshot model describe the same document:
every field of every dataclass is a property of the schema at the same place, with
a type that admits it, and every property of the schema is a field of the model."""

from __future__ import annotations

import copy
import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any, Union

import pytest

from driftcheck.snapshot.model import Snapshot

from support import snapshot_schema

JSON_TYPES = {str: "string", int: "integer", bool: "boolean", type(None): "null"}


def _resolve(node: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].removeprefix("#/$defs/")]
    return node


def _alternatives(node: dict[str, Any], schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The schemas a value may match: oneOf/anyOf members, or the node itself."""
    node = _resolve(node, schema)
    members = node.get("oneOf") or node.get("anyOf")
    if members:
        return [alt for m in members for alt in _alternatives(m, schema)]
    return [node]


def _types_of(node: dict[str, Any]) -> set[str]:
    if "enum" in node:
        return {JSON_TYPES.get(type(v), "?") for v in node["enum"]}
    if "const" in node:
        return {JSON_TYPES.get(type(node["const"]), "?")}
    kind = node.get("type", "any")
    return set(kind) if isinstance(kind, list) else {kind}


def _walk(tp: Any, node: dict[str, Any], schema: dict[str, Any], where: str) -> list[str]:
    """The disagreements between a model type and a schema node."""
    problems: list[str] = []
    origin = typing.get_origin(tp)
    options = typing.get_args(tp) if origin in (Union, types.UnionType) else (tp,)
    alternatives = _alternatives(node, schema)
    admitted = set().union(*(_types_of(a) for a in alternatives))
    for option in options:
        if option is Any:
            continue
        if dataclasses.is_dataclass(option):
            objects = [a for a in alternatives if "object" in _types_of(a) and "properties" in a]
            if not objects:
                problems.append(f"{where}: the model has an object, the schema has none")
                continue
            problems += _walk_dataclass(option, objects[0], schema, where)
            continue
        inner = typing.get_origin(option)
        if inner is tuple:
            arrays = [a for a in alternatives if "array" in _types_of(a)]
            if not arrays:
                problems.append(f"{where}: the model has a list, the schema has none")
            elif "items" in arrays[0]:
                problems += _walk(
                    typing.get_args(option)[0], arrays[0]["items"], schema, where + "[]"
                )
            continue
        if inner in (Mapping, dict):
            objects = [a for a in alternatives if "object" in _types_of(a)]
            if not objects:
                problems.append(f"{where}: the model has a mapping, the schema has none")
            elif isinstance(objects[0].get("additionalProperties"), dict):
                value_type = typing.get_args(option)[1]
                extra = objects[0]["additionalProperties"]
                problems += _walk(value_type, extra, schema, where + ".*")
            continue
        wanted = JSON_TYPES[option]
        if wanted not in admitted and "any" not in admitted:
            problems.append(f"{where}: the model has {wanted}, the schema admits {admitted}")
    return problems


def _walk_dataclass(
    cls: Any, node: dict[str, Any], schema: dict[str, Any], where: str
) -> list[str]:
    problems: list[str] = []
    hints = typing.get_type_hints(cls)
    properties = node.get("properties", {})
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for name in fields.keys() - properties.keys():
        problems.append(f"{where}.{name}: a model field the schema lacks")
    # The codec marks a redacted value with "redacted": true (codec.to_jsonable).
    envelope = {"redacted"} if cls.__name__ == "Redacted" else set()
    for name in properties.keys() - fields.keys() - envelope:
        problems.append(f"{where}.{name}: a schema property the model lacks")
    required = set(node.get("required", ()))
    for name, field in fields.items():
        no_default = (
            field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        )
        if no_default and name not in required:
            problems.append(f"{where}.{name}: required by the model, optional in the schema")
        if name in properties:
            problems += _walk(hints[name], properties[name], schema, f"{where}.{name}")
    return problems


def test_the_schema_and_the_model_describe_the_same_document() -> None:
    schema = snapshot_schema()
    problems = _walk_dataclass(Snapshot, schema, schema, "snapshot")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "edit",
    [
        lambda s: s["$defs"]["distribution"]["properties"].pop("top_level"),
        lambda s: s["$defs"]["distribution"]["properties"].update(extra={"type": "string"}),
        lambda s: s["$defs"]["os"]["properties"].update(memory_bytes={"type": "string"}),
        lambda s: s["$defs"]["distribution"]["required"].remove("name"),
    ],
)
def test_a_schema_that_drifts_from_the_model_is_caught(edit: Any) -> None:
    schema = copy.deepcopy(snapshot_schema())
    edit(schema)
    assert _walk_dataclass(Snapshot, schema, schema, "snapshot")
