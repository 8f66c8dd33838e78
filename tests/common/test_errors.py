from aiohttp import web

from common.errors import Conflict, json_errors


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
