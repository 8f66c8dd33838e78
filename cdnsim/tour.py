"""A tour of every origin operation against a running origin: one call each, with the
status a correct service answers. ``cdnsim tour`` prints it; tests assert it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from cdnsim.demo import DemoData, demo_image


@dataclass(frozen=True)
class Step:
    method: str
    path: str
    expect: int
    what: str
    kwargs: dict[str, Any]
    admin: bool = True
    check: Callable[[aiohttp.ClientResponse, bytes], str | None] | None = None


@dataclass(frozen=True)
class Outcome:
    step: Step
    status: int
    note: str

    @property
    def ok(self) -> bool:
        return self.status == self.step.expect and not self.note.startswith("FAIL")


def _header(name: str, want: str) -> Callable[[aiohttp.ClientResponse, bytes], str | None]:
    def check(response: aiohttp.ClientResponse, _: bytes) -> str | None:
        got = response.headers.get(name, "")
        return f"{name}: {got}" if got == want else f"FAIL {name} is {got!r}, expected {want!r}"

    return check


def _form(image: bytes) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("file", image, filename="tour.jpg", content_type="image/jpeg")
    return form


def tour_steps(
    demo: DemoData, image_source: str, fresh_pack: str, environment: str = "dev"
) -> list[Step]:
    """Every operation once; ``fresh_pack`` is a pack the tour may change freely."""
    with_cover, without_cover = demo.pack_ids[0], demo.pack_ids[1]
    crop = {
        "cropInfo": {"topLeftX": 0.1, "topLeftY": 0.1, "bottomRightX": 0.9, "bottomRightY": 0.9}
    }
    p = f"/adminAPI/imagePack/{fresh_pack}"
    img = f"/api/v2/img/{with_cover}"
    return [
        Step("GET", "/api/ping", 200, "liveness", {}, admin=False),
        Step("GET", "/api/systemsCheck", 200, "S3 and DynamoDB really answer", {}, admin=False),
        Step("GET", "/openapi.json", 200, "the OpenAPI 3.1 contract", {}, admin=False),
        Step(
            "GET", "/api/v2/imageLocationConfigs", 200, "public location configs", {}, admin=False
        ),
        Step("GET", "/api/v2/regions", 200, "public regions", {}, admin=False),
        Step("GET", "/api/v2/regions/nordic", 200, "one public region", {}, admin=False),
        Step("GET", "/adminAPI/imageLocationConfigs", 200, "admin: list location configs", {}),
        Step("GET", "/adminAPI/imageLocationConfig/thumb", 200, "admin: one location config", {}),
        Step(
            "PUT",
            "/adminAPI/imageLocationConfig/thumb",
            409,
            "resize without force=true is refused",
            {"json": {"width": 360, "height": 200, "fallback": "main"}},
        ),
        Step(
            "PUT",
            "/adminAPI/imageLocationConfig/thumb?force=true",
            200,
            "… and accepted with force=true",
            {"json": {"width": 360, "height": 200, "fallback": "main", "label": "Thumbnail"}},
            check=lambda r, _: f"X-Invalidated-Variants: {r.headers.get('X-Invalidated-Variants')}",
        ),
        Step(
            "PUT",
            "/adminAPI/imageLocationConfig/thumb/label",
            200,
            "label-only change needs no force",
            {"json": {"label": "Small thumbnail"}},
        ),
        Step(
            "PUT",
            "/adminAPI/imageLocationConfigs",
            409,
            "bulk replace removing locations needs force",
            {"json": [{"name": "main", "width": 1280, "height": 720}]},
        ),
        Step(
            "POST",
            "/adminAPI/regions",
            200,
            "admin: create a region",
            {"json": {"name": "emea", "label": "EMEA", "countries": ["GB", "FR"]}},
        ),
        Step(
            "PUT",
            "/adminAPI/regions/emea",
            200,
            "admin: update a region",
            {"json": {"name": "emea", "label": "Europe", "countries": ["GB", "FR", "DE"]}},
        ),
        Step("GET", "/adminAPI/imagePacks?offset=0", 200, "admin: list pack ids", {}),
        Step("GET", p, 200, "admin: get a pack", {}),
        Step(
            "PUT",
            p,
            200,
            "admin: replace pack metadata",
            {"json": {"assetId": "tour", "mainImageLocation": "main"}},
        ),
        Step(
            "POST",
            f"{p}/main/upload",
            200,
            "admin: upload an original",
            {"data": lambda: _form(demo_image((90, 90, 90), "tour"))},
        ),
        Step(
            "POST",
            f"{p}/thumb/fetchImage?imageUrl={image_source}",
            200,
            "admin: fetch an original by URL",
            {},
        ),
        Step(
            "POST",
            f"{p}/portal-cover/upload?region=nordic",
            200,
            "admin: region-specific original",
            {"data": lambda: _form(demo_image((10, 10, 120), "nordic cover", (600, 900)))},
        ),
        Step("PUT", f"{p}/main", 200, "admin: set cropInfo on a pack location", {"json": crop}),
        Step("GET", f"{p}/main", 200, "admin: get a pack location", {}),
        Step(
            "PUT",
            f"{p}/portal-cover/nordic",
            200,
            "admin: region crop for a location",
            {"json": crop},
        ),
        Step(
            "POST",
            f"{p}/deleteImageLocation",
            200,
            "admin: remove a location from a pack",
            {"json": {"imageLocationName": "thumb"}},
        ),
        Step(
            "GET",
            f"/adminAPI/image/{demo.image_ids[0]}",
            200,
            "admin: download a stored original",
            {},
        ),
        Step(
            "PUT",
            "/adminAPI/copyImagePacks",
            202,
            "admin: copy packs to another tenant (background)",
            {
                "json": {
                    "sourceTenant": demo.tenant,
                    "targetTenant": "demo-copy",
                    "imagePackIds": [with_cover],
                }
            },
        ),
        Step(
            "GET",
            f"{img}?location=thumb",
            200,
            "client: render a variant (no thumb image → main)",
            {},
            admin=False,
            check=_header("X-Image-Location", "main"),
        ),
        Step(
            "GET",
            f"{img}-1700000000?location=thumb&date=now",
            200,
            "client: suffix and date bust only the URL",
            {},
            admin=False,
        ),
        Step(
            "GET",
            f"/api/v2/img/{without_cover}?location=portal-cover",
            200,
            "client: no cover → fallback chain",
            {},
            admin=False,
            check=_header("X-Image-Location", "main"),
        ),
        Step(
            "GET",
            f"/api/v2/img/{fresh_pack}?location=portal-cover&region=nordic",
            200,
            "client: region-specific image",
            {},
            admin=False,
            check=_header("X-Image-Location", "portal-cover"),
        ),
        Step(
            "GET",
            f"{img}?location=square&format=png",
            200,
            "client: includeAll location as PNG",
            {},
            admin=False,
            check=_header("Content-Type", "image/png"),
        ),
        Step(
            "GET",
            f"/api/img/{with_cover}?location=thumb",
            301,
            "client: legacy path redirects",
            {},
            admin=False,
        ),
        Step("GET", f"{img}?width=0", 422, "client: bad parameter is named", {}, admin=False),
        Step(
            "GET",
            "/api/v2/img/000000000000000000000000",
            404,
            "client: unknown pack",
            {},
            admin=False,
        ),
        Step(
            "DELETE",
            f"/{environment}-lof/images/{demo.tenant}/{with_cover}",
            204,
            "platform: invalidate a pack's variants now",
            {},
        ),
    ]


async def run_tour(
    session: aiohttp.ClientSession, origin: str, headers: dict[str, str], steps: list[Step]
) -> list[Outcome]:
    outcomes = []
    for step in steps:
        kwargs = {k: (v() if callable(v) else v) for k, v in step.kwargs.items()}
        async with session.request(
            step.method,
            origin + step.path,
            headers=headers if step.admin else {},
            allow_redirects=False,
            **kwargs,
        ) as response:
            body = await response.read()
            note = step.check(response, body) if step.check else None
            outcomes.append(Outcome(step, response.status, note or _summary(response, body)))
    return outcomes


def _summary(response: aiohttp.ClientResponse, body: bytes) -> str:
    kind = response.headers.get("Content-Type", "")
    if kind.startswith("application/json"):
        try:
            value = json.loads(body)
        except ValueError:
            return "invalid JSON"
        if isinstance(value, dict) and "message" in value:
            return str(value["message"])[:70]
        if isinstance(value, list):
            return f"{len(value)} item{'' if len(value) == 1 else 's'}"
        return f"{len(body)} bytes of JSON"
    if response.status == 204:
        return "no content"
    if response.status in (301, 302):
        return f"→ {response.headers.get('Location', '')[:60]}"
    return f"{kind or 'no type'}, {len(body)} bytes"
