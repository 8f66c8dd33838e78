"""The JSON schema of an edge settings file (``cdnsim edge --config FILE``), derived from the
settings dataclasses, and the check that names the key a file gets wrong.

``edge/config.schema.json`` is :func:`edge_settings_schema` written out (a test keeps the
two equal, and every field described). :func:`problems` walks a document against the
schema — unknown keys, wrong types, values outside an enumeration — and says where, as
``pops[1].port``, so that a mistake is one line naming the key rather than a constructor's
``unexpected keyword argument``.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
import types
import typing
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

from edge.config import CachePolicy, EdgeSettings
from edge.config_docs import DESCRIPTIONS, DOCUMENT_DESCRIPTION, INVALIDATION_DELAYS

SCHEMA_PATH = Path(__file__).with_name("config.schema.json")
EXAMPLE_PATH = Path(__file__).with_name("config.example.json")

_SHORTHAND = "vimond_origin"  # the built-in Vimond behaviours over one origin URL
_URL_PATTERN = "^https?://[^/?#]+"


def schema_text() -> str:
    """The schema as ``edge/config.schema.json`` holds it."""
    return json.dumps(edge_settings_schema(), indent=2, ensure_ascii=False) + "\n"


def edge_settings_schema() -> dict[str, Any]:
    """The whole document's schema (JSON Schema 2020-12)."""
    top = _object_schema(EdgeSettings)
    top["properties"]["origins"]["additionalProperties"]["pattern"] = _URL_PATTERN
    top["properties"][_SHORTHAND] = {
        "type": "string",
        "pattern": _URL_PATTERN,
        "description": DESCRIPTIONS["EdgeSettings.vimond_origin"],
    }
    top["properties"]["invalidation_delays"] = INVALIDATION_DELAYS
    del top["required"]
    top["anyOf"] = [{"required": ["origins", "behaviors"]}, {"required": [_SHORTHAND]}]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "cdnsim edge settings",
        "description": DOCUMENT_DESCRIPTION,
        **top,
    }


def _object_schema(cls: type, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for f in dataclasses.fields(cls):
        if f.name in skip:
            continue
        field_schema = _type_schema(hints[f.name])
        field_schema["description"] = _description(cls, f.name)
        default = _default(f)
        if default is dataclasses.MISSING:
            required.append(f.name)
        elif default is not None or _allows_null(field_schema):
            field_schema["default"] = default
        properties[f.name] = field_schema
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema | {"additionalProperties": False}


def _description(cls: type, name: str) -> str:
    for klass in cls.__mro__:  # ShieldSettings documents only what differs from a POP
        if (key := f"{klass.__name__}.{name}") in DESCRIPTIONS:
            return DESCRIPTIONS[key]
    raise KeyError(f"{cls.__name__}.{name} has no description in edge/config_docs.py")


def _default(f: dataclasses.Field[Any]) -> Any:
    if f.default is not dataclasses.MISSING:
        value = f.default
    elif f.default_factory is not dataclasses.MISSING:
        value = f.default_factory()
    else:
        return dataclasses.MISSING
    return _jsonable(value)


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _jsonable(dataclasses.asdict(value))
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def _allows_null(schema: dict[str, Any]) -> bool:
    return "null" in schema.get("type", ()) or any(
        s.get("type") == "null" for s in schema.get("anyOf", ())
    )


def _type_schema(hint: Any) -> dict[str, Any]:
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        options = [_type_schema(a) for a in args if a is not type(None)]
        if type(None) in args:
            options.append({"type": "null"})
        return options[0] if len(options) == 1 else {"anyOf": options}
    if origin is Literal:
        return {"enum": list(args)}
    if origin is tuple:
        return {"type": "array", "items": _type_schema(args[0])}
    if origin in (dict, Mapping):
        value = (
            _object_schema(CachePolicy, skip=("name",))
            if args[1] is CachePolicy
            else _type_schema(args[1])
        )
        return {"type": "object", "additionalProperties": value}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _object_schema(hint)
    simple = {str: "string", bool: "boolean", int: "integer", float: "number"}
    if hint in simple:
        return {"type": simple[hint]}
    return {}  # Any


# -- checking a document -----------------------------------------------------------------
def problems(document: Any, schema: Mapping[str, Any] | None = None) -> Iterator[str]:
    """Every way ``document`` departs from the schema, each as ``where: what``."""
    yield from _check(document, schema or edge_settings_schema(), "")


def _check(value: Any, schema: Mapping[str, Any], where: str) -> Iterator[str]:
    if "anyOf" in schema and "type" not in schema and "properties" not in schema:
        # Report against the branch of the value's own type (an object against the object
        # branch, not "expected null").
        fitting = [s for s in schema["anyOf"] if _is(value, s.get("type", []))]
        if not fitting:
            kinds = [s["type"] for s in schema["anyOf"] if "type" in s]
            yield f"{where}: expected {' or '.join(_a(k) for k in kinds)}, not {_show(value)}"
            return
        branches = [list(_check(value, s, where)) for s in fitting]
        if all(branches):
            yield branches[0][0]
        return
    if (kind := schema.get("type")) and not _is(value, kind):
        yield f"{where or 'the document'}: expected {_a(kind)}, not {_show(value)}"
        return
    if "enum" in schema and value not in schema["enum"]:
        options = ", ".join(repr(o) for o in schema["enum"])
        yield f"{where}: {_show(value)} is not one of {options}"
    if isinstance(value, str) and "pattern" in schema and not re.match(schema["pattern"], value):
        yield f"{where}: expected an http:// or https:// URL, not {_show(value)}"
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            yield from _check(item, schema["items"], f"{where}[{index}]")
    if isinstance(value, dict):
        yield from _check_object(value, schema, where)


def _check_object(value: dict[str, Any], schema: Mapping[str, Any], where: str) -> Iterator[str]:
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    for key, item in value.items():
        path = f"{where}.{key}" if where else key
        if key in properties:
            yield from _check(item, properties[key], path)
        elif extra is False:
            yield _unknown(key, where, list(properties))
        elif isinstance(extra, Mapping):
            yield from _check(item, extra, path)
    for key in schema.get("required", ()):
        if key not in value:
            yield f"{where or 'the document'}: missing {key!r}"
    if "anyOf" in schema and all(
        any(k not in value for k in s["required"]) for s in schema["anyOf"]
    ):
        either = " or ".join(" and ".join(repr(k) for k in s["required"]) for s in schema["anyOf"])
        yield f"{where or 'the document'}: give {either}"


def _unknown(key: str, where: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{where or 'the top level'}: unknown key {key!r}{hint}; known: {', '.join(known)}"


def _is(value: Any, kind: str | list[str]) -> bool:
    kinds = [kind] if isinstance(kind, str) else kind
    checks = {
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
        "string": lambda v: isinstance(v, str),
        "boolean": lambda v: isinstance(v, bool),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "null": lambda v: v is None,
    }
    return any(checks[k](value) for k in kinds)


def _a(kind: str | list[str]) -> str:
    names = {"object": "an object", "array": "a list", "integer": "a whole number", "null": "null"}
    kinds = [kind] if isinstance(kind, str) else kind
    return " or ".join(names.get(k, f"a {k}") for k in kinds)


def _show(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "…"


if __name__ == "__main__":  # python -m edge.config_schema: rewrite the committed schema
    SCHEMA_PATH.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")
