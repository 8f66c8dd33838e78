"""Delivery through the POPs: breakpoints, policies, formats, quality, variables, the
key carrying policy + version + width + format, staging, bad input and the fallback."""

from __future__ import annotations

import io

from PIL import Image

from common.events import EventLog
from imaging.formats import PILLOW_NAMES
from tests.vendors.akamai.conftest import ImagingStack, decoded

CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
SAFARI = (
    "Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15"
)


def renders(events: EventLog, **match: object) -> list[dict]:
    return [e.data for e in events.read(kinds=["render"], component="akamai")
            if all(e.data.get(k) == v for k, v in match.items())]  # fmt: skip


async def test_imwidth_picks_the_next_breakpoint_up_in_the_browsers_best_format(
    imaging: ImagingStack,
):
    response, body = await imaging.get(
        imaging.delivery("/photos/red.jpg?imwidth=300"), **{"User-Agent": CHROME}
    )
    assert response.status == 200
    image = decoded(body)
    assert (image.format, image.size) == ("WEBP", (320, 240))
    assert (
        response.headers["X-Akamai-Im-Policy"] == ".auto"
        and response.headers["X-Akamai-Im-Version"] == "1"
    )
    assert response.content_type == "image/webp"
    response, body = await imaging.get(
        imaging.delivery("/photos/red.jpg?imwidth=5001"), **{"User-Agent": CHROME}
    )
    assert decoded(body).size == (800, 600)  # 5000 is the largest breakpoint; never enlarged


async def test_the_key_carries_policy_version_width_and_format(imaging: ImagingStack):
    url = imaging.delivery("/photos/red.jpg?imwidth=300&imformat=chrome")
    response, _ = await imaging.get(url, **{"Cache-Control": "no-cache"})
    keys = await imaging.edge.pops["pop-1"].listing()
    assert [k["uri"] for k in keys] == [
        "/_akamai/demo/production/.auto/v1/w320/webp+jpeg+png/photos/red.jpg"
    ]
    for width in (301, 310, 320):  # all round to 320: one derivative
        response, _ = await imaging.get(
            imaging.delivery(f"/photos/red.jpg?imwidth={width}&imformat=chrome")
        )
        assert "hit" in response.headers["Cache-Status"]
    response, _ = await imaging.get(
        imaging.delivery("/photos/red.jpg?imwidth=300&imformat=generic")
    )
    assert "miss" in response.headers["Cache-Status"]  # another format, another entry
    assert imaging.origin.counts["/photos/red.jpg"] == 2


async def test_a_policy_edit_turns_hits_into_misses_without_any_purge(
    imaging: ImagingStack, events: EventLog
):
    url = imaging.delivery("/photos/red.jpg?imwidth=600&imformat=chrome")
    for pop in ("pop-1", "pop-2"):
        await imaging.get(imaging.delivery("/photos/red.jpg?imwidth=600&imformat=chrome", pop=pop))
    response, _ = await imaging.get(url)
    assert "hit" in response.headers["Cache-Status"]
    assert len(renders(events, policy=".auto", version=1)) == 1  # the shield coalesced pop-2's miss
    await imaging.put_policy(
        ".auto", {"breakpoints": {"widths": [300, 600]}, "output": {"quality": 50}}
    )
    statuses = []
    for pop in ("pop-1", "pop-2"):
        response, body = await imaging.get(
            imaging.delivery("/photos/red.jpg?imwidth=600&imformat=chrome", pop=pop)
        )
        assert response.headers["X-Akamai-Im-Version"] == "2"
        assert decoded(body).width == 600
        statuses.append(response.headers["Cache-Status"])
    # Each POP misses (its key now names v2); the shield rendered v2 once for both.
    assert all("fwd=uri-miss" in s.split(", ")[-1] for s in statuses), statuses
    fetches = [e.data for e in events.read(kinds=["origin_fetch"], component="akamai")]
    assert [(f["version"], f["role"]) for f in fetches] == [(1, "source"), (2, "source")]
    assert len(renders(events, policy=".auto", version=2)) == 1
    assert not [e for e in events.read(kinds=["purged"])]


