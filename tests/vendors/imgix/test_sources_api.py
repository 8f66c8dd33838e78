"""The Management API's sources over HTTP: JSON:API documents, keys, validation, paging."""

from __future__ import annotations

from typing import Any

from tests.vendors.imgix.conftest import ADMIN, PURGE_ONLY, SOURCES_ONLY, Stack


def webfolder(name: str, sub: str, **extra: Any) -> dict[str, Any]:
    dep = {
        "type": "webfolder",
        "webfolder_base_url": "http://127.0.0.1:9/img/",
        "imgix_subdomains": [sub],
        **extra,
    }
    return {"data": {"type": "sources", "attributes": {"name": name, "deployment": dep}}}


async def test_create_deploys_on_the_simulated_clock(stack: Stack) -> None:
    status, doc = await stack.call("POST", "/api/v1/sources", body=webfolder("New", "new-one"))
    assert status == 201
    attrs = doc["data"]["attributes"]
    assert doc["data"]["type"] == "sources" and doc["jsonapi"] == {"version": "1.0"}
    assert doc["included"] == [] and doc["meta"]["authentication"]["tag"] == "admin@example.com"
    assert attrs["deployment_status"] == "deploying" and attrs["date_deployed"] is None
    dep = attrs["deployment"]
    assert dep["cache_ttl_behavior"] == "respect_origin" and dep["cache_ttl_value"] == 31536000
    assert (
        dep["cache_ttl_error"] == 300
        and dep["custom_domains"] == []
        and dep["default_params"] == {}
    )
    assert dep["annotation"] == "New deployment created for source by admin@example.com."
    source_id = doc["data"]["id"]
    await stack.clock.advance(29)
    _, doc = await stack.call("GET", f"/api/v1/sources/{source_id}")
    assert doc["data"]["attributes"]["deployment_status"] == "deploying"
    await stack.clock.advance(1)
    _, doc = await stack.call("GET", f"/api/v1/sources/{source_id}")
    assert doc["data"]["attributes"]["deployment_status"] == "deployed"
    assert doc["data"]["attributes"]["date_deployed"] == int(stack.clock.now())


async def test_patch_is_partial_replaces_lists_whole_and_redeploys(stack: Stack) -> None:
    source_id = await stack.create_source(custom_domains=["a.example.com", "b.example.com"])
    patch = {"data": {"type": "sources", "id": source_id, "attributes": {"name": "Renamed"}}}
    status, doc = await stack.call("PATCH", f"/api/v1/sources/{source_id}", body=patch)
    assert status == 200 and doc["data"]["attributes"]["name"] == "Renamed"
    assert doc["data"]["attributes"]["deployment_status"] == "deployed"  # a name is no deployment
    patch["data"]["attributes"] = {
        "deployment": {"custom_domains": ["c.example.com"], "cache_ttl_value": 60}
    }
    status, doc = await stack.call("PATCH", f"/api/v1/sources/{source_id}", body=patch)
    attrs = doc["data"]["attributes"]
    assert status == 200 and attrs["deployment"]["custom_domains"] == ["c.example.com"]
    assert attrs["deployment"]["imgix_subdomains"] == ["demo"] and attrs["name"] == "Renamed"
    assert attrs["deployment_status"] == "deploying"


async def test_secrets_are_never_returned_and_the_token_only_when_secured(stack: Stack) -> None:
    body = {
        "data": {
            "type": "sources",
            "attributes": {
                "name": "S3",
                "deployment": {
                    "type": "s3",
                    "s3_bucket": "my-bucket",
                    "s3_access_key": "AK",
                    "s3_secret_key": "SECRET",
                    "imgix_subdomains": ["s3-src"],
                    "secure_url_enabled": True,
                },
            },
        }
    }
    status, doc = await stack.call("POST", "/api/v1/sources", body=body)
    assert status == 201
    assert (
        "SECRET" not in str(doc) and "s3_secret_key" not in doc["data"]["attributes"]["deployment"]
    )
    assert len(doc["data"]["attributes"]["secure_url_token"]) == 16
    assert doc["data"]["attributes"]["deployment"]["allows_upload"] is False
    _, doc = await stack.call("GET", "/api/v1/sources")
    assert "SECRET" not in str(doc)


async def test_gcs_and_azure_are_validated(stack: Stack) -> None:
    gcs = {
        "type": "gcs",
        "gcs_bucket": "b-1",
        "gcs_access_key": "k",
        "gcs_secret_key": "s",
        "imgix_subdomains": ["g"],
    }
    status, _ = await stack.call(
        "POST",
        "/api/v1/sources",
        body={"data": {"type": "sources", "attributes": {"name": "g", "deployment": gcs}}},
    )
    assert status == 201
    azure = {
        "type": "azure",
        "azure_account": "acc",
        "azure_bucket": "box",
        "azure_sas_string": "sig",
        "azure_service_type": "tape",
        "imgix_subdomains": ["az"],
    }
    status, doc = await stack.call(
        "POST",
        "/api/v1/sources",
        body={"data": {"type": "sources", "attributes": {"name": "a", "deployment": azure}}},
    )
    assert status == 400 and "azure_service_type" in doc["errors"][0]["detail"]


