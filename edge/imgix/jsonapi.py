"""JSON:API as the imgix Management API speaks it: documents, errors, sparse fieldsets,
sorting, filtering and both paging models. Pure functions apart from the middleware.

Documents carry ``data``, ``included``, ``jsonapi`` and ``meta`` (authentication, pagination
or cursor, server); errors are a list of ``{detail, id, meta, status, title}``.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/vnd.api+json"
JSONAPI = {"version": "1.0"}
SERVER_META = {
    "commit": "cdnsim",
    "status": {"healthy": True, "read_only": False, "tombstone": False},
    "version": "1.0.0",
}
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
MAX_TOTAL_RECORDS = 1001  # the cursor's totalRecords never says more

Resource = dict[str, Any]


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


_TITLES = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
           405: "MethodNotAllowed", 409: "Conflict", 413: "PayloadTooLarge",
           415: "UnsupportedMediaType", 429: "TooManyRequests", 500: "InternalServerError"}


def document(data: Any, meta: Mapping[str, Any], *, included: Sequence[Any] = ()) -> dict[str, Any]:
    """A top-level document."""
    return {"data": data, "included": list(included), "jsonapi": JSONAPI, "meta": dict(meta)}


def response(body: Mapping[str, Any], status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
    text = json.dumps(body, sort_keys=True)
    return web.Response(text=text, status=status, content_type=MEDIA_TYPE, headers=headers)


def error_document(error: JsonApiError, error_id: str) -> dict[str, Any]:
    item = {"detail": error.detail, "id": error_id, "meta": {}, "status": str(error.status),
            "title": error.title}
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


def sparse_attributes(attributes: Mapping[str, Any], fields: str | None) -> dict[str, Any]:
    """``attributes`` reduced to the comma-separated ``fields`` (dot notation reaches into
    nested objects; unknown names are ignored). None keeps everything."""
    if fields is None:
        return dict(attributes)
    out: dict[str, Any] = {}
    for name in filter(None, (f.strip() for f in fields.split(","))):
        _copy_path(attributes, out, name.split("."))
    return out


def _copy_path(source: Mapping[str, Any], target: dict[str, Any], parts: list[str]) -> None:
    head, rest = parts[0], parts[1:]
    if head not in source:
        return
    if not rest:
        target[head] = source[head]
    elif isinstance(source[head], Mapping):
        inner = target.get(head)
        if not isinstance(inner, dict):
            inner = target[head] = {}
        _copy_path(source[head], inner, rest)
        if not inner:
            del target[head]


def sort_items(
    items: list[Resource], spec: str | None, allowed: frozenset[str]
) -> list[Resource]:
    """Resources sorted by ``spec`` (``name,-date``): ascending, ``-`` descending, false
    before true, missing values first; a field not in ``allowed`` is a 400."""
    if not spec:
        return items
    keys = [k.strip() for k in spec.split(",") if k.strip()]
    for key in keys:
        if key.lstrip("-") not in allowed:
            raise bad_request(f"cannot sort by {key.lstrip('-')!r}; sortable: {', '.join(sorted(allowed))}")
    out = list(items)
    for key in reversed(keys):  # stable sorts, least significant key first
        name = key.lstrip("-")

        def value(r: Resource, n: str = name) -> tuple[int, Any]:
            return _sort_value(r["attributes"].get(n))

        out.sort(key=value, reverse=key.startswith("-"))
    return out


def _sort_value(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, 0)
    if isinstance(value, str):
        return (1, value.casefold())
    return (1, value)


Matcher = Callable[[Resource, str], bool]


def filter_items(
    items: list[Resource], query: Mapping[str, str], matchers: Mapping[str, Matcher]
) -> list[Resource]:
    """Resources matching every ``filter[field]=value`` that ``matchers`` knows (AND);
    unknown filters are ignored."""
    active = []
    for name, value in query.items():
        if name.startswith("filter[") and name.endswith("]"):
            field_name = name[7:-1]
            matcher = matchers.get(field_name) or _prefix_matcher(matchers, field_name)
            if matcher is not None:
                active.append((matcher, value))
    return [r for r in items if all(m(r, v) for m, v in active)]


def _prefix_matcher(matchers: Mapping[str, Matcher], name: str) -> Matcher | None:
    # 'custom:<key>' style filters register as 'custom:'
    prefix = name.split(":", 1)[0] + ":"
    if ":" in name and prefix in matchers:
        inner = matchers[prefix]
        key = name.split(":", 1)[1]
        return lambda r, v: inner(r, f"{key}\n{v}")
    return None


def substring(getter: Callable[[Resource], Any]) -> Matcher:
    """Case-insensitive substring match; on a list, any element may match."""

    def match(resource: Resource, value: str) -> bool:
        got = getter(resource)
        values = got if isinstance(got, list) else [got]
        return any(isinstance(v, str) and value.casefold() in v.casefold() for v in values)

    return match


def boolean(getter: Callable[[Resource], Any]) -> Matcher:
    """``true``/``false`` (a 400 for anything else)."""

    def match(resource: Resource, value: str) -> bool:
        if value.lower() not in ("true", "false"):
            raise bad_request(f"a boolean filter takes true or false, not {value[:40]!r}")
        return bool(getter(resource)) == (value.lower() == "true")

    return match


def _int_param(query: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < minimum:
        raise bad_request(f"{name} must be an integer >= {minimum}, not {raw[:40]!r}")
    return int(raw)


@dataclass(frozen=True)
class Page:
    items: list[Resource]
    meta: dict[str, Any] = field(default_factory=dict)


def page_by_number(items: list[Resource], query: Mapping[str, str]) -> Page:
    """``page[number]`` (zero-based) and ``page[size]`` (1 to 100, default 20)."""
    number = _int_param(query, "page[number]", 0, 0)
    size = _int_param(query, "page[size]", DEFAULT_PAGE_SIZE, 1)
    if size > MAX_PAGE_SIZE:
        raise bad_request(f"page[size] is at most {MAX_PAGE_SIZE}")
    total = len(items)
    pages = math.ceil(total / size)
    has_next = number + 1 < pages
    pagination = {
        "currentPage": number,
        "hasNextPage": has_next,
        "hasPreviousPage": number > 0,
        "nextPage": number + 1 if has_next else number,
        "pageSize": size,
        "previousPage": max(number - 1, 0),
        "totalPages": pages,
        "totalRecords": total,
    }
    return Page(items[number * size : (number + 1) * size], {"pagination": pagination})


def page_by_cursor(items: list[Resource], query: Mapping[str, str]) -> Page:
    """``page[cursor]`` (an offset, as the seed's examples show) and ``page[limit]``."""
    cursor = _int_param(query, "page[cursor]", 0, 0)
    limit = _int_param(query, "page[limit]", DEFAULT_PAGE_SIZE, 1)
    if limit > MAX_PAGE_SIZE:
        raise bad_request(f"page[limit] is at most {MAX_PAGE_SIZE}")
    end = cursor + limit
    meta = {
        "current": str(cursor),
        "estimatedRecords": None,
        "hasMore": end < len(items),
        "next": str(end) if end < len(items) else None,
        "totalRecords": str(min(len(items), MAX_TOTAL_RECORDS)),
    }
    return Page(items[cursor:end], {"cursor": meta})


def resource(kind: str, resource_id: str, attributes: Mapping[str, Any], fields: str | None) -> Resource:
    return {"attributes": sparse_attributes(attributes, fields), "id": resource_id, "type": kind}
