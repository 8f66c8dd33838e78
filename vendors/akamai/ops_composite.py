"""Composite: another image over or under the one being transformed."""

from __future__ import annotations

from PIL import Image

from vendors.akamai.ops_geometry import anchor, resize

TRANSPARENT = (0, 0, 0, 0)


def composite(
    image: Image.Image,
    layer: Image.Image,
    *,
    x: int = 0,
    y: int = 0,
    gravity: str = "NorthWest",
    placement: str = "Over",
    scale: float | None = None,
    scale_dimension: str = "width",
) -> Image.Image:
    """``layer`` placed at ``gravity`` + offsets, over (the default) or under ``image``;
    ``scale`` sizes the layer as a multiple of the image's width (or height)."""
    if scale is not None:
        if scale_dimension == "height":
            layer = resize(layer, None, max(1, round(image.height * scale)))
        else:
            layer = resize(layer, max(1, round(image.width * scale)), None)
    position = anchor(gravity, image.size, layer.size, x, y)
    placed = Image.new("RGBA", image.size, TRANSPARENT)
    placed.paste(layer, position)  # clips what falls outside the canvas
    if placement == "Under":
        return Image.alpha_composite(placed, image)
    return Image.alpha_composite(image, placed)
