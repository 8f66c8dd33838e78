"""The policy API over HTTP: Luna-Token auth, problem JSON, versions, history, .auto,
staging apart from production."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import urlsplit

from tests.vendors.akamai.conftest import TOKEN, ImagingStack

AUTH = {"Luna-Token": TOKEN}
WATERMARK = {
    "breakpoints": {"widths": [500, 300]},
    "output": {"quality": 90, "allowedFormats": ["webp", "jpeg", "png"]},
    "transformations": [{"transformation": "Grayscale", "type": "Rec601"}],
    "variables": [{"name": "bg", "type": "color", "defaultValue": "#ffffff"}],
    "postBreakpointTransformations": [
        {"transformation": "BackgroundColor", "color": {"var": "bg"}}
    ],
    "hosts": ["cdn.example.com"],
}


async def test_dot_auto_exists_from_the_start_with_the_documented_defaults(imaging: ImagingStack):
    async with imaging.http.get(imaging.api("/imaging/v2/policies"), headers=AUTH) as response:
        assert response.status == 200
        assert await response.json() == {
            "totalItems": 1,
            "itemKind": "POLICY",
            "items": [{"id": ".auto"}],
        }
    async with imaging.http.get(
        imaging.api("/imaging/v2/policies/.auto"), headers=AUTH
    ) as response:
        auto = await response.json()
    assert auto["breakpoints"]["widths"] == [320, 640, 1024, 2048, 5000]
    assert auto["output"]["quality"] == 85 and auto["version"] == 1


async def test_missing_or_unknown_luna_token_is_refused_as_api_problem(imaging: ImagingStack):
    for headers, status in (({}, 401), ({"Luna-Token": "nope"}, 403)):
        async with imaging.http.get(
            imaging.api("/imaging/v2/policies"), headers=headers
        ) as response:
            assert response.status == status
            assert response.content_type == "application/api-problem+json"
            problem = json.loads(await response.text())
        assert problem["httpStatus"] == status
        assert set(problem) == {"type", "title", "detail", "instance", "httpStatus"}
        assert problem["instance"].startswith("GET - http://127.0.0.1")


async def test_put_creates_then_updates_each_time_a_new_version(imaging: ImagingStack):
    url = imaging.api("/imaging/v2/policies/watermark")
    async with imaging.http.put(url, json=WATERMARK, headers=AUTH) as response:
        assert response.status == 201
        ack = await response.json()
    assert ack["operationPerformed"] == "CREATED" and ack["id"] == "watermark"
    changed = {**WATERMARK, "output": {"quality": 70}}
    async with imaging.http.put(url, json=changed, headers=AUTH) as response:
        assert response.status == 200
        assert (await response.json())["operationPerformed"] == "UPDATED"
    async with imaging.http.get(url, headers=AUTH) as response:
        policy = await response.json()
    assert policy["version"] == 2 and policy["output"] == {"quality": 70}
    assert policy["user"] == "cdnsim" and policy["id"] == "watermark"
    async with imaging.http.put(
        url, json=policy, headers=AUTH
    ) as response:  # GET → PUT round-trips
        assert response.status == 200


async def test_history_returns_every_state_newest_first_and_survives_delete(
    imaging: ImagingStack, clock
):
    url = imaging.api("/imaging/v2/policies/thumb")
    for width in (100, 200):
        await imaging.put_policy("thumb", {"breakpoints": {"widths": [width]}})
        await clock.advance(3600)
    async with imaging.http.delete(url, headers=AUTH) as response:
        assert response.status == 200
        assert await response.json() == {
            "operationPerformed": "DELETED",
            "description": "Policy thumb deleted.",
            "id": "thumb",
        }
    async with imaging.http.get(url, headers=AUTH) as response:
        assert response.status == 404
    async with imaging.http.get(
        imaging.api("/imaging/v2/policies/history/thumb"), headers=AUTH
    ) as response:
        history = await response.json()
    assert history["itemKind"] == "POLICIESLOG" and history["totalItems"] == 3
    actions = [(i["action"], i["version"], i["user"]) for i in history["items"]]
    assert actions == [("DELETE", 2, "cdnsim"), ("UPSERT", 2, "cdnsim"), ("UPSERT", 1, "cdnsim")]
    assert json.loads(history["items"][2]["policy"])["breakpoints"] == {"widths": [100]}
    assert history["items"][0]["dateCreated"] > history["items"][2]["dateCreated"]
    assert history["items"][2]["dateCreated"].endswith("+0000")
    await imaging.put_policy("thumb", {})  # re-created: the version goes on, never back to 1
    async with imaging.http.get(url, headers=AUTH) as response:
        assert (await response.json())["version"] == 3


async def test_dot_auto_can_be_modified_but_never_deleted(imaging: ImagingStack):
    await imaging.put_policy(
        ".auto", {"breakpoints": {"widths": [100, 400]}, "output": {"quality": 60}}
    )
    url = imaging.api("/imaging/v2/policies/.auto")
    async with imaging.http.delete(url, headers=AUTH) as response:
        assert response.status == 403
        assert "cannot be deleted" in (await response.json(content_type=None))["detail"]
    async with imaging.http.get(url, headers=AUTH) as response:
        assert (await response.json())["version"] == 2


async def test_staging_and_production_hold_separate_policy_sets(imaging: ImagingStack):
    await imaging.put_policy("mobile", {"output": {"quality": 50}}, staging=True)
    async with imaging.http.get(
        imaging.api("/imaging/v2/policies/mobile"), headers=AUTH
    ) as response:
        assert response.status == 404  # not yet activated on production
    async with imaging.http.get(
        imaging.api("/imaging/v2/policies/mobile", staging=True), headers=AUTH
    ) as response:
        assert response.status == 200
    # Akamai's own staging host name selects staging on the production app too.
    headers = {**AUTH, "Host": "akab-x.imaging-staging.akamaiapis.net"}
    async with imaging.http.get(
        imaging.api("/imaging/v2/policies/mobile"), headers=headers
    ) as response:
        assert response.status == 200
    await imaging.put_policy("mobile", {"output": {"quality": 50}})
    async with imaging.http.get(imaging.api("/imaging/v2/policies"), headers=AUTH) as response:
        assert [i["id"] for i in (await response.json())["items"]] == [".auto", "mobile"]


BAD_POLICIES = [
    ("a" * 65, {}, "64"),
    ("bad.id", {}, "64"),
    ("p", {"transformations": [{"transformation": "Sepia"}]}, "unknown transformation 'Sepia'"),
    (
        "p",
        {"transformations": [{"transformation": "Blur", "sigma": {"var": "nope"}}]},
        "'nope' is not declared",
    ),
    (
        "p",
        {
            "variables": [{"name": "w", "type": "color", "defaultValue": "#fff"}],
            "transformations": [{"transformation": "Resize", "width": {"var": "w"}}],
        },
        "needs number",
    ),
    ("p", {"transformations": [{"transformation": "Resize", "width": -4}]}, "outside"),
    ("p", {"transformations": [{"transformation": "Resize", "width": "100"}]}, "unquoted"),
    ("p", {"transformations": [{"transformation": "Crop", "width": 10}]}, "needs height"),
    (
        "p",
        {
            "transformations": [
                {"transformation": "Compound", "transformations": [{"transformation": "Blur"}]}
            ]
        },
        "Compound cannot hold Blur",
    ),
    ("p", {"breakpoints": {"widths": [0]}}, "outside"),
    ("p", {"output": {"allowedFormats": ["bmp"]}}, "allowedFormats"),
    ("p", {"output": {"quality": 101}}, "outside"),
    ("p", {"colour": 1}, "unknown policy member"),
    (
        "p",
        {
            "hosts": ["cdn.example.com"],
            "transformations": [
                {"transformation": "Composite", "image": {"url": "http://evil.example/x.png"}}
            ],
        },
        "no host of the policy's hosts",
    ),
    (
        "p",
        {"transformations": [{"transformation": "HSL", "saturation": 1.5}]},
        "outside 0..1",
    ),
    ("p", {"breakpoints": {"widths": [9]}, "resolutions": {"widths": [9]}}, "give one of"),
    (
        "p",
        {"transformations": [{"transformation": "Composite", "image": [{"url": "/a.png"}] * 2}]},
        "one image, not 2",
    ),
    (
        "p",
        {
            "transformations": [
                {"transformation": "Composite", "image": [{"url": "/a", "ordinal": "1"}]}
            ]
        },
        "ordinal is an integer",
    ),
    ("p", {"variables": [{"name": "g", "type": "gravity", "defaultValue": "Up"}]}, "not one of"),
    (
        "p",
        {
            "variables": [
                {
                    "name": "g",
                    "type": "gravity",
                    "defaultValue": "a",
                    "enumOptions": [{"id": "b", "value": "North"}],
                }
            ]
        },
        "takes one of",
    ),
    ("p", [1, 2], "JSON object"),
    ("p", {"id": "other"}, "differs"),
]


async def test_malformed_policies_are_refused_with_a_clear_400(imaging: ImagingStack):
    for policy_id, body, words in BAD_POLICIES:
        url = imaging.api(f"/imaging/v2/policies/{policy_id}")
        async with imaging.http.put(url, json=body, headers=AUTH) as response:
            problem = json.loads(await response.text())
            assert response.status == 400, (body, problem)
        assert problem["title"] == "Validation Exception"
        assert words in problem["detail"], (words, problem["detail"])
    async with imaging.http.put(
        imaging.api("/imaging/v2/policies/p"), data=b"{nope", headers=AUTH
    ) as response:
        assert response.status == 400
    async with imaging.http.get(imaging.api("/imaging/v2/policies"), headers=AUTH) as response:
        assert (await response.json())["totalItems"] == 1  # nothing was stored


async def test_a_full_policy_is_accepted_and_read_back_in_canonical_form(imaging: ImagingStack):
    body = {
        **WATERMARK,
        "transformations": [
            {"transformation": "Hsl", "hue": 10, "saturation": 1.0, "lightness": 1.0},
            {"transformation": "MaxColors", "colours": 16},
            {
                "transformation": "IfOrientation",
                "portrait": {"transformation": "Rotate", "degrees": 90},
            },
            {
                "transformation": "FitAndFill",
                "width": 100,
                "height": 100,
                "fillTransformation": {"transformation": "Blur", "sigma": 4},
            },
        ],
        "variables": [
            *WATERMARK["variables"],
            {
                "name": "pos",
                "type": "gravity",
                "defaultValue": "sw",
                "enumOptions": [
                    {"id": "sw", "value": "SouthWest"},
                    {"id": "ne", "value": "NorthEast"},
                ],
            },
            {"name": "size", "type": "number", "defaultValue": "2", "prefix": "1", "postfix": "0"},
        ],
    }
    await imaging.put_policy("full", body)
    async with imaging.http.get(imaging.api("/imaging/v2/policies/full"), headers=AUTH) as response:
        stored = await response.json()
    assert stored["transformations"][0]["transformation"] == "HSL"
    assert stored["transformations"][1] == {"transformation": "MaxColors", "colors": 16}
    assert stored["hosts"] == ["cdn.example.com"] and len(stored["variables"]) == 3


async def _raw_put(url: str, head: str, body: bytes) -> tuple[int, dict[str, object]]:
    """A hand-written HTTP/1.1 request (aiohttp's client will not send a broken body)."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        writer.write(
            f"PUT {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nLuna-Token: {TOKEN}\r\n"
            f"Content-Type: application/json\r\nConnection: close\r\n{head}\r\n".encode()
            + body
        )
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(), 10)
    finally:
        writer.close()
    status_line, _, rest = raw.partition(b"\r\n")
    return int(status_line.split()[1]), json.loads(rest.partition(b"\r\n\r\n")[2] or b"{}")


async def test_a_body_that_cannot_be_parsed_is_a_400_problem_not_a_500(imaging: ImagingStack):
    url = imaging.api("/imaging/v2/policies/p")
    deep = b"[" * 200_000  # valid so far, but deeper than any parser recurses
    for head, body in (
        (f"Content-Length: {len(deep)}\r\n", deep),
        ("Content-Encoding: gzip\r\nContent-Length: 9\r\n", b"not gzip!"),
        ("Content-Length: 4\r\n", b"\xff\xfe{}"),
    ):
        status, problem = await _raw_put(url, head, body)
        assert status == 400, (head, body[:20], problem)
        assert problem["httpStatus"] == 400 and problem["title"] == "Bad Request", problem
    async with imaging.http.get(imaging.api("/imaging/v2/policies"), headers=AUTH) as response:
        assert (await response.json())["totalItems"] == 1  # nothing was stored
