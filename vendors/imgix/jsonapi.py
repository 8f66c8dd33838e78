"""JSON:API documents as the imgix Management API speaks them: top-level documents, the
resource objects clients post, and errors: :func:`middleware` renders every failure as an
error document through :func:`common.errors.error_middleware`. Query parameters (fields, sort, filter, paging) are in
:mod:`vendors.imgix.jsonapi_query`.

Documents carry ``data``, ``included``, ``jsonapi`` and ``meta`` (authentication, pagination
or cursor, server); errors are a list of ``{detail, id, meta, status, title}``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Middleware

from common.errors import ApiError, error_middleware

MEDIA_TYPE = "application/vnd.api+json"
# The members a request document may have (JSON:API 1.0, "Top Level").
TOP_LEVEL = frozenset({"data", "jsonapi", "meta", "links", "included"})
JSONAPI = {"version": "1.0"}
SERVER_META = {
    "commit": "cdnsim",
    "status": {"healthy": True, "read_only": False, "tombstone": False},
    "version": "1.0.0",
}


class JsonApiError(ApiError):
    """An error document: ``status`` and ``title`` say the kind, ``detail`` says why; a
    ``rule`` (in the error's ``meta``) names a rule beyond the API's schema that refused a
    request matching it, as the API's OpenAPI document lists them."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        *,
        headers: Mapping[str, str] | None = None,
        rule: str | None = None,
    ) -> None:
        super().__init__(detail, status=status, code=rule or title, headers=headers)
        self.title, self.detail, self.rule = title, detail, rule


def bad_request(detail: str, rule: str | None = None) -> JsonApiError:
    return JsonApiError(400, "BadRequest", detail, rule=rule)


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


def error_document(error: ApiError, error_id: str) -> dict[str, Any]:
    title = error.title if isinstance(error, JsonApiError) else _TITLES.get(error.status)
    rule = error.rule if isinstance(error, JsonApiError) else None
    item = {
        "detail": error.message,
        "id": error_id,
        "meta": {"rule": rule} if rule else {},
        "status": str(error.status),
        "title": title or ("InternalServerError" if error.status >= 500 else "HttpError"),
    }
    return {"errors": [item], "jsonapi": JSONAPI, "meta": {"server": SERVER_META}}


def middleware(new_id: Callable[[], str]) -> Middleware:
    """Every failure (ours, aiohttp's 404/405/413, a broken body, a bug) as a JSON:API
    error document; ``new_id`` names each one as imgix's ``id`` does."""

    def render(request: web.Request, error: ApiError) -> web.Response:
        return response(error_document(error, new_id()), error.status, error.headers)

    return error_middleware(render)


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
    unknown_top = sorted(set(body) - TOP_LEVEL)
    if unknown_top:
        raise bad_request(f"unknown top-level members: {unknown_top}")
    if any(not isinstance(body[m], dict) for m in ("jsonapi", "meta") if m in body):
        raise bad_request("'jsonapi' and 'meta' must be objects")
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