async def test_the_browser_gets_the_smallest_of_the_formats_it_takes(
    imaging: ImagingStack, events: EventLog
):
    cases = [
        ({}, "?imformat=safari", {"jpeg2000", "jpeg", "png"}),
        ({}, "?imformat=ie", {"jpeg", "png"}),  # no JPEG XR encoder: what IE takes besides
        ({}, "?imformat=generic", {"jpeg", "png"}),
        ({"User-Agent": SAFARI}, "", {"jpeg2000", "jpeg", "png"}),
        ({"User-Agent": CHROME}, "", {"webp", "jpeg", "png"}),
        ({"User-Agent": "curl/8", "Accept": "image/webp,*/*"}, "", {"webp", "jpeg", "png"}),
        ({"User-Agent": "curl/8", "Accept": "image/avif,image/webp"}, "", {"webp", "jpeg", "png"}),
        ({"User-Agent": "curl/8", "Accept": "image/webp"}, "?imformat=generic", {"jpeg", "png"}),
    ]  # AVIF is opt-in: only a policy that names it offers it
    for name in ("red", "gradient"):
        for index, (headers, query, candidates) in enumerate(cases):
            path = f"/photos/{name}-{index}.jpg"  # its own image: every case renders
            imaging.origin.images[path] = imaging.origin.images[f"/photos/{name}.jpg"]
            response, body = await imaging.get(imaging.delivery(f"{path}{query}"), **headers)
            [render] = renders(events, image=path)
            assert set(render["candidates"]) == candidates, (path, headers, query)
            smallest = min(render["candidates"], key=render["candidates"].get)
            assert response.headers["X-Akamai-Im-Format"] == render["format"] == smallest
            assert len(body) == render["bytes"] == render["candidates"][smallest]
            assert decoded(body).format == PILLOW_NAMES[smallest]
    # Content decides: the textured gradient is smallest as a JPEG where only JPEG and PNG
    # are taken, the flat red field as a PNG.
    assert renders(events, image="/photos/gradient-2.jpg")[0]["format"] == "jpeg"
    assert renders(events, image="/photos/red-2.jpg")[0]["format"] == "png"
    _response, body = await imaging.get(imaging.delivery("/photos/clear.png?imformat=generic"))
    assert decoded(body).format == "PNG" and decoded(body).mode == "RGBA"  # transparency kept
    assert set(renders(events)[-1]["candidates"]) == {"png"}  # JPEG drops out: no alpha


async def test_forced_formats_are_extra_formats_offered_alongside_the_allowed_ones(
    imaging: ImagingStack, events: EventLog
):
    await imaging.put_policy("avif", {"output": {"allowedFormats": ["avif", "jpeg"]}})
    await imaging.put_policy(
        "extra", {"output": {"allowedFormats": ["jpeg"], "forcedFormats": ["avif"]}}
    )
    await imaging.put_policy("forced", {"output": {"forcedFormats": ["png"]}})
    await imaging.put_policy("nowebp", {"output": {"allowedFormats": ["jpeg", "png"]}})
    modern = {"User-Agent": "curl/8", "Accept": "image/avif,image/webp"}
    cases = [
        ("avif", modern, {"avif", "jpeg"}),
        ("extra", modern, {"avif", "jpeg"}),  # the forced extra format, for who takes it
        ("extra", {"User-Agent": "curl/8"}, {"jpeg"}),  # never one format for every browser
        ("extra", {"User-Agent": SAFARI}, {"jpeg"}),
        ("forced", modern, {"webp", "jpeg", "png"}),  # png was offered already
        ("forced", {"User-Agent": SAFARI}, {"jpeg2000", "jpeg", "png"}),
        ("nowebp", modern, {"jpeg", "png"}),
    ]
    for index, (policy, headers, candidates) in enumerate(cases):
        path = f"/photos/gradient-{index}.jpg"
        imaging.origin.images[path] = imaging.origin.images["/photos/gradient.jpg"]
        response, body = await imaging.get(imaging.delivery(f"{path}?impolicy={policy}"), **headers)
        [render] = renders(events, image=path)
        assert set(render["candidates"]) == candidates, (policy, headers)
        assert response.headers["X-Akamai-Im-Format"] == min(
            render["candidates"], key=render["candidates"].get
        )
        assert decoded(body).format == PILLOW_NAMES[render["format"]]
    keys = {k["uri"] for k in await imaging.edge.pops["pop-1"].listing()}
    assert "/_akamai/demo/production/extra/v1/w0/avif+jpeg/photos/gradient-1.jpg" in keys
    assert "/_akamai/demo/production/extra/v1/w0/jpeg/photos/gradient-2.jpg" in keys


async def test_quality_comes_from_the_policy(imaging: ImagingStack):
    noisy = {"transformations": [{"transformation": "UnsharpMask", "gain": 3}]}
    await imaging.put_policy("low", {**noisy, "output": {"quality": 5}})
    await imaging.put_policy("high", {**noisy, "output": {"perceptualQuality": "high"}})
    sizes = {}
    for policy in ("low", "high"):
        _, body = await imaging.get(
            imaging.delivery(f"/photos/gradient.jpg?impolicy={policy}&imformat=generic")
        )
        sizes[policy] = len(body)
    assert sizes["low"] < sizes["high"] / 2


async def test_variables_are_overridable_by_query_and_enter_the_key(imaging: ImagingStack):
    await imaging.put_policy(
        "tint",
        {
            "variables": [{"name": "bg", "type": "color", "defaultValue": "#ff0000"}],
            "transformations": [{"transformation": "BackgroundColor", "color": {"var": "bg"}}],
        },
    )
    _, body = await imaging.get(
        imaging.delivery("/photos/clear.png?impolicy=tint&imformat=generic")
    )
    r, _, b = decoded(body).convert("RGB").getpixel((5, 5))
    assert r > 240 and b < 15
    _, body = await imaging.get(
        imaging.delivery("/photos/clear.png?impolicy=tint&imformat=generic&bg=%230000ff")
    )
    r, _g, b = decoded(body).convert("RGB").getpixel((5, 5))
    assert b > 240 and r < 15
    response, _ = await imaging.get(
        imaging.delivery("/photos/clear.png?impolicy=tint&imformat=generic&bg=blue")
    )
    assert response.status == 400  # not a color: refused at the edge


