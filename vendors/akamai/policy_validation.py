"""The Policy object: validation of what a client PUTs, and the built-in ``.auto``.

A valid policy is stored as the canonical JSON object (documented members only, the
``colours`` spelling folded into ``colors``, ``Hsl`` into ``HSL``, the history sample's
``resolutions`` into ``breakpoints``); every refusal is a
:class:`~vendors.akamai.problems.ValidationProblem` that names the member at fault.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from common.bodies import json_integer
from vendors.akamai import schema
from vendors.akamai.composite_sources import url_allowed
from vendors.akamai.problems import ValidationProblem
from vendors.akamai.variables import (
    VariableError,
    coerce,
    kind_of_type,
    variable_type_for,
    variable_value,
)

POLICY_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
AUTO = ".auto"
VARIABLE_NAME = re.compile(r"^[A-Za-z0-9_]{1,50}$")
FORMATS = ("gif", "jpeg", "png", "webp", "jpegxr", "jpeg2000", "avif")
DEFAULT_QUALITY = 85
DEFAULT_WIDTHS = (320, 640, 1024, 2048, 5000)
MAX_NESTING = 16
# Problem types of the rules no schema states (the API's document lists them as refusals).
ID_MISMATCH = "id-mismatch"
DUPLICATE = "duplicate-name"
VARIABLE_VALUE = "variable-value"
VARIABLE_REFERENCE = "variable-reference"
NESTING = "nesting-too-deep"
COMPOSITE_HOST = "composite-host"
# Members the API adds to what it returns; a client may send them back unchanged.
READ_ONLY = frozenset(
    {"id", "version", "currentVersion", "dateCreated", "previousVersion", "user", "rolloutInfo"}
)
MEMBERS = frozenset(
    {
        "breakpoints",
        "hosts",
        "output",
        "postBreakpointTransformations",
        "transformations",
        "variables",
    }
)


def auto_policy() -> dict[str, Any]:
    """``.auto`` as it exists before anyone edits it."""
    return {
        "id": AUTO,
        "breakpoints": {"widths": list(DEFAULT_WIDTHS)},
        "output": {"quality": DEFAULT_QUALITY},
    }


def valid_policy_id(policy_id: str) -> bool:
    return policy_id == AUTO or bool(POLICY_ID.fullmatch(policy_id))


def validate_policy(policy_id: str, body: Any) -> dict[str, Any]:
    """The canonical policy for ``body`` PUT at ``policy_id``, or a ValidationProblem."""
    if not valid_policy_id(policy_id):
        raise ValidationProblem(
            f"policy id {policy_id[:80]!r} must be 1 to 64 letters, digits, '_' or '-'"
        )
    if not isinstance(body, dict):
        raise ValidationProblem("a policy is a JSON object")
    if "id" in body and body["id"] != policy_id:
        raise ValidationProblem(
            f"the body's id {body['id']!r} differs from the URL's {policy_id!r}", kind=ID_MISMATCH
        )
    body = _canonical_names(body)
    unknown = set(body) - MEMBERS - READ_ONLY
    if unknown:
        raise ValidationProblem(f"unknown policy member(s): {', '.join(sorted(unknown))}")
    out: dict[str, Any] = {"id": policy_id}
    variables = _variables(body.get("variables", []))
    hosts = _hosts(body["hosts"]) if "hosts" in body else None
    checker = _Checker({v["name"]: v["type"] for v in variables}, hosts)
    if "breakpoints" in body:
        out["breakpoints"] = _breakpoints(body["breakpoints"])
    if "output" in body:
        out["output"] = checker.output(body["output"])
    for member in ("transformations", "postBreakpointTransformations"):
        if member in body:
            out[member] = checker.transformations(body[member], member, 0)
    if "variables" in body:
        out["variables"] = variables
    if hosts is not None:
        out["hosts"] = hosts
    return out


def _canonical_names(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` with each alias (``resolutions``) under its canonical name; both is a 400."""
    out = dict(body)
    for alias, name in schema.POLICY_ALIASES.items():
        if alias in out:
            if name in out:
                raise ValidationProblem(f"give one of {name} or {alias}")
            out[name] = out.pop(alias)
    return out


def _breakpoints(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) - {"widths"}:
        raise ValidationProblem("breakpoints is an object with one member, widths")
    widths = value.get("widths", [])
    if not isinstance(widths, list) or len(widths) > 64:
        raise ValidationProblem("breakpoints.widths is an array of at most 64 widths")
    out = []
    for width in widths:
        number = json_integer(width)
        if number is None:
            raise ValidationProblem(f"breakpoints.widths: {width!r} is not an integer")
        if not 1 <= number <= schema.MAX_PIXELS_SIDE:
            raise ValidationProblem(
                f"breakpoints.widths: {number} is outside 1..{schema.MAX_PIXELS_SIDE}"
            )
        out.append(number)
    return {"widths": out}


