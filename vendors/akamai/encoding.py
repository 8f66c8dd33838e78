"""Decoding pristine images safely and encoding derivatives in the chosen format."""

from __future__ import annotations

import io
import warnings

from PIL import Image, UnidentifiedImageError, features

MAX_SOURCE_PIXELS = 50_000_000
CONTENT_TYPES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "jpeg2000": "image/jp2",
    "avif": "image/avif",
}


class DecodeError(ValueError):
    """Bytes that are not an image we will decode."""


def producible_formats() -> frozenset[str]:
    """What this Pillow build can write (JPEG XR never: Pillow has no encoder)."""
    optional = {"webp": "webp", "jpeg2000": "jpg_2000", "avif": "avif"}
    return frozenset(
        {"jpeg", "png", "gif"} | {f for f, feature in optional.items() if features.check(feature)}
    )


def decode(data: bytes) -> Image.Image:
    """The first frame, fully loaded, as RGBA; refuses undecodable or oversized images
    before decoding their pixels."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > MAX_SOURCE_PIXELS:
                raise DecodeError(f"a {width}x{height} image is over {MAX_SOURCE_PIXELS} pixels")
            image.load()
            return image.convert("RGBA")
    except DecodeError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning,
            OSError, SyntaxError, ValueError, EOFError) as error:  # fmt: skip
        raise DecodeError(f"not a decodable image: {error}") from None


def has_transparency(image: Image.Image) -> bool:
    if image.mode != "RGBA":
        return False
    low, _ = image.getchannel("A").getextrema()
    return int(low) < 255  # type: ignore[arg-type]


def encode(image: Image.Image, fmt: str, quality: int) -> bytes:
    """``image`` (RGBA) in ``fmt`` at ``quality`` (1–100, JPEG-like across formats)."""
    out = io.BytesIO()
    if fmt == "jpeg":
        flat = Image.new("RGB", image.size, (255, 255, 255))
        flat.paste(image, mask=image.getchannel("A"))
        flat.save(out, "JPEG", quality=quality)
    elif fmt == "png":
        (image if has_transparency(image) else image.convert("RGB")).save(out, "PNG")
    elif fmt == "gif":
        image.convert("RGB").quantize(256).save(out, "GIF")
    elif fmt == "webp":
        image.save(out, "WEBP", quality=quality)
    elif fmt == "avif":
        image.save(out, "AVIF", quality=quality)
    elif fmt == "jpeg2000":
        # quality 100 → 2:1, 85 → ~16:1, 1 → 100:1 (a compression-ratio layer).
        ratio = max(2.0, (101 - quality) ** 1.0)
        image.save(out, "JPEG2000", quality_mode="rates", quality_layers=[ratio], irreversible=True)
    else:
        raise ValueError(f"cannot encode {fmt!r}")
    return out.getvalue()
