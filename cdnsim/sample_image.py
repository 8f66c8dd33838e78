"""A photo-like sample image, generated: the same bytes for the same arguments.

A landscape (a sky graded from the chosen colour, a sun with a halo, three ridges of
hills, film grain) rather than flat colour, so that resizing, cropping and encoding
behave as they do on photographs, and a caption naming the colour and size, so that two
images told apart by ``--colour`` differ visibly before and after a change.
"""

from __future__ import annotations

import io
import math
import random

from PIL import Image, ImageChops, ImageColor, ImageDraw, ImageFilter

DEFAULT_SIZE = (1600, 900)
DEFAULT_COLOUR = "steelblue"
FORMATS = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}
MAX_SIDE = 8000


def parse_size(text: str) -> tuple[int, int]:
    """``WIDTHxHEIGHT`` (``1600x900``), each side 16 to 8000 pixels."""
    width, sep, height = text.lower().partition("x")
    if not sep or not width.isdigit() or not height.isdigit():
        raise ValueError(f"a size is WIDTHxHEIGHT, e.g. 1600x900, not {text!r}")
    size = (int(width), int(height))
    if not all(16 <= side <= MAX_SIDE for side in size):
        raise ValueError(f"each side is 16 to {MAX_SIDE} pixels, not {text!r}")
    return size


def parse_colour(text: str) -> tuple[int, int, int]:
    """A CSS colour name (``orange``) or ``#rrggbb``."""
    try:
        red, green, blue = ImageColor.getrgb(text)[:3]
    except ValueError:
        raise ValueError(f"a colour is a CSS name (orange) or #rrggbb, not {text!r}") from None
    return red, green, blue


def sample_image(
    size: tuple[int, int] = DEFAULT_SIZE,
    colour: tuple[int, int, int] = (70, 130, 180),
    *,
    caption: str = "",
    seed: int = 1,
) -> Image.Image:
    """The landscape as an RGB image."""
    rng = random.Random(seed)
    image = _sky(size, colour)
    _sun(image, rng)
    for depth in range(3):
        _ridge(image, colour, depth, rng)
    image = _grain(image, rng)
    if caption:
        _caption(image, caption)
    return image


def format_for(path: str) -> str:
    """The Pillow format a file name asks for (``.jpg``, ``.jpeg``, ``.png``, ``.webp``)."""
    suffix = path.rpartition(".")[2].lower() if "." in path else ""
    if suffix not in FORMATS:
        raise ValueError(f"name the file .jpg, .png or .webp, not {path!r}")
    return FORMATS[suffix]


def encode(image: Image.Image, fmt: str = "JPEG") -> bytes:
    out = io.BytesIO()
    options = {"quality": 88} if fmt in ("JPEG", "WEBP") else {}
    image.save(out, fmt, **options)
    return out.getvalue()


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def _sky(size: tuple[int, int], colour: tuple[int, int, int]) -> Image.Image:
    top, horizon = _mix(colour, (10, 10, 30), 0.35), _mix(colour, (255, 240, 220), 0.6)
    column = Image.new("RGB", (1, size[1]))
    for y in range(size[1]):
        column.putpixel((0, y), _mix(top, horizon, min(1.0, y / (size[1] * 0.7))))
    return column.resize(size)


def _sun(image: Image.Image, rng: random.Random) -> None:
    width, height = image.size
    cx, cy = width * rng.uniform(0.6, 0.8), height * rng.uniform(0.2, 0.35)
    radius = min(width, height) * 0.07
    halo = Image.new("L", image.size, 0)
    draw = ImageDraw.Draw(halo)
    draw.ellipse([cx - radius * 3, cy - radius * 3, cx + radius * 3, cy + radius * 3], fill=90)
    halo = halo.filter(ImageFilter.GaussianBlur(radius * 1.2))
    draw = ImageDraw.Draw(halo)
    draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], fill=255)
    image.paste((255, 246, 214), mask=halo)


def _ridge(
    image: Image.Image, colour: tuple[int, int, int], depth: int, rng: random.Random
) -> None:
    width, height = image.size
    base = height * (0.55 + 0.13 * depth)
    waves = [(rng.uniform(1, 4) * (depth + 1), rng.uniform(0, math.tau)) for _ in range(3)]
    amplitude = height * (0.09 - 0.02 * depth)
    points = [(0.0, float(height))]
    for x in range(0, width + 8, 8):
        offset = sum(math.sin(f * x / width * math.tau + p) for f, p in waves) / len(waves)
        points.append((float(x), base + amplitude * offset))
    points.append((float(width), float(height)))
    shade = _mix(_mix(colour, (40, 90, 40), 0.6), (5, 10, 5), 0.25 + 0.25 * depth)
    ImageDraw.Draw(image).polygon(points, fill=shade)


def _grain(image: Image.Image, rng: random.Random) -> Image.Image:
    noise = Image.frombytes("L", image.size, rng.randbytes(image.width * image.height))
    noise = noise.filter(ImageFilter.GaussianBlur(0.7)).convert("RGB")
    return ImageChops.blend(image, ImageChops.overlay(image, noise), 0.12)


def _caption(image: Image.Image, text: str) -> None:
    draw = ImageDraw.Draw(image)
    size = max(12, image.height // 18)
    font = _font(size)
    _, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    x, y = size, image.height - size - (bottom - top) - size // 2
    draw.rectangle(
        [x - size // 2, y - size // 3, x + right + size // 2, y + bottom + size // 3],
        fill=(0, 0, 0),
    )
    draw.text((x, y), text, fill=(255, 255, 255), font=font)


def _font(size: int):  # type: ignore[no-untyped-def]
    from PIL import ImageFont

    return ImageFont.load_default(size=size)
