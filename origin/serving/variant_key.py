"""Where a variant lives in the S3 variants bucket (spec "Variants").

Key: ``{tenant}/{imagePackId}/{requestedLocation}/{params}``. The pack prefix lets one
prefix delete drop every variant of a pack; the requested location comes next so that
a forced location-config change can drop that location's variants of every pack.
``params`` is a normalised, ordered encoding of the *effective* parameters: equal
renders share a key whatever query produced them; ``date``, the id suffix and unknown
parameters never enter it. What the original decides (a size following its aspect,
its own format) is encoded as ``auto``: it is fixed for a stored original, and a
replaced original is the invalidation pipeline's business, exactly as at the edge.
"""

from __future__ import annotations

import re

from origin.models.fields import GRAVITIES
from origin.serving.resolve import VariantPlan

_NAME = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}"
_NUMBER = r"[0-9]+(?:\.[0-9]+)?"
VARIANT_KEY_PATTERN = re.compile(
    rf"^[a-z0-9][a-z0-9-]{{0,62}}/[0-9a-f]{{24}}/{_NAME}/"
    rf"src={_NAME},reg=(?:{_NAME}|-),w=(?:[0-9]+|auto),h=(?:[0-9]+|auto),mode=(?:crop|includeAll),"
    rf"g=(?:{'|'.join(GRAVITIES)}),crop=(?:none|{_NUMBER}:{_NUMBER}:{_NUMBER}:{_NUMBER}),rc=[0-9]+,"
    r"fmt=(?:jpeg|png|webp|avif|auto)$"
)


def variant_prefix(tenant: str, pack_id: str, location: str | None = None) -> str:
    """The prefix under which every variant of a pack (or of one of its locations) lives."""
    return f"{tenant}/{pack_id}/" if location is None else f"{tenant}/{pack_id}/{location}/"


def variant_key(tenant: str, pack_id: str, location: str, plan: VariantPlan) -> str:
    """The S3 key of the variant ``plan`` describes for the requested ``location``."""
    crop = "none" if plan.crop is None else ":".join(_number(v) for v in plan.crop)
    params = [
        ("src", plan.source.location),
        ("reg", plan.source.region or "-"),
        ("w", _size(plan.width)),
        ("h", _size(plan.height)),
        ("mode", plan.mode),
        ("g", plan.gravity),
        ("crop", crop),
        ("rc", str(plan.rounded_corners)),
        ("fmt", plan.format),
    ]
    return variant_prefix(tenant, pack_id, location) + ",".join(f"{k}={v}" for k, v in params)


def is_variant_key(key: str) -> bool:
    """Whether ``key`` is one :func:`variant_key` can produce (the only keys served by path)."""
    return bool(VARIANT_KEY_PATTERN.fullmatch(key))


def _size(value: int | None) -> str:
    return "auto" if value is None else str(value)


def _number(value: float) -> str:
    # Six decimals are far below a pixel of any allowed size; trailing zeros would make
    # equal crops differ.
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text or "0"
