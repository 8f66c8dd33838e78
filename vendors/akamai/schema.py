"""The transformations an Image Manager policy may use, as data: each member's kind,
whether it is required and its range. Validation (:mod:`vendors.akamai.policy_validation`) and
value resolution at render time (:mod:`vendors.akamai.variables`) both read this table."""

from __future__ import annotations

from dataclasses import dataclass

GRAVITIES = (
    "North", "NorthEast", "NorthWest", "South", "SouthEast", "SouthWest",
    "East", "West", "Center",
)  # fmt: skip
PLACEMENTS = ("Over", "Under")
DIMENSIONS = ("width", "height")
GRAYSCALE_TYPES = ("Brightness", "Lightness", "Rec601", "Rec709")
GRAYSCALE_ALIASES = {"Rec601Luma": "Rec601", "Rec709Luma": "Rec709"}
ASPECTS = ("fit", "fill", "ignore")
RESIZE_TYPES = ("normal", "downsize", "upsize")
PERCEPTUAL_QUALITIES = ("high", "mediumHigh", "medium", "mediumLow", "low")
VARIABLE_TYPES = (
    "bool", "number", "url", "color", "gravity", "placement", "scaleDimension",
    "grayscaleType", "aspect", "resizeType", "dimension", "perceptualQuality",
)  # fmt: skip

# Kinds of member: a scalar kind, an enumeration (tuple of allowed values), or nested.
INT, NUM, BOOL, COLOR, URL = "int", "num", "bool", "color", "url"
TRANSFORMATION, TRANSFORMATIONS, IMAGE = "transformation", "transformations", "image"
Kind = str | tuple[str, ...]

MAX_PIXELS_SIDE = 16384  # no dimension a policy asks for may exceed this


@dataclass(frozen=True)
class Member:
    kind: Kind
    required: bool = False
    low: float | None = None
    high: float | None = None

    @property
    def nested(self) -> bool:
        return self.kind in (TRANSFORMATION, TRANSFORMATIONS, IMAGE)


def _size(required: bool = False) -> Member:
    return Member(INT, required, 1, MAX_PIXELS_SIDE)


_POSITION = Member(INT, False, -MAX_PIXELS_SIDE, MAX_PIXELS_SIDE)

TRANSFORMATIONS_SPEC: dict[str, dict[str, Member]] = {
    "BackgroundColor": {"color": Member(COLOR, True)},
    "Blur": {"sigma": Member(NUM, False, 0, 100)},
    "Composite": {
        "image": Member(IMAGE, True),
        "xPosition": _POSITION,
        "yPosition": _POSITION,
        "gravity": Member(GRAVITIES),
        "placement": Member(PLACEMENTS),
        "scale": Member(NUM, False, 0.001, 100),
        "scaleDimension": Member(DIMENSIONS),
    },
    "Compound": {"transformations": Member(TRANSFORMATIONS, True)},
    "Crop": {
        "width": _size(True),
        "height": _size(True),
        "xPosition": _POSITION,
        "yPosition": _POSITION,
        "gravity": Member(GRAVITIES),
        "allowExpansion": Member(BOOL),
    },
    "FitAndFill": {
        "width": _size(True),
        "height": _size(True),
        "fillTransformation": Member(TRANSFORMATION),
    },
    "Grayscale": {"type": Member(GRAYSCALE_TYPES + tuple(GRAYSCALE_ALIASES))},
    "HSL": {  # saturation and lightness are multipliers "between 0 and 1" (the seed)
        "hue": Member(NUM, False, -360, 360),
        "saturation": Member(NUM, False, 0, 1),
        "lightness": Member(NUM, False, 0, 1),
    },
    "MaxColors": {"colors": Member(INT, True, 2, 256)},
    "Opacity": {"opacity": Member(NUM, True, 0, 10)},
    "Resize": {
        "width": _size(),
        "height": _size(),
        "aspect": Member(ASPECTS),
        "type": Member(RESIZE_TYPES),
    },
    "Rotate": {"degrees": Member(NUM, True, -3600, 3600)},
    "Scale": {"width": Member(NUM, False, 0.001, 100), "height": Member(NUM, False, 0.001, 100)},
    "Shear": {"xShear": Member(NUM, False, -10, 10), "yShear": Member(NUM, False, -10, 10)},
    "Trim": {"fuzz": Member(NUM, False, 0, 1), "padding": Member(INT, False, 0, 1000)},
    "UnsharpMask": {
        "gain": Member(NUM, False, 0, 100),
        "sigma": Member(NUM, False, 0, 100),
        "threshold": Member(NUM, False, 0, 1),
    },
    "IfDimension": {
        "dimension": Member((*DIMENSIONS, "both")),
        "value": Member(INT, True, 0, MAX_PIXELS_SIDE),
        "default": Member(TRANSFORMATION),
        "equal": Member(TRANSFORMATION),
        "greaterThan": Member(TRANSFORMATION),
        "lessThan": Member(TRANSFORMATION),
    },
    "IfOrientation": {
        "default": Member(TRANSFORMATION),
        "landscape": Member(TRANSFORMATION),
        "portrait": Member(TRANSFORMATION),
        "square": Member(TRANSFORMATION),
    },
}

# Spellings the documentation itself uses besides the canonical ones.
TRANSFORMATION_ALIASES = {"Hsl": "HSL"}
MEMBER_ALIASES = {"MaxColors": {"colours": "colors"}}

# Compound may only hold these (as documented).
COMPOUND_ALLOWED = frozenset(
    {"BackgroundColor", "Composite", "Crop", "MaxColors", "Resize", "Rotate", "Scale"}
)
COMPOSITE_IMAGE_SPEC: dict[str, Member] = {
    "url": Member(URL, True),
    "transformation": Member(TRANSFORMATION),
}
# The seed's Composite sample gives ``image`` as a one-element array holding an Image as the
# images API returns it: these members of it describe the image and are kept, never used.
IMAGE_METADATA: dict[str, str] = {
    "id": "string",
    "ordinal": "integer",
    "description": "string",
    "policies": "object",
}
# A policy member the seed's history sample spells the old way (``resolutions``).
POLICY_ALIASES = {"resolutions": "breakpoints"}
