"""Pixel modes: the two every operation works in (RGB, or RGBA when there is transparency),
and the alpha rules applied on the way out."""

from __future__ import annotations

from PIL import Image

WHITE = (255, 255, 255)
_SIXTEEN_BIT = ("I;16", "I;16L", "I;16B", "I;16N")


def to_working_mode(image: Image.Image) -> Image.Image:
    """RGB, or RGBA when the image carries transparency. Palette, grey, CMYK, YCbCr and
    16-bit or float greys are converted; 16-bit values are scaled, not clipped."""
    mode = image.mode
    if mode in ("RGB", "RGBA"):
        return image
    if mode in (*_SIXTEEN_BIT, "I"):
        top = 65535 if mode in _SIXTEEN_BIT else _int_maximum(image)
        image = image.convert("I") if mode != "I" else image
        return image.point(lambda v: v * (255 / top)).convert("L").convert("RGB")
    if mode == "F":
        return image.point(lambda v: v * 255).convert("L").convert("RGB")
    if mode == "P":
        return image.convert("RGBA" if "transparency" in image.info else "RGB")
    if mode in ("LA", "La", "PA", "RGBa"):
        return image.convert("RGBA")
    if mode == "L" and "transparency" in image.info:
        return image.convert("RGBA")
    return image.convert("RGB")


def _int_maximum(image: Image.Image) -> int:
    """The brightest value of a 32-bit integer image (its white point), at least 1."""
    extrema = image.getextrema()
    top = extrema[1] if isinstance(extrema[1], (int, float)) else 1
    return max(1, int(top))


def has_transparency(image: Image.Image) -> bool:
    """Whether any pixel of a working-mode image is less than fully opaque."""
    if image.mode != "RGBA":
        return False
    low, _ = image.getchannel("A").getextrema()
    return int(low) < 255  # type: ignore[arg-type]


def without_opaque_alpha(image: Image.Image) -> Image.Image:
    """A working-mode image, as RGB when its alpha channel hides nothing (smaller files)."""
    image = to_working_mode(image)
    if image.mode == "RGBA" and not has_transparency(image):
        return image.convert("RGB")
    return image


def flatten(image: Image.Image, background: tuple[int, int, int] = WHITE) -> Image.Image:
    """An RGB image: transparency composited onto an opaque ``background`` colour."""
    image = to_working_mode(image)
    if image.mode != "RGBA":
        return image
    flat = Image.new("RGB", image.size, background)
    flat.paste(image, mask=image.getchannel("A"))
    return flat
