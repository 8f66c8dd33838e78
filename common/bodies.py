"""The one bounded body reader, for requests we serve and for responses we fetch.

``StreamReader.read(n)`` returns what happens to be buffered, not the body: every body is
read here, to its end, counting bytes against a limit (a declared ``Content-Length`` is
checked before reading; a chunked or compressed body is counted while it is read).

- Requests: past the limit a 413 (:class:`~common.errors.PayloadTooLarge`); a body the
  client broke (bad ``Content-Encoding``, broken chunking, truncated, bad multipart) a 400
  (code ``malformed_request``). Every API renders both in its own error shape.
- Responses: :class:`UpstreamBodyError` with ``kind`` ``"too-large"`` or ``"malformed"``;
  each caller turns it into its own upstream failure (502, 422, a fallback).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any, Literal

import aiohttp
from aiohttp import BodyPartReader, web
from aiohttp.streams import StreamReader

from common.errors import BODY_ERRORS, BadRequest, PayloadTooLarge, malformed_body

CHUNK = 64 * 1024


class _OverLimit(Exception):
    pass


class UpstreamBodyError(Exception):
    """A response body we could not take: larger than the limit, or broken on the wire."""

    def __init__(self, kind: Literal["too-large", "malformed"], message: str) -> None:
        super().__init__(message)
        self.kind = kind


async def read_stream(stream: StreamReader, limit: int) -> bytes:
    """Everything up to EOF, or :class:`_OverLimit` as soon as more than ``limit`` bytes came."""
    body = bytearray()
    while chunk := await stream.readany():
        if len(body) + len(chunk) > limit:
            raise _OverLimit
        body += chunk
    return bytes(body)


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"bodies here are limited to {limit} bytes", limit=limit)


async def read_request(request: web.Request, limit: int) -> bytes:
    """The request body, whole: 413 past ``limit`` bytes, 400 when it cannot be decoded."""
    if request.content_length is not None and request.content_length > limit:
        raise _too_large(limit)
    try:
        return await read_stream(request.content, limit)
    except _OverLimit:
        raise _too_large(limit) from None
    except BODY_ERRORS as exc:
        raise malformed_body(exc) from None


async def read_response(response: aiohttp.ClientResponse, limit: int) -> bytes:
    """A fetched response body, whole (decoded if the session decompresses), or
    :class:`UpstreamBodyError`."""
    declared = response.content_length
    if declared is not None and declared > limit:
        raise UpstreamBodyError("too-large", f"the response of {declared} bytes exceeds {limit}")
    try:
        return await read_stream(response.content, limit)
    except _OverLimit:
        raise UpstreamBodyError("too-large", f"the response exceeds {limit} bytes") from None
    except BODY_ERRORS as exc:
        raise UpstreamBodyError("malformed", f"the response body is broken: {exc}") from None


def parse_json(raw: bytes) -> Any:
    """``raw`` as JSON, or a 400 that says why not."""
    if not raw:
        raise BadRequest("a JSON body is required", code="malformed_json")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"malformed JSON: {exc}", code="malformed_json") from None
    except RecursionError:  # a body of '[[[[…' is valid JSON up to a depth no parser follows
        raise BadRequest("malformed JSON: nested too deeply", code="malformed_json") from None


def json_integer(value: Any) -> int | None:
    """``value`` as an integer if JSON says it is one, else None. JSON has one number type,
    and JSON Schema's ``integer`` is any number without a fractional part: ``5.0`` is 5.
    ``true`` is not 1."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


async def read_json(request: web.Request, limit: int) -> Any:
    """The request body as JSON (any value); 400 when malformed, 413 past ``limit``."""
    return parse_json(await read_request(request, limit))


async def read_json_object(
    request: web.Request, limit: int, members: Collection[str] | None = None
) -> dict[str, Any]:
    """The request body as a JSON object; with ``members``, a member not among them is a
    400 that names it."""
    body = await read_json(request, limit)
    if not isinstance(body, dict):
        raise BadRequest("the JSON body must be an object", code="malformed_json")
    if members is not None and (unknown := sorted(set(body) - set(members))):
        raise BadRequest(
            f"unknown member {unknown[0][:64]!r}; the body may hold {', '.join(members)}",
            code="unknown_member",
            field=unknown[0][:64],
        )
    return body


async def read_form_file(request: web.Request, field: str, limit: int, overhead: int) -> bytes:
    """The bytes of the ``multipart/form-data`` field ``field``, the body's only field: 413
    when the file passes ``limit`` or the whole body ``limit + overhead`` (framing); 400 for
    a body that is not multipart, is malformed, lacks the field or has another one."""
    too_large = PayloadTooLarge(f"uploads are limited to {limit} bytes", limit=limit)
    if request.content_length is not None and request.content_length > limit + overhead:
        raise too_large
    if request.content_type != "multipart/form-data":
        raise BadRequest(f"send multipart/form-data with the field {field!r}", code="bad_upload")
    found: bytes | None = None
    seen = 0
    try:
        async for part in await request.multipart():
            if not isinstance(part, BodyPartReader):
                raise BadRequest("nested multipart bodies are not accepted", code="bad_upload")
            if part.name != field:
                raise BadRequest(
                    f"the multipart body holds one field, {field!r}, not {part.name!r:.80}",
                    code="bad_upload",
                    field=field,
                )
            data = bytearray()
            while chunk := await part.read_chunk(CHUNK):
                seen += len(chunk)
                if seen > limit + overhead or len(data) + len(chunk) > limit:
                    raise too_large
                data += chunk
            if found is not None:
                raise BadRequest(f"the field {field!r} is given twice", code="bad_upload")
            found = bytes(data)
    except BODY_ERRORS as exc:
        raise malformed_body(exc) from None
    except (ValueError, RuntimeError, AssertionError) as exc:  # aiohttp's multipart parser
        raise BadRequest(f"malformed multipart body: {exc}", code="bad_upload") from None
    if found is None:
        raise BadRequest(
            f"the multipart body has no field {field!r}", code="bad_upload", field=field
        )
    return found
