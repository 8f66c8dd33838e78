"""Images that say what they are, and reading back what a response shows.

Scenarios upload solid colours (or coloured quadrants) and classify what a POP serves
by the colour at a point, its size and its format: robust to JPEG noise and resizing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (220, 30, 30),
    "blue": (30, 60, 220),
    "green": (30, 170, 60),
    "yellow": (230, 200, 20),
    "magenta": (200, 40, 200),
    "cyan": (20, 190, 200),
    "white": (245, 245, 245),
}


def solid(colour: str, size: tuple[int, int] = (800, 450), fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, COLOURS[colour]).save(out, fmt)
    return out.getvalue()


def quadrants(colours: tuple[str, str, str, str], size: tuple[int, int] = (800, 800)) -> bytes:
    """Top-left, top-right, bottom-left, bottom-right in the colours given (PNG)."""
    image = Image.new("RGB", size)
    w, h = size
    boxes = [
        (0, 0, w // 2, h // 2),
        (w // 2, 0, w, h // 2),
        (0, h // 2, w // 2, h),
        (w // 2, h // 2, w, h),
    ]
    for box, colour in zip(boxes, colours, strict=True):
        image.paste(COLOURS[colour], box)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@dataclass(frozen=True)
class Look:
    """What an image response shows: its centre colour, size and format."""

    colour: str
    size: tuple[int, int]
    format: str

    @property
    def label(self) -> str:
        return f"{self.colour} {self.size[0]}x{self.size[1]} {self.format.lower()}"


def look(body: bytes) -> Look | None:
    """The image's centre colour (nearest named one), size and format; None if not an image."""
    try:
        image = Image.open(io.BytesIO(body))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None
    fmt = image.format or "?"
    rgb = image.convert("RGB")
    centre = rgb.getpixel((rgb.width // 2, rgb.height // 2))
    assert isinstance(centre, tuple)
    return Look(nearest_colour(centre), (image.width, image.height), fmt)


def nearest_colour(pixel: tuple[int, ...]) -> str:
    def distance(name: str) -> int:
        return sum((a - b) ** 2 for a, b in zip(pixel[:3], COLOURS[name], strict=True))

    return min(COLOURS, key=distance)
