"""Demo data, seeded through the admin API so that it works against any origin.

Location configs (one with a fallback chain), a region, and packs whose originals are
generated images that say what they are (a colour per pack, a grid, the location).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from PIL import Image, ImageDraw

LOCATION_CONFIGS: list[dict[str, Any]] = [
    {"name": "main", "label": "Main", "width": 1280, "height": 720},
    {"name": "thumb", "label": "Thumbnail", "width": 320, "height": 180, "fallback": "main"},
    {
        "name": "portal-cover",
        "label": "Portal cover",
        "width": 600,
        "height": 900,
        "fallback": "thumb",
    },
    {
        "name": "square",
        "label": "Square",
        "width": 400,
        "height": 400,
        "useResizeIncludeAll": "TRUE",
    },
]
REGIONS: list[dict[str, Any]] = [
    {"name": "nordic", "label": "Nordic", "countries": ["NO", "SE", "DK", "FI"]}
]
PACK_COLOURS = [
    (200, 40, 40),
    (40, 160, 60),
    (40, 80, 200),
    (220, 170, 30),
    (140, 50, 170),
    (30, 160, 170),
]


def demo_image(
    colour: tuple[int, int, int], text: str, size: tuple[int, int] = (1600, 900)
) -> bytes:
    """A JPEG with a colour field, a grid and a caption: easy to recognise when served."""
    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    for x in range(0, size[0], 100):
        draw.line([(x, 0), (x, size[1])], fill=(255, 255, 255), width=2)
    for y in range(0, size[1], 100):
        draw.line([(0, y), (size[0], y)], fill=(255, 255, 255), width=2)
    draw.rectangle([40, 40, 40 + 12 * len(text) + 20, 90], fill=(0, 0, 0))
    draw.text((50, 55), text, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


@dataclass
class DemoData:
    tenant: str
    pack_ids: list[str] = field(default_factory=list)
    image_ids: list[str] = field(default_factory=list)


async def seed_demo(
    session: aiohttp.ClientSession, origin: str, headers: dict[str, str], packs: int = 6
) -> DemoData:
    """Create the demo configs, region and ``packs`` packs with originals; returns their ids."""

    async def call(method: str, path: str, **kwargs: Any) -> Any:
        async with session.request(method, origin + path, headers=headers, **kwargs) as response:
            body = await response.json()
            if response.status != 200:
                raise RuntimeError(f"{method} {path} → {response.status}: {body}")
            return body

    await call("PUT", "/adminAPI/imageLocationConfigs?force=true", json=LOCATION_CONFIGS)
    existing = {r["name"] for r in await call("GET", "/api/v2/regions")}
    for region in REGIONS:
        if region["name"] in existing:
            await call("PUT", f"/adminAPI/regions/{region['name']}", json=region)
        else:
            await call("POST", "/adminAPI/regions", json=region)
    data = DemoData(tenant="")
    for index in range(packs):
        pack = await call("POST", "/adminAPI/imagePacks", json={"assetId": f"demo-asset-{index}"})
        data.tenant = pack["tenant"]
        colour = PACK_COLOURS[index % len(PACK_COLOURS)]
        form = aiohttp.FormData()
        form.add_field(
            "file",
            demo_image(colour, f"pack {index} main"),
            filename="main.jpg",
            content_type="image/jpeg",
        )
        pack = await call("POST", f"/adminAPI/imagePack/{pack['id']}/main/upload", data=form)
        if index % 2 == 0:  # every other pack has its own portrait cover; the rest fall back
            form = aiohttp.FormData()
            cover = demo_image(colour, f"pack {index} cover", (900, 1350))
            form.add_field("file", cover, filename="cover.jpg", content_type="image/jpeg")
            pack = await call(
                "POST", f"/adminAPI/imagePack/{pack['id']}/portal-cover/upload", data=form
            )
        data.pack_ids.append(pack["id"])
        data.image_ids.extend(
            loc["imageId"] for loc in pack["imageLocations"].values() if "imageId" in loc
        )
    return data
