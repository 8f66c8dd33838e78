"""Field-level validation shared by every admin body: names, enums, sizes, timestamps."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any

from common.bodies import json_integer
from common.errors import BadRequest

GRAVITIES = (
    "north",
    "northeast",
    "east",
    "southeast",
    "south",
    "southwest",
    "west",
    "northwest",
    "center",
)
INCLUDE_ALL = ("UNSET", "TRUE", "FALSE")

# Location and region names appear in URLs and S3 keys: keep them to a safe alphabet.
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# Pack and image ids are generated: 24 lowercase hex characters.
ID_PATTERN = re.compile(r"^[0-9a-f]{24}$")
TENANT_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
COUNTRY_PATTERN = re.compile(r"^[A-Z]{2}$")
MAX_DIMENSION = 10_000
# Path segments of the admin API that a location or region of that name would shadow
# (/adminAPI/imagePack/{id}/deleteImageLocation, …/{location}/upload, …/{location}/fetchImage).
RESERVED_NAMES = ("deleteImageLocation", "fetchImage", "upload")
MAX_LABEL = 256


def iso(timestamp: float) -> str:
    """Simulated epoch seconds as an ISO 8601 UTC string with milliseconds."""
    return (
        datetime.fromtimestamp(timestamp, UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


def is_name(value: Any) -> bool:
    return (
        isinstance(value, str)
        and bool(NAME_PATTERN.fullmatch(value))
        and value not in RESERVED_NAMES
    )


def name(value: Any, field: str) -> str:
    if not is_name(value):
        raise BadRequest(
            f"{field} must be 1-64 of letters, digits, '_', '.', '-' "
            f"(and none of {', '.join(RESERVED_NAMES)})",
            field=field,
        )
    return str(value)


def optional_name(body: dict[str, Any], field: str) -> str | None:
    return name(body[field], field) if field in body else None


def label(body: dict[str, Any], field: str = "label") -> str | None:
    if field not in body:  # absent; null is a value, and refused where a type is expected
        return None
    value = body[field]
    if not isinstance(value, str) or len(value) > MAX_LABEL:
        raise BadRequest(f"{field} must be a string of at most {MAX_LABEL} characters", field=field)
    return value


def dimension(body: dict[str, Any], field: str) -> int | None:
    if field not in body:  # absent; null is a value, and refused where a type is expected
        return None
    value = body[field]
    number = json_integer(value)
    if number is None or not 1 <= number <= MAX_DIMENSION:
        raise BadRequest(f"{field} must be an integer from 1 to {MAX_DIMENSION}", field=field)
    return number


def gravity(body: dict[str, Any], field: str = "resizeGravity") -> str | None:
    if field not in body:  # absent; null is a value, and refused where a type is expected
        return None
    value = body[field]
    if value not in GRAVITIES:
        raise BadRequest(f"{field} must be one of {', '.join(GRAVITIES)}", field=field)
    return str(value)


def include_all(body: dict[str, Any], field: str = "useResizeIncludeAll") -> str | None:
    if field not in body:  # absent; null is a value, and refused where a type is expected
        return None
    value = body[field]
    if value not in INCLUDE_ALL:
        raise BadRequest(f"{field} must be one of {', '.join(INCLUDE_ALL)}", field=field)
    return str(value)


def optional_string(body: dict[str, Any], field: str, max_length: int = 256) -> str | None:
    if field not in body:  # absent; null is a value, and refused where a type is expected
        return None
    value = body[field]
    if not isinstance(value, str) or len(value) > max_length:
        raise BadRequest(
            f"{field} must be a string of at most {max_length} characters", field=field
        )
    return value


def sequence_number(body: dict[str, Any]) -> int | None:
    if "sequenceNumber" not in body:
        return None
    number = json_integer(body["sequenceNumber"])
    if number is None or number < 0:
        raise BadRequest("sequenceNumber must be a non-negative integer", field="sequenceNumber")
    return number


def unit_float(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BadRequest(f"{field} must be a number from 0.0 to 1.0", field=field)
    if not 0.0 <= float(value) <= 1.0:
        raise BadRequest(f"{field} must be a number from 0.0 to 1.0", field=field)
    return float(value)


def object_field(body: dict[str, Any], field: str) -> dict[str, Any] | None:
    if field not in body:  # absent; null is a value, and refused where a type is expected
        return None
    value = body[field]
    if not isinstance(value, dict):
        raise BadRequest(f"{field} must be an object", field=field)
    return value