async def test_keys_and_permissions(stack: Stack) -> None:
    async with stack.http.get(stack.api + "/api/v1/sources") as r:
        doc = await r.json(content_type=None)
        assert r.status == 401 and doc["errors"][0]["title"] == "Unauthorized"
        assert set(doc["errors"][0]) == {"detail", "id", "meta", "status", "title"}
        assert doc["errors"][0]["status"] == "401"
    status, _ = await stack.call("GET", "/api/v1/sources", key="x" * 32)
    assert status == 401
    status, doc = await stack.call("GET", "/api/v1/sources", key=PURGE_ONLY)
    assert status == 403 and "Sources" in doc["errors"][0]["detail"]
    status, _ = await stack.call("GET", "/api/v1/sources", key=SOURCES_ONLY)
    assert status == 200


async def test_unsupported_methods_are_405_and_unknown_ids_404(stack: Stack) -> None:
    status, doc = await stack.call("DELETE", "/api/v1/sources")
    assert status == 405 and doc["errors"][0]["title"] == "MethodNotAllowed"
    status, _ = await stack.call("GET", "/api/v1/purge")
    assert status == 405
    status, doc = await stack.call("GET", "/api/v1/sources/invalid-source")
    assert status == 404 and doc["errors"][0]["detail"] == "Resource not found."


async def test_bad_documents_are_refused_and_nothing_is_written(stack: Stack) -> None:
    source_id = await stack.create_source()
    cases: list[tuple[Any, int]] = [
        ({"data": {"type": "assets", "attributes": {"name": "x"}, "id": source_id}}, 409),
        ({"data": {"type": "sources", "attributes": {"name": "x"}, "id": "other"}}, 409),
        ({"data": {"type": "sources", "attributes": {"name": "x"}}}, 400),
        ({"data": {"type": "sources", "id": source_id, "attributes": {"colour": "red"}}}, 400),
        (
            {
                "data": {
                    "type": "sources",
                    "id": source_id,
                    "attributes": {"deployment_status": "deployed"},
                }
            },
            400,
        ),
        (
            {
                "data": {
                    "type": "sources",
                    "id": source_id,
                    "attributes": {
                        "name": "ok",
                        "deployment": {"custom_domains": ["not a domain"]},
                    },
                }
            },
            400,
        ),
        (
            {
                "data": {
                    "type": "sources",
                    "id": source_id,
                    "attributes": {"name": "ok", "deployment": {"cache_ttl_value": 0}},
                }
            },
            400,
        ),
        (
            {
                "data": {
                    "type": "sources",
                    "id": source_id,
                    "attributes": {"name": "ok", "deployment": {"default_params": {"w": "wide"}}},
                }
            },
            400,
        ),
        (
            {
                "data": {
                    "type": "sources",
                    "id": source_id,
                    "attributes": {"name": "ok", "deployment": {"type": "s3"}},
                }
            },
            400,
        ),
        (
            {
                "data": {
                    "type": "sources",
                    "id": source_id,
                    "attributes": {"name": "ok", "deployment": {"image_missing": "ftp://x/y.png"}},
                }
            },
            400,
        ),
        ([1, 2], 400),
    ]
    for body, expected in cases:
        status, doc = await stack.call("PATCH", f"/api/v1/sources/{source_id}", body=body)
        assert status == expected, (body, doc)
        assert doc["errors"][0]["status"] == str(expected)
    for content_type, data, expected in (
        ("application/vnd.api+json", b"{nope", 400),
        ("text/plain", b"{nope", 415),
        ("application/vnd.api+json", b"[" * 200_000, 400),  # too deep
        ("application/vnd.api+json; gzip", b"not gzip!", 400),
    ):
        headers = {"Authorization": f"Bearer {ADMIN}", "Content-Type": content_type.split("; ")[0]}
        if content_type.endswith("gzip"):
            headers["Content-Encoding"] = "gzip"  # a body aiohttp cannot decode
        async with stack.http.patch(
            f"{stack.api}/api/v1/sources/{source_id}", data=data, headers=headers
        ) as r:
            assert r.status == expected, (data[:10], await r.text())
            assert r.content_type == "application/vnd.api+json"
    _, doc = await stack.call("GET", f"/api/v1/sources/{source_id}")
    assert doc["data"]["attributes"]["name"] == "web"
    assert doc["data"]["attributes"]["deployment"]["cache_ttl_value"] == 31536000


