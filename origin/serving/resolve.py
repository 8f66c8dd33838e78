"""Resolution: from a client request, a pack and its location config to the variant to render.

Pure rules, no I/O (spec "Client: GET /api/v2/img/{imagePackId}", "Resolution" and
"Fallback"). Resolution runs in two steps so that a variant-cache hit never needs the
original: :func:`plan_variant` decides everything the pack and configs decide (this is
what the variant key encodes; what depends on the original stays ``None``/``"auto"``),
and :func:`render_spec` fills in the rest from the original's header, still without
decoding it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from common.errors import Unprocessable
from origin.imaging.spec import RenderSpec
from origin.models.documents import CropInfo, ImagePack, LocationConfig
from origin.serving.params import ClientRequest
from origin.settings import TenantSettings

AUTO_FORMAT = "auto"  # the original's own format, decided by render_spec
SOURCE_FORMATS = ("jpeg", "png", "webp")


@dataclass(frozen=True)
class Source:
    """The image a request is answered with: where it was found, and its crop."""

    location: str
    region: str | None
    image_id: str
    crop: tuple[float, float, float, float] | None  # left, top, right, bottom; 0.0–1.0


@dataclass(frozen=True)
class VariantPlan:
    """The effective parameters. ``width``/``height`` None: follows the source's aspect."""

    source: Source
    width: int | None
    height: int | None
    mode: str
    gravity: str
    crop: tuple[float, float, float, float] | None
    rounded_corners: int
    format: str  # a CONTENT_TYPES format, or AUTO_FORMAT
    # The parameter to name when a size derived from the original is over the limit.
    box_parameter: str = "location"


def pick_source(pack: ImagePack, chain: Iterable[str], region: str | None) -> Source | None:
    """The first location of ``chain`` (the requested one, then its fallbacks), then the
    pack's main location, that has an image: its region-specific image when ``region``
    has one there, else its default image. None when no location has one."""
    for name in [*chain, pack.main_image_location]:
        found = image_at(pack, name, region)
        if found is not None:
            return found
    return None


def image_at(pack: ImagePack, name: str, region: str | None) -> Source | None:
    """The image of location ``name`` itself: for ``region`` when it has one there, else
    the location's default image; None when the location has neither."""
    location = pack.image_locations.get(name)
    if location is None:
        return None
    regional = location.regions.get(region) if region else None
    if regional is not None and regional.image_id:
        # A region's original is its own image: the location's crop was drawn on another one.
        return Source(name, region, regional.image_id, _rect(regional.crop_info))
    if location.image_id:
        return Source(name, None, location.image_id, _rect(location.crop_info))
    return None


def next_fallback(config: LocationConfig | None, seen: Iterable[str]) -> str | None:
    """The next location of a fallback chain, None at its end. Chains are loop-free by
    construction; a loop that got into storage anyway ends the chain instead of hanging."""
    if config is None or config.fallback is None or config.fallback in set(seen):
        return None
    return config.fallback


def plan_variant(
    request: ClientRequest,
    pack: ImagePack,
    location: str,
    config: LocationConfig | None,
    source: Source,
    tenant: TenantSettings,
    max_dimension: int,
) -> VariantPlan:
    """Steps 1–6 of the spec's resolution for the requested ``location`` (whose config is
    ``config``; None only for a defaulted location that has none)."""
    width, height, box_parameter = _box(
        request.width, request.height, request.location_ratio, config, max_dimension
    )
    overrides = pack.image_locations.get(location)
    include_all = _first_set(
        overrides.use_resize_include_all if overrides else None,
        pack.use_resize_include_all,
        config.use_resize_include_all if config else None,
        tenant.use_resize_include_all,
    )
    mode = {"TRUE": "includeAll", "FALSE": "crop"}.get(
        include_all or "", request.resize_mode or "crop"
    )
    gravity = request.resize_gravity or _first_set(
        overrides.resize_gravity if overrides else None,
        pack.resize_gravity,
        config.resize_gravity if config else None,
        tenant.resize_gravity,
    )
    needs_alpha = mode == "includeAll" or request.rounded_corners > 0
    return VariantPlan(
        source=source,
        width=width,
        height=height,
        mode=mode,
        gravity=gravity or "center",
        crop=None if request.skip_crop else source.crop,
        rounded_corners=request.rounded_corners,
        format=request.format or ("png" if needs_alpha else AUTO_FORMAT),
        box_parameter=box_parameter,
    )


