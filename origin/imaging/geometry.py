"""Pure box arithmetic for the pipeline: output boxes, gravity anchors, fill and fit rectangles.

No Pillow here: sizes in, sizes and rectangles out, so every rule is unit-testable.
"""

from __future__ import annotations

import math

Size = tuple[int, int]
Rect = tuple[float, float, float, float]

# Where the kept part sits along each axis: 0.0 = left/top, 0.5 = middle, 1.0 = right/bottom.
GRAVITY_ANCHORS: dict[str, tuple[float, float]] = {
    "northwest": (0.0, 0.0),
    "north": (0.5, 0.0),
    "northeast": (1.0, 0.0),
    "west": (0.0, 0.5),
    "center": (0.5, 0.5),
    "east": (1.0, 0.5),
    "southwest": (0.0, 1.0),
    "south": (0.5, 1.0),
    "southeast": (1.0, 1.0),
}


def gravity_anchor(gravity: str) -> tuple[float, float]:
    """The (x, y) fractions of the slack that go before the kept part, for a gravity name."""
    try:
        return GRAVITY_ANCHORS[gravity]
    except KeyError:
        raise ValueError(f"unknown gravity {gravity!r}") from None


def crop_pixels(rel: Rect | None, size: Size) -> tuple[int, int, int, int]:
    """The pixel rectangle of a relative (left, top, right, bottom) rectangle in an image.

    Values are clamped to 0.0–1.0 and the result always keeps at least one pixel each way."""
    width, height = size
    if rel is None:
        return 0, 0, width, height
    left, top, right, bottom = (min(1.0, max(0.0, v)) for v in rel)
    x0 = min(width - 1, round(left * width))
    y0 = min(height - 1, round(top * height))
    x1 = max(x0 + 1, min(width, round(right * width)))
    y1 = max(y0 + 1, min(height, round(bottom * height)))
    return x0, y0, x1, y1


def output_box(width: int | None, height: int | None, source: Size) -> Size:
    """The exact output size: both given → that box; one given → the other follows the
    source's aspect (rounded, at least 1); none given → the source's own size."""
    src_w, src_h = source
    if width is not None and height is not None:
        return width, height
    if width is not None:
        return width, max(1, round(width * src_h / src_w))
    if height is not None:
        return max(1, round(height * src_w / src_h)), height
    return src_w, src_h


def fill_region(source: Size, box: Size, gravity: str) -> Rect:
    """The largest region of the source with the box's aspect, anchored at the gravity.

    Scaling this region to the box fills it; what lies outside is the cut overflow."""
    src_w, src_h = source
    box_w, box_h = box
    fx, fy = gravity_anchor(gravity)
    if src_w * box_h > src_h * box_w:  # source wider than the box: cut left/right
        keep_w = src_h * box_w / box_h
        left = (src_w - keep_w) * fx
        return left, 0.0, left + keep_w, float(src_h)
    keep_h = src_w * box_h / box_w
    top = (src_h - keep_h) * fy
    return 0.0, top, float(src_w), top + keep_h


def fit_size(source: Size, box: Size) -> Size:
    """The source scaled (up or down) to fit entirely inside the box, aspect kept."""
    src_w, src_h = source
    box_w, box_h = box
    scale = min(box_w / src_w, box_h / src_h)
    return (
        max(1, min(box_w, round(src_w * scale))),
        max(1, min(box_h, round(src_h * scale))),
    )


def pad_offset(inner: Size, box: Size, gravity: str) -> tuple[int, int]:
    """Top-left position of an inner image placed in a larger box at the gravity."""
    fx, fy = gravity_anchor(gravity)
    return math.floor((box[0] - inner[0]) * fx), math.floor((box[1] - inner[1]) * fy)


def needed_scale(source: Size, box: Size, mode: str) -> float:
    """How much the (cropped) source is scaled to make the box: the larger factor fills it
    (crop), the smaller fits it (includeAll). Below 1.0 the source has pixels to spare."""
    sx, sy = box[0] / source[0], box[1] / source[1]
    return max(sx, sy) if mode == "crop" else min(sx, sy)
