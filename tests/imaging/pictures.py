"""Synthetic source images for the imaging tests, built in memory with Pillow."""

from __future__ import annotations

import io
import math
import random

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageStat

RED = (255, 0, 0)
GREEN = (0, 255, 0)
BLUE = (0, 0, 255)
YELLOW = (255, 255, 0)
# A 3×3 grid, row by row: every cell its own colour, far apart from each other.
GRID_COLOURS = (
    ((255, 0, 0), (0, 255, 0), (0, 0, 255)),
    ((255, 255, 0), (255, 0, 255), (0, 255, 255)),
    ((255, 255, 255), (0, 0, 0), (255, 128, 0)),
)


def quadrants(width: int, height: int, mode: str = "RGB") -> Image.Image:
    """Red top-left, green top-right, blue bottom-left, yellow bottom-right."""
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    half_w, half_h = width // 2, height // 2
    draw.rectangle((0, 0, half_w - 1, half_h - 1), fill=RED)
    draw.rectangle((half_w, 0, width - 1, half_h - 1), fill=GREEN)
    draw.rectangle((0, half_h, half_w - 1, height - 1), fill=BLUE)
    draw.rectangle((half_w, half_h, width - 1, height - 1), fill=YELLOW)
    return image.convert(mode) if mode != "RGB" else image


def solid(width: int, height: int, colour: tuple[int, int, int] = RED) -> Image.Image:
    return Image.new("RGB", (width, height), colour)


def grid(cell: int = 100) -> Image.Image:
    """A 3×3 grid of ``GRID_COLOURS`` cells, each ``cell`` pixels square."""
    image = Image.new("RGB", (3 * cell, 3 * cell))
    draw = ImageDraw.Draw(image)
    for row, colours in enumerate(GRID_COLOURS):
        for col, colour in enumerate(colours):
            draw.rectangle(
                (col * cell, row * cell, (col + 1) * cell - 1, (row + 1) * cell - 1), fill=colour
            )
    return image


def photo_like(width: int, height: int, seed: int = 3) -> Image.Image:
    """Gradients, translucent shapes, thin lines and grain: detail a resampler can get wrong."""
    rnd = random.Random(seed)
    ramp = Image.linear_gradient("L").resize((width, height))
    glow = Image.radial_gradient("L").resize((width, height))
    image = Image.merge("RGB", (glow, ramp, ramp.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    overlay = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for _ in range(20):
        x, y, r = rnd.uniform(0, width), rnd.uniform(0, height), rnd.uniform(0.03, 0.2) * width
        draw.ellipse(
            (x - r, y - r / 2, x + r, y + r / 2), fill=(*_colour(rnd), rnd.randrange(90, 220))
        )
    for _ in range(50):
        ends = [(rnd.uniform(0, width), rnd.uniform(0, height)) for _ in range(2)]
        draw.line(ends, fill=(*_colour(rnd), 230), width=max(1, width // 400))
    image.paste(overlay, mask=overlay)
    image = image.filter(ImageFilter.GaussianBlur(0.6))
    return Image.blend(image, Image.effect_noise((width, height), 40).convert("RGB"), 0.08)


def _colour(rnd: random.Random) -> tuple[int, int, int]:
    return rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)


def encode(image: Image.Image, fmt: str = "PNG", **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **params)
    return out.getvalue()


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def close(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 8) -> bool:
    """Colours equal within ``tolerance`` per channel (resampling and JPEG shift edges a little)."""
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=False))


def similarity(a: Image.Image, b: Image.Image) -> tuple[float, float]:
    """Mean absolute difference (0–255) and PSNR in dB over all channels of two same-size images."""
    assert a.size == b.size and a.mode == b.mode, (a.size, a.mode, b.size, b.mode)
    stat = ImageStat.Stat(ImageChops.difference(a, b))
    mae = sum(stat.mean) / len(stat.mean)
    mse = sum(rms * rms for rms in stat.rms) / len(stat.rms)
    return mae, (math.inf if mse == 0 else 10 * math.log10(255**2 / mse))