def render_spec(
    plan: VariantPlan,
    source_size: tuple[int, int],
    source_format: str,
    max_dimension: int,
    max_pixels: int,
) -> RenderSpec:
    """The complete render for ``plan`` given the original's displayed size and format
    (read from its header); a derived size over ``max_dimension``, or an output of more
    than ``max_pixels``, is refused here, before any decoding."""
    left, top, right, bottom = plan.crop or (0.0, 0.0, 1.0, 1.0)
    source_w = max(1e-9, source_size[0] * (right - left))
    source_h = max(1e-9, source_size[1] * (bottom - top))
    width, height = plan.width, plan.height
    if width is None and height is None:
        # No box anywhere (a defaulted location without a config): the source's own
        # size, shrunk to fit the limit rather than refusing a request that set nothing.
        scale = min(1.0, max_dimension / max(source_w, source_h))
        width, height = max(1, round(source_w * scale)), max(1, round(source_h * scale))
        if width * height > max_pixels:  # shrunk to the pixel budget too, rounding down
            scale = (max_pixels / (source_w * source_h)) ** 0.5
            width, height = max(1, int(source_w * scale)), max(1, int(source_h * scale))
    elif width is None:
        width = max(1, round(height * source_w / source_h))  # type: ignore[operator]
    elif height is None:
        height = max(1, round(width * source_h / source_w))
    if width > max_dimension or height > max_dimension:  # type: ignore[operator]
        raise Unprocessable(
            f"{plan.box_parameter}: the output would be {width}x{height}, over the limit of {max_dimension}",
            code="output_too_large",
            parameter=plan.box_parameter,
        )
    if width * height > max_pixels:  # type: ignore[operator]
        raise Unprocessable(
            f"{plan.box_parameter}: the output would be {width}x{height}, "
            f"over the limit of {max_pixels} pixels",
            code="invalid_parameter",
            parameter=plan.box_parameter,
        )
    fmt = (
        plan.format
        if plan.format != AUTO_FORMAT
        else (source_format if source_format in SOURCE_FORMATS else "jpeg")
    )
    return RenderSpec(
        width=width,
        height=height,
        mode=plan.mode,  # type: ignore[arg-type]
        gravity=plan.gravity,
        crop=plan.crop,
        rounded_corners=plan.rounded_corners,
        format=fmt,  # type: ignore[arg-type]
    )


def _box(
    width: int | None,
    height: int | None,
    location_ratio: bool,
    config: LocationConfig | None,
    max_dimension: int,
) -> tuple[int | None, int | None, str]:
    if width is not None and height is not None:
        return width, height, "width"
    if width is not None or height is not None:
        given = "width" if width is not None else "height"
        if not (location_ratio and config and config.width and config.height):
            return width, height, given
        ratio = config.height / config.width
        if width is not None:
            height = max(1, round(width * ratio))
        elif height is not None:
            width = max(1, round(height / ratio))
        if max(width or 0, height or 0) > max_dimension:
            raise Unprocessable(
                f"{given}: with the location's ratio the output would be {width}x{height}, over {max_dimension}",
                code="output_too_large",
                parameter=given,
            )
        return width, height, given
    if config is None:
        return None, None, "location"
    if max(config.width or 0, config.height or 0) > max_dimension:
        raise Unprocessable(
            f"location: the configured box of {config.name!r} is over the limit of {max_dimension}",
            code="output_too_large",
            parameter="location",
        )
    return config.width, config.height, "location"


def _first_set(*values: str | None) -> str | None:
    """The first value that is neither absent nor ``UNSET``."""
    for value in values:
        if value and value != "UNSET":
            return value
    return None


def _rect(crop: CropInfo | None) -> tuple[float, float, float, float] | None:
    if crop is None:
        return None
    return (crop.top_left_x, crop.top_left_y, crop.bottom_right_x, crop.bottom_right_y)
