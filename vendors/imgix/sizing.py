"""Sizing an image to a box by an imgix fit mode (``fit``, and ``blend-fit`` for blend
layers): pure functions from image and parameters to image."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from PIL import Image

from vendors.imgix.params import MAX_DIMENSION, colour_rgba
from vendors.imgix.smart_crop import Box, crop_window

_LANCZOS = Image.Resampling.LANCZOS


def target_box(width: int, height: int, params: Mapping[str, str]) -> tuple[int | None, int | None]:
    """Requested width and height in pixels (fractions of the source, times ``dpr``)."""
    dpr = float(params.get("dpr", "1"))
    out: list[int | None] = []
    for name, full in (("w", width), ("h", height)):
        raw = params.get(name)
        if raw is None:
            out.append(None)
            continue
        value = float(raw)
        pixels = value * full if value <= 1 else value
        out.append(max(1, min(MAX_DIMENSION, round(pixels * dpr))))
    return out[0], out[1]


def crop_size(image: Image.Image, params: Mapping[str, str]) -> tuple[int, int] | None:
    """The output size when ``params`` make the fit cut a window out of ``image``
    (``fit=crop``, or ``fit=min`` with both sides given), else None."""
    w, h = target_box(image.width, image.height, params)
    mode = params.get("fit", "clip")
    if w is None or h is None or mode not in ("crop", "min"):
        return None
    if mode == "min" and (w > image.width or h > image.height):
        scale = min(image.width / w, image.height / h, 1.0)
        w, h = max(1, round(w * scale)), max(1, round(h * scale))
    return w, h


def crops_of(params: Mapping[str, str], name: str = "crop") -> set[str]:
    return {c for c in params.get(name, "").split(",") if c}


def fit(image: Image.Image, params: Mapping[str, str], window: Box | None = None) -> Image.Image:
    """Resize by ``fit``: clip (within the box), max (clip, never enlarge), crop (fill the box
    and cut where ``crop`` says, or at ``window`` when it was chosen already), min (crop,
    never enlarge), scale (distort), fill (within, padded with ``bg``)."""
    cut = crop_size(image, params)
    if cut is not None:
        box = window or crop_window(image, cut, crops_of(params))
        return image.resize(cut, _LANCZOS, box=box)
    w, h = target_box(image.width, image.height, params)
    if w is None and h is None:
        return image
    mode = params.get("fit", "clip")
    if mode in ("crop", "min"):  # one side only: nothing to cut
        mode = "max" if mode == "min" else "clip"
    if mode == "fill" and w is not None and h is not None:
        resized = resize(image, w, h, "clip")
        canvas = Image.new("RGBA", (w, h), colour_rgba(params.get("bg", "fff")))
        canvas.paste(resized.convert("RGBA"), ((w - resized.width) // 2, (h - resized.height) // 2))
        return canvas
    return resize(image, w, h, "clip" if mode == "fill" else mode)


def resize(
    image: Image.Image, w: int | None, h: int | None, mode: str, crops: Collection[str] = ()
) -> Image.Image:
    """``image`` sized to a box of ``w`` × ``h`` pixels (either may be None: the aspect ratio
    decides it) by clip, max, crop, scale or clamp (clip, then the edge pixels stretched to
    fill the box)."""
    ratio = image.width / image.height
    if w is None or h is None:
        if w is None and h is None:
            return image
        w, h = (w, max(1, round(w / ratio))) if w is not None else (max(1, round(h * ratio)), h)  # type: ignore[operator]
        if mode == "max" and w > image.width:
            return image
        return image.resize((w, h), _LANCZOS)
    if mode == "scale":
        return image.resize((w, h), _LANCZOS)
    if mode == "crop":
        return image.resize((w, h), _LANCZOS, box=crop_window(image, (w, h), crops))
    scale = min(w / image.width, h / image.height)
    if mode == "max":
        scale = min(scale, 1.0)
    inner = image.resize(
        (max(1, round(image.width * scale)), max(1, round(image.height * scale))), _LANCZOS
    )
    return _clamp(inner, (w, h)) if mode == "clamp" else inner


def _clamp(inner: Image.Image, size: tuple[int, int]) -> Image.Image:
    """``inner`` centred in ``size`` with its outermost rows and columns stretched outwards."""
    w, h = size
    x0, y0 = (w - inner.width) // 2, (h - inner.height) // 2
    canvas = Image.new(inner.mode, size)
    canvas.paste(inner, (x0, y0))
    right = w - x0 - inner.width
    if x0 > 0:
        canvas.paste(inner.crop((0, 0, 1, inner.height)).resize((x0, inner.height)), (0, y0))
    if right > 0:
        edge = inner.crop((inner.width - 1, 0, inner.width, inner.height))
        canvas.paste(edge.resize((right, inner.height)), (x0 + inner.width, y0))
    bottom = h - y0 - inner.height
    if y0 > 0:
        canvas.paste(canvas.crop((0, y0, w, y0 + 1)).resize((w, y0)), (0, 0))
    if bottom > 0:
        row = canvas.crop((0, y0 + inner.height - 1, w, y0 + inner.height))
        canvas.paste(row.resize((w, bottom)), (0, y0 + inner.height))
    return canvas
