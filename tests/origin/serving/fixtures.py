"""Serving state set up directly in storage, exactly as the admin and upload backends store it."""

from __future__ import annotations

import io

from PIL import Image

from common.clock import MANUAL_EPOCH
from origin.models.documents import (
    CropInfo,
    ImagePack,
    LocationConfig,
    PackLocation,
    Region,
    RegionImage,
)
from origin.models.original_layout import OriginalMeta, original_key
from origin.storage import Storage

TENANT = "demo"
PACK = "0123456789abcdef01234567"
RED = (220, 20, 20)
GREEN = (20, 200, 20)
BLUE = (20, 20, 220)


def image_bytes(size: tuple[int, int], color: tuple[int, ...] = RED, fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGBA" if len(color) == 4 else "RGB", size, color).save(out, fmt)
    return out.getvalue()


def decode(body: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(body))
    image.load()
    return image


def image_id(n: int) -> str:
    return f"{n:024x}"


async def put_original(
    storage: Storage,
    image: str,
    body: bytes,
    *,
    pack: str = PACK,
    location: str = "main",
    region: str | None = None,
    tenant: str = TENANT,
    uploaded: float = MANUAL_EPOCH,
) -> None:
    """An original as the upload backend stores it: bytes plus size/format metadata."""
    with Image.open(io.BytesIO(body)) as opened:
        width, height, fmt = opened.width, opened.height, (opened.format or "jpeg").lower()
    meta = OriginalMeta(width, height, fmt, uploaded, pack, location, region)
    content_type = Image.MIME.get(fmt.upper(), "application/octet-stream")
    await storage.put_object(
        storage.settings.originals_bucket,
        original_key(tenant, image),
        body,
        content_type,
        meta.to_metadata(),
    )


async def put_pack(storage: Storage, pack: ImagePack) -> ImagePack:
    await storage.put_item("packs", pack.to_item())
    return pack


async def put_config(
    storage: Storage, config: LocationConfig, tenant: str = TENANT
) -> LocationConfig:
    await storage.put_item("location_configs", config.to_item(tenant))
    return config


async def put_region(storage: Storage, region: Region, tenant: str = TENANT) -> Region:
    await storage.put_item("regions", region.to_item(tenant))
    return region


async def simple_pack(
    storage: Storage,
    *,
    size: tuple[int, int] = (200, 100),
    color: tuple[int, int, int] = RED,
    config: LocationConfig | None = None,
    fmt: str = "PNG",
    tenant: str = TENANT,
) -> ImagePack:
    """One pack with one image at ``main`` and a ``main`` config (default 100x50)."""
    await put_config(storage, config or LocationConfig("main", width=100, height=50), tenant)
    await put_original(storage, image_id(1), image_bytes(size, color, fmt), tenant=tenant)
    return await put_pack(
        storage, ImagePack(PACK, tenant, image_locations={"main": PackLocation(image_id(1))})
    )


__all__ = [
    "BLUE",
    "GREEN",
    "PACK",
    "RED",
    "TENANT",
    "CropInfo",
    "ImagePack",
    "LocationConfig",
    "PackLocation",
    "Region",
    "RegionImage",
    "close_to",
    "decode",
    "image_bytes",
    "image_id",
    "put_config",
    "put_original",
    "put_pack",
    "put_region",
    "simple_pack",
    "split_image",
]


def split_image(
    size: tuple[int, int] = (200, 100),
    left: tuple[int, int, int] = RED,
    right: tuple[int, int, int] = BLUE,
    fmt: str = "PNG",
) -> bytes:
    """Left half one colour, right half another: shows where a crop anchored."""
    image = Image.new("RGB", size, left)
    image.paste(Image.new("RGB", (size[0] - size[0] // 2, size[1]), right), (size[0] // 2, 0))
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def close_to(pixel: tuple[int, ...], color: tuple[int, ...], tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, color, strict=False))
