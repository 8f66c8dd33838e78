"""Every rendering parameter imgix documents, as data: its category, the values it takes
when they are a closed set, and the short names imgix also accepts for it.

Seed 004 says a source's ``default_params`` take "valid imgix params/values"; the names are
imgix's Rendering API reference (by category, as its parameter list groups them). What
this edge renders is :data:`vendors.imgix.params.CHECKS`; every other name here is accepted
(in ``default_params`` and viewer URLs alike), stored, and ignored when rendering. A value
outside a closed set is refused in ``default_params`` (400), as the API refuses it; a
free-form value (a number, a colour, a text) is taken as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "number", "colour"]


@dataclass(frozen=True)
class Documented:
    category: str
    values: frozenset[str] = frozenset()  # a closed set; empty: free-form of ``kind``
    listed: bool = False  # a comma-separated list of ``values``
    kind: Kind = "text"


def _p(category: str, *values: str, listed: bool = False) -> Documented:
    return Documented(category, frozenset(values), listed)


def _n(category: str) -> Documented:
    return Documented(category, kind="number")


def _c(category: str) -> Documented:
    return Documented(category, kind="colour")


_ALIGN = ("top", "middle", "bottom", "left", "center", "right")
_BLEND_MODES = [
    "color",
    "burn",
    "dodge",
    "darken",
    "difference",
    "exclusion",
    "hardlight",
    "hue",
    "lighten",
    "luminosity",
    "multiply",
    "overlay",
    "saturation",
    "screen",
    "softlight",
    "normal",
]

CATALOGUE: dict[str, Documented] = {
    # adjustment
    **{
        name: _n("adjustment")
        for name in ("bri", "con", "exp", "gam", "high", "hue", "sat", "shad", "sharp")
    },
    **{name: _n("adjustment") for name in ("usm", "usmrad", "vib")},
    "invert": _p("adjustment", "true", "false", "1", "0"),
    # animation
    **{name: _n("animation") for name in ("fps", "frame", "interval", "loop", "skip")},
    "reverse": _p("animation", "true", "false", "1", "0"),
    # automatic
    "auto": _p("auto", "enhance", "format", "redeye", "compress", "true", listed=True),
    # background removal and replacement, generative fill, upscaling
    "bg-remove": _p("background", "true", "false", "1", "0"),
    "bg-replace": _p("background"),
    "upscale": _p("background", "true", "false", "1", "0"),
    # blending
    "blend": _p("blending"),
    "blend-align": _p("blending", *_ALIGN, listed=True),
    "blend-alpha": _n("blending"),
    "blend-color": _c("blending"),
    "blend-crop": _p("blending", "top", "bottom", "left", "right", "faces", listed=True),
    "blend-fit": _p("blending", "clamp", "clip", "crop", "scale", "max"),
    "blend-h": _n("blending"),
    "blend-mode": _p("blending", *_BLEND_MODES),
    "blend-pad": _n("blending"),
    "blend-size": _p("blending", "inherit"),
    "blend-w": _n("blending"),
    "blend-x": _n("blending"),
    "blend-y": _n("blending"),
    # border and padding
    **{
        name: _n("border-and-padding")
        for name in (
            "border-bottom",
            "border-left",
            "border-right",
            "border-top",
            "pad",
            "pad-bottom",
            "pad-left",
            "pad-right",
            "pad-top",
        )
    },
    # a width and a colour, or up to four radii
    **{n: _p("border-and-padding") for n in ("border", "border-radius", "border-radius-inner")},
    # colour palette
    "colors": _n("color-palette"),
    "palette": _p("color-palette", "css", "json"),
    "prefix": _p("color-palette"),
    # expiration
    "expires": _n("expiration"),
    # face detection
    "faceindex": _n("face-detection"),
    "facepad": _n("face-detection"),
    "faces": _p("face-detection", "1"),
    # fill
    "bg": _c("fill"),
    "fill": _p("fill", "solid", "blur", "gen"),
    "fill-color": _c("fill"),
    "grid-colors": _p("fill"),
    "grid-size": _n("fill"),
    "transparency": _p("fill", "grid"),
    # focal point crop
    "fp-debug": _p("focalpoint-crop", "true", "false", "1", "0"),
    "fp-x": _n("focalpoint-crop"),
    "fp-y": _n("focalpoint-crop"),
    "fp-z": _n("focalpoint-crop"),
    # format
    "ch": _p("format", "width", "dpr", "save-data", listed=True),
    "chromasub": _p("format", "444", "422", "420"),
    "colorquant": _n("format"),
    "cs": _p("format", "srgb", "adobergb1998", "tinysrgb", "strip"),
    "dl": _p("format"),
    "dpi": _n("format"),
    "fm": _p(
        "format",
        *[
            "avif",
            "gif",
            "jpg",
            "jp2",
            "json",
            "jxr",
            "pjpg",
            "mp4",
            "png",
            "png8",
            "png32",
            "webp",
            "webm",
            "blurhash",
        ],
    ),
    "lossless": _p("format", "true", "false", "1", "0"),
    "q": _n("format"),
    # mask
    "corner-radius": _p("mask"),
    "mask": _p("mask"),  # ellipse, corners, or an image URL
    "mask-bg": _c("mask"),
    # noise reduction
    "nr": _n("noise-reduction"),
    "nrs": _n("noise-reduction"),
    # PDF
    "page": _n("pdf"),
    "pdf-annotation": _p("pdf", "true", "false", "1", "0"),
    # pixel density
    "dpr": _n("pixel-density"),
    # rotation
    "flip": _p("rotation", "h", "v", "hv"),
    "orient": _p("rotation", *["0", "1", "2", "3", "4", "5", "6", "7", "8", "90", "180", "270"]),
    "rot": _n("rotation"),
    # size
    "ar": _p("size"),
    "crop": _p(
        "size",
        *["top", "bottom", "left", "right", "center", "faces", "entropy", "edges", "focalpoint"],
        listed=True,
    ),
    "fit": _p(
        "size", *["clamp", "clip", "crop", "facearea", "fill", "fillmax", "max", "min", "scale"]
    ),
    "h": _n("size"),
    "max-h": _n("size"),
    "max-w": _n("size"),
    "min-h": _n("size"),
    "min-w": _n("size"),
    "rect": _p("size"),
    "w": _n("size"),
    # stylize
    **{name: _n("stylize") for name in ("blur", "duotone-alpha", "htn", "px", "sepia")},
    "duotone": _p("stylize"),  # two colours
    "monochrome": _c("stylize"),
    # text and typesetting
    "txt": _p("text"),
    "txt-align": _p("text", *_ALIGN, listed=True),
    "txt-clip": _p("text", "start", "middle", "end", "ellipsis", listed=True),
    "txt-color": _c("text"),
    "txt-fit": _p("text", "max"),
    "txt-font": _p("text"),
    "txt-lead": _n("typesetting"),
    "txt-lig": _p("text", "0", "1", "2"),
    "txt-line": _n("text"),
    "txt-line-color": _c("text"),
    "txt-pad": _n("text"),
    "txt-shad": _n("text"),
    "txt-size": _n("text"),
    "txt-track": _n("typesetting"),
    "txt-width": _n("text"),
    # trim
    "trim": _p("trim", "auto", "color"),
    **{name: _n("trim") for name in ("trim-md", "trim-pad", "trim-sd", "trim-tol")},
    "trim-color": _c("trim"),
    # watermark
    "mark": _p("watermark"),
    "mark-align": _p("watermark", *_ALIGN, listed=True),
    "mark-alpha": _n("watermark"),
    "mark-base": _p("watermark"),
    "mark-fit": _p("watermark", "clip", "crop", "fill", "max", "scale"),
    "mark-h": _n("watermark"),
    "mark-pad": _n("watermark"),
    "mark-rot": _n("watermark"),
    "mark-scale": _n("watermark"),
    "mark-tile": _p("watermark", "grid"),
    "mark-w": _n("watermark"),
    "mark-x": _n("watermark"),
    "mark-y": _n("watermark"),
}

# Other names imgix documents for the same parameters.
ALIASES: dict[str, str] = {
    **{f"blend{s}": f"blend-{s}" for s in ("align", "alpha", "color", "crop", "fit", "h")},
    **{f"blend{s}": f"blend-{s}" for s in ("mode", "pad", "size", "w", "x", "y")},
    "ba": "blend-align",
    "balph": "blend-alpha",
    "bc": "blend-crop",
    "bf": "blend-fit",
    "bh": "blend-h",
    "bm": "blend-mode",
    "bp": "blend-pad",
    "bs": "blend-size",
    "bw": "blend-w",
    "bx": "blend-x",
    "by": "blend-y",
    "b": "blend",
    "blend-clr": "blend-color",
    "blendclr": "blend-color",
    "fillcolor": "fill-color",
    "f": "fit",
    "height": "h",
    "width": "w",
    "inv": "invert",
    **{f"mark{s}": f"mark-{s}" for s in ("align", "alpha", "base", "fit", "h", "pad")},
    **{f"mark{s}": f"mark-{s}" for s in ("scale", "tile", "w", "x", "y")},
    "ma": "mark-align",
    "malph": "mark-alpha",
    "mb": "mark-base",
    "mf": "mark-fit",
    "mh": "mark-h",
    "mp": "mark-pad",
    "ms": "mark-scale",
    "mtile": "mark-tile",
    "mw": "mark-w",
    "mx": "mark-x",
    "my": "mark-y",
    "m": "mark",
    "maskbg": "mask-bg",
    "mono": "monochrome",
    "or": "orient",
    "annotation": "pdf-annotation",
    **{f"max-{s}": f"max-{s[0]}" for s in ("height", "width")},
    **{f"min-{s}": f"min-{s[0]}" for s in ("height", "width")},
    **{f"trim{s}": f"trim-{s}" for s in ("color", "md", "pad", "sd", "tol")},
    **{f"txt{s}": f"txt-{s}" for s in ("align", "clip", "color", "fit", "font", "lead")},
    **{f"txt{s}": f"txt-{s}" for s in ("lig", "line", "pad", "shad", "size", "track", "width")},
    "txtlinecolor": "txt-line-color",
    "txt-line-clr": "txt-line-color",
    "txtlineclr": "txt-line-color",
    "txt-clr": "txt-color",
    "txtclr": "txt-color",
    "ta": "txt-align",
    "tcl": "txt-clip",
    "tc": "txt-color",
    "tf": "txt-font",
    "tl": "txt-line",
    "tp": "txt-pad",
    "tsh": "txt-shad",
    "tsz": "txt-size",
    "tt": "txt-track",
    "t": "txt",
}

MAX_VALUE = 2048


def canonical(name: str) -> str | None:
    """The documented name of ``name`` (itself, or what its alias stands for), or None."""
    if name in CATALOGUE:
        return name
    return ALIASES.get(name)


_NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$")
# Hex (RGB, ARGB, RRGGBB, AARRGGBB) or a CSS colour keyword.
_COLOUR = re.compile(r"^#?(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$|^[a-zA-Z]{3,30}$")


def documented_value(name: str, value: str) -> bool:
    """Whether ``value`` is one imgix documents for the (canonical) parameter ``name``."""
    if not value or len(value) > MAX_VALUE or not value.isprintable():
        return False
    entry = CATALOGUE[name]
    if not entry.values:
        if entry.kind == "number":
            return bool(_NUMBER.fullmatch(value))
        if entry.kind == "colour":
            return bool(_COLOUR.fullmatch(value))
        return True
    parts = [p.strip().lower() for p in value.split(",")] if entry.listed else [value.lower()]
    return bool(parts) and all(p in entry.values for p in parts)
