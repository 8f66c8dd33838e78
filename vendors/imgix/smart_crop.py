"""Where a cropping fit cuts (imgix ``crop``), as pure rules on Pillow images.

``fit=crop`` scales the image to cover the box and keeps one window of it; ``crop`` says
which. imgix's order of preference, with the values given: ``faces`` (never found here:
face detection needs a model this simulator does not have, so it always falls through, as
imgix does for an image without faces), then ``entropy`` (the window whose grey levels
carry the most Shannon information), then ``edges`` (the window with the most edge
energy), then the directions (``top``, ``bottom``, ``left``, ``right``), then the centre.

The smart modes measure a greyscale copy whose longest side is at most
:data:`ANALYSIS_SIDE` pixels and try at most :data:`MAX_CANDIDATES` window positions along
the axis being cropped, so their cost does not grow with the image. Equal scores go to the
window nearest the centre (a flat image crops as the default does).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from itertools import accumulate

from PIL import Image, ImageFilter, ImageOps

ANALYSIS_SIDE = 256
MAX_CANDIDATES = 64
Box = tuple[int, int, int, int]


def crop_window(image: Image.Image, size: tuple[int, int], crops: Collection[str]) -> Box:
    """The box of ``image`` that, scaled to ``size``, fills it without distortion, placed
    by ``crops`` (imgix ``crop`` values)."""
    w, h = size
    scale = max(w / image.width, h / image.height)
    width = max(1, min(image.width, round(w / scale)))
    height = max(1, min(image.height, round(h / scale)))
    free_x, free_y = image.width - width, image.height - height
    x = _directional(free_x, crops, "left", "right")
    y = _directional(free_y, crops, "top", "bottom")
    smart = "entropy" if "entropy" in crops else "edges" if "edges" in crops else None
    if smart is not None and (free_x or free_y):
        horizontal = free_x >= free_y  # only one axis has room (the other may have a pixel)
        best = _best_offset(image, (width, height), horizontal, smart)
        x, y = (best, y) if horizontal else (x, best)
    return x, y, x + width, y + height


def _directional(free: int, crops: Collection[str], start: str, end: str) -> int:
    if start in crops:
        return 0
    if end in crops:
        return free
    return free // 2


def _best_offset(image: Image.Image, window: tuple[int, int], horizontal: bool, mode: str) -> int:
    """The offset (in ``image`` pixels) of the best-scoring window along one axis."""
    grey = image.convert("L")
    factor = min(1.0, ANALYSIS_SIDE / max(grey.size))
    if factor < 1.0:
        grey = grey.resize(
            (max(1, round(grey.width * factor)), max(1, round(grey.height * factor))),
            Image.Resampling.BOX,
        )
    axis_length = grey.width if horizontal else grey.height
    span = max(1, min(axis_length, round((window[0] if horizontal else window[1]) * factor)))
    free = axis_length - span
    full_free = (image.width - window[0]) if horizontal else (image.height - window[1])
    if free <= 0:
        return full_free // 2
    score = (
        _entropy_scorer(grey, span, horizontal)
        if mode == "entropy"
        else _edge_scorer(grey, span, horizontal)
    )
    step = max(1, free // MAX_CANDIDATES)
    candidates = sorted(set(range(0, free + 1, step)) | {free})
    scores = {p: round(score(p), 9) for p in candidates}
    if len(set(scores.values())) == 1:  # nothing to choose between: the centre
        return full_free // 2
    centre = free / 2
    best = max(candidates, key=lambda p: (scores[p], -abs(p - centre)))
    return min(full_free, max(0, round(best / factor)))


def _entropy_scorer(grey: Image.Image, span: int, horizontal: bool) -> Callable[[int], float]:
    def score(position: int) -> float:
        box = (
            (position, 0, position + span, grey.height)
            if horizontal
            else (0, position, grey.width, position + span)
        )
        return grey.crop(box).entropy()

    return score


def _edge_scorer(grey: Image.Image, span: int, horizontal: bool) -> Callable[[int], float]:
    edges = grey.filter(ImageFilter.FIND_EDGES)
    if edges.width > 2 and edges.height > 2:
        # The filter leaves the outermost pixels unfiltered: they are not edges.
        edges = ImageOps.expand(edges.crop((1, 1, edges.width - 1, edges.height - 1)), 1, 0)
    # Mean edge strength of each column (or row), then running sums: a window's score is
    # one subtraction.
    profile = edges.resize(
        (edges.width, 1) if horizontal else (1, edges.height), Image.Resampling.BOX
    )
    totals = [0, *accumulate(profile.getdata())]

    def score(position: int) -> float:
        return float(totals[position + span] - totals[position])

    return score
