import json
import re
from typing import Any

import pytest
from aiohttp import web

from common.errors import Conflict, error_middleware, json_errors


async def _conflict(request: web.Request) -> web.Response:
    raise Conflict("it changed", field="width")


async def _multipart(request: web.Request) -> web.Response:
    reader = await request.multipart()
    async for _ in reader:
        pass
    return web.Response(text="read")


async def _crash(request: web.Request) -> web.Response:
    raise RuntimeError("bug")


async def make(aiohttp_client):  # type: ignore[no-untyped-def]
    app = web.Application(middlewares=[json_errors])
    app.router.add_get("/conflict", _conflict)
    app.router.add_post("/multipart", _multipart)
    app.router.add_get("/crash", _crash)
    return await aiohttp_client(app)


async def test_domain_errors_render_the_json_shape(aiohttp_client):
    client = await make(aiohttp_client)
    response = await client.get("/conflict")
    assert response.status == 409
    assert await response.json() == {
        "code": "conflict",
        "message": "it changed",
        "status": 409,
        "field": "width",
    }


async def test_unknown_route_and_wrong_method_are_json_too(aiohttp_client):
    client = await make(aiohttp_client)
    assert (await (await client.get("/nope")).json())["status"] == 404
    response = await client.post("/conflict")
    assert response.status == 405 and (await response.json())["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


async def test_malformed_multipart_headers_are_a_400_not_a_crash(aiohttp_client):
    client = await make(aiohttp_client)
    body = b'--b\r\nContent-Disposition: form-data; name="\xc3\xa1\x18"\r\n\r\nx\r\n--b--\r\n'
    response = await client.post(
        "/multipart", data=body, headers={"Content-Type": "multipart/form-data; boundary=b"}
    )
    assert response.status == 400
    assert (await response.json())["code"] == "malformed_request"


async def test_a_body_that_cannot_be_decoded_is_a_400_wherever_it_is_read(aiohttp_client):
    client = await make(aiohttp_client)
    headers = {"Content-Type": "multipart/form-data; boundary=b", "Content-Encoding": "gzip"}
    response = await client.post("/multipart", data=b"this is not gzip", headers=headers)
    assert response.status == 400
    body = await response.json()
    assert body["code"] == "malformed_request" and "content-encoding" in body["message"]


async def test_unexpected_errors_are_a_500_json_without_internals(aiohttp_client):
    client = await make(aiohttp_client)
    response = await client.get("/crash")
    assert response.status == 500
    assert await response.json() == {
        "code": "internal_error",
        "message": "internal error",
        "status": 500,
    }


async def test_a_chunked_body_over_the_limit_is_a_413(aiohttp_client):
    from common.bodies import read_json

    async def limited(request: web.Request) -> web.Response:
        return web.json_response(await read_json(request, limit=1024))

    app = web.Application(middlewares=[json_errors])
    app.router.add_put("/limited", limited)
    client = await aiohttp_client(app)

    async def chunks():  # type: ignore[no-untyped-def]
        yield b'{"padding": "'
        for _ in range(10):
            yield b"x" * 500
        yield b'"}'

    response = await client.put("/limited", data=chunks())
    assert response.status == 413
    small = await client.put("/limited", data=b'{"a": 1}')
    assert small.status == 200 and await small.json() == {"a": 1}


# One middleware, four shapes: every API maps the same failures to the same statuses.
def _renderers() -> dict[str, Any]:
    from edge.invalidation.cloudfront_api import render_aws_error
    from vendors.akamai.problems import render_problem
    from vendors.imgix import jsonapi

    ids = iter(range(10**6))
    return {
        "vimond-json": json_errors,
        "akamai-problem": error_middleware(render_problem),
        "imgix-jsonapi": jsonapi.middleware(lambda: f"{next(ids):024x}"),
        "cloudfront-xml": error_middleware(render_aws_error),
    }


def _status_and_kind(shape: str, status: int, text: str) -> tuple[int, str]:
    if shape == "cloudfront-xml":
        code = re.search(r"<Code>([^<]+)</Code>", text)
        return status, code.group(1) if code else ""
    body = json.loads(text)
    if shape == "akamai-problem":
        assert body["httpStatus"] == status
        return status, body["title"]
    if shape == "imgix-jsonapi":
        (error,) = body["errors"]
        assert error["status"] == str(status)
        return status, error["title"]
    assert body["status"] == status
    return status, body["code"]


EXPECTED = {
    "vimond-json": ["conflict", "not_found", "method_not_allowed", "internal_error", "malformed_request"],
    "akamai-problem": ["Conflict", "Not Found", "Method Not Allowed", "Internal Server Error", "Bad Request"],
    "imgix-jsonapi": ["Conflict", "NotFound", "MethodNotAllowed", "InternalServerError", "BadRequest"],
    "cloudfront-xml": ["Conflict", "NotFound", "MethodNotAllowed", "InternalError", "InvalidArgument"],
}  # fmt: skip


async def _read(request: web.Request) -> web.Response:
    await request.read()
    return web.Response(text="read")


@pytest.mark.parametrize("shape", list(EXPECTED))
async def test_every_renderer_maps_the_same_failures_to_the_same_statuses(
    aiohttp_client, caplog, shape: str
):
    app = web.Application(middlewares=[_renderers()[shape]])
    app.router.add_get("/conflict", _conflict)
    app.router.add_get("/crash", _crash)
    app.router.add_post("/read", _read)
    client = await aiohttp_client(app)
    answers = [
        await client.get("/conflict"),
        await client.get("/nope"),
        await client.post("/conflict"),
        await client.get("/crash"),
        # last: aiohttp closes a connection whose body it could not decode
        await client.post("/read", data=b"not gzip", headers={"Content-Encoding": "gzip"}),
    ]
    got = [_status_and_kind(shape, a.status, await a.text()) for a in answers]
    assert [s for s, _ in got] == [409, 404, 405, 500, 400]
    assert [k for _, k in got] == EXPECTED[shape]
    assert "GET" in answers[2].headers["Allow"]
    assert "bug" not in await answers[3].text()
    crashes = [r for r in caplog.records if r.levelname == "ERROR" and "/crash" in r.getMessage()]
    assert len(crashes) == 1  # logged once, with its traceback
    assert crashes[0].exc_info is not None
