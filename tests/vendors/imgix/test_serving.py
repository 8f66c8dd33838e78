"""Sources serve images through the POPs: parameters, default_params, fallbacks, signatures,
disabled sources, S3."""

from __future__ import annotations

import io

import boto3

from tests.vendors.imgix.conftest import Stack, decoded, image_bytes
from tests.vendors.imgix.test_animation import animated
from tests.vendors.imgix.test_smart_crop import busy_strip
from vendors.imgix.addressing import signature


async def test_an_image_is_rendered_once_and_then_served_from_the_edge(stack: Stack) -> None:
    stack.folder.put("/images/cat.png", image_bytes((200, 100)))
    await stack.create_source()
    status, body, headers = await stack.get("/cat.png?w=100&fm=jpg&junk=1")
    image = decoded(body)
    assert status == 200 and image.size == (100, 50) and image.format == "JPEG"
    assert headers["Content-Type"] == "image/jpeg"
    status, again, headers = await stack.get("/cat.png?junk=2&fm=jpg&w=100")  # same parameters
    assert again == body and "hit" in headers["Cache-Status"]
    _, _, headers = await stack.get("/cat.png?w=100&fm=jpg", pop=2)  # the shield has it
    assert "shield; hit" in headers["Cache-Status"]
    assert stack.folder.counts["/images/cat.png"] == 1


async def test_fit_crop_dpr_and_quality(stack: Stack) -> None:
    stack.folder.put("/images/cat.png", image_bytes((200, 100)))
    await stack.create_source()
    cases = {
        "w=50&h=50&fit=crop": (50, 50),
        "w=50&h=50": (50, 25),
        "w=50&h=50&fit=scale": (50, 50),
        "w=400&fit=max": (200, 100),
        "w=0.5": (100, 50),
        "w=50&dpr=2": (100, 50),
        "w=60&h=60&fit=fill&bg=00ff00": (60, 60),
        "w=50&h=40&fit=crop&crop=top,left": (50, 40),
    }
    for query, size in cases.items():
        status, body, _ = await stack.get(f"/cat.png?{query}")
        assert status == 200 and decoded(body).size == size, query
    _, body, _ = await stack.get("/cat.png?w=60&h=60&fit=fill&bg=00ff00")
    assert decoded(body).convert("RGB").getpixel((30, 2)) == (0, 255, 0)  # padding colour
    stack.folder.put("/images/noise.png", image_bytes((300, 300), (10, 120, 240)))
    _, high, _ = await stack.get("/noise.png?fm=jpg&q=95")
    _, low, _ = await stack.get("/noise.png?fm=jpg&auto=compress")
    assert decoded(low).format == "JPEG" and len(low) < len(high)


async def test_default_params_apply_and_requests_override_them(stack: Stack) -> None:
    stack.folder.put("/images/cat.png", image_bytes((200, 100)))
    await stack.create_source(default_params={"fm": "webp", "w": 80})
    _, body, _ = await stack.get("/cat.png")
    assert decoded(body).format == "WEBP" and decoded(body).size == (80, 40)
    _, body, _ = await stack.get("/cat.png?fm=png&w=20")
    assert decoded(body).format == "PNG" and decoded(body).size == (20, 10)


async def test_auto_format_follows_accept_and_keys_on_the_choice(stack: Stack) -> None:
    stack.folder.put("/images/cat.png", image_bytes((200, 100)))
    await stack.create_source()
    _, body, _ = await stack.get("/cat.png?auto=format", Accept="image/webp,*/*")
    assert decoded(body).format == "WEBP"
    _, body, headers = await stack.get("/cat.png?auto=format", Accept="image/png")
    assert decoded(body).format == "PNG" and "hit" not in headers["Cache-Status"]
    _, body, headers = await stack.get(
        "/cat.png?auto=format,compress", Accept="image/avif,image/webp"
    )
    assert headers["Content-Type"] == "image/avif"


async def test_mark_and_blend_compose_sub_images(stack: Stack) -> None:
    stack.folder.put("/images/cat.png", image_bytes((200, 100), (255, 0, 0)))
    stack.folder.put("/images/logo.png", image_bytes((20, 20), (0, 0, 255)))
    await stack.create_source()
    _, body, _ = await stack.get("/cat.png?mark=/logo.png&mark-pad=0")
    image = decoded(body).convert("RGB")
    assert image.getpixel((195, 95)) == (0, 0, 255) and image.getpixel((5, 5)) == (255, 0, 0)
    logo = f"{stack.pop(1)}/imgix/demo/logo.png"
    _, body, _ = await stack.get(f"/cat.png?mark={logo}&mark-align=top,left&mark-pad=0")
    assert decoded(body).convert("RGB").getpixel((2, 2)) == (0, 0, 255)
    _, body, _ = await stack.get("/cat.png?blend=0000ff&blend-mode=normal&blend-alpha=50")
    r, _, b = decoded(body).convert("RGB").getpixel((100, 50))
    assert 120 < r < 135 and 120 < b < 135
    _, body, _ = await stack.get("/cat.png?blend=/logo.png&blend-mode=multiply")
    assert decoded(body).convert("RGB").getpixel((100, 50)) == (0, 0, 0)


