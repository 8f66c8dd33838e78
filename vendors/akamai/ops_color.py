"""Transformations that change colours, one function each, on RGBA images."""

from __future__ import annotations

import math
from typing import Any

from PIL import Image, ImageChops, ImageColor, ImageFilter, ImageMath

from vendors.akamai.ops_geometry import checked_size

# Luma weights of ITU-R BT.601 and BT.709.
_REC601 = (0.299, 0.587, 0.114, 0.0)
_REC709 = (0.2126, 0.7152, 0.0722, 0.0)


def background_color(image: Image.Image, color: str) -> Image.Image:
    """The image over a plain background of ``color`` (transparent parts show it)."""
    rgba = ImageColor.getrgb(color)
    backdrop = Image.new("RGBA", image.size, rgba if len(rgba) == 4 else (*rgba, 255))
    return Image.alpha_composite(backdrop, image)


def blur(image: Image.Image, sigma: float = 1.0) -> Image.Image:
    """A Gaussian blur of standard deviation ``sigma`` on a canvas grown by 3σ on every side
    (the seed: pixels at the edge "might scatter outside the image's original dimensions";
    past 3σ what scatters rounds to nothing). Blurred with premultiplied alpha, so the
    transparent margin dims the edge's opacity, never its colour."""
    if sigma <= 0:
        return image
    margin = math.ceil(3 * sigma)
    grown = Image.new("RGBa", checked_size(image.width + 2 * margin, image.height + 2 * margin))
    grown.paste(image.convert("RGBa"), (margin, margin))
    return grown.filter(ImageFilter.GaussianBlur(sigma)).convert("RGBA")


def grayscale(image: Image.Image, kind: str = "Rec709") -> Image.Image:
    """Grays by Rec601 or Rec709 luma, HSB brightness (max of R, G, B) or HSL lightness
    ((max + min) / 2); alpha is kept."""
    r, g, b, alpha = image.split()
    rgb = Image.merge("RGB", (r, g, b))
    if kind.startswith("Rec601"):
        gray = rgb.convert("L", matrix=_REC601)
    elif kind == "Brightness":
        gray = ImageChops.lighter(ImageChops.lighter(r, g), b)
    elif kind == "Lightness":
        high = ImageChops.lighter(ImageChops.lighter(r, g), b)
        low = ImageChops.darker(ImageChops.darker(r, g), b)
        gray = ImageChops.add(high, low, scale=2.0)
    else:
        gray = rgb.convert("L", matrix=_REC709)
    return Image.merge("RGBA", (gray, gray, gray, alpha))


def hsl(
    image: Image.Image, hue: float = 0.0, saturation: float = 1.0, lightness: float = 1.0
) -> Image.Image:
    """Rotate hues by ``hue`` degrees, then multiply each pixel's HSL saturation and
    lightness (the seed's multipliers, 0 to 1); alpha is kept."""
    alpha = image.getchannel("A")
    rgb = image.convert("RGB")
    if hue % 360:
        # HSL and HSV share their hue, and turning it keeps max(R, G, B) and min(R, G, B),
        # so Pillow's HSV conversion turns the hue of HSL as well.
        h, s, v = rgb.convert("HSV").split()
        shift = round(hue / 360 * 256)
        rgb = Image.merge("HSV", (h.point(lambda x: (x + shift) % 256), s, v)).convert("RGB")
    if saturation != 1 or lightness != 1:
        rgb = _scale_saturation_lightness(rgb, saturation, lightness)
    return Image.merge("RGBA", (*rgb.split(), alpha))


def _scale_saturation_lightness(
    rgb: Image.Image, saturation: float, lightness: float
) -> Image.Image:
    """Each channel c of a pixel of HSL lightness L = (max + min) / 2 and chroma C becomes
    L' + (c - L)·C'/C: the hue (where c lies between min and max) is kept while L' = L·lightness
    and S' = S·saturation, with S = C / (1 - |2L - 1|). In floats, per pixel, in Pillow's C."""
    r, g, b = rgb.split()
    high = ImageChops.lighter(ImageChops.lighter(r, g), b)
    low = ImageChops.darker(ImageChops.darker(r, g), b)

    def channel(c: Image.Image) -> Image.Image:
        def expression(a: dict[str, Any]) -> Any:
            level = (a["float"](a["high"]) + a["float"](a["low"])) / 510.0
            scaled = level * lightness
            # C'/C; where C is 0 (a grey) so is c - L, and ImageMath's x / 0 is 0.
            ratio = (1.0 - abs(scaled * 2.0 - 1.0)) * saturation / (1.0 - abs(level * 2.0 - 1.0))
            return (scaled + (a["float"](a["c"]) / 255.0 - level) * ratio) * 255.0 + 0.5

        out: Image.Image = ImageMath.lambda_eval(expression, c=c, high=high, low=low)
        return out.convert("L")

    return Image.merge("RGB", (channel(r), channel(g), channel(b)))


def max_colors(image: Image.Image, colors: int) -> Image.Image:
    """At most ``colors`` distinct colours (alpha included)."""
    return image.quantize(colors, method=Image.Quantize.FASTOCTREE).convert("RGBA")


def opacity(image: Image.Image, factor: float) -> Image.Image:
    """Multiply every alpha value by ``factor`` (capped at opaque)."""
    r, g, b, alpha = image.split()
    return Image.merge("RGBA", (r, g, b, alpha.point(lambda a: min(255, round(a * factor)))))


def unsharp_mask(
    image: Image.Image, gain: float = 1.0, sigma: float = 1.0, threshold: float = 0.05
) -> Image.Image:
    mask = ImageFilter.UnsharpMask(
        radius=sigma, percent=round(gain * 100), threshold=round(threshold * 255)
    )
    return image.filter(mask)
