"""Transformations that change an image's geometry, one function each, on RGBA images."""

from __future__ import annotations

from PIL import Image, ImageChops

from vendors.akamai.schema import MAX_PIXELS_SIDE

RESAMPLE = Image.Resampling.LANCZOS
TRANSPARENT = (0, 0, 0, 0)


class TransformError(ValueError):
    """A transformation that cannot apply to this image (the policy fails on it)."""


def checked_size(width: int, height: int) -> tuple[int, int]:
    """(width, height), or a TransformError when a side is outside 1..MAX_PIXELS_SIDE."""
    if not (1 <= width <= MAX_PIXELS_SIDE and 1 <= height <= MAX_PIXELS_SIDE):
        raise TransformError(f"a {width}x{height} result is outside 1..{MAX_PIXELS_SIDE} per side")
    return width, height


def resize_to(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    size = checked_size(*size)
    return image if image.size == size else image.resize(size, RESAMPLE)


def resize(
    image: Image.Image,
    width: int | None,
    height: int | None,
    aspect: str = "fit",
    kind: str = "normal",
) -> Image.Image:
    """Resize: fit within, fill (cover) or ignore the aspect; ``downsize`` only shrinks,
    ``upsize`` only grows; a missing side keeps the aspect."""
    w0, h0 = image.size
    if width is None and height is None:
        return image
    if width is None or height is None:
        factor = width / w0 if width is not None else height / h0  # type: ignore[operator]
        target = (max(1, round(w0 * factor)), max(1, round(h0 * factor)))
    elif aspect == "ignore":
        target = (width, height)
    else:
        pick = min if aspect == "fit" else max
        factor = pick(width / w0, height / h0)
        target = (max(1, round(w0 * factor)), max(1, round(h0 * factor)))
    if kind == "downsize" and (target[0] > w0 or target[1] > h0):
        return image
    if kind == "upsize" and (target[0] < w0 or target[1] < h0):
        return image
    return resize_to(image, target)


def scale(image: Image.Image, width: float = 1.0, height: float = 1.0) -> Image.Image:
    w0, h0 = image.size
    return resize_to(image, (max(1, round(w0 * width)), max(1, round(h0 * height))))


def anchor(
    gravity: str, outer: tuple[int, int], inner: tuple[int, int], dx: int, dy: int
) -> tuple[int, int]:
    """Top-left corner of ``inner`` placed in ``outer`` at ``gravity``; offsets point inward
    from the gravity's edges (as ImageMagick's geometry does)."""
    ow, oh = outer
    iw, ih = inner
    if "West" in gravity:
        x = dx
    elif "East" in gravity:
        x = ow - iw - dx
    else:
        x = (ow - iw) // 2 + dx
    if gravity.startswith("North"):
        y = dy
    elif gravity.startswith("South"):
        y = oh - ih - dy
    else:
        y = (oh - ih) // 2 + dy
    return x, y


def crop(
    image: Image.Image,
    width: int,
    height: int,
    x: int = 0,
    y: int = 0,
    gravity: str = "NorthWest",
    allow_expansion: bool = False,
) -> Image.Image:
    """Keep a width×height box at ``gravity`` + offsets; the part outside the canvas is
    dropped, or with ``allow_expansion`` becomes transparent canvas."""
    left, top = anchor(gravity, image.size, (width, height), x, y)
    if allow_expansion:
        canvas = Image.new("RGBA", checked_size(width, height), TRANSPARENT)
        canvas.paste(image, (-left, -top))
        return canvas
    box = (
        max(0, left),
        max(0, top),
        min(image.width, left + width),
        min(image.height, top + height),
    )
    if box[0] >= box[2] or box[1] >= box[3]:
        raise TransformError("the crop box lies outside the image")
    return image.crop(box)


def rotate(image: Image.Image, degrees: float) -> Image.Image:
    """Clockwise for positive degrees; the canvas grows to hold the whole image."""
    if degrees % 360 == 0:
        return image
    if degrees % 90 == 0:
        turns = {
            90: Image.Transpose.ROTATE_270,
            180: Image.Transpose.ROTATE_180,
            270: Image.Transpose.ROTATE_90,
        }
        return image.transpose(turns[int(degrees % 360)])
    return image.rotate(-degrees, Image.Resampling.BICUBIC, expand=True, fillcolor=TRANSPARENT)


def shear(image: Image.Image, x_shear: float = 0.0, y_shear: float = 0.0) -> Image.Image:
    """Slant about the centre; same size, transparent where nothing lands."""
    w, h = image.size
    cx, cy = w / 2, h / 2
    # The inverse map (output → input) of x' = x + xs·(y−cy), y' = y + ys·(x−cx).
    det = 1 - x_shear * y_shear
    if abs(det) < 1e-6:
        raise TransformError("xShear × yShear = 1 collapses the image")
    a, b = 1 / det, -x_shear / det
    d, e = -y_shear / det, 1 / det
    coefficients = (a, b, cx - a * cx - b * cy, d, e, cy - d * cx - e * cy)
    return image.transform(
        image.size,
        Image.Transform.AFFINE,
        coefficients,
        Image.Resampling.BICUBIC,
        fillcolor=TRANSPARENT,
    )


def trim(image: Image.Image, fuzz: float = 0.08, padding: int = 0) -> Image.Image:
    """Crop away the uniform border whose colour is the top-left pixel's (within ``fuzz``),
    then pad the content with that colour."""
    background = image.getpixel((0, 0))
    plain = Image.new(image.mode, image.size, background)
    difference = ImageChops.difference(image, plain)
    channels = difference.split()
    widest = channels[0]
    for channel in channels[1:]:
        widest = ImageChops.lighter(widest, channel)
    mask = widest.point(lambda v: 255 if v > fuzz * 255 else 0)
    box = mask.getbbox()
    if box is None:
        return image  # nothing but background: keep it
    content = image.crop(box)
    if padding <= 0:
        return content
    padded = Image.new(
        image.mode,
        checked_size(content.width + 2 * padding, content.height + 2 * padding),
        background,
    )
    padded.paste(content, (padding, padding))
    return padded


def cover(image: Image.Image, width: int, height: int) -> Image.Image:
    """Scaled to cover width×height, centred, cropped to exactly that size."""
    covered = resize(image, width, height, "fill")
    return crop(covered, width, height, 0, 0, "Center")
