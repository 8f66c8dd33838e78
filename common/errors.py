"""The one JSON error shape, ``{"code", "message", "status"}``, and the middleware that renders it.

Handlers raise :class:`ApiError` (or a subclass); they never build error bodies.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import StreamReader, web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError

log = logging.getLogger(__name__)


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


def error_response(error: ApiError) -> web.Response:
    return web.json_response(error.body(), status=error.status, headers=error.headers)


# aiohttp's own HTTP exceptions (unmatched route, wrong method, body too large) get the
# same JSON shape; redirects and 304s pass through untouched.
_HTTP_CODES = {
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    400: "bad_request",
}


@web.middleware
async def json_errors(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as error:
        return error_response(error)
    except HttpProcessingError as exc:
        # Raised while reading a body the client malformed (multipart headers, chunking, …).
        status = exc.code if 400 <= (exc.code or 0) < 500 else 400
        return error_response(
            ApiError(f"malformed request: {exc.message}", status=status, code="malformed_request")
        )
    except RequestPayloadError as exc:  # a body aiohttp could not decode (bad gzip, chunking)
        return error_response(
            BadRequest(f"malformed request body: {exc}", code="malformed_request")
        )
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code = _HTTP_CODES.get(exc.status, "http_error")
        headers = {
            k: v for k, v in exc.headers.items() if k.lower() in ("allow", "www-authenticate")
        }
        message = (
            exc.reason if exc.text is None or exc.text.startswith(str(exc.status)) else exc.text
        )
        return error_response(
            ApiError(message or exc.reason, status=exc.status, code=code, headers=headers)
        )
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(ApiError("internal error", status=500, code="internal_error"))


class BodyTooLarge(Exception):
    """A body longer than its reader's limit (what came past the limit was not kept)."""


async def read_limited(stream: StreamReader, limit: int) -> bytes:
    """A whole body — a request's ``content`` or a client response's — read to its end,
    refused with :class:`BodyTooLarge` past ``limit`` bytes. ``stream.read(n)`` is not
    this: it returns what is buffered, often the first few segments only (PITFALLS.md)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in stream.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(f"longer than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def read_body(request: web.Request, limit: int | None = None) -> bytes:
    """The raw body, refused with 413 past ``limit`` bytes whether or not the client sent a
    Content-Length (a chunked body is counted while it is read)."""
    if limit is None:
        try:
            return await request.read()
        except web.HTTPRequestEntityTooLarge:
            raise PayloadTooLarge("body larger than this server accepts") from None
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"bodies here are limited to {limit} bytes")
    try:
        return await read_limited(request.content, limit)
    except BodyTooLarge:
        raise PayloadTooLarge(f"bodies here are limited to {limit} bytes") from None


async def read_json(request: web.Request, limit: int | None = None) -> Any:
    """The request body as JSON, or a 400 that says why not (413 when too large)."""
    raw = await read_body(request, limit)
    if not raw:
        raise BadRequest("a JSON body is required", code="malformed_json")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"malformed JSON: {exc}", code="malformed_json") from None
    except RecursionError:  # a body of '[[[[…' is valid JSON up to a depth no parser follows
        raise BadRequest("malformed JSON: nested too deeply", code="malformed_json") from None


async def read_json_object(request: web.Request, limit: int | None = None) -> dict[str, Any]:
    body = await read_json(request, limit)
    if not isinstance(body, dict):
        raise BadRequest("the JSON body must be an object", code="malformed_json")
    return body
