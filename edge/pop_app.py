"""The aiohttp app of one POP: parse the viewer's request, let the Pop answer, write headers."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web
from multidict import CIMultiDict

from common.bodies import read_request
from common.errors import ApiError, json_errors
from edge.app_keys import POP
from edge.forwarding import distribution_host
from edge.outcome import Outcome, ViewerRequest
from edge.pop import Pop

# CloudFront's allowed methods ("GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE").
ALLOWED_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"})
DEBUG_HEADER = "X-Cdnsim-Debug"
WORKER_HEADER = "X-Edge-Worker"


def create_pop_app(pop: Pop, *, manage_lifecycle: bool = True) -> web.Application:
    """The viewer-facing app. With ``manage_lifecycle`` the app starts and closes the Pop."""
    app = web.Application(middlewares=[json_errors], client_max_size=pop.settings.max_request_bytes)
    app[POP] = pop
    app.router.add_route("*", "/{tail:.*}", handle)
    if manage_lifecycle:
        app.cleanup_ctx.append(_lifecycle)
    return app


async def _lifecycle(app: web.Application) -> AsyncIterator[None]:
    await app[POP].start()
    yield
    await app[POP].close()


async def handle(request: web.Request) -> web.StreamResponse:
    pop = request.app[POP]
    method = request.method
    if method not in ALLOWED_METHODS:
        raise ApiError(
            f"method {method} is not allowed here",
            status=405,
            code="method_not_allowed",
            headers={"Allow": ", ".join(sorted(ALLOWED_METHODS))},
        )
    url = request.rel_url
    limit = pop.settings.max_request_bytes
    body = b"" if method in ("GET", "HEAD") else await read_request(request, limit)
    raw_host = request.headers.get("Host")
    host = distribution_host(raw_host, pop.settings.distribution_id)
    headers = tuple(request.headers.items())
    if host != raw_host:
        headers = tuple((k, host if k.lower() == "host" and host else v) for k, v in headers)
    viewer = ViewerRequest(
        method,
        url.raw_path,
        tuple(url.query.items()),
        url.raw_query_string,
        headers,
        body,
        pop.settings.debug or request.headers.get(DEBUG_HEADER) == "1",
    )
    outcome = await pop.serve(viewer)
    response = _response(outcome, pop.pop_id, request)
    if viewer.debug:  # which process of the POP answered (0: the edge's own)
        response.headers[WORKER_HEADER] = str(pop.worker)
    return response


def _response(outcome: Outcome, pop_id: str, request: web.Request) -> web.Response:
    headers = CIMultiDict(outcome.response_headers(pop_id))
    status, body = outcome.status, outcome.body
    if _not_modified(outcome, request, headers):
        status, body = 304, b""
        headers.popall("Content-Length", None)
    return web.Response(status=status, body=body, headers=headers)


def _not_modified(outcome: Outcome, request: web.Request, headers: CIMultiDict[str]) -> bool:
    # RFC 9110 §13.1.2: a stored 200 whose ETag the client already holds.
    wanted = request.headers.get("If-None-Match")
    if wanted is None or outcome.status != 200 or outcome.x_cache == "Error":
        return False
    etag = headers.get("ETag")
    if etag is None:
        return False
    tags = {t.strip().removeprefix("W/") for t in wanted.split(",")}
    return "*" in tags or etag.removeprefix("W/") in tags
