"""The Management API's handlers: authenticate, parse, call the backend, serialise.

Routes (all under ``/api/v1``): ``sources`` (GET, POST), ``sources/{id}`` (GET, PATCH),
``purge`` (POST); assets and reports are added by :mod:`vendors.imgix.assets_api` and
:mod:`vendors.imgix.reports_api`. Methods a route does not have are 405.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from aiohttp import web

from common.bodies import read_request
from vendors.imgix import jsonapi as ja
from vendors.imgix import jsonapi_query as jq
from vendors.imgix.api_keys import ApiKey, Permission, authentication_meta
from vendors.imgix.backend import ImgixBackend
from vendors.imgix.buckets import BucketError, try_write
from vendors.imgix.fetch import OriginGate
from vendors.imgix.purges import ATTRIBUTES as PURGE_ATTRIBUTES
from vendors.imgix.purges import Purges
from vendors.imgix.sources import ATTRIBUTES as SOURCE_ATTRIBUTES
from vendors.imgix.sources import Change
from vendors.imgix.stores import StoreUnavailable

MAX_JSON_BYTES = 1024 * 1024
CREDENTIALS_REFUSED = "credentials-refused"  # upload_credentials that cannot write
_JSON_TYPES = ("application/vnd.api+json", "application/json")


def _deployment_field(name: str) -> Callable[[jq.Resource], Any]:
    return lambda r: r["attributes"]["deployment"].get(name)


SOURCE_FILTERS: dict[str, jq.Matcher] = {
    **{
        f"deployment.{n}": jq.substring(_deployment_field(n))
        for n in (
            "azure_bucket",
            "custom_domains",
            "gcs_bucket",
            "imgix_subdomains",
            "webfolder_base_url",
            "s3_bucket",
            "type",
        )
    },
    "enabled": jq.boolean(lambda r: r["attributes"]["enabled"]),
    "name": jq.substring(lambda r: r["attributes"]["name"]),
    "type": jq.substring(_deployment_field("type")),
}
SOURCE_SORTS = frozenset({"date_deployed", "enabled", "name"})


class Api:
    def __init__(self, backend: ImgixBackend, purges: Purges, gate: OriginGate) -> None:
        self.backend, self.purges, self.gate = backend, purges, gate

    def auth(self, request: web.Request, permission: Permission) -> ApiKey:
        """The request's key, counted against the rate limit and checked for ``permission``."""
        keys = self.backend.keys
        key = keys.authenticate(request.headers.get("Authorization"))
        keys.count(key, self.backend.clock.now())
        keys.authorize(key, permission)
        return key

    def meta(self, key: ApiKey, **extra: Any) -> dict[str, Any]:
        return {"authentication": authentication_meta(key), "server": ja.SERVER_META, **extra}

    async def body(self, request: web.Request) -> bytes:
        content_type = request.headers.get("Content-Type", "application/vnd.api+json")
        if content_type.split(";")[0].strip().lower() not in _JSON_TYPES:
            raise ja.JsonApiError(415, "UnsupportedMediaType", "send application/vnd.api+json")
        return await read_request(request, MAX_JSON_BYTES)

    def one(
        self,
        key: ApiKey,
        kind: str,
        rid: str,
        attrs: dict[str, Any],
        request: web.Request,
        status: int = 200,
    ) -> web.Response:
        data = jq.resource(kind, rid, attrs, request.query.get(f"fields[{kind}]"))
        return ja.response(ja.document(data, self.meta(key)), status)

    async def list_sources(self, request: web.Request) -> web.Response:
        key = self.auth(request, "Sources")
        now = self.backend.clock.now()
        items = [
            {"attributes": s.attributes(now), "id": s.id, "type": "sources"}
            for s in self.backend.sources
        ]
        items = jq.filter_items(items, request.query, SOURCE_FILTERS)
        items = jq.sort_items(items, request.query.get("sort"), SOURCE_SORTS)
        page = jq.page_by_number(items, request.query)
        fields = request.query.get("fields[sources]")
        data = [jq.resource("sources", r["id"], r["attributes"], fields) for r in page.items]
        return ja.response(ja.document(data, self.meta(key, **page.meta)))

    async def create_source(self, request: web.Request) -> web.Response:
        key = self.auth(request, "Sources")
        attrs = ja.parse_resource(
            await self.body(request), "sources", resource_id=None, allowed=SOURCE_ATTRIBUTES
        )
        now = self.backend.clock.now()
        change = self.backend.sources.plan(None, attrs, key.tag, now)
        upload_ok = await self.check_upload(change)
        source = self.backend.sources.apply(change, self.backend.clock.now(), upload_ok=upload_ok)
        self.backend.events.append("imgix", "source_created", source=source.id)
        return self.one(key, "sources", source.id, source.attributes(now), request, 201)

    async def get_source(self, request: web.Request) -> web.Response:
        key = self.auth(request, "Sources")
        source = self.backend.sources.get(request.match_info["source_id"])
        return self.one(
            key, "sources", source.id, source.attributes(self.backend.clock.now()), request
        )

    async def update_source(self, request: web.Request) -> web.Response:
        key = self.auth(request, "Sources")
        source_id = request.match_info["source_id"]
        self.backend.sources.get(source_id)
        attrs = ja.parse_resource(
            await self.body(request), "sources", resource_id=source_id, allowed=SOURCE_ATTRIBUTES
        )
        now = self.backend.clock.now()
        change = self.backend.sources.plan(source_id, attrs, key.tag, now)
        upload_ok = await self.check_upload(change)
        source = self.backend.sources.apply(change, self.backend.clock.now(), upload_ok=upload_ok)
        self.backend.events.append("imgix", "source_updated", source=source.id)
        return self.one(key, "sources", source.id, source.attributes(now), request)

    async def check_upload(self, change: Change) -> bool | None:
        """Whether the change's upload credentials write to its bucket (None: nothing to
        check). New credentials that cannot are refused (400, nothing changed): seed 004
        says they "must be valid and supply write permissions"."""
        if not change.check_upload or change.credentials is None:
            return None
        why = await self.upload_refusal(change.deployment, change.credentials)
        if why is not None and change.credentials_given:
            raise ja.bad_request(
                f"the upload_credentials cannot write to the bucket: {why}",
                rule=CREDENTIALS_REFUSED,
            )
        return why is None

    async def upload_refusal(
        self, deployment: Mapping[str, Any], credentials: Mapping[str, str]
    ) -> str | None:
        """Why ``credentials`` cannot write to the deployment's bucket, or None."""
        try:
            bucket = await self.gate.bucket(deployment, credentials)
            await try_write(bucket, deployment, self.backend.ids.new_id())
        except StoreUnavailable as exc:
            return exc.reason
        except BucketError as exc:
            return exc.reason
        return None

    async def create_purge(self, request: web.Request) -> web.Response:
        key = self.auth(request, "Purge")
        attrs = ja.parse_resource(
            await self.body(request), "purges", resource_id=None, allowed=PURGE_ATTRIBUTES
        )
        purge = await self.purges.create(attrs)
        return self.one(key, "purges", purge.id, {"purge_id": purge.id}, request)


def add_routes(app: web.Application, api: Api) -> None:
    app.router.add_get("/api/v1/sources", api.list_sources)
    app.router.add_post("/api/v1/sources", api.create_source)
    app.router.add_get("/api/v1/sources/{source_id}", api.get_source)
    app.router.add_patch("/api/v1/sources/{source_id}", api.update_source)
    app.router.add_post("/api/v1/purge", api.create_purge)
