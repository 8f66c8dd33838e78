"""Pillow operations for imgix parameters: each a small function from image and parameters
to image; :func:`render` composes them. CPU work: call it off the event loop."""

from __future__ import annotations

import io
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageOps, UnidentifiedImageError

from edge.imgix.params import MAX_DIMENSION, colour_rgba

MAX_PIXELS = 50_000_000
CONTENT_TYPES = {"jpg": "image/jpeg", "pjpg": "image/jpeg", "png": "image/png", "gif": "image/gif",
                 "webp": "image/webp", "avif": "image/avif"}
_FROM_PILLOW = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp", "AVIF": "avif"}
_DECODE_ERRORS = (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning,
                  OSError, SyntaxError, ValueError)


class UndecodableImage(ValueError):
    """Bytes that are not an image Pillow can decode safely."""


@dataclass(frozen=True)
class Rendered:
    body: bytes
    content_type: str
    width: int
    height: int


def decode(data: bytes) -> Image.Image:
    """A fully decoded image, refusing bombs and truncated or foreign files."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    raise UndecodableImage(f"{probe.width}x{probe.height} is too many pixels")
                probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
    except _DECODE_ERRORS as exc:
        raise UndecodableImage(f"not a decodable image: {exc}") from None
    return image


def source_format(image: Image.Image) -> str:
    return _FROM_PILLOW.get(image.format or "", "png")


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


def fit(image: Image.Image, params: Mapping[str, str]) -> Image.Image:
    """Resize by ``fit``: clip (within the box), max (clip, never enlarge), crop (fill the box
    and cut), min (crop, never enlarge), scale (distort), fill (within, padded with ``bg``)."""
    w, h = target_box(image.width, image.height, params)
    if w is None and h is None:
        return image
    mode = params.get("fit", "clip")
    ratio = image.width / image.height
    if w is None or h is None:  # one side given: keep the aspect ratio
        w, h = (w, max(1, round(w / ratio))) if w is not None else (max(1, round(h * ratio)), h)  # type: ignore[operator]
        if mode in ("max", "min") and w > image.width:
            return image
        return image.resize((w, h), Image.Resampling.LANCZOS)
    if mode == "scale":
        return image.resize((w, h), Image.Resampling.LANCZOS)
    if mode in ("crop", "min"):
        if mode == "min" and (w > image.width or h > image.height):
            scale = min(image.width / w, image.height / h, 1.0)
            w, h = max(1, round(w * scale)), max(1, round(h * scale))
        return ImageOps.fit(image, (w, h), Image.Resampling.LANCZOS, centering=_centering(params))
    scale = min(w / image.width, h / image.height)
    if mode == "max":
        scale = min(scale, 1.0)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    resized = image.resize(size, Image.Resampling.LANCZOS)
    if mode != "fill":
        return resized
    canvas = Image.new("RGBA", (w, h), colour_rgba(params.get("bg", "fff")))
    canvas.paste(resized.convert("RGBA"), ((w - size[0]) // 2, (h - size[1]) // 2))
    return canvas


def _centering(params: Mapping[str, str]) -> tuple[float, float]:
    crops = set(params.get("crop", "").split(","))
    x = 0.0 if "left" in crops else 1.0 if "right" in crops else 0.5
    y = 0.0 if "top" in crops else 1.0 if "bottom" in crops else 0.5
    return x, y


def _place(base: tuple[int, int], size: tuple[int, int], align: str, pad: int) -> tuple[int, int]:
    aligns = set(align.split(","))
    bw, bh = base
    w, h = size
    x = pad if "left" in aligns else bw - w - pad if "right" in aligns else (bw - w) // 2
    y = pad if "top" in aligns else bh - h - pad if "bottom" in aligns else (bh - h) // 2
    return x, y


def mark(image: Image.Image, sub: Image.Image, params: Mapping[str, str]) -> Image.Image:
    """Watermark ``sub`` on ``image``: ``mark-w`` (pixels or fraction), ``mark-align``
    (default bottom,right), ``mark-pad`` (default 5), ``mark-alpha`` (0–100)."""
    sub = sub.convert("RGBA")
    if "mark-w" in params:
        value = float(params["mark-w"])
        width = max(1, round(value * image.width if value <= 1 else value))
        sub = sub.resize((width, max(1, round(width * sub.height / sub.width))), Image.Resampling.LANCZOS)
    alpha = int(params.get("mark-alpha", "100"))
    if alpha < 100:
        sub.putalpha(sub.getchannel("A").point(lambda a: a * alpha // 100))
    base = image.convert("RGBA")
    where = _place(base.size, sub.size, params.get("mark-align", "bottom,right"), int(params.get("mark-pad", "5")))
    base.alpha_composite(sub, (max(where[0], 0), max(where[1], 0)) if sub.width <= base.width else (0, 0))
    return base


_BLENDS = {"multiply": ImageChops.multiply, "screen": ImageChops.screen, "darken": ImageChops.darker,
           "lighten": ImageChops.lighter, "difference": ImageChops.difference, "overlay": ImageChops.overlay}


def blend(image: Image.Image, sub: Image.Image | str, params: Mapping[str, str]) -> Image.Image:
    """Blend a sub-image (or a hex colour) over ``image`` with ``blend-mode`` and ``blend-alpha``;
    a sub-image covers the whole image unless ``blend-w`` sizes it (placed by ``blend-align``)."""
    base = image.convert("RGBA")
    if isinstance(sub, str):
        layer = Image.new("RGBA", base.size, colour_rgba(sub))
    else:
        layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
        top = sub.convert("RGBA")
        if "blend-w" in params:
            value = float(params["blend-w"])
            width = max(1, round(value * base.width if value <= 1 else value))
            top = top.resize((width, max(1, round(width * top.height / top.width))))
        else:
            top = top.resize(base.size)
        layer.paste(top, _place(base.size, top.size, params.get("blend-align", "middle,center"), 0))
    mode = params.get("blend-mode", "normal")
    mixed = layer if mode == "normal" else _BLENDS[mode](base.convert("RGB"), layer.convert("RGB")).convert("RGBA")
    mixed.putalpha(layer.getchannel("A"))
    alpha = int(params.get("blend-alpha", "100"))
    if alpha < 100:
        mixed.putalpha(mixed.getchannel("A").point(lambda a: a * alpha // 100))
    base.alpha_composite(mixed)
    return base


def encode(image: Image.Image, params: Mapping[str, str], original: str) -> Rendered:
    """Encode in ``fm`` (else the source's format); ``q`` (default 75, 45 with auto=compress)."""
    fmt = params.get("fm", original)
    compress = "compress" in params.get("auto", "").split(",")
    quality = int(params.get("q", "45" if compress else "75"))
    out = io.BytesIO()
    if fmt in ("jpg", "pjpg"):
        background = Image.new("RGB", image.size, colour_rgba(params.get("bg", "fff"))[:3])
        if image.mode in ("RGBA", "LA", "P"):
            rgba = image.convert("RGBA")
            background.paste(rgba, mask=rgba.getchannel("A"))
        else:
            background.paste(image.convert("RGB"))
        background.save(out, "JPEG", quality=quality, progressive=fmt == "pjpg", optimize=compress)
    elif fmt == "png":
        image.save(out, "PNG", optimize=compress)
    elif fmt == "gif":
        image.convert("RGBA").save(out, "GIF")
    elif fmt == "webp":
        image.save(out, "WEBP", quality=quality)
    else:
        image.save(out, "AVIF", quality=quality)
    return Rendered(out.getvalue(), CONTENT_TYPES[fmt], image.width, image.height)


def render(data: bytes, params: Mapping[str, str], mark_data: bytes | None = None,
           blend_data: bytes | str | None = None) -> Rendered:
    """The whole pipeline: decode, fit, blend, mark, encode."""
    image = decode(data)
    original = source_format(image)
    image = ImageOps.exif_transpose(image) or image
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if "transparency" in image.info or image.mode == "P" else "RGB")
    image = fit(image, params)
    if blend_data is not None:
        image = blend(image, blend_data if isinstance(blend_data, str) else decode(blend_data), params)
    if mark_data is not None:
        image = mark(image, decode(mark_data), params)
    return encode(image, params, original)
