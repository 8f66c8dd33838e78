"""The output formats: their names, content types, and which this Pillow build can write."""

from __future__ import annotations

from functools import cache
from typing import Literal

from PIL import features

Format = Literal["jpeg", "png", "gif", "webp", "avif", "jpeg2000"]

CONTENT_TYPES: dict[Format, str] = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "avif": "image/avif",
    "jpeg2000": "image/jp2",
}
# What Pillow calls each format when it writes it, and when it reads it.
PILLOW_NAMES: dict[Format, str] = {
    "jpeg": "JPEG",
    "png": "PNG",
    "gif": "GIF",
    "webp": "WEBP",
    "avif": "AVIF",
    "jpeg2000": "JPEG2000",
}
# JPEG, PNG and GIF are built into every Pillow; these need their library (Pillow's feature name).
_OPTIONAL: dict[Format, str] = {"webp": "webp", "avif": "avif", "jpeg2000": "jpg_2000"}
# Formats that carry an animation (every frame with its duration, and a loop count).
ANIMATED: frozenset[Format] = frozenset({"gif", "webp", "avif"})


@cache
def producible_formats() -> frozenset[Format]:
    """The formats this Pillow build can encode (never JPEG XR: Pillow has no encoder)."""
    built_in: set[Format] = {"jpeg", "png", "gif"}
    return frozenset(
        built_in | {fmt for fmt, feature in _OPTIONAL.items() if features.check(feature)}
    )


def format_of(pillow_name: str | None) -> Format | None:
    """The output format of the same name as a format Pillow read (``None``: none of ours)."""
    for fmt, name in PILLOW_NAMES.items():
        if name == pillow_name:
            return fmt
    return None


def producible(name: str) -> Format:
    """``name`` as a format this build can write; ``ValueError`` for any other name."""
    for fmt in producible_formats():
        if fmt == name:
            return fmt
    raise ValueError(f"cannot encode {name!r}; this build writes {sorted(producible_formats())}")
