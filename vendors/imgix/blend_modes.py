"""imgix's ``blend-mode`` values as pixel rules (pure): each mixes a base (backdrop) and a
layer (source) of the same size, both RGB, into RGB.

The formulas are the W3C Compositing and Blending Level 1 ones (§ 10, "Blending"), which
are the Photoshop modes imgix's documentation groups as darken (darken, multiply, burn),
lighten (lighten, screen, dodge), contrast (overlay, softlight, hardlight), inversion
(difference, exclusion) and component (hue, saturation, color, luminosity). Pillow's
ImageChops has the simple separable ones; the rest run as ImageMath expressions on float
channels, so every mode stays in C (no per-pixel Python). ``softlight`` is Pillow's
(the "Pegtop" soft light, smooth where the W3C one has a square root); the others match
the W3C definitions to within rounding.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PIL import Image, ImageChops, ImageMath

MODES = (
    "normal",
    "darken",
    "multiply",
    "burn",
    "lighten",
    "screen",
    "dodge",
    "overlay",
    "softlight",
    "hardlight",
    "difference",
    "exclusion",
    "hue",
    "saturation",
    "color",
    "luminosity",
)
DEFAULT_MODE = "overlay"  # imgix's documented default
_EPSILON = 1e-6

_CHOPS: dict[str, Callable[[Image.Image, Image.Image], Image.Image]] = {
    "darken": ImageChops.darker,
    "multiply": ImageChops.multiply,
    "lighten": ImageChops.lighter,
    "screen": ImageChops.screen,
    "overlay": ImageChops.overlay,
    "softlight": ImageChops.soft_light,
    "hardlight": ImageChops.hard_light,
    "difference": ImageChops.difference,
}


def mix(base: Image.Image, layer: Image.Image, mode: str) -> Image.Image:
    """``layer`` blended into ``base`` by ``mode`` (one of :data:`MODES`), fully opaque:
    the caller applies the layer's alpha and ``blend-alpha`` afterwards."""
    base, layer = base.convert("RGB"), layer.convert("RGB")
    if mode == "normal":
        return layer
    if mode in _CHOPS:
        return _CHOPS[mode](base, layer)
    if mode in _SEPARABLE:
        return Image.merge(
            "RGB",
            [
                _channel(b, s, _SEPARABLE[mode])
                for b, s in zip(base.split(), layer.split(), strict=True)
            ],
        )
    if mode in _COMPONENT:
        return _component(base, layer, _COMPONENT[mode])
    raise ValueError(f"unknown blend mode {mode!r}")


Operand = Any  # ImageMath's operand type is private; the expressions below only use its operators


def _burn(args: dict[str, Any]) -> Operand:
    cb, cs = args["cb"], args["cs"]  # 1 − min(1, (1 − Cb) / Cs); Cb = 1 → 1, Cs = 0 → 0
    return 1.0 - args["min"]((1.0 - cb) / args["max"](cs, _EPSILON), 1.0)


def _dodge(args: dict[str, Any]) -> Operand:
    cb, cs = args["cb"], args["cs"]  # min(1, Cb / (1 − Cs)); Cb = 0 → 0, Cs = 1 → 1
    return args["min"](cb / args["max"](1.0 - cs, _EPSILON), 1.0)


def _exclusion(args: dict[str, Any]) -> Operand:
    cb, cs = args["cb"], args["cs"]
    return cb + cs - 2.0 * cb * cs


_SEPARABLE = {"burn": _burn, "dodge": _dodge, "exclusion": _exclusion}


def _channel(
    backdrop: Image.Image, source: Image.Image, rule: Callable[[dict[str, Any]], Operand]
) -> Image.Image:
    def expression(args: dict[str, Any]) -> Operand:
        scaled = {
            "cb": args["float"](args["b"]) / 255.0,
            "cs": args["float"](args["s"]) / 255.0,
            "min": args["min"],
            "max": args["max"],
        }
        return rule(scaled) * 255.0 + 0.5

    out = ImageMath.lambda_eval(expression, b=backdrop, s=source)
    assert isinstance(out, Image.Image)
    return out.convert("L")


# Non-separable modes on colours as (r, g, b) operand triples in 0..1.
Colour = tuple[Operand, Operand, Operand]


class _Maths:
    """The W3C helpers (Lum, ClipColor, SetLum, Sat, SetSat) over ImageMath operands,
    branch-free: a comparison is a 0/1 image, so ``c * x + (1 - c) * y`` selects."""

    def __init__(self, args: dict[str, Any]) -> None:
        self.min, self.max = args["min"], args["max"]

    @staticmethod
    def lum(c: Colour) -> Operand:
        return 0.3 * c[0] + 0.59 * c[1] + 0.11 * c[2]

    def clip(self, c: Colour) -> Colour:
        lum = self.lum(c)
        low = self.min(self.min(c[0], c[1]), c[2])
        high = self.max(self.max(c[0], c[1]), c[2])
        under, over = low < 0.0, high > 1.0
        pull_up = lum / self.max(lum - low, _EPSILON)
        c = tuple(under * (lum + (x - lum) * pull_up) + (1.0 - under) * x for x in c)  # type: ignore[assignment]
        pull_down = (1.0 - lum) / self.max(high - lum, _EPSILON)
        return tuple(over * (lum + (x - lum) * pull_down) + (1.0 - over) * x for x in c)  # type: ignore[return-value]

    def set_lum(self, c: Colour, lum: Operand) -> Colour:
        d = lum - self.lum(c)
        return self.clip((c[0] + d, c[1] + d, c[2] + d))

    def sat(self, c: Colour) -> Operand:
        return self.max(self.max(c[0], c[1]), c[2]) - self.min(self.min(c[0], c[1]), c[2])

    def set_sat(self, c: Colour, s: Operand) -> Colour:
        # The largest channel becomes s, the smallest 0, the middle one in proportion:
        # (x − min) · s / (max − min) does all three (and 0 for a grey).
        low = self.min(self.min(c[0], c[1]), c[2])
        span = self.sat(c)
        scale = (span > 0.0) * s / self.max(span, _EPSILON)
        return ((c[0] - low) * scale, (c[1] - low) * scale, (c[2] - low) * scale)


def _hue(m: _Maths, cb: Colour, cs: Colour) -> Colour:
    return m.set_lum(m.set_sat(cs, m.sat(cb)), m.lum(cb))


def _saturation(m: _Maths, cb: Colour, cs: Colour) -> Colour:
    return m.set_lum(m.set_sat(cb, m.sat(cs)), m.lum(cb))


def _color(m: _Maths, cb: Colour, cs: Colour) -> Colour:
    return m.set_lum(cs, m.lum(cb))


def _luminosity(m: _Maths, cb: Colour, cs: Colour) -> Colour:
    return m.set_lum(cb, m.lum(cs))


_COMPONENT = {"hue": _hue, "saturation": _saturation, "color": _color, "luminosity": _luminosity}


def _component(
    base: Image.Image, layer: Image.Image, rule: Callable[[_Maths, Colour, Colour], Colour]
) -> Image.Image:
    names = ("br", "bg", "bb", "sr", "sg", "sb")
    bands = dict(zip(names, (*base.split(), *layer.split()), strict=True))

    def expression(args: dict[str, Any]) -> tuple[Operand, ...]:
        f = [args["float"](args[name]) / 255.0 for name in names]
        colour = rule(_Maths(args), (f[0], f[1], f[2]), (f[3], f[4], f[5]))
        return tuple(x * 255.0 + 0.5 for x in colour)

    channels = ImageMath.lambda_eval(expression, **bands)
    return Image.merge("RGB", [c.im.convert("L") for c in channels])
