"""Client serving API: images by pack, the legacy paths, and stored variants over the response limit.

- ``GET /api/v2/img/{imagePackId}``: the variant (200); 304 on a matching ``If-None-Match``
  or, without one, an ``If-Modified-Since`` at or after its Last-Modified; 206 for one
  byte range (``If-Range`` honoured; several ranges get the whole variant), 416 when it
  selects nothing; 302 to its stored copy when it is larger than ``response_limit_bytes``.
- ``GET /api/img/{id}``, ``GET /api/v1/img/{id}``: 301 to ``/api/v2/img/{id}``, same query.
- ``GET /api/v2/variants/{variantKey}``: a variant stored in the S3 variants bucket, by
  key; the target of the 302. The key names its tenant, so the redirect works whatever
  host it is followed on; that tenant's access key is required as for images. The same
  conditional and range answers as images.

Every answer of these routes for a tenant with an access key, refusals included, says
``Vary: X-vimond-access-key``, so that any shared cache keys it by what the guard reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

from aiohttp import web
from multidict import MultiDict, MultiMapping

from common.errors import ApiError
from origin.app_keys import SERVING, SETTINGS, SWITCHES
from origin.imaging.pipeline import available_formats
from origin.serving.backend import ACCESS_KEY_HEADER
from origin.serving.conditional import byte_span, http_date, if_range_allows, not_modified
from origin.serving.params import negotiated_format
from origin.serving.variants import Variant
from origin.tenancy import tenant_of

VARIANTS_PATH = "/api/v2/variants/"


async def get_image(request: web.Request) -> web.Response:
    query, negotiated = _negotiate(request)
    tenant = tenant_of(request)
    vary = request.app[SERVING].access_vary(tenant)
    if negotiated and request.app[SWITCHES].vary_on_negotiation:
        vary = ("Accept", *vary)
    with _varying(vary):
        served = await request.app[SERVING].get_image(
            tenant,
            request.match_info["imagePackId"],
            query,
            request.headers.get(ACCESS_KEY_HEADER),
        )
    variant = served.variant
    headers = _validators(request, variant) | {"X-Variant-Cache": served.cache}
    if vary:
        headers["Vary"] = ", ".join(vary)
    if _not_modified(request, variant):
        return web.Response(status=304, headers=headers)
    if len(variant.body) > request.app[SETTINGS].response_limit_bytes:
        # As the CloudFront+Lambda handler does: too large to answer inline, so point at
        # the stored copy. The redirect itself must never outlive that copy.
        headers |= {"Location": _variant_url(request, variant.key), "Cache-Control": "no-store"}
        return web.Response(status=302, headers=headers)
    return _body(request, variant, headers)


def _negotiate(request: web.Request) -> tuple[MultiMapping[str], bool]:
    """With format negotiation on and no ``format`` given, the format ``Accept`` asks for
    becomes an effective parameter (and so part of the variant key)."""
    if not request.app[SWITCHES].negotiate_format or "format" in request.query:
        return request.query, False
    chosen = negotiated_format(request.headers.get("Accept"), tuple(available_formats()))
    if chosen is None:
        return request.query, True
    query = MultiDict(request.query)
    query["format"] = chosen
    return query, True


async def get_variant(request: web.Request) -> web.Response:
    key = request.match_info["variantKey"]
    tenant = key.split("/", 1)[0]
    vary = request.app[SERVING].access_vary(tenant)
    with _varying(vary):
        variant = await request.app[SERVING].get_variant(
            tenant, key, request.headers.get(ACCESS_KEY_HEADER)
        )
    headers = _validators(request, variant)
    if vary:
        headers["Vary"] = ", ".join(vary)
    if _not_modified(request, variant):
        return web.Response(status=304, headers=headers)
    return _body(request, variant, headers)


def _not_modified(request: web.Request, variant: Variant) -> bool:
    ims = request.if_modified_since
    return not_modified(
        request.headers.get("If-None-Match"),
        ims.timestamp() if ims is not None else None,
        variant.etag,
        variant.source_modified,
    )


def _body(request: web.Request, variant: Variant, headers: dict[str, str]) -> web.Response:
    """The variant, or the one byte range the request asks for (RFC 9110 §14.2)."""
    headers["Accept-Ranges"] = "bytes"
    size = len(variant.body)
    if request.method != "GET" or "Range" not in request.headers:
        return web.Response(body=variant.body, content_type=variant.content_type, headers=headers)
    try:
        wanted = request.http_range  # one range; anything else is ignored (§14.2 allows it)
    except ValueError:
        wanted = None
    if wanted is None or not if_range_allows(
        request.headers.get("If-Range"), variant.etag, variant.source_modified
    ):
        return web.Response(body=variant.body, content_type=variant.content_type, headers=headers)
    span = byte_span(wanted.start, wanted.stop, size)
    if span is None:
        raise ApiError(
            f"the range {request.headers['Range']!r} selects none of the {size} bytes",
            status=416,
            code="range_not_satisfiable",
            headers={"Content-Range": f"bytes */{size}", "Accept-Ranges": "bytes"},
        )
    first, last = span
    headers["Content-Range"] = f"bytes {first}-{last}/{size}"
    return web.Response(
        status=206,
        body=variant.body[first : last + 1],
        content_type=variant.content_type,
        headers=headers,
    )


@contextmanager
def _varying(vary: tuple[str, ...]) -> Iterator[None]:
    """Refusals and errors vary on the same headers as the images they stand for."""
    try:
        yield
    except ApiError as error:
        if vary:
            error.headers["Vary"] = ", ".join(vary)
        raise


async def get_legacy_image(request: web.Request) -> web.Response:
    location = "/api/v2/img/" + quote(request.match_info["imagePackId"], safe="")
    query = request.rel_url.raw_query_string
    raise web.HTTPMovedPermanently(location + (f"?{query}" if query else ""))


def _validators(request: web.Request, variant: Variant) -> dict[str, str]:
    headers = {
        "ETag": variant.etag,
        "Cache-Control": request.app[SETTINGS].cache_control,
        "X-Image-Location": variant.image_location,
        "X-Variant-Key": variant.key,
    }
    if variant.source_modified:
        headers["Last-Modified"] = http_date(variant.source_modified)
    if variant.image_region:
        headers["X-Image-Region"] = variant.image_region
    return headers


def _variant_url(request: web.Request, key: str) -> str:
    path = VARIANTS_PATH + quote(key, safe="/=,:")
    public_url = request.app[SETTINGS].public_url
    # Relative by default: the client (or the edge) follows it on the host it asked.
    return public_url.rstrip("/") + path if public_url else path


ROUTES: list[web.RouteDef] = [
    web.get("/api/v2/img/{imagePackId}", get_image),
    web.get("/api/img/{imagePackId}", get_legacy_image),
    web.get("/api/v1/img/{imagePackId}", get_legacy_image),
    web.get(VARIANTS_PATH + "{variantKey:.+}", get_variant),
]