async def test_missing_and_broken_images_fall_back_to_the_sources_images(stack: Stack) -> None:
    stack.folder.put("/fallback/missing.png", image_bytes((40, 40), (0, 255, 0)))
    stack.folder.put("/fallback/error.png", image_bytes((30, 30), (0, 0, 255)))
    stack.folder.put("/images/broken.png", b"not an image")
    stack.folder.put("/images/down.png", image_bytes())
    stack.folder.failing.add("/images/down.png")
    await stack.create_source(
        image_missing=f"{stack.folder.url}/fallback/missing.png",
        image_missing_append_qs=True,
        image_error=f"{stack.folder.url}/fallback/error.png",
    )
    status, body, headers = await stack.get("/nope.png?w=20")
    assert (
        status == 404
        and decoded(body).size == (20, 20)
        and headers["X-Imgix-Fallback"] == "missing"
    )
    status, body, _ = await stack.get("/broken.png?w=10")
    assert status == 502 and decoded(body).size == (30, 30)  # no append_qs: as it is
    status, body, _ = await stack.get("/down.png")
    assert status == 502 and decoded(body).size == (30, 30)


async def test_errors_without_fallback_are_json(stack: Stack) -> None:
    await stack.create_source()
    status, _, headers = await stack.get("/nope.png")
    assert status == 404 and headers["Content-Type"].startswith("application/json")
    status, _, _ = await stack.get("/x.png", subdomain="nobody")
    assert status == 404


async def test_signed_urls(stack: Stack) -> None:
    stack.folder.put("/images/cat.png", image_bytes((200, 100)))
    source_id = await stack.create_source(secure_url_enabled=True)
    _, doc = await stack.call("GET", f"/api/v1/sources/{source_id}")
    token = doc["data"]["attributes"]["secure_url_token"]
    status, _, _ = await stack.get("/cat.png?w=10")
    assert status == 403
    good = signature(token, "/cat.png", "w=10")
    status, _, _ = await stack.get(f"/cat.png?w=10&s={good}")
    assert status == 200
    status, _, _ = await stack.get(f"/cat.png?w=11&s={good}")
    assert status == 403
    bare = signature(token, "/cat.png", "")
    status, _, _ = await stack.get(f"/cat.png?s={bare}")
    assert status == 200


async def test_a_disabled_source_answers_410_for_what_is_not_cached(stack: Stack) -> None:
    stack.folder.put("/images/cat.png", image_bytes((200, 100)))
    source_id = await stack.create_source()
    status, _, _ = await stack.get("/cat.png?w=10")
    assert status == 200
    patch = {"data": {"type": "sources", "id": source_id, "attributes": {"enabled": False}}}
    status, _ = await stack.call("PATCH", f"/api/v1/sources/{source_id}", body=patch)
    assert status == 200
    status, _, headers = await stack.get("/cat.png?w=10")
    assert status == 200 and "hit" in headers["Cache-Status"]
    status, _, _ = await stack.get("/cat.png?w=20")
    assert status == 410
    status, _, _ = await stack.get("/cat.png?w=20")
    assert status == 410  # never cached