def _hosts(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(h, str) and h for h in value):
        raise ValidationProblem("hosts is an array of host names")
    for host in value:
        if "/" in host or " " in host or len(host) > 255:
            raise ValidationProblem(f"hosts: {host!r} is not a host name (host or host:port)")
    return [h.lower() for h in value]


def _variables(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise ValidationProblem("variables is an array of variable declarations")
    out, seen = [], set()
    for index, var in enumerate(value):
        where = f"variables[{index}]"
        if not isinstance(var, dict):
            raise ValidationProblem(f"{where} is not an object")
        unknown = set(var) - {"name", "type", "defaultValue", "enumOptions", "prefix", "postfix"}
        if unknown:
            raise ValidationProblem(f"{where}: unknown member(s) {', '.join(sorted(unknown))}")
        name = var.get("name")
        if not isinstance(name, str) or not VARIABLE_NAME.fullmatch(name):
            raise ValidationProblem(f"{where}.name must be 1 to 50 letters, digits or '_'")
        if name in seen:
            raise ValidationProblem(f"variable {name!r} is declared twice", kind=DUPLICATE)
        seen.add(name)
        if var.get("type") not in schema.VARIABLE_TYPES:
            raise ValidationProblem(
                f"variable {name!r}: type must be one of {', '.join(schema.VARIABLE_TYPES)}"
            )
        for member in ("defaultValue", "prefix", "postfix"):
            if member in var and not isinstance(var[member], str):
                raise ValidationProblem(f"variable {name!r}: {member} is a string")
        if "defaultValue" not in var:
            raise ValidationProblem(f"variable {name!r} needs a defaultValue")
        if "enumOptions" in var:
            _enum_options(name, var["enumOptions"])
        try:
            coerce(kind_of_type(var["type"]), variable_value(var, None))
            for option in var.get("enumOptions") or ():
                coerce(kind_of_type(var["type"]), variable_value(var, option["id"]))
        except VariableError as error:
            raise ValidationProblem(f"variable {name!r}: {error}", kind=VARIABLE_VALUE) from None
        out.append(dict(var))
    return out


def _enum_options(name: str, options: Any) -> None:
    if not isinstance(options, list) or not options:
        raise ValidationProblem(f"variable {name!r}: enumOptions is a non-empty array")
    ids = set()
    for option in options:
        if (
            not isinstance(option, dict)
            or set(option) != {"id", "value"}
            or not isinstance(option["id"], str)
            or not isinstance(option["value"], str)
            or not VARIABLE_NAME.fullmatch(option["id"])
        ):
            raise ValidationProblem(
                f"variable {name!r}: each enum option is {{id, value}}, ids of up to 50 letters, digits or '_'"
            )
        if option["id"] in ids:
            raise ValidationProblem(
                f"variable {name!r}: enum option {option['id']!r} appears twice", kind=DUPLICATE
            )
        ids.add(option["id"])


class _Checker:
    """Checks transformations and output against the schema, the declared variables and hosts."""

    def __init__(self, variables: Mapping[str, str], hosts: list[str] | None) -> None:
        self.variables = variables
        self.hosts = hosts

    def output(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise ValidationProblem("output is an object")
        unknown = set(value) - {"quality", "perceptualQuality", "allowedFormats", "forcedFormats"}
        if unknown:
            raise ValidationProblem(f"output: unknown member(s) {', '.join(sorted(unknown))}")
        if "quality" in value:
            self.value(schema.Member(schema.INT, False, 1, 100), value["quality"], "output.quality")
        if "perceptualQuality" in value:
            member = schema.Member(schema.PERCEPTUAL_QUALITIES)
            self.value(member, value["perceptualQuality"], "output.perceptualQuality")
        for name in ("allowedFormats", "forcedFormats"):
            formats = value.get(name, [])
            if not isinstance(formats, list) or any(f not in FORMATS for f in formats):
                raise ValidationProblem(f"output.{name} lists formats among {', '.join(FORMATS)}")
        return dict(value)

    def transformations(self, value: Any, where: str, depth: int) -> list[dict[str, Any]]:
        if not isinstance(value, list):
            raise ValidationProblem(f"{where} is an array of transformations")
        return [self.transformation(t, f"{where}[{i}]", depth) for i, t in enumerate(value)]

    def transformation(self, value: Any, where: str, depth: int) -> dict[str, Any]:
        if depth > MAX_NESTING:
            raise ValidationProblem(
                f"{where}: transformations nest deeper than {MAX_NESTING}", kind=NESTING
            )
        if not isinstance(value, dict):
            raise ValidationProblem(f"{where} is not a transformation object")
        given = value.get("transformation")
        name = schema.TRANSFORMATION_ALIASES.get(given, given) if isinstance(given, str) else ""
        if name not in schema.TRANSFORMATIONS_SPEC:
            raise ValidationProblem(
                f"{where}: unknown transformation {value.get('transformation')!r}"
            )
        aliases = schema.MEMBER_ALIASES.get(name, {})
        members = {
            aliases.get(str(k), str(k)): v for k, v in value.items() if k != "transformation"
        }
        if len(members) < len(value) - 1:
            both = sorted(k for k in value if k in aliases or k in aliases.values())
            raise ValidationProblem(f"{where} ({name}): give one of {' or '.join(both)}")
        spec = schema.TRANSFORMATIONS_SPEC[name]
        unknown = set(members) - set(spec)
        if unknown:
            raise ValidationProblem(
                f"{where} ({name}): unknown member(s) {', '.join(sorted(unknown))}"
            )
        out: dict[str, Any] = {"transformation": name}
        for member_name, member in spec.items():
            here = f"{where}.{member_name}"
            if member_name not in members:
                if member.required:
                    raise ValidationProblem(f"{where} ({name}) needs {member_name}")
                continue
            out[member_name] = self.member(member, members[member_name], here, depth)
        if name == "Compound":
            for index, inner in enumerate(out["transformations"]):
                if inner["transformation"] not in schema.COMPOUND_ALLOWED:
                    raise ValidationProblem(
                        f"{where}.transformations[{index}]: Compound cannot hold {inner['transformation']}"
                    )
        if name == "Shear" and not {"xShear", "yShear"} & set(out):
            raise ValidationProblem(f"{where} (Shear) needs xShear or yShear")
        return out

    def member(self, member: schema.Member, value: Any, where: str, depth: int) -> Any:
        if member.kind == schema.TRANSFORMATION:
            return self.transformation(value, where, depth + 1)
        if member.kind == schema.TRANSFORMATIONS:
            return self.transformations(value, where, depth + 1)
        if member.kind == schema.IMAGE:
            return self.image(value, where, depth)
        return self.value(member, value, where)

    def image(self, value: Any, where: str, depth: int) -> Any:
        """An object with url (and an optional transformation), or the seed's one-element
        array holding an Image as the images API returns it."""
        if isinstance(value, list):
            if len(value) != 1:
                raise ValidationProblem(f"{where}: a Composite applies one image, not {len(value)}")
            return [self._image_object(value[0], f"{where}[0]", depth)]
        return self._image_object(value, where, depth)

    def _image_object(self, value: Any, where: str, depth: int) -> dict[str, Any]:
        members = {"url", "transformation", *schema.IMAGE_METADATA}
        if not isinstance(value, dict) or "url" not in value or set(value) - members:
            raise ValidationProblem(
                f"{where} is an object with url, an optional transformation, and optionally "
                f"the Image members {', '.join(schema.IMAGE_METADATA)}"
            )
        out = {"url": self.value(schema.COMPOSITE_IMAGE_SPEC["url"], value["url"], f"{where}.url")}
        literal = out["url"] if isinstance(out["url"], str) else None
        if self.hosts is not None and literal is not None and not url_allowed(literal, self.hosts):
            raise ValidationProblem(
                f"{where}.url {literal!r} is on no host of the policy's hosts "
                f"({', '.join(self.hosts) or 'none'})",
                kind=COMPOSITE_HOST,
            )
        if "transformation" in value:
            out["transformation"] = self.transformation(
                value["transformation"], f"{where}.transformation", depth + 1
            )
        for name, json_type in schema.IMAGE_METADATA.items():
            if name in value:
                out[name] = _metadata(value[name], json_type, f"{where}.{name}")
        return out

    def value(self, member: schema.Member, value: Any, where: str) -> Any:
        if isinstance(value, dict):
            if set(value) != {"var"} or not isinstance(value["var"], str):
                raise ValidationProblem(
                    f'{where}: an object here must be a Variable {{"var": name}}'
                )
            declared = self.variables.get(value["var"])
            if declared is None:
                raise ValidationProblem(
                    f"{where}: variable {value['var']!r} is not declared in variables",
                    kind=VARIABLE_REFERENCE,
                )
            wanted = variable_type_for(member.kind)
            if declared != wanted:
                raise ValidationProblem(
                    f"{where}: variable {value['var']!r} is of type {declared}, this member needs {wanted}",
                    kind=VARIABLE_REFERENCE,
                )
            return dict(value)
        if isinstance(value, str) and member.kind in (schema.INT, schema.NUM, schema.BOOL):
            raise ValidationProblem(
                f"{where}: {value!r} is a string; JSON numbers and booleans go unquoted"
            )
        try:
            return coerce(member.kind, value, member.low, member.high)
        except VariableError as error:
            raise ValidationProblem(f"{where}: {error}") from None


def _metadata(value: Any, json_type: str, where: str) -> Any:
    """An Image member kept as given: a string, an integer or an object."""
    if json_type == "integer":
        number = json_integer(value)
        if number is None:
            raise ValidationProblem(f"{where} is an integer")
        return number
    if not isinstance(value, {"string": str, "object": dict}[json_type]):
        raise ValidationProblem(f"{where} is of JSON type {json_type}")
    return value
