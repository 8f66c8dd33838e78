"""What schemathesis found against the Management API's document, each fixed in the code:
query parameters are checked before anything is matched (a bad filter is a 400 on an empty
list too), a sort is a list of fields and nothing else, paging numbers are ASCII digits, a
request document has only JSON:API's top-level members, 3600.0 seconds is an integer, each
asset URL has one resource (so a 405 says the true Allow), and a rule beyond the schema
names itself in the error's meta."""

from __future__ import annotations

import pytest

from tests.vendors.imgix.conftest import Stack


@pytest.mark.parametrize(
    "query",
    [
        "page[number]=%C2%B2",
        "page[size]=%D9%A3",
        "filter[enabled]=TRUE",
        "filter[enabled]=AAA",
        "sort=name,",
        "sort=name,%20-enabled",
    ],
)
async def test_bad_query_parameters_are_400s_even_with_nothing_to_list(stack: Stack, query: str):
    status, doc = await stack.call("GET", f"/api/v1/sources?{query}")
    assert status == 400, doc
    status, doc = await stack.call(
        "GET",
        f"/api/v1/reports?{query.replace('enabled', 'completed').replace('name', 'period_end')}",
    )
    assert status == 400, doc


async def test_range_filters_are_ascii_digits(stack: Stack):
    source = await stack.create_source()
    for value in ("%C2%B2", "1:%C2%B2", ":"):
        status, _ = await stack.call(
            "GET", f"/api/v1/sources/{source}/assets?filter[face_count]={value}"
        )
        assert status == 400, value


async def test_a_request_document_has_json_api_members_only(stack: Stack):
    attributes = {"name": "x", "deployment": {"type": "webproxy", "imgix_subdomains": ["x"]}}
    for extra in ({"x-unknown": 1}, {"jsonapi": 5}, {"meta": []}):
        body = {"data": {"type": "sources", "attributes": attributes}, **extra}
        status, doc = await stack.call("POST", "/api/v1/sources", body=body)
        assert status == 400, doc


async def test_ttls_are_json_integers(stack: Stack):
    deployment = {"type": "webproxy", "imgix_subdomains": ["ttl"], "cache_ttl_value": 3600.0}
    body = {"data": {"type": "sources", "attributes": {"name": "t", "deployment": deployment}}}
    status, doc = await stack.call("POST", "/api/v1/sources", body=body)
    assert status == 201, doc
    assert doc["data"]["attributes"]["deployment"]["cache_ttl_value"] == 3600


async def test_the_refresh_url_is_one_resource(stack: Stack):
    source = await stack.create_source()
    async with stack.http.get(
        f"{stack.api}/api/v1/sources/{source}/assets/refresh/a.jpg",
        headers={"Authorization": "Bearer " + "a" * 32},
    ) as response:
        assert response.status == 405 and response.headers["Allow"] == "POST"


async def test_a_purge_of_a_foreign_domain_names_the_rule(stack: Stack):
    body = {"data": {"type": "purges", "attributes": {"url": "https://elsewhere.example/a.jpg"}}}
    status, doc = await stack.call("POST", "/api/v1/purge", body=body)
    assert status == 400 and doc["errors"][0]["meta"] == {"rule": "foreign-domain"}


async def test_the_api_serves_its_document(stack: Stack):
    async with stack.http.get(f"{stack.api}/openapi.json") as response:
        assert response.status == 200
        paths = (await response.json())["paths"]
    assert "/api/v1/sources/{source_id}/upload/{path}" in paths
