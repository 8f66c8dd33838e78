"""Pillow operations for imgix parameters: each a small function from image and parameters
to image; :func:`render` composes them. Decoding and encoding are the imaging core's
(:mod:`imaging`): here, imgix's names and defaults for them. CPU work: call it off the
event loop."""

from __future__ import annotations

import time
from collections.abc import Mapping

from PIL import Image

from imaging.decoding import decode, load_image, upright
from imaging.encoding import encode, encode_animation
from imaging.formats import Format, format_of
from imaging.frames import decoded_frames, frame_count, loop_count
from imaging.rendered import Rendered
from vendors.imgix import animation
from vendors.imgix.layers import blend, blend_layer, mark
from vendors.imgix.params import FM_FORMATS, colour_rgba
from vendors.imgix.sizing import crop_size, crops_of, fit
from vendors.imgix.smart_crop import crop_window

MAX_PIXELS = 50_000_000
# The ``fm`` that keeps a source's own format.
_FM_OF_SOURCE: dict[Format | None, str] = {
    fmt: fm for fm, fmt in FM_FORMATS.items() if fm != "pjpg"
}


def source_format(image: Image.Image) -> str:
    """The ``fm`` that keeps the source's own format (PNG for any format imgix does not write)."""
    return _FM_OF_SOURCE.get(format_of(image.format), "png")


def quality_of(params: Mapping[str, str]) -> int:
    """``q``, else 45 with ``auto=compress``, else 75."""
    compress = "compress" in params.get("auto", "").split(",")
    return int(params.get("q", "45" if compress else "75"))


def encode_still(image: Image.Image, params: Mapping[str, str], fm: str) -> bytes:
    """``image`` in ``fm`` at ``q``; ``auto=compress`` optimises JPEG and PNG; JPEG
    flattens transparency onto ``bg`` (default white)."""
    return encode(
        image,
        FM_FORMATS[fm],
        quality_of(params),
        progressive=fm == "pjpg",
        optimize="compress" in params.get("auto", "").split(","),
        background=colour_rgba(params.get("bg", "fff"))[:3],
    )


def render(
    data: bytes,
    params: Mapping[str, str],
    mark_data: bytes | None = None,
    blend_data: bytes | str | None = None,
) -> Rendered:
    """The whole pipeline: decode, fit, blend, mark, encode; every frame of an animation
    when the output keeps it (see :mod:`vendors.imgix.animation`). Refuses bombs and
    truncated or foreign files with ``imaging.errors.UnreadableImage``; ``cpu_seconds`` is
    this thread's CPU time."""
    started = time.thread_time()
    image = load_image(data, MAX_PIXELS, verify=True)
    fm = params.get("fm", source_format(image))
    fm = fm if fm in FM_FORMATS else source_format(image)
    layers = _Layers(params, mark_data, blend_data)
    if animation.keeps_animation(image, FM_FORMATS[fm]):
        body, size = _render_animation(image, params, layers, fm)
    else:
        still = layers.apply(fit(upright(image), params))
        body, size = encode_still(still, params, fm), still.size
    return Rendered(body, FM_FORMATS[fm], *size, time.thread_time() - started)


class _Layers:
    """The blend and mark layers of one render, decoded once for every frame."""

    def __init__(
        self, params: Mapping[str, str], mark_data: bytes | None, blend_data: bytes | str | None
    ) -> None:
        self.params = params
        self.mark = _decode(mark_data) if mark_data is not None else None
        blend_with: Image.Image | str | None = None
        if isinstance(blend_data, bytes):
            blend_with = _decode(blend_data)
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


def _decode(data: bytes) -> Image.Image:
    return decode(data, MAX_PIXELS, verify=True)


def _render_animation(
    image: Image.Image, params: Mapping[str, str], layers: _Layers, fm: str
) -> tuple[bytes, tuple[int, int]]:
    animation.check_source(image)
    count = frame_count(image)
    loop = loop_count(image)
    out: list[Image.Image] = []
    durations: list[int] = []
    window = None
    for frame, duration in decoded_frames(image):
        if not out:
            cut = crop_size(frame, params)
            window = crop_window(frame, cut, crops_of(params)) if cut is not None else None
        sized = fit(frame, params, window)
        if not out:  # every frame comes out this size
            animation.check_output(count, sized.size)
        out.append(layers.apply(sized))
        durations.append(duration)
    body = encode_animation(out, durations, loop, FM_FORMATS[fm], quality_of(params))
    return body, out[0].size
