"""Transformations that change colours, one function each, on RGBA images."""

from __future__ import annotations

from PIL import Image, ImageChops, ImageColor, ImageFilter

# Luma weights of ITU-R BT.601 and BT.709.
_REC601 = (0.299, 0.587, 0.114, 0.0)
_REC709 = (0.2126, 0.7152, 0.0722, 0.0)


def background_color(image: Image.Image, color: str) -> Image.Image:
    """The image over a plain background of ``color`` (transparent parts show it)."""
    rgba = ImageColor.getrgb(color)
    backdrop = Image.new("RGBA", image.size, rgba if len(rgba) == 4 else (*rgba, 255))
    return Image.alpha_composite(backdrop, image)


def blur(image: Image.Image, sigma: float = 1.0) -> Image.Image:
    return image.filter(ImageFilter.GaussianBlur(sigma)) if sigma > 0 else image


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
    """Rotate hues by ``hue`` degrees and multiply saturation and lightness (through HSV,
    whose value channel stands for lightness)."""
    alpha = image.getchannel("A")
    h, s, v = image.convert("RGB").convert("HSV").split()
    shift = round(hue / 360 * 256)
    h = h.point(lambda x: (x + shift) % 256)
    s = s.point(lambda x: min(255, round(x * saturation)))
    v = v.point(lambda x: min(255, round(x * lightness)))
    rgb = Image.merge("HSV", (h, s, v)).convert("RGB")
    return Image.merge("RGBA", (*rgb.split(), alpha))


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