async def test_an_s3_source_reads_its_bucket_through_boto3(stack: Stack, moto_server) -> None:  # type: ignore[no-untyped-def]
    s3 = boto3.client(
        "s3",
        endpoint_url=moto_server.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    s3.create_bucket(Bucket="pictures")
    s3.put_object(Bucket="pictures", Key="base/dir/cat.png", Body=image_bytes((64, 32)))
    await stack.create_source(
        "s3",
        "bucket",
        type="s3",
        s3_bucket="pictures",
        s3_prefix="base",
        s3_access_key="testing",
        s3_secret_key="testing",
    )
    status, body, _ = await stack.get("/dir/cat.png?w=32", subdomain="bucket")
    assert status == 200 and decoded(body).size == (32, 16)
    status, _, _ = await stack.get("/dir/dog.png", subdomain="bucket")
    assert status == 404


async def test_web_proxy_reaches_only_configured_hosts(stack: Stack) -> None:
    stack.folder.put("/images/cat.png", image_bytes((200, 100)))
    await stack.create_source("proxy", "prox", type="webproxy")
    from urllib.parse import quote

    inside = quote(f"{stack.folder.url}/images/cat.png", safe="")
    status, body, _ = await stack.get(f"/{inside}?w=20", subdomain="prox")
    assert status == 200 and decoded(body).size == (20, 10)
    outside = quote("http://example.com/cat.png", safe="")
    status, body, _ = await stack.get(f"/{outside}", subdomain="prox")
    assert status == 403 and b"not configured" in body


async def test_hosts_name_sources(stack: Stack) -> None:
    stack.folder.put("/images/cat.png", image_bytes((200, 100)))
    await stack.create_source(custom_domains=["img.example.com"], crossdomain_xml_enabled=True)
    for host in ("demo.imgix.localhost", "img.example.com:8080"):
        async with stack.http.get(f"{stack.pop(1)}/cat.png?w=10", headers={"Host": host}) as r:
            assert r.status == 200 and decoded(await r.read()).size == (10, 5)
    async with stack.http.get(
        f"{stack.pop(1)}/crossdomain.xml", headers={"Host": "demo.imgix.localhost"}
    ) as r:
        assert r.status == 200 and b"cross-domain-policy" in await r.read()


async def test_an_animated_gif_is_served_animated_and_as_its_first_frame_in_png(
    stack: Stack,
) -> None:
    stack.folder.put("/images/anim.gif", animated())
    await stack.create_source()
    status, body, headers = await stack.get("/anim.gif?w=30")
    image = decoded(body)
    assert status == 200 and headers["Content-Type"] == "image/gif"
    assert image.n_frames == 4 and image.size == (30, 20)
    status, body, headers = await stack.get("/anim.gif?w=30&fm=png")
    assert headers["Content-Type"] == "image/png" and getattr(decoded(body), "n_frames", 1) == 1
    status, body, headers = await stack.get("/anim.gif?w=30", Accept="image/webp")  # no auto=format
    assert headers["Content-Type"] == "image/gif"


async def test_an_animation_over_the_frame_bound_is_refused_with_422(stack: Stack) -> None:
    colours = [(i % 2 * 255, 0, 0) for i in range(901)]
    stack.folder.put(
        "/images/long.gif", animated(size=(2, 2), colours=colours, durations=[20] * 901)
    )
    await stack.create_source()
    status, body, headers = await stack.get("/long.gif")
    assert status == 422 and headers["Content-Type"].startswith("application/json")
    assert b"at most 900" in body
    status, body, _ = await stack.get("/long.gif?fm=png")  # the first frame alone is fine
    assert status == 200 and decoded(body).format == "PNG"


async def test_smart_crops_and_blend_modes_through_a_source(stack: Stack) -> None:
    strip = busy_strip()
    out = io.BytesIO()
    strip.save(out, "PNG")
    stack.folder.put("/images/strip.png", out.getvalue())
    stack.folder.put("/images/flat.png", image_bytes((40, 20), (200, 100, 50)))
    await stack.create_source()
    _, body, _ = await stack.get("/strip.png?w=100&h=100&fit=crop&crop=entropy&fm=png")
    assert decoded(body).convert("RGB").tobytes() == strip.crop((0, 0, 100, 100)).tobytes()
    _, body, _ = await stack.get("/strip.png?w=100&h=100&fit=crop&crop=faces,edges&fm=png")
    assert decoded(body).convert("L").getpixel((99, 50)) in (0, 255)
    _, body, _ = await stack.get("/flat.png?blend=808080&blend-mode=multiply")
    assert decoded(body).convert("RGB").getpixel((20, 10)) == (100, 50, 25)
    _, body, _ = await stack.get("/flat.png?blend-color=808080&blend-mode=luminosity")
    assert decoded(body).convert("RGB").getpixel((20, 10)) == (204, 104, 54)


async def test_an_original_whose_pixels_cannot_be_decoded_is_a_502_in_every_format(
    stack: Stack,
) -> None:
    # The AV1 data of an AVIF zeroed: its header reads, its pixels do not (libavif's failure
    # reaches Python as a RuntimeError).
    avif = image_bytes((64, 48), fmt="AVIF")
    payload = avif.index(b"mdat") + 4
    stack.folder.put("/images/blank.avif", avif[:payload] + bytes(len(avif) - payload))
    stack.folder.put("/images/cut.jpg", image_bytes((64, 48), fmt="JPEG")[:300])
    await stack.create_source()
    for path in ("/blank.avif?w=10", "/cut.jpg?w=10", "/blank.avif?fm=png"):
        status, _, headers = await stack.get(path)
        assert status == 502 and headers["Content-Type"].startswith("application/json"), path
