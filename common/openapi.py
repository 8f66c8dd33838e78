"""OpenAPI 3.1 documents as data, and the one way an API serves its own.

Every API of cdnsim publishes its contract at a stable path of the app that serves it
(``/openapi.json``; the CloudFront-compatible API, which shares the control app, under its
own prefix). Each API builds its document from the same small builders, next to the code
it describes, so that the document, the handlers and the tests agree.

A request that does not match its document is refused (400, or the API's own status). A
request that matches it may still be refused by a rule no schema can express (a reference
to something that does not exist, a rule across fields, a limit on state): each operation
lists those under ``x-refusals`` with the status and error code that answer them, so a
client (and the contract tests) can tell a rule from a bug.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

JSON = "application/json"
Schema = dict[str, Any]


@dataclass(frozen=True)
class Refusal:
    """A rule the schema cannot express (a reference to something that does not exist, a
    rule across fields, a limit on state) that refuses a request matching the document:
    answered with ``status`` and the error code ``code`` in the API's error shape."""

    status: int
    code: str
    rule: str

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "code": self.code, "rule": self.rule}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    """``schema`` or ``null``."""
    return {"anyOf": [schema, {"type": "null"}]}


def obj(
    properties: Mapping[str, Schema],
    *,
    required: Iterable[str] = (),
    extra: bool | Schema = False,
    description: str = "",
) -> Schema:
    """An object with ``properties``; ``extra``: whether (or which) other members are allowed."""
    schema: Schema = {"type": "object", "properties": dict(properties)}
    if required := list(required):
        schema["required"] = required
    schema["additionalProperties"] = extra
    if description:
        schema["description"] = description
    return schema


def array(items: Schema, *, min_items: int = 0, max_items: int | None = None) -> Schema:
    schema: Schema = {"type": "array", "items": items}
    if min_items:
        schema["minItems"] = min_items
    if max_items is not None:
        schema["maxItems"] = max_items
    return schema


def content(schema: Schema, *media_types: str) -> dict[str, Any]:
    return {t: {"schema": schema} for t in media_types or (JSON,)}


def response(
    description: str,
    schema: Schema | None = None,
    *media_types: str,
    headers: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A response; no ``schema``: no body."""
    out: dict[str, Any] = {"description": description}
    if schema is not None:
        out["content"] = content(schema, *media_types)
    if headers:
        out["headers"] = dict(headers)
    return out


def error_responses(
    described: Mapping[str, str], error: Schema, media_type: str, statuses: Iterable[str]
) -> dict[str, Any]:
    """The error responses for ``statuses``, in one error shape, each as ``described``."""
    return {status: response(described[status], error, media_type) for status in statuses}


def parameter(
    name: str, where: str, schema: Schema, description: str = "", *, required: bool = False
) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "in": where, "required": required or where == "path"}
    out["schema"] = schema
    if description:
        out["description"] = description
    return out


def path_param(name: str, schema: Schema, description: str = "") -> dict[str, Any]:
    return parameter(name, "path", schema, description, required=True)


def query_param(
    name: str, schema: Schema, description: str = "", *, required: bool = False
) -> dict[str, Any]:
    return parameter(name, "query", schema, description, required=required)


def operation(
    operation_id: str,
    summary: str,
    responses: Mapping[str, Any],
    *,
    tag: str,
    params: Iterable[dict[str, Any]] = (),
    body: Schema | None = None,
    body_types: Iterable[str] = (JSON,),
    body_required: bool = True,
    security: Iterable[str] | None = None,
    description: str = "",
    refusals: Iterable[Refusal] = (),
) -> dict[str, Any]:
    """One operation; ``security``: the names of the schemes any one of which it accepts
    (None: the document's default); ``refusals``: the rules beyond the schema that can
    refuse a request matching it (``x-refusals``)."""
    out: dict[str, Any] = {
        "operationId": operation_id,
        "tags": [tag],
        "summary": summary,
        "parameters": list(params),
        "responses": dict(responses),
    }
    if description:
        out["description"] = description
    if body is not None:
        out["requestBody"] = {"required": body_required, "content": content(body, *body_types)}
    if security is not None:
        out["security"] = [{name: []} for name in security]
    if refusals := list(refusals):
        out["x-refusals"] = [r.to_json() for r in refusals]
    return out


def document(
    title: str,
    version: str,
    description: str,
    paths: Mapping[str, Any],
    *,
    schemas: Mapping[str, Schema] | None = None,
    security_schemes: Mapping[str, Any] | None = None,
    security: Iterable[str] = (),
    server: str = "/",
) -> dict[str, Any]:
    components: dict[str, Any] = {"schemas": dict(schemas or {})}
    if security_schemes:
        components["securitySchemes"] = dict(security_schemes)
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": description},
        "servers": [{"url": server}],
        "paths": dict(paths),
        "components": components,
    }
    if security := list(security):
        doc["security"] = [{name: []} for name in security]
    return doc


def document_route(path: str, doc: Mapping[str, Any]) -> web.RouteDef:
    """``GET path``: the document (built once)."""
    body = json.dumps(doc, indent=1).encode()

    async def get_document(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type=JSON)

    return web.get(path, get_document)
