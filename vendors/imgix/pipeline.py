"""Pillow operations for imgix parameters: each a small function from image and parameters
to image; :func:`render` composes them. CPU work: call it off the event loop."""

from __future__ import annotations

import io
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from vendors.imgix import animation
from vendors.imgix.layers import blend, blend_layer, mark
from vendors.imgix.params import colour_rgba
from vendors.imgix.sizing import crop_size, crops_of, fit
from vendors.imgix.smart_crop import crop_window

MAX_PIXELS = 50_000_000
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "pjpg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "avif": "image/avif",
}
_FROM_PILLOW = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp", "AVIF": "avif"}
_DECODE_ERRORS = (
    UnidentifiedImageError,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
    OSError,
    SyntaxError,
    ValueError,
)


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


def quality_of(params: Mapping[str, str]) -> int:
    """``q``, else 45 with ``auto=compress``, else 75."""
    compress = "compress" in params.get("auto", "").split(",")
    return int(params.get("q", "45" if compress else "75"))


def encode(image: Image.Image, params: Mapping[str, str], original: str) -> Rendered:
    """Encode in ``fm`` (else the source's format); ``q`` (default 75, 45 with auto=compress)."""
    fmt = params.get("fm", original)
    compress = "compress" in params.get("auto", "").split(",")
    quality = quality_of(params)
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


def render(
    data: bytes,
    params: Mapping[str, str],
    mark_data: bytes | None = None,
    blend_data: bytes | str | None = None,
) -> Rendered:
    """The whole pipeline: decode, fit, blend, mark, encode; every frame of an animation
    when the output keeps it (see :mod:`vendors.imgix.animation`)."""
    image = decode(data)
    original = source_format(image)
    fmt = params.get("fm", original)
    layers = _Layers(params, mark_data, blend_data)
    if animation.keeps_animation(image, fmt):
        return _render_animation(image, params, layers, fmt)
    return encode(layers.apply(fit(_upright(image), params)), params, original)


def _upright(image: Image.Image) -> Image.Image:
    image = ImageOps.exif_transpose(image) or image
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert(
            "RGBA" if "transparency" in image.info or image.mode == "P" else "RGB"
        )
    return image


class _Layers:
    """The blend and mark layers of one render, decoded once for every frame."""

    def __init__(
        self, params: Mapping[str, str], mark_data: bytes | None, blend_data: bytes | str | None
    ) -> None:
        self.params = params
        self.mark = decode(mark_data) if mark_data is not None else None
        blend_with: Image.Image | str | None = None
        if isinstance(blend_data, bytes):
            blend_with = decode(blend_data)
        elif isinstance(blend_data, str):
            blend_with = blend_data
        else:  # a colour: ``blend`` as hex, or ``blend-color`` when there is no ``blend``
            ref = params.get("blend")
            colour = ref if ref is not None and not ref.startswith(("/", "http")) else None
            blend_with = colour if ref is not None else params.get("blend-color")
        self.blend = blend_with
        self._layer: Image.Image | None = None  # every frame is the same size: sized once

    def apply(self, image: Image.Image) -> Image.Image:
        if self.blend is not None:
            if self._layer is None or self._layer.size != image.size:
                self._layer = blend_layer(image.size, self.blend, self.params)
            image = blend(image, self.blend, self.params, self._layer)
        if self.mark is not None:
            image = mark(image, self.mark, self.params)
        return image


def _render_animation(
    image: Image.Image, params: Mapping[str, str], layers: _Layers, fmt: str
) -> Rendered:
    animation.check_source(image)
    count = animation.frame_count(image)
    loop = animation.loop_of(image)
    out: list[Image.Image] = []
    durations: list[int] = []
    window = None
    try:
        for frame, duration in animation.frames(image):
            if not out:
                cut = crop_size(frame, params)
                window = crop_window(frame, cut, crops_of(params)) if cut is not None else None
            sized = fit(frame, params, window)
            if not out:  # every frame comes out this size
                animation.check_output(count, sized.size)
            out.append(layers.apply(sized))
            durations.append(duration)
    except (OSError, SyntaxError, EOFError) as exc:  # a frame past the first is broken
        raise UndecodableImage(f"not a decodable animation: {exc}") from None
    quality = quality_of(params)
    body = animation.encode(out, animation.Timing(durations, loop), fmt, quality)
    return Rendered(body, CONTENT_TYPES[fmt], out[0].width, out[0].height)