async def test_domains_are_unique_across_sources(stack: Stack) -> None:
    await stack.create_source(custom_domains=["img.example.com"])
    status, doc = await stack.call("POST", "/api/v1/sources", body=webfolder("two", "demo"))
    assert status == 409 and "demo.imgix.net" in doc["errors"][0]["detail"]
    status, _ = await stack.call(
        "POST",
        "/api/v1/sources",
        body=webfolder("two", "other", custom_domains=["IMG.example.com"]),
    )
    assert status == 409
    status, _ = await stack.call("POST", "/api/v1/sources", body=webfolder("two", "Bad_Sub"))
    assert status == 400


async def test_list_sparse_fields_sort_filter_and_pages(stack: Stack) -> None:
    for name, sub in (
        ("Staging 2", "s2"),
        ("GCS thing", "g1"),
        ("Staging 1", "s1"),
        ("prod", "p1"),
    ):
        status, _ = await stack.call("POST", "/api/v1/sources", body=webfolder(name, sub))
        assert status == 201
    _, doc = await stack.call(
        "GET", "/api/v1/sources?sort=name&fields[sources]=name,deployment.imgix_subdomains"
    )
    assert [r["attributes"]["name"] for r in doc["data"]] == [
        "GCS thing",
        "prod",
        "Staging 1",
        "Staging 2",
    ]
    assert doc["data"][0]["attributes"] == {
        "name": "GCS thing",
        "deployment": {"imgix_subdomains": ["g1"]},
    }
    _, doc = await stack.call("GET", "/api/v1/sources?sort=-name&fields[sources]=name")
    assert doc["data"][0]["attributes"] == {"name": "Staging 2"}
    _, doc = await stack.call(
        "GET",
        "/api/v1/sources?filter[name]=staging&filter[deployment.type]=webfolder&filter[nonsense]=1",
    )
    assert sorted(r["attributes"]["name"] for r in doc["data"]) == ["Staging 1", "Staging 2"]
    _, doc = await stack.call(
        "GET", "/api/v1/sources?filter[name]=staging&filter[deployment.imgix_subdomains]=s1"
    )
    assert [r["attributes"]["name"] for r in doc["data"]] == ["Staging 1"]
    _, doc = await stack.call("GET", "/api/v1/sources?page[number]=1&page[size]=3&sort=name")
    assert [r["attributes"]["name"] for r in doc["data"]] == ["Staging 2"]
    assert doc["meta"]["pagination"] == {
        "currentPage": 1,
        "hasNextPage": False,
        "hasPreviousPage": True,
        "nextPage": 1,
        "pageSize": 3,
        "previousPage": 0,
        "totalPages": 2,
        "totalRecords": 4,
    }
    for bad in (
        "page[size]=0",
        "page[number]=-1",
        "page[size]=abc",
        "sort=deployment.type",
        "filter[enabled]=maybe",
    ):
        status, _ = await stack.call("GET", f"/api/v1/sources?{bad}")
        assert status == 400, bad


async def test_sort_booleans_false_first(stack: Stack) -> None:
    a = await stack.create_source("a", "a1")
    await stack.create_source("b", "b1")
    patch = {"data": {"type": "sources", "id": a, "attributes": {"enabled": False}}}
    status, doc = await stack.call("PATCH", f"/api/v1/sources/{a}", body=patch)
    assert status == 200 and doc["data"]["attributes"]["deployment_status"] == "disabled"
    _, doc = await stack.call("GET", "/api/v1/sources?sort=-enabled,name")
    assert [r["attributes"]["name"] for r in doc["data"]] == ["b", "a"]
    _, doc = await stack.call("GET", "/api/v1/sources?sort=enabled")
    assert [r["attributes"]["name"] for r in doc["data"]] == ["a", "b"]
    _, doc = await stack.call("GET", "/api/v1/sources?filter[enabled]=false")
    assert [r["attributes"]["name"] for r in doc["data"]] == ["a"]


async def test_rate_limit_is_configurable_and_answers_429(
    clock, events, folder, moto_server
) -> None:  # type: ignore[no-untyped-def]
    import aiohttp

    from tests.vendors.imgix.conftest import RateLimit, start_stack

    service, edge = await start_stack(clock, events, folder, rate=RateLimit(limit=3, window=60))
    try:
        async with aiohttp.ClientSession() as http:
            headers = {"Authorization": f"Bearer {ADMIN}"}
            statuses = []
            for _ in range(4):
                async with http.get(service.api_url + "/api/v1/sources", headers=headers) as r:
                    statuses.append(r.status)
                    retry = r.headers.get("Retry-After")
            assert statuses == [200, 200, 200, 429] and retry == "60"
            await clock.advance(60)
            async with http.get(service.api_url + "/api/v1/sources", headers=headers) as r:
                assert r.status == 200
    finally:
        await edge.stop()
        await service.stop()
