"""A policy applied to a decoded image: the transformations, the breakpoint width, then
the post-breakpoint transformations. Variable references are resolved as each
transformation runs; composite layers were fetched beforehand (see
:func:`vendors.akamai.composite_sources.composite_urls`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PIL import Image

from vendors.akamai import ops_color, ops_composite, ops_geometry
from vendors.akamai.composite_sources import image_of
from vendors.akamai.delivery import breakpoints
from vendors.akamai.ops_geometry import TransformError
from vendors.akamai.schema import COMPOSITE_IMAGE_SPEC, TRANSFORMATIONS_SPEC
from vendors.akamai.variables import resolve

Transformation = Mapping[str, Any]


@dataclass(frozen=True)
class RenderInputs:
    values: Mapping[str, str]  # every variable's value for this request
    layers: Mapping[str, Image.Image]  # composite URL → decoded RGBA layer


def params(t: Transformation, inputs: RenderInputs) -> dict[str, Any]:
    """The transformation's scalar members with variables resolved (nested ones as they are)."""
    spec = TRANSFORMATIONS_SPEC[t["transformation"]]
    return {
        name: value if spec[name].nested else resolve(spec[name], value, inputs.values)
        for name, value in t.items()
        if name != "transformation"
    }


def _composite(image: Image.Image, p: dict[str, Any], inputs: RenderInputs) -> Image.Image:
    image_member = image_of(p["image"])
    url = resolve(COMPOSITE_IMAGE_SPEC["url"], image_member["url"], inputs.values)
    layer = inputs.layers.get(url)
    if layer is None:
        raise TransformError(f"the composite image {url!r} was not fetched")
    if "transformation" in image_member:
        layer = apply(layer, image_member["transformation"], inputs)
    return ops_composite.composite(
        image, layer, x=p.get("xPosition", 0), y=p.get("yPosition", 0),
        gravity=p.get("gravity", "NorthWest"), placement=p.get("placement", "Over"),
        scale=p.get("scale"), scale_dimension=p.get("scaleDimension", "width"),
    )  # fmt: skip


def _fit_and_fill(image: Image.Image, p: dict[str, Any], inputs: RenderInputs) -> Image.Image:
    width, height = p["width"], p["height"]
    backdrop = ops_geometry.cover(image, width, height)
    if "fillTransformation" in p:
        filled = apply(backdrop, p["fillTransformation"], inputs)
        if filled.width >= width and filled.height >= height:
            # a fill that grew the canvas (a Blur scatters past the edges): its centre
            backdrop = ops_geometry.crop(filled, width, height, 0, 0, "Center")
        else:
            backdrop = ops_geometry.resize_to(filled, (width, height))
    fitted = ops_geometry.resize(image, width, height, "fit")
    return ops_composite.composite(backdrop, fitted, gravity="Center")


def _if_dimension(image: Image.Image, p: dict[str, Any], inputs: RenderInputs) -> Image.Image:
    dimension, value = p.get("dimension", "width"), p["value"]
    sides = {"width": (image.width,), "height": (image.height,), "both": image.size}[dimension]
    if all(side > value for side in sides):
        branch = p.get("greaterThan")
    elif all(side < value for side in sides):
        branch = p.get("lessThan")
    elif all(side == value for side in sides):
        branch = p.get("equal")
    else:
        branch = None
    branch = branch or p.get("default")
    return apply(image, branch, inputs) if branch else image


def _if_orientation(image: Image.Image, p: dict[str, Any], inputs: RenderInputs) -> Image.Image:
    w, h = image.size
    orientation = "landscape" if w > h else "portrait" if h > w else "square"
    branch = p.get(orientation) or p.get("default")
    return apply(image, branch, inputs) if branch else image


Op = Callable[[Image.Image, dict[str, Any], RenderInputs], Image.Image]
OPS: dict[str, Op] = {
    "BackgroundColor": lambda im, p, _: ops_color.background_color(im, p["color"]),
    "Blur": lambda im, p, _: ops_color.blur(im, p.get("sigma", 1.0)),
    "Composite": _composite,
    "Compound": lambda im, p, inputs: apply_all(im, p["transformations"], inputs),
    "Crop": lambda im, p, _: ops_geometry.crop(
        im,
        p["width"],
        p["height"],
        p.get("xPosition", 0),
        p.get("yPosition", 0),
        p.get("gravity", "NorthWest"),
        p.get("allowExpansion", False),
    ),
    "FitAndFill": _fit_and_fill,
    "Grayscale": lambda im, p, _: ops_color.grayscale(im, p.get("type", "Rec709")),
    "HSL": lambda im, p, _: ops_color.hsl(
        im, p.get("hue", 0.0), p.get("saturation", 1.0), p.get("lightness", 1.0)
    ),
    "MaxColors": lambda im, p, _: ops_color.max_colors(im, p["colors"]),
    "Opacity": lambda im, p, _: ops_color.opacity(im, p["opacity"]),
    "Resize": lambda im, p, _: ops_geometry.resize(
        im, p.get("width"), p.get("height"), p.get("aspect", "fit"), p.get("type", "normal")
    ),
    "Rotate": lambda im, p, _: ops_geometry.rotate(im, p["degrees"]),
    "Scale": lambda im, p, _: ops_geometry.scale(im, p.get("width", 1.0), p.get("height", 1.0)),
    "Shear": lambda im, p, _: ops_geometry.shear(im, p.get("xShear", 0.0), p.get("yShear", 0.0)),
    "Trim": lambda im, p, _: ops_geometry.trim(im, p.get("fuzz", 0.08), p.get("padding", 0)),
    "UnsharpMask": lambda im, p, _: ops_color.unsharp_mask(
        im, p.get("gain", 1.0), p.get("sigma", 1.0), p.get("threshold", 0.05)
    ),
    "IfDimension": _if_dimension,
    "IfOrientation": _if_orientation,
}
assert set(OPS) == set(TRANSFORMATIONS_SPEC), "every documented transformation has an operation"


def apply(image: Image.Image, t: Transformation, inputs: RenderInputs) -> Image.Image:
    out = OPS[t["transformation"]](image, params(t, inputs), inputs)
    return out if out.mode == "RGBA" else out.convert("RGBA")


def apply_all(
    image: Image.Image, ts: Sequence[Transformation], inputs: RenderInputs
) -> Image.Image:
    for t in ts:
        image = apply(image, t, inputs)
    return image


def apply_policy(
    image: Image.Image, policy: Mapping[str, Any], width: int, inputs: RenderInputs
) -> Image.Image:
    """Transformations, then the breakpoint (never enlarging; ``0``: the largest breakpoint
    caps the width), then postBreakpointTransformations."""
    image = apply_all(image.convert("RGBA"), policy.get("transformations", ()), inputs)
    limit = width or max(breakpoints(policy))
    if image.width > limit:
        image = ops_geometry.resize(image, limit, None)
    return apply_all(image, policy.get("postBreakpointTransformations", ()), inputs)
