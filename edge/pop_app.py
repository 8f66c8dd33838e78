"""The viewer-facing server of one POP: parse the viewer's request, let the Pop answer,
write headers.

It is aiohttp's low-level server, not an application: every request goes to one handler,
so the hit path skips the router, the application's dispatch and the middleware chain;
failures are answered in our JSON shape here, as the error middleware would. The plainest
hits never reach it: the connection's fast lane answers them (edge.fast_lane)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from http import HTTPStatus

from aiohttp import web
from multidict import CIMultiDict

from common.bodies import read_request
from common.errors import ApiError, answer_or_error, render_json
from edge.delivery import deliver
from edge.forwarding import as_distribution
from edge.outcome import Outcome, ViewerRequest
from edge.pop import Pop
from edge.rules.connection import end_to_end

# CloudFront's allowed methods ("GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE").
ALLOWED_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"})
DEBUG_HEADER = "X-Cdnsim-Debug"
WORKER_HEADER = "X-Edge-Worker"


def create_pop_server(pop: Pop) -> Callable[[web.BaseRequest], Awaitable[web.StreamResponse]]:
    """The one handler of ``pop``'s viewer-facing server (for ``common.serving.serve``;
    whoever runs it starts and closes the Pop)."""

    async def answer(request: web.BaseRequest) -> web.StreamResponse:
        return await answer_or_error(request, lambda viewer: handle(pop, viewer), render_json)

    return answer


async def handle(pop: Pop, request: web.BaseRequest) -> web.StreamResponse:
    method = request.method
    if method not in ALLOWED_METHODS:
        _check_method(method, pop)
    url = request.rel_url
    limit = pop.settings.max_request_bytes
    body = b"" if method in ("GET", "HEAD") else await read_request(request, limit)
    raw_host = request.headers.get("Host")
    headers = as_distribution(
        tuple(request.headers.items()), raw_host, pop.settings.distribution_id
    )
    viewer = ViewerRequest(
        method,
        url.raw_path,
        tuple(url.query.items()),
        url.raw_query_string,
        headers,
        body,
        pop.settings.debug or request.headers.get(DEBUG_HEADER) == "1",
        raw_host,
    )
    outcome = await pop.serve(viewer)
    if outcome.interim and request.version >= (1, 1):
        await _relay_interim(request, outcome)
    response = _response(outcome, pop.pop_id, request)
    if viewer.debug:  # which process of the POP answered (0: the edge's own)
        response.headers[WORKER_HEADER] = str(pop.worker)
    return response


def _check_method(method: str, pop: Pop) -> None:
    # CONNECT never gets here: aiohttp reads its target as an authority, matching no route.
    if not pop.settings.traits.forward_unknown_methods:
        raise ApiError(
            f"method {method} is not allowed here",
            status=405,
            code="method_not_allowed",
            headers={"Allow": ", ".join(sorted(ALLOWED_METHODS))},
        )


def _response(outcome: Outcome, pop_id: str, request: web.BaseRequest) -> web.Response:
    status, headers, body = deliver(outcome, pop_id, request.method, request.headers)
    return web.Response(status=status, body=body, headers=CIMultiDict(headers))


async def _relay_interim(request: web.BaseRequest, outcome: Outcome) -> None:
    """RFC 9110 §15.2: a proxy forwards 1xx responses (an HTTP/1.0 client gets none).
    aiohttp's server has no API for them; its own 100 Continue is written the same way."""
    major, minor = request.version
    for status, fields in outcome.interim:
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Informational"
        lines = [f"HTTP/{major}.{minor} {status} {reason}"]
        lines += [f"{name}: {value}" for name, value in end_to_end(fields)]
        await request.writer.write(
            ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape")
        )
