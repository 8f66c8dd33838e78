"""The client API's query parameters: parsed and validated before any storage or image work.

Every malformed or out-of-range value is a 422 that names the parameter. Unknown
parameters are ignored; ``date`` is a cache buster and is accepted whatever it holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from multidict import MultiMapping

from common.errors import NotFound, Unprocessable
from origin.imaging.pipeline import available_formats
from origin.models.fields import GRAVITIES, ID_PATTERN, NAME_PATTERN

T = TypeVar("T")

RESIZE_MODES = ("crop", "includeAll")
FORMAT_ALIASES = {
    alias: fmt
    for alias, fmt in {
        "jpeg": "jpeg",
        "jpg": "jpeg",
        "png": "png",
        "webp": "webp",
        "avif": "avif",
    }.items()
    if fmt in available_formats()
}

# More digits than any valid size: refuse before int() so that a megabyte of digits
# costs nothing.
_INTEGER = re.compile(r"^[0-9]{1,9}$")
_BOOLEANS = {"true": True, "false": False}


@dataclass(frozen=True)
class ClientRequest:
    """What the client asked for; ``None`` means "not given" (resolution decides)."""

    location: str | None = None
    width: int | None = None
    height: int | None = None
    location_ratio: bool = False
    resize_mode: str | None = None
    resize_gravity: str | None = None
    rounded_corners: int = 0
    skip_crop: bool = False
    format: str | None = None
    region: str | None = None


def pack_id_of(raw: str) -> str:
    """The pack id to look up: everything after the last ``-`` is a cache-busting suffix.

    An id that is not 24 lowercase hex characters once the suffix is gone names no
    pack (404)."""
    pack_id = raw.rsplit("-", 1)[0] if "-" in raw else raw
    if not ID_PATTERN.fullmatch(pack_id):
        raise NotFound(f"no image pack {raw!r}", code="pack_not_found")
    return pack_id


def parse_query(query: MultiMapping[str], max_dimension: int) -> ClientRequest:
    """The client request a query string describes, or a 422 naming the first bad parameter."""
    max_radius = max_dimension // 2

    def dimension(name: str) -> int | None:
        return _one(query, name, lambda v: _integer(name, v, 1, max_dimension))

    return ClientRequest(
        location=_one(query, "location", lambda v: _name("location", v)),
        width=dimension("width"),
        height=dimension("height"),
        location_ratio=_one(query, "location-ratio", lambda v: _boolean("location-ratio", v))
        or False,
        resize_mode=_one(query, "resize-mode", lambda v: _choice("resize-mode", v, RESIZE_MODES)),
        resize_gravity=_one(
            query, "resize-gravity", lambda v: _choice("resize-gravity", v, GRAVITIES)
        ),
        rounded_corners=_one(
            query, "rounded-corners", lambda v: _integer("rounded-corners", v, 0, max_radius)
        )
        or 0,
        skip_crop=_one(query, "skip-crop", lambda v: _boolean("skip-crop", v)) or False,
        format=_one(
            query, "format", lambda v: FORMAT_ALIASES[_choice("format", v, tuple(FORMAT_ALIASES))]
        ),
        region=_one(query, "region", lambda v: _name("region", v)),
    )


def _invalid(name: str, message: str) -> Unprocessable:
    return Unprocessable(f"{name}: {message}", code="invalid_parameter", parameter=name)


def _one(query: MultiMapping[str], name: str, convert: Callable[[str], T]) -> T | None:
    # A parameter given twice has no single meaning; refusing it keeps variant keys honest.
    values = query.getall(name, [])
    if not values:
        return None
    if len(values) > 1:
        raise _invalid(name, "given more than once")
    return convert(values[0])


def _integer(name: str, value: str, low: int, high: int) -> int:
    if not _INTEGER.fullmatch(value) or not low <= int(value) <= high:
        raise _invalid(name, f"must be an integer from {low} to {high}, not {value[:40]!r}")
    return int(value)


def _boolean(name: str, value: str) -> bool:
    if value not in _BOOLEANS:
        raise _invalid(name, f"must be true or false, not {value[:40]!r}")
    return _BOOLEANS[value]


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise _invalid(name, f"must be one of {', '.join(allowed)}, not {value[:40]!r}")
    return value


def _name(name: str, value: str) -> str:
    if not NAME_PATTERN.fullmatch(value):
        raise _invalid(name, f"must be 1-64 of letters, digits, '_', '.', '-', not {value[:70]!r}")
    return value


def unknown_location(name: str) -> Unprocessable:
    return Unprocessable(
        f"location: no location {name!r} is configured",
        code="unknown_location",
        parameter="location",
    )


def unknown_region(name: str) -> Unprocessable:
    return Unprocessable(
        f"region: no region {name!r} is configured", code="unknown_region", parameter="region"
    )


def negotiated_format(accept: str | None, available: tuple[str, ...]) -> str | None:
    """The output format an ``Accept`` header asks for when the client gave no ``format``:
    WebP for clients that accept it, else None (the original's format). Only the media
    type matters; a q=0 entry refuses it (RFC 9110 §12.5.1)."""
    for entry in (accept or "").lower().split(","):
        media, *params = (part.strip() for part in entry.split(";"))
        refused = any(p.replace(" ", "") in ("q=0", "q=0.0", "q=0.00", "q=0.000") for p in params)
        if media == "image/webp" and "webp" in available and not refused:
            return "webp"
    return None
