"""Domain errors (:class:`ApiError`: ``code``, ``message``, ``status``) and the one error
middleware factory that turns every failure into an answer.

Handlers raise :class:`ApiError` (vendors subclass it); they never build error bodies.
:func:`error_middleware` takes a *renderer* (an API's error shape: our JSON, Akamai's
problem+json, imgix's JSON:API, CloudFront's XML) and is the only place that maps domain
errors, aiohttp's HTTP errors (404, 405, 413, …), bodies aiohttp could not decode or frame
(400) and the unexpected (500, logged once, no internals in the answer) to responses.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import aiohttp
from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.typedefs import Middleware
from aiohttp.web_protocol import RequestPayloadError

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
R = TypeVar("R", bound=web.BaseRequest)


class ApiError(Exception):
    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
        **details: Any,
    ) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code
        self.headers = dict(headers or {})
        self.details = details

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "status": self.status, **self.details}


class BadRequest(ApiError):
    status, code = 400, "bad_request"


class Unauthorized(ApiError):
    status, code = 401, "unauthorized"


class Forbidden(ApiError):
    status, code = 403, "forbidden"


class NotFound(ApiError):
    status, code = 404, "not_found"


class Conflict(ApiError):
    status, code = 409, "conflict"


class PayloadTooLarge(ApiError):
    status, code = 413, "payload_too_large"


class Unprocessable(ApiError):
    status, code = 422, "unprocessable"


class ServiceUnavailable(ApiError):
    status, code = 503, "unavailable"


Renderer = Callable[[web.Request, ApiError], web.StreamResponse]

# What aiohttp raises while reading a body it cannot decode or frame (bad Content-Encoding,
# broken chunking, a truncated body, malformed multipart headers).
BODY_ERRORS: tuple[type[Exception], ...] = (
    HttpProcessingError,
    RequestPayloadError,
    aiohttp.ClientPayloadError,
)
HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
}
# Headers of aiohttp's HTTP errors that the answer keeps, whatever its shape.
_KEPT_HEADERS = ("allow", "www-authenticate", "retry-after")


def malformed_body(exc: BaseException) -> BadRequest:
    """The 400 for a request body that could not be decoded or framed."""
    detail = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return BadRequest(f"malformed request body: {detail}", code="malformed_request")


def http_error(exc: web.HTTPException) -> ApiError:
    """aiohttp's own HTTP error (unmatched route, wrong method, body too large) as an ApiError."""
    headers = {k: v for k, v in exc.headers.items() if k.lower() in _KEPT_HEADERS}
    text = exc.text
    message = exc.reason if text is None or text.startswith(str(exc.status)) else text
    return ApiError(
        message or exc.reason,
        status=exc.status,
        code=HTTP_CODES.get(exc.status, "http_error"),
        headers=headers,
    )


def as_api_error(exc: Exception, request: web.BaseRequest) -> ApiError:
    """Any exception a handler raised as the error to answer with; the unexpected is logged
    (call it inside the ``except`` block, so the traceback is the handler's)."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, web.HTTPException):
        return http_error(exc)
    if isinstance(exc, BODY_ERRORS):
        return malformed_body(exc)
    log.exception("unhandled error on %s %s", request.method, request.path)
    return ApiError("internal error", status=500, code="internal_error")


async def answer_or_error(
    request: R,
    handler: Callable[[R], Awaitable[web.StreamResponse]],
    render: Callable[[R, ApiError], web.StreamResponse],
) -> web.StreamResponse:
    """``handler``'s answer to ``request``, or its failure answered in ``render``'s shape.
    Redirects and 304s (HTTP exceptions below 400) pass through untouched."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return render(request, http_error(exc))
    except Exception as exc:  # noqa: BLE001 (as_api_error logs the unexpected ones)
        return render(request, as_api_error(exc, request))


def error_middleware(render: Renderer) -> Middleware:
    """The middleware that answers every failure of an app with ``render``'s shape."""

    @web.middleware
    async def render_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
        return await answer_or_error(request, handler, render)

    return render_errors


def render_json(request: web.BaseRequest, error: ApiError) -> web.Response:
    """Our JSON shape, ``{"code", "message", "status", …details}``."""
    return error_response(error)


def error_response(error: ApiError) -> web.Response:
    return web.json_response(error.body(), status=error.status, headers=error.headers)


json_errors = error_middleware(render_json)
