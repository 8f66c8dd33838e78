"""Layers over the rendered image: ``mark`` (a watermark) and ``blend`` (an image or a
colour mixed in by ``blend-mode``), as pure functions from images and parameters to image.

Blend parameters, as imgix documents them: a colour (``blend`` as hex, or ``blend-color``)
covers the whole image; an image layer keeps its own size unless ``blend-w``/``blend-h``
(pixels, or a fraction ≤ 1 of the base) size it by ``blend-fit`` (clip by default, clamp,
crop with ``blend-crop``, max, scale) or ``blend-size=inherit`` gives it the base's box,
fit and crop; it is placed by ``blend-align`` (default middle,center) ``blend-pad`` pixels
from the edges, or at ``blend-x``/``blend-y`` (pixels from the left/top, which win over
align and pad on their axis); ``blend-alpha`` (0–100) fades it; ``blend-mode`` (default
overlay) mixes it.
"""

from __future__ import annotations

from collections.abc import Mapping

from PIL import Image

from vendors.imgix.blend_modes import DEFAULT_MODE, mix
from vendors.imgix.params import colour_rgba
from vendors.imgix.sizing import crops_of, resize


def place(base: tuple[int, int], size: tuple[int, int], align: str, pad: int) -> tuple[int, int]:
    """Top-left corner of a ``size`` layer aligned on a ``base`` canvas, ``pad`` from the edges."""
    aligns = set(align.split(","))
    bw, bh = base
    w, h = size
    x = pad if "left" in aligns else bw - w - pad if "right" in aligns else (bw - w) // 2
    y = pad if "top" in aligns else bh - h - pad if "bottom" in aligns else (bh - h) // 2
    return x, y


def _fade(layer: Image.Image, alpha: int) -> Image.Image:
    if alpha < 100:
        layer.putalpha(layer.getchannel("A").point(lambda a: a * alpha // 100))
    return layer


def mark(image: Image.Image, sub: Image.Image, params: Mapping[str, str]) -> Image.Image:
    """Watermark ``sub`` on ``image``: ``mark-w`` (pixels or fraction), ``mark-align``
    (default bottom,right), ``mark-pad`` (default 5), ``mark-alpha`` (0–100)."""
    sub = sub.convert("RGBA")
    if "mark-w" in params:
        value = float(params["mark-w"])
        width = max(1, round(value * image.width if value <= 1 else value))
        sub = sub.resize(
            (width, max(1, round(width * sub.height / sub.width))), Image.Resampling.LANCZOS
        )
    sub = _fade(sub, int(params.get("mark-alpha", "100")))
    base = image.convert("RGBA")
    where = place(
        base.size,
        sub.size,
        params.get("mark-align", "bottom,right"),
        int(params.get("mark-pad", "5")),
    )
    base.alpha_composite(
        sub, (max(where[0], 0), max(where[1], 0)) if sub.width <= base.width else (0, 0)
    )
    return base


def blend_layer(
    base_size: tuple[int, int], sub: Image.Image | str, params: Mapping[str, str]
) -> Image.Image:
    """The blend layer as an RGBA image the size of the base: the colour everywhere, or the
    sized and placed sub-image on a transparent canvas."""
    if isinstance(sub, str):
        return Image.new("RGBA", base_size, colour_rgba(sub))
    top = _sized(sub.convert("RGBA"), base_size, params)
    align = params.get("blend-align", "middle,center")
    x, y = place(base_size, top.size, align, int(params.get("blend-pad", "0")))
    x = int(params["blend-x"]) if "blend-x" in params else x
    y = int(params["blend-y"]) if "blend-y" in params else y
    layer = Image.new("RGBA", base_size, (0, 0, 0, 0))
    layer.paste(top, (x, y))  # Pillow clips whatever falls outside the canvas
    return layer


def _sized(top: Image.Image, base_size: tuple[int, int], params: Mapping[str, str]) -> Image.Image:
    if params.get("blend-size") == "inherit":
        return resize(top, base_size[0], base_size[1], params.get("fit", "clip"), crops_of(params))
    box: list[int | None] = []
    for name, full in (("blend-w", base_size[0]), ("blend-h", base_size[1])):
        value = float(params[name]) if name in params else None
        box.append(None if value is None else max(1, round(value * full if value <= 1 else value)))
    mode = params.get("blend-fit", "clip")
    return resize(top, box[0], box[1], mode, crops_of(params, "blend-crop"))


def blend(
    image: Image.Image,
    sub: Image.Image | str,
    params: Mapping[str, str],
    layer: Image.Image | None = None,
) -> Image.Image:
    """``sub`` (an image, or a hex colour) blended over ``image`` by ``blend-mode``, where
    the layer is, with the layer's own alpha times ``blend-alpha``; ``layer`` is
    :func:`blend_layer`'s result when the caller made it already (once per animation)."""
    base = image.convert("RGBA")
    layer = layer if layer is not None else blend_layer(base.size, sub, params)
    mixed = mix(base, layer, params.get("blend-mode", DEFAULT_MODE)).convert("RGBA")
    mixed.putalpha(layer.getchannel("A"))
    base.alpha_composite(_fade(mixed, int(params.get("blend-alpha", "100"))))
    return base
