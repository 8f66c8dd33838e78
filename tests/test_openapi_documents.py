"""Every API's OpenAPI document is valid OpenAPI 3.1, documents every route its app
serves (method and path), and names for each operation the refusals it may answer to a
request that matches it (``x-refusals``: status and code)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from openapi_spec_validator import validate

from cdnsim.sim_control import sim_routes
from cdnsim.sim_openapi import sim_paths
from cdnsim.stack import Stack, StackSettings
from common.clock import Clock
from common.events import EventLog
from edge.control import create_control_app
from edge.control_openapi import build_control_document
from edge.invalidation import DelayModel, InvalidationService, add_routes
from edge.invalidation.openapi import build_document as cloudfront_document
from origin.openapi import build_document as origin_document
from origin.routes import ROUTES as ORIGIN_ROUTES
from origin.settings import OriginSettings
from vendors.akamai.api import ROUTES as AKAMAI_ROUTES
from vendors.akamai.openapi import build_document as akamai_document
from vendors.imgix.openapi import build_document as imgix_document

DOCUMENTS = {
    "origin": origin_document(),
    "cloudfront": cloudfront_document("E1"),
    "control": build_control_document(sim_paths()),
    "akamai": akamai_document(),
    "imgix": imgix_document(),
}
METHODS = {"get", "put", "post", "delete", "patch"}


@pytest.mark.parametrize("api", DOCUMENTS)
def test_the_document_is_valid_openapi_3_1(api: str) -> None:
    validate(DOCUMENTS[api])


@pytest.mark.parametrize("api", DOCUMENTS)
def test_every_operation_has_an_id_and_well_formed_refusals(api: str) -> None:
    operations = [
        op
        for item in DOCUMENTS[api]["paths"].values()
        for method, op in item.items()
        if method in METHODS
    ]
    ids = [op["operationId"] for op in operations]
    assert len(ids) == len(set(ids))
    for op in operations:
        for refusal in op.get("x-refusals", []):
            assert set(refusal) == {"status", "code", "rule"} and 400 <= refusal["status"] < 600


def _template(path: str) -> str:
    """A route as an OpenAPI path: ``{name:regex}`` is ``{name}``."""
    return re.sub(r"\{([A-Za-z_]+):[^{}]*(?:\{[^{}]*\}[^{}]*)*\}", r"{\1}", path)


def _routes(routes: Any) -> set[tuple[str, str]]:
    out = set()
    for route in routes:
        if route.method in ("HEAD", "*"):
            continue
        out.add((route.method.lower(), _template(route.path)))
    return out


def _documented(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (method, path)
        for path, item in document["paths"].items()
        for method in item
        if method in METHODS
    }


def test_every_origin_route_is_documented() -> None:
    served = _routes(ORIGIN_ROUTES) - {("get", "/openapi.json")}
    assert served == _documented(DOCUMENTS["origin"])


def test_every_akamai_route_is_documented() -> None:
    served = {(m, p.rstrip("/")) for m, p in _routes(AKAMAI_ROUTES)}
    assert served == _documented(DOCUMENTS["akamai"])


def test_every_control_route_is_documented_and_cloudfront_has_its_own() -> None:
    clock = Clock.manual()
    service = InvalidationService(
        clock, EventLog(clock), [], DelayModel.from_config(None), distribution_id="E1"
    )
    app = create_control_app({}, EventLog(clock))
    add_routes(app, service)
    stack = Stack(StackSettings(origin=OriginSettings()), clock)
    app.add_routes(sim_routes(stack))
    routes = {
        (r.method.lower(), _template(r.resource.canonical))
        for r in app.router.routes()
        if r.method != "HEAD" and r.resource is not None
    } - {("get", "/2020-05-31/openapi.json")}
    cloudfront = {(m, p) for m, p in routes if p.startswith("/2020-05-31/")}
    assert routes - cloudfront == _documented(DOCUMENTS["control"])
    assert cloudfront == _documented(DOCUMENTS["cloudfront"])
