"""JSON:API documents as the imgix Management API speaks them: top-level documents, the
resource objects clients post, and errors, with the middleware that renders every failure
as an error document. Query parameters (fields, sort, filter, paging) are in
:mod:`vendors.imgix.jsonapi_query`.

Documents carry ``data``, ``included``, ``jsonapi`` and ``meta`` (authentication, pagination
or cursor, server); errors are a list of ``{detail, id, meta, status, title}``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/vnd.api+json"
JSONAPI = {"version": "1.0"}
SERVER_META = {
    "commit": "cdnsim",
    "status": {"healthy": True, "read_only": False, "tombstone": False},
    "version": "1.0.0",
}


class JsonApiError(Exception):
    """An error document: ``status`` and ``title`` say the kind, ``detail`` says why."""

    def __init__(
        self, status: int, title: str, detail: str, *, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail = status, title, detail
        self.headers = dict(headers or {})


def bad_request(detail: str) -> JsonApiError:
    return JsonApiError(400, "BadRequest", detail)


def not_found(detail: str = "Resource not found.") -> JsonApiError:
    return JsonApiError(404, "NotFound", detail)


def conflict(detail: str) -> JsonApiError:
    return JsonApiError(409, "Conflict", detail)


_TITLES = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    413: "PayloadTooLarge",
    415: "UnsupportedMediaType",
    429: "TooManyRequests",
    500: "InternalServerError",
}


def document(data: Any, meta: Mapping[str, Any], *, included: Sequence[Any] = ()) -> dict[str, Any]:
    """A top-level document."""
    return {"data": data, "included": list(included), "jsonapi": JSONAPI, "meta": dict(meta)}


def response(
    body: Mapping[str, Any], status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    text = json.dumps(body, sort_keys=True)
    return web.Response(text=text, status=status, content_type=MEDIA_TYPE, headers=headers)


def error_document(error: JsonApiError, error_id: str) -> dict[str, Any]:
    item = {
        "detail": error.detail,
        "id": error_id,
        "meta": {},
        "status": str(error.status),
        "title": error.title,
    }
    return {"errors": [item], "jsonapi": JSONAPI, "meta": {"server": SERVER_META}}


def middleware(new_id: Callable[[], str]) -> Any:
    """Every failure (ours, aiohttp's 404/405/413, a bug) as a JSON:API error document."""

    @web.middleware
    async def jsonapi_errors(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        try:
            return await handler(request)
        except JsonApiError as exc:
            return response(error_document(exc, new_id()), exc.status, exc.headers)
        except HttpProcessingError as exc:
            bad = bad_request(f"malformed request: {exc.message}")
            return response(error_document(bad, new_id()), 400)
        except RequestPayloadError as exc:  # a body aiohttp could not decode (bad gzip, chunking)
            bad = bad_request(f"malformed request body: {exc}")
            return response(error_document(bad, new_id()), 400)
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            title = _TITLES.get(exc.status, "HttpError")
            headers = {k: v for k, v in exc.headers.items() if k.lower() == "allow"}
            http = JsonApiError(exc.status, title, exc.reason, headers=headers)
            return response(error_document(http, new_id()), exc.status, http.headers)
        except Exception:
            log.exception("unhandled error on %s %s", request.method, request.path)
            internal = JsonApiError(500, "InternalServerError", "internal error")
            return response(error_document(internal, new_id()), 500)

    return jsonapi_errors


def parse_resource(
    raw: bytes, kind: str, *, resource_id: str | None, allowed: frozenset[str]
) -> dict[str, Any]:
    """The ``attributes`` of a posted resource object, checked: a JSON object with ``data``
    of ``type`` ``kind`` (409 otherwise), the URL's id for an update (409 if another),
    no id on create, and only ``allowed`` attribute names (400 otherwise)."""
    try:
        body = json.loads(raw) if raw else None
    except ValueError as exc:
        raise bad_request(f"the body is not JSON: {exc}") from None
    except RecursionError:  # '[[[[…': valid JSON up to a depth no parser follows
        raise bad_request("the body is not JSON: nested too deeply") from None
    if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
        raise bad_request("the body must be a JSON:API document with a 'data' object")
    data = body["data"]
    if data.get("type") != kind:
        raise conflict(f"the resource object's type must be {kind!r}, not {data.get('type')!r}")
    if resource_id is None and "id" in data:
        raise JsonApiError(403, "Forbidden", "client-generated ids are not supported")
    if resource_id is not None:
        if "id" not in data:
            raise bad_request("the resource object's id is required for an update")
        if data["id"] != resource_id:
            raise conflict(f"the id in the body ({data['id']!r}) does not match the URL")
    unknown_members = set(data) - {"type", "id", "attributes", "relationships", "meta"}
    if unknown_members:
        raise bad_request(f"unknown members in the resource object: {sorted(unknown_members)}")
    attributes = data.get("attributes", {})
    if not isinstance(attributes, dict):
        raise bad_request("'attributes' must be an object")
    unknown = sorted(set(attributes) - allowed)
    if unknown:
        raise bad_request(f"unknown or read-only attributes: {', '.join(unknown)}")
    return attributes
