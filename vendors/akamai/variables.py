"""Policy variables: their declared types, the value a request gives them, and the
typed value a ``{"var": name}`` reference stands for where a transformation reads it."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from vendors.akamai import schema
from vendors.akamai.schema import BOOL, COLOR, INT, NUM, URL, Kind

COLOR_PATTERN = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")

# Which declared variable type may stand in for a member of each kind.
_ENUM_TYPES: dict[tuple[str, ...], str] = {
    schema.GRAVITIES: "gravity",
    schema.PLACEMENTS: "placement",
    schema.DIMENSIONS: "scaleDimension",
    (*schema.DIMENSIONS, "both"): "dimension",
    schema.GRAYSCALE_TYPES + tuple(schema.GRAYSCALE_ALIASES): "grayscaleType",
    schema.ASPECTS: "aspect",
    schema.RESIZE_TYPES: "resizeType",
    schema.PERCEPTUAL_QUALITIES: "perceptualQuality",
}
_SCALAR_TYPES = {INT: "number", NUM: "number", BOOL: "bool", COLOR: "color", URL: "url"}
_TYPE_KINDS: dict[str, Kind] = {
    "number": NUM,
    "bool": BOOL,
    "color": COLOR,
    "url": URL,
    "gravity": schema.GRAVITIES,
    "placement": schema.PLACEMENTS,
    "scaleDimension": schema.DIMENSIONS,
    "dimension": (*schema.DIMENSIONS, "both"),
    "grayscaleType": schema.GRAYSCALE_TYPES + tuple(schema.GRAYSCALE_ALIASES),
    "aspect": schema.ASPECTS,
    "resizeType": schema.RESIZE_TYPES,
    "perceptualQuality": schema.PERCEPTUAL_QUALITIES,
}


class VariableError(ValueError):
    """A value that does not fit its variable or member."""


def variable_type_for(kind: Kind) -> str | None:
    """The declared variable type that may be referenced where a member of ``kind`` is read."""
    if isinstance(kind, tuple):
        return _ENUM_TYPES.get(kind)
    return _SCALAR_TYPES.get(kind)


def kind_of_type(var_type: str) -> Kind:
    return _TYPE_KINDS[var_type]


def coerce(kind: Kind, value: Any, low: float | None = None, high: float | None = None) -> Any:
    """``value`` (JSON, or a string from a variable) as a member of ``kind``, or VariableError."""
    if isinstance(kind, tuple):
        if value not in kind:
            raise VariableError(f"{value!r} is not one of {', '.join(kind)}")
        return value
    if kind in (INT, NUM):
        number = _number(value, integral=kind == INT)
        if (low is not None and number < low) or (high is not None and number > high):
            raise VariableError(f"{number} is outside {low}..{high}")
        return number
    if kind == BOOL:
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):
            return value == "true"
        raise VariableError(f"{value!r} is not a boolean")
    if kind == COLOR:
        if isinstance(value, str) and COLOR_PATTERN.fullmatch(value):
            return value
        raise VariableError(f"{value!r} is not a CSS hexadecimal color")
    if kind == URL:
        if isinstance(value, str) and value.strip() and len(value) <= 2048:
            return value
        raise VariableError(f"{value!r} is not a URL")
    raise VariableError(f"unknown kind {kind!r}")


def _number(value: Any, *, integral: bool) -> int | float:
    if isinstance(value, bool):
        raise VariableError(f"{value!r} is not a number")
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise VariableError(f"{value!r} is not a number") from None
    if not isinstance(value, int | float) or not math.isfinite(value):
        raise VariableError(f"{value!r} is not a number")
    if integral:
        if float(value) != int(value):
            raise VariableError(f"{value!r} is not an integer")
        return int(value)
    return value


def variable_value(declaration: Mapping[str, Any], given: str | None) -> str:
    """The string a variable holds: the request's value (an enum id when options are
    declared) or the default, with prefix and postfix."""
    raw = declaration["defaultValue"] if given is None else given
    options = declaration.get("enumOptions")
    if options:
        values = {o["id"]: o["value"] for o in options}
        if raw not in values:
            raise VariableError(
                f"variable {declaration['name']!r} takes one of {', '.join(values)}, not {raw!r}"
            )
        raw = values[raw]
    return f"{declaration.get('prefix', '')}{raw}{declaration.get('postfix', '')}"


def request_values(
    declarations: Sequence[Mapping[str, Any]], query: Sequence[tuple[str, str]]
) -> dict[str, str]:
    """The variables a request overrides (declared names only), checked against their
    declaration; the first occurrence of a name wins."""
    declared = {d["name"]: d for d in declarations}
    out: dict[str, str] = {}
    for name, value in query:
        if name in declared and name not in out:
            typed = variable_value(declared[name], value)
            coerce(kind_of_type(declared[name]["type"]), typed)
            out[name] = value
    return out


def resolve(member: schema.Member, value: Any, values: Mapping[str, str]) -> Any:
    """A member's value with a ``{"var": name}`` reference replaced by the variable's value."""
    if isinstance(value, dict) and "var" in value:
        name = value["var"]
        if name not in values:
            raise VariableError(f"variable {name!r} has no value")
        return coerce(member.kind, values[name], member.low, member.high)
    return value
