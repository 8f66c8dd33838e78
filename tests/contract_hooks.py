"""Schemathesis hooks for the contract runs (loaded by the CLI through SCHEMATHESIS_HOOKS).

- XML answers (CloudFront's) are read as their schema describes them (OpenAPI's ``xml``
  keywords: element names, wrapped lists; text typed as the schema says), so responses in
  XML are checked against their schemas like JSON ones.
- CloudFront's ``Paths/Quantity`` must equal the number of ``Items``: a rule no schema can
  state, so a positive case is made to keep it (a negative one is left as generated).
- A schema-valid request may be refused by a rule the document declares under
  ``x-refusals`` (status and error code): that refusal is not a failure. Every other
  refusal of valid data still is.
- XML has text only: a "negative" value of another type (``null``, ``5``) is written as
  text that the schema may accept (``<CallerReference>null</CallerReference>`` is a fine
  reference). A negative XML case the server accepted is a failure only if what was sent,
  read as its schema describes, is really invalid.
- A negative case answered 413 was refused: its body passed the API's size limit.
- AWS answers an unsigned request 403 ``MissingAuthenticationToken``, where schemathesis
  expects 401 for a missing ``Authorization``: the CloudFront-compatible API answers as AWS.
- Every failure dropped here is logged (``CDNSIM_CONTRACT_LOG``) so a run can show why.
- The events long poll waits up to ``wait`` wall seconds for nothing: bounded to 0.2 s.
"""

from __future__ import annotations

import json
import os
from typing import Any
from xml.etree.ElementTree import Element

import schemathesis
from defusedxml.ElementTree import fromstring
from jsonschema import Draft202012Validator
from schemathesis.core.failures import AcceptedNegativeData
from schemathesis.openapi.checks import MissingHeaderNotRejected, RejectedPositiveData

XML_TYPES = ("text/xml", "application/xml")
LONG_POLL_BOUND = 0.2


def _resolve(root: dict[str, Any], schema: Any) -> dict[str, Any]:
    while isinstance(schema, dict) and "$ref" in schema:
        node: Any = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema if isinstance(schema, dict) else {}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _typed(text: str | None, schema: dict[str, Any]) -> Any:
    """XML text as the schema's scalar type; left a string when it is not one (so the
    schema check reports it)."""
    value = text or ""
    kind = schema.get("type")
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
    except ValueError:
        return value
    if kind == "boolean" and value in ("true", "false"):
        return value == "true"
    return value


def _value(element: Element, schema: dict[str, Any], root: dict[str, Any]) -> Any:
    schema = _resolve(root, schema)
    if schema.get("type") != "object":
        return _typed(element.text, schema)
    out: dict[str, Any] = {}
    known: set[str] = set()
    for name, member in schema.get("properties", {}).items():
        member = _resolve(root, member)
        tag = member.get("xml", {}).get("name", name)
        known.add(tag)
        children = [c for c in element if _local(c.tag) == tag]
        if member.get("type") == "array":
            items = _resolve(root, member.get("items", {}))
            item_tag = items.get("xml", {}).get("name", tag)
            if member.get("xml", {}).get("wrapped"):
                if not children:
                    continue
                children = [c for c in children[0] if _local(c.tag) == item_tag]
            elif not children:
                continue
            out[name] = [_value(c, items, root) for c in children]
        elif children:
            out[name] = _value(children[0], member, root)
    for child in element:  # what the schema does not name is kept, so that it is checked
        if _local(child.tag) not in known:
            out[_local(child.tag)] = child.text or ""
    return out


def _response_schema(ctx: Any, status: int, media_type: str) -> tuple[dict[str, Any], Any]:
    root = ctx.operation.schema.raw_schema
    responses = ctx.operation.definition.raw.get("responses", {})
    declared = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or {}
    content = _resolve(root, declared).get("content", {})
    return root, content.get(media_type, {}).get("schema", {})


@schemathesis.deserializer(*XML_TYPES)
def read_xml(ctx: Any, response: Any) -> Any:
    media_type = response.headers.get("content-type", ["text/xml"])[0].split(";")[0].strip()
    root, schema = _response_schema(ctx, response.status_code, media_type)
    element = fromstring(response.content)
    expected = _resolve(root, schema).get("xml", {}).get("name")
    value = _value(element, schema, root)
    if expected and _local(element.tag) != expected:
        return {_local(element.tag): value}  # the wrong document: fails the schema
    return value