async def test_staging_policies_serve_only_through_the_staging_network(imaging: ImagingStack):
    await imaging.put_policy(
        "gray", {"transformations": [{"transformation": "Grayscale"}]}, staging=True
    )
    response, _ = await imaging.get(imaging.delivery("/photos/red.jpg?impolicy=gray"))
    assert response.status == 400  # unknown on production
    response, body = await imaging.get(
        imaging.delivery("/photos/red.jpg?impolicy=gray&imformat=generic", staging=True)
    )
    assert response.headers["X-Akamai-Im-Network"] == "staging"
    r, g, b = decoded(body).convert("RGB").getpixel((10, 10))
    assert abs(r - g) < 4 and abs(g - b) < 4
    async with imaging.http.get(
        imaging.pop + "/photos/red.jpg?impolicy=gray&imformat=generic",
        headers={"Host": "images-staging.example.com"},
    ) as response:
        assert response.headers["X-Akamai-Im-Network"] == "staging"  # Akamai's -staging host name
    await imaging.put_policy(
        "gray", {"transformations": [{"transformation": "Grayscale"}]}
    )  # activate
    response, _ = await imaging.get(imaging.delivery("/photos/red.jpg?impolicy=gray"))
    assert response.status == 200 and response.headers["X-Akamai-Im-Network"] == "production"


async def test_bad_parameters_get_clear_errors_and_never_reach_the_origin(imaging: ImagingStack):
    for query, words in (("imwidth=0", "imwidth"), ("imwidth=99999999", "imwidth"), ("imwidth=abc", "imwidth"),
                         ("impolicy=nope", "no such policy"), ("imformat=netscape", "imformat")):  # fmt: skip
        response, body = await imaging.get(imaging.delivery(f"/photos/red.jpg?{query}"))
        assert response.status == 400
        assert words in body.decode()
    async with imaging.http.post(imaging.delivery("/photos/red.jpg"), data=b"x") as response:
        assert response.status == 405
    assert imaging.origin.counts["/photos/red.jpg"] == 0
    response, _ = await imaging.get(imaging.delivery("/photos/missing.jpg"))
    assert response.status == 404
    # The internal path is reachable as any path is; it may not ask for one encode twice.
    for formats in ("jpeg+jpeg", "jpeg+bmp"):
        response, _ = await imaging.get(
            f"{imaging.pop}/_akamai/demo/production/.auto/v1/w320/{formats}/photos/red.jpg"
        )
        assert response.status == 404


async def test_a_failing_policy_falls_back_to_the_pristine_image_and_says_so(
    imaging: ImagingStack, events: EventLog
):
    response, body = await imaging.get(imaging.delivery("/photos/broken.jpg"))
    assert response.status == 200 and body == b"not an image at all"
    assert "NotAnImage" in response.headers["X-Akamai-Im-Fallback"]
    await imaging.put_policy(
        "cropfar",
        {
            "transformations": [
                {
                    "transformation": "Crop",
                    "width": 10,
                    "height": 10,
                    "xPosition": 5000,
                    "yPosition": 5000,
                }
            ]
        },
    )
    response, body = await imaging.get(imaging.delivery("/photos/red.jpg?impolicy=cropfar"))
    assert "outside the image" in response.headers["X-Akamai-Im-Fallback"]
    assert body == imaging.origin.images["/photos/red.jpg"][0]
    failed = [e.data for e in events.read(kinds=["policy_failed"])]
    assert [(f["policy"], f["version"]) for f in failed] == [(".auto", 1), ("cropfar", 1)]


async def test_a_pristine_stored_sideways_is_delivered_upright(imaging: ImagingStack):
    # Stored 200×100, red left and blue right; EXIF orientation 6 (rotate 90° clockwise to
    # show): the picture is 100×200, red on top.
    stored = Image.new("RGB", (200, 100), (0, 0, 255))
    stored.paste((255, 0, 0), (0, 0, 100, 100))
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    stored.save(out, "JPEG", quality=95, exif=exif.tobytes())
    imaging.origin.images["/photos/sideways.jpg"] = (out.getvalue(), "image/jpeg")
    _, body = await imaging.get(imaging.delivery("/photos/sideways.jpg?imformat=generic"))
    image = decoded(body).convert("RGB")
    assert image.size == (100, 200)
    top, bottom = image.getpixel((50, 20)), image.getpixel((50, 180))
    assert top[0] > 200 and top[2] < 60 and bottom[2] > 200 and bottom[0] < 60  # type: ignore[index]


async def test_transparency_is_flattened_onto_white_where_only_jpeg_is_allowed(
    imaging: ImagingStack,
):
    await imaging.put_policy("jpegonly", {"output": {"allowedFormats": ["jpeg"]}})
    _, body = await imaging.get(
        imaging.delivery("/photos/clear.png?impolicy=jpegonly&imformat=generic")
    )
    image = decoded(body)
    assert image.format == "JPEG" and image.getpixel((10, 10)) == (255, 255, 255)
