"""The seed's example policies and transformations rendered through a POP, checked by
decoding what the viewer gets: the watermark sample composites www.customer.com's logo at
the bottom left, the Composite sample lays www.example.com's image over the top left at half
the width, each transformation sample does what the seed says it does; and the seed's
on-demand URLs (``imwidth``, ``impolicy``, ``imformat``) answer as described.

The seed's hosts are served on loopback: the property resolves them (as curl's
``--resolve``) to a local server, so nothing leaves the machine."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any

import pytest
from PIL import Image

from common.clock import Clock
from common.events import EventLog
from imaging.formats import PILLOW_NAMES
from tests.vendors.akamai.conftest import ImageOrigin, ImagingStack, decoded, imaging_stack
from tests.vendors.akamai.seed_examples import example

ORANGE, TEAL, NAVY, GREEN = (230, 120, 30), (20, 140, 150), (0, 0, 128), (0, 160, 0)
SOURCE = "/assets/images/image001.jpg"  # the seed's on-demand example image
QUADRANTS = "/seed/quadrants.png"  # red, green / blue, transparent; 400×300


def encoded(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **({"quality": 95} if fmt == "JPEG" else {}))
    return out.getvalue()


def two_tone(size: tuple[int, int]) -> Image.Image:
    """Left half orange, right half teal."""
    image = Image.new("RGB", size, ORANGE)
    image.paste(TEAL, (size[0] // 2, 0, size[0], size[1]))
    return image


def quadrants() -> Image.Image:
    image = Image.new("RGBA", (400, 300), (0, 0, 0, 0))
    image.paste((255, 0, 0, 255), (0, 0, 200, 150))
    image.paste((0, 255, 0, 255), (200, 0, 400, 150))
    image.paste((0, 0, 255, 255), (0, 150, 200, 300))
    return image


@pytest.fixture
async def seed(
    image_origin: ImageOrigin, aiohttp_server: Any, clock: Clock, events: EventLog
) -> AsyncIterator[ImagingStack]:
    """The demo property, with www.customer.com and www.example.com on a loopback server."""
    customer = ImageOrigin()
    customer.images = {
        "/watermark.png": (encoded(Image.new("RGBA", (120, 60), (*NAVY, 255)), "PNG"), "image/png"),
        "/house/image1.jpg": (encoded(Image.new("RGB", (200, 100), GREEN), "JPEG"), "image/jpeg"),
    }
    server = await aiohttp_server(customer.app)
    address = f"127.0.0.1:{server.port}"
    image_origin.images[SOURCE] = (encoded(two_tone((1024, 640)), "JPEG"), "image/jpeg")
    image_origin.images[QUADRANTS] = (encoded(quadrants(), "PNG"), "image/png")
    resolve = (("www.customer.com", address), ("www.example.com", address))
    async with imaging_stack(image_origin, clock, events, resolve=resolve) as stack:
        stack.customer = customer  # type: ignore[attr-defined]
        yield stack


def near(pixel: Any, color: tuple[int, int, int], tolerance: int = 24) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], color, strict=True))


async def render(seed: ImagingStack, query: str, path: str = SOURCE) -> tuple[Any, Image.Image]:
    response, body = await seed.get(seed.delivery(f"{path}?{query}"))
    assert response.status == 200, body[:300]
    assert "X-Akamai-Im-Fallback" not in response.headers, response.headers
    image = decoded(body)
    assert image.format == PILLOW_NAMES[response.headers["X-Akamai-Im-Format"]]  # type: ignore[index]
    return response, image


@pytest.mark.parametrize("name", ["01_get_a_policy.response.json", "16_policy.sample.json"])
async def test_the_watermark_sample_adds_the_logo_at_the_bottom_left(
    seed: ImagingStack, events: EventLog, name: str
):
    await seed.put_policy("watermark", example(name))
    # The seed: "?impolicy=watermark&imwidth=300&imformat=safari: Returns an 320px image with
    # the company logo added, and in the format best for Safari" — 320 with .auto's widths;
    # this policy's breakpoints are 500 and 300, so 300.
    response, image = await render(seed, "impolicy=watermark&imwidth=300&imformat=safari")
    assert image.size == (300, 188)
    rgb = image.convert("RGB")
    assert near(rgb.getpixel((4, 183)), NAVY)  # SouthWest, offsets 0: the logo's corner
    assert near(rgb.getpixel((4, 4)), ORANGE) and near(rgb.getpixel((295, 183)), TEAL)
    assert response.headers["X-Akamai-Im-Format"] in ("jpeg2000", "jpeg", "png")
    fetched = [e.data["url"] for e in events.read(kinds=["origin_fetch"], component="akamai")]
    assert "http://www.customer.com/watermark.png" in fetched
    _, whole = await render(seed, "impolicy=watermark&imformat=generic")
    assert whole.width == 500  # the largest breakpoint caps the width


async def test_the_watermark_sample_never_lets_a_request_pick_another_host(seed: ImagingStack):
    policy = {
        **example("01_get_a_policy.response.json"),
        "variables": [{"name": "logo", "type": "url", "defaultValue": "www.customer.com/watermark.png"}],
    }  # fmt: skip
    policy["transformations"] = [
        {**policy["transformations"][0], "image": {"url": {"var": "logo"}}}
    ]
    await seed.put_policy("watermark", policy)
    _, image = await render(seed, "impolicy=watermark&logo=www.customer.com/watermark.png")
    assert near(image.convert("RGB").getpixel((4, image.height - 4)), NAVY)
    response, body = await seed.get(
        seed.delivery(f"{SOURCE}?impolicy=watermark&logo=www.example.com/house/image1.jpg")
    )
    # www.example.com is no host the policy names: the policy fails, the pristine is served.
    assert (
        "no host the policy allows (www.customer.com)" in response.headers["X-Akamai-Im-Fallback"]
    )
    assert body == seed.origin.images[SOURCE][0]


async def test_the_composite_sample_lays_the_image_over_the_top_left_at_half_width(
    seed: ImagingStack,
):
    await seed.put_policy("composite", {"transformations": [example("22_composite.sample.json")]})
    _, image = await render(seed, "impolicy=composite&imformat=generic")
    rgb = image.convert("RGB")
    assert image.size == (1024, 640)  # the .auto policy's breakpoints leave it whole
    # image1.jpg, 200×100, scaled to half the source's width: 512×256 at NorthWest.
    assert near(rgb.getpixel((5, 5)), GREEN) and near(rgb.getpixel((505, 250)), GREEN)
    assert near(rgb.getpixel((520, 5)), TEAL) and near(rgb.getpixel((5, 262)), ORANGE)


def _colours(image: Image.Image) -> int:
    found = image.convert("RGBA").getcolors(1 << 20)
    assert found is not None
    return len(found)


async def _transformed(seed: ImagingStack, name: str) -> Image.Image:
    policy_id = name.split("_")[1].split(".")[0]
    sample = example(name)
    # PNG only, so that pixels are compared without a lossy encoder in the way.
    await seed.put_policy(
        policy_id, {"transformations": [sample], "output": {"allowedFormats": ["png"]}}
    )
    _, image = await render(seed, f"impolicy={policy_id}&imformat=generic", QUADRANTS)
    return image.convert("RGBA")


async def test_background_color_sample_fills_the_transparent_quadrant(seed: ImagingStack):
    image = await _transformed(seed, "21_backgroundcolor.sample.json")
    assert image.getpixel((300, 250)) == (255, 0, 255, 255) and image.getpixel((10, 10)) == (
        255,
        0,
        0,
        255,
    )


async def test_compound_sample_fills_then_caps_the_palette(seed: ImagingStack):
    image = await _transformed(seed, "23_compound.sample.json")  # MaxColors by "colours"
    assert image.getpixel((300, 250)) == (255, 0, 255, 255) and _colours(image) <= 256


async def test_crop_sample_keeps_the_top_left_100_square(seed: ImagingStack):
    image = await _transformed(seed, "24_crop.sample.json")
    assert image.size == (100, 100) and image.getpixel((99, 99)) == (255, 0, 0, 255)


async def test_grayscale_sample_by_rec601_luma(seed: ImagingStack):
    image = await _transformed(seed, "25_grayscale.sample.json")
    assert image.getpixel((10, 10))[:3] == (76, 76, 76)  # 0.299 × 255
    assert image.getpixel((300, 10))[:3] == (150, 150, 150)  # 0.587 × 255


async def test_hsl_sample_is_the_identity(seed: ImagingStack):
    image = await _transformed(seed, "26_hsl.sample.json")
    assert image.tobytes() == quadrants().tobytes()


async def test_max_colors_sample_caps_the_palette_at_256(seed: ImagingStack):
    seed.origin.images[QUADRANTS] = (
        encoded(Image.linear_gradient("L").resize((400, 300)).convert("RGB").rotate(30), "PNG"),
        "image/png",
    )
    image = await _transformed(seed, "27_maxcolors.sample.json")
    assert _colours(image) <= 256


async def test_opacity_sample_halves_the_alpha(seed: ImagingStack):
    image = await _transformed(seed, "28_opacity.sample.json")
    assert image.getpixel((10, 10)) == (255, 0, 0, 128) and image.getpixel((300, 250))[3] == 0


async def test_resize_sample_fits_within_100_square(seed: ImagingStack):
    image = await _transformed(seed, "29_resize.sample.json")
    assert image.size == (100, 75)


async def test_rotate_sample_turns_45_3_degrees_clockwise_on_a_grown_canvas(seed: ImagingStack):
    image = await _transformed(seed, "30_rotate.sample.json")
    assert image.width > 400 and image.height > 300 and image.getpixel((0, 0))[3] == 0
    # Clockwise: the red top-left quadrant now reaches over the top edge's middle.
    assert image.getpixel((image.width // 2, 40))[:3] == (255, 0, 0)


async def test_scale_sample_halves_both_sides(seed: ImagingStack):
    image = await _transformed(seed, "31_scale.sample.json")
    assert image.size == (200, 150)


async def test_shear_sample_slants_on_the_same_canvas(seed: ImagingStack):
    image = await _transformed(seed, "32_shear.sample.json")
    assert image.size == (400, 300)
    assert image.getpixel((2, 2))[3] == 0 or image.getpixel((397, 2))[3] == 0  # a gap opened


async def test_the_seeds_on_demand_urls(seed: ImagingStack, events: EventLog):
    # "?imwidth=300: ... assuming the .auto policy is used, Image Manager returns the 320px image."
    _, image = await render(seed, "imwidth=300&imformat=generic")
    assert image.width == 320
    # "?imformat=safari: Returns the best image, in all format types ... for the Safari browser."
    response, _ = await render(seed, "imformat=safari")
    renders = [e.data for e in events.read(kinds=["render"], component="akamai")]
    assert set(renders[-1]["candidates"]) == {"jpeg2000", "jpeg", "png"}
    sizes = renders[-1]["candidates"]
    assert response.headers["X-Akamai-Im-Format"] == min(sizes, key=sizes.get)
    # "?impolicy=watermark: Combines image001.jpg with an image the policy provides."
    await seed.put_policy("watermark", example("01_get_a_policy.response.json"))
    _, image = await render(seed, "impolicy=watermark&imformat=generic")
    assert near(image.convert("RGB").getpixel((3, image.height - 3)), NAVY)