@schemathesis.hook
def map_case(ctx: Any, case: Any) -> Any:
    mode = getattr(getattr(getattr(case, "meta", None), "generation", None), "mode", None)
    positive = mode is not None and mode.is_positive
    if case.operation.label.startswith("POST /2020-05-31/") and positive:
        paths = case.body.get("Paths") if isinstance(case.body, dict) else None
        if isinstance(paths, dict) and isinstance(paths.get("Items"), list):
            paths["Quantity"] = len(paths["Items"])
    if case.operation.label == "GET /_edge/events" and isinstance(case.query, dict):
        wait = case.query.get("wait")
        if isinstance(wait, int | float) and not isinstance(wait, bool) and wait > 0:
            case.query["wait"] = min(wait, LONG_POLL_BOUND)
    return case


def error_code(response: Any) -> str | None:
    """The error code of an answer in any of our APIs' error shapes."""
    media_type = response.headers.get("content-type", [""])[0].split(";")[0].strip()
    try:
        if media_type in XML_TYPES:
            element = fromstring(response.content)
            code = next((e for e in element.iter() if _local(e.tag) == "Code"), None)
            return None if code is None else code.text
        body = json.loads(response.content)
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    if media_type == "application/api-problem+json":
        kind = body.get("type")
        return kind.rsplit("/", 1)[-1] if isinstance(kind, str) else None
    if isinstance(body.get("errors"), list) and body["errors"]:  # JSON:API: meta.rule
        first = body["errors"][0]
        if not isinstance(first, dict):
            return None
        meta = first.get("meta")
        rule = meta.get("rule") if isinstance(meta, dict) else None
        return rule if isinstance(rule, str) else first.get("title")
    code = body.get("code")
    return code if isinstance(code, str) else None


def declared_refusal(case: Any, response: Any) -> dict[str, Any] | None:
    refusals = case.operation.definition.raw.get("x-refusals", [])
    code = error_code(response)
    for refusal in refusals:
        if refusal["status"] == response.status_code and refusal["code"] == code:
            return dict(refusal)
    return None


def xml_sent_is_valid(case: Any, response: Any) -> bool:
    """Whether the XML body sent, read as its schema describes it, matches that schema."""
    if case.media_type not in XML_TYPES or not response.request.body:
        return False
    root = case.operation.schema.raw_schema
    content = case.operation.definition.raw.get("requestBody", {}).get("content", {})
    schema = content.get(case.media_type, {}).get("schema", {})
    try:
        sent = _value(fromstring(response.request.body), schema, root)
    except Exception:  # noqa: BLE001 (not even XML: really invalid)
        return False
    validator = Draft202012Validator({**schema, "components": root.get("components", {})})
    return bool(validator.is_valid(sent))


def _why_not_a_failure(failure: Any, case: Any, response: Any) -> str | None:
    if isinstance(failure, RejectedPositiveData):
        refusal = declared_refusal(case, response)
        return None if refusal is None else f"declared refusal {refusal['code']}"
    if isinstance(failure, AcceptedNegativeData) and response.status_code == 413:
        return "refused as too large (413), before anything else was checked"
    if isinstance(failure, AcceptedNegativeData) and xml_sent_is_valid(case, response):
        return "valid as sent in XML"
    if (
        isinstance(failure, MissingHeaderNotRejected)
        and failure.header_name.lower() == "authorization"
        and response.status_code == 403
        and error_code(response) == "MissingAuthenticationToken"
    ):
        return "AWS answers an unsigned request 403 MissingAuthenticationToken"
    return None


@schemathesis.hook
def filter_failure(ctx: Any, failure: Any, case: Any, response: Any) -> bool:
    """Keep every failure but those :func:`_why_not_a_failure` explains, logged."""
    why = _why_not_a_failure(failure, case, response)
    if why is not None and (log := os.environ.get("CDNSIM_CONTRACT_LOG")):
        entry = {"operation": case.operation.label, "status": response.status_code, "why": why}
        with open(log, "a", encoding="utf-8") as out:
            out.write(json.dumps(entry) + "\n")
    return why is None
