"""What can be known about an asset without machine learning, measured with Pillow.

Content type, pixel size, DPI, colour model and ICC profile name, dominant colours
(fractions of a 10-colour quantisation of a thumbnail), file size, frames and media kind.
Faces, tags and content warnings need ML: they stay unanalysed (``analyzed_*: false``,
``face_count: null``, ``tags: {}``, warnings 0, which the seed defines as unknown).
"""

from __future__ import annotations

import io
from typing import Any

from PIL import Image, ImageCms

from imaging.decoding import load_image
from imaging.errors import UnreadableImage
from imaging.frames import frame_count
from vendors.imgix.pipeline import MAX_PIXELS

_MODELS = {
    "RGB": "RGB",
    "RGBA": "RGB",
    "P": "RGB",
    "L": "Grayscale",
    "LA": "Grayscale",
    "1": "Grayscale",
    "CMYK": "CMYK",
    "YCbCr": "YCbCr",
    "LAB": "Lab",
    "I": "Grayscale",
    "I;16": "Grayscale",
}
IMAGE_TYPES = {  # what Pillow names a format → its content type
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "WEBP": "image/webp",
    "AVIF": "image/avif",
    "TIFF": "image/tiff",
    "BMP": "image/bmp",
}
UNANALYSED: dict[str, Any] = {
    "analyzed_content_warnings": False,
    "analyzed_faces": False,
    "analyzed_tags": False,
    "face_count": None,
    "warning_adult": 0,
    "warning_medical": 0,
    "warning_racy": 0,
    "warning_spoof": 0,
    "warning_violence": 0,
}


def measure(data: bytes) -> dict[str, Any]:
    """The measurable attributes of an asset's bytes (an unreadable file says so)."""
    base: dict[str, Any] = {"file_size": len(data), **UNANALYSED}
    if data.lstrip()[:5] in (b"<?xml", b"<svg ") or b"<svg" in data[:256]:
        return {**base, **_unknown(), "content_type": "image/svg+xml", "media_kind": "VECTOR"}
    if data.startswith(b"%PDF"):
        return {**base, **_unknown(), "content_type": "application/pdf", "media_kind": "DOCUMENT"}
    try:
        image = load_image(data, MAX_PIXELS, verify=True)
        frames = frame_count(image)
    except UnreadableImage:
        return {
            **base,
            **_unknown(),
            "content_type": "application/octet-stream",
            "media_kind": None,
        }
    dpi = image.info.get("dpi")
    return {
        **base,
        "content_type": IMAGE_TYPES.get(image.format or "", "application/octet-stream"),
        "media_width": image.width,
        "media_height": image.height,
        "dpi_width": round(float(dpi[0])) if dpi else None,
        "dpi_height": round(float(dpi[1])) if dpi else None,
        "color_model": _MODELS.get(image.mode, image.mode),
        "color_profile": _profile_name(image.info.get("icc_profile")),
        "colors": {"dominant_colors": dominant_colours(image)},
        "has_frames": frames > 1,
        "media_kind": "ANIMATION" if frames > 1 else "IMAGE",
    }


def _unknown() -> dict[str, Any]:
    return {
        "media_width": None,
        "media_height": None,
        "dpi_width": None,
        "dpi_height": None,
        "color_model": None,
        "color_profile": None,
        "colors": {"dominant_colors": {}},
        "has_frames": False,
    }


def dominant_colours(image: Image.Image, count: int = 10) -> dict[str, float]:
    """Up to ``count`` colours as ``#rrggbb`` → fraction of the pixels, largest first."""
    thumb = image.convert("RGB")
    thumb.thumbnail((100, 100))
    quantised = thumb.quantize(colors=count, method=Image.Quantize.MEDIANCUT)
    palette = quantised.getpalette() or []
    total = thumb.width * thumb.height
    found = sorted(quantised.getcolors() or [], reverse=True)
    out = {}
    for pixels, index in found[:count]:
        assert isinstance(index, int)
        r, g, b = palette[index * 3 : index * 3 + 3]
        out[f"#{r:02x}{g:02x}{b:02x}"] = round(pixels / total, 6)
    return out


def _profile_name(icc: bytes | None) -> str | None:
    if not icc:
        return None
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.getProfileDescription(profile).strip() or None
    except (OSError, ImageCms.PyCMSError):
        return None
