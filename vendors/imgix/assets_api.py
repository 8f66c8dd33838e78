"""Image Manager routes: list, get, PATCH, refresh and upload assets.

``GET`` needs Image Manager Browse; everything else Image Manager Edit. Both URL shapes of
the seed are served: ``/api/v1/sources/{id}/assets/…`` and ``/api/v1/assets/{id}/…``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web
from botocore.exceptions import BotoCoreError, ClientError

from common.bodies import read_request
from vendors.imgix import jsonapi as ja
from vendors.imgix import jsonapi_query as jq
from vendors.imgix.api import Api
from vendors.imgix.assets import FILTERS, SORTS, UPDATABLE, Asset
from vendors.imgix.fetch import Original, OriginGate, load, serve_gate
from vendors.imgix.sources import Source
from vendors.imgix.uploads import sniffed_type, upload_key

MAX_UPLOAD_BYTES = 32 * 1024 * 1024
# Rules beyond the API's schema (the document lists them as refusals).
UPLOAD_UNSUPPORTED, NO_CREDENTIALS = "upload-unsupported", "no-credentials"
GATE = web.AppKey("imgix_api_gate", OriginGate)


class AssetsApi:
    def __init__(self, api: Api) -> None:
        self.api = api
        self.backend = api.backend

    def _path(self, request: web.Request) -> str:
        return "/" + request.match_info["path"].lstrip("/")

    def _source(self, request: web.Request) -> Source:
        return self.backend.sources.get(request.match_info["source_id"])

    def _one(self, key: Any, asset: Asset, request: web.Request) -> web.Response:
        return self.api.one(key, "assets", asset.id, asset.attributes(), request)

    async def list_assets(self, request: web.Request) -> web.Response:
        key = self.api.auth(request, "Image Manager Browse")
        source = self._source(request)
        items = [
            {"attributes": a.attributes(), "id": a.id, "type": "assets"}
            for a in self.backend.assets.of_source(source.id)
        ]
        items = jq.filter_items(items, request.query, FILTERS)
        items = jq.sort_items(items, request.query.get("sort"), SORTS)
        page = jq.page_by_cursor(items, request.query)
        fields = request.query.get("fields[assets]")
        data = [jq.resource("assets", r["id"], r["attributes"], fields) for r in page.items]
        return ja.response(ja.document(data, self.api.meta(key, **page.meta)))

    async def get_asset(self, request: web.Request) -> web.Response:
        key = self.api.auth(request, "Image Manager Browse")
        return self._one(
            key, self.backend.assets.get(self._source(request).id, self._path(request)), request
        )

    async def update_asset(self, request: web.Request) -> web.Response:
        key = self.api.auth(request, "Image Manager Edit")
        asset = self.backend.assets.get(self._source(request).id, self._path(request))
        attrs = ja.parse_resource(
            await self.api.body(request), "assets", resource_id=asset.id, allowed=UPDATABLE
        )
        self.backend.assets.update(asset, attrs, self.backend.clock.now())
        return self._one(key, asset, request)

    async def refresh_asset(self, request: web.Request) -> web.Response:
        """Refetch from the origin, reprocess when the ETag changed, purge every derivative."""
        key = self.api.auth(request, "Image Manager Edit")
        source, path = self._source(request), self._path(request)
        self.backend.assets.get(source.id, path)
        if source.live is None:
            raise ja.conflict("the source is not deployed yet")
        original = await load(request.app[GATE], source.live, path)
        if original.status != 200:
            raise ja.JsonApiError(
                404 if original.status == 404 else 502,
                "OriginError",
                f"cannot refetch the asset: {original.reason}",
            )
        asset = await self._process(source, path, original, uploaded=False)
        return self._one(key, asset, request)

    async def upload_asset(self, request: web.Request) -> web.Response:
        key = self.api.auth(request, "Image Manager Edit")
        source, path = self._source(request), self._path(request)
        kind = source.deployment["type"]
        if kind in ("webfolder", "webproxy"):
            raise ja.bad_request(
                "uploading to Web Folder or Web Proxy sources is not supported",
                rule=UPLOAD_UNSUPPORTED,
            )
        if kind != "s3":
            raise ja.JsonApiError(
                501, "NotImplemented", f"{kind} storage is not reachable from this simulator"
            )
        credentials = source.upload_credentials
        if credentials is None:
            raise ja.bad_request("this source has no upload_credentials", rule=NO_CREDENTIALS)
        gate = request.app[GATE]
        if gate.s3_endpoint is None:
            raise ja.JsonApiError(502, "OriginError", "no S3 endpoint is configured")
        s3_key = upload_key(path, source.deployment.get("s3_prefix") or "")
        body = await read_request(request, MAX_UPLOAD_BYTES)
        content_type = await asyncio.to_thread(
            sniffed_type, body, request.headers.get("Content-Type")
        )
        client = gate.s3_client(credentials["s3_access_key"], credentials["s3_secret_key"])
        try:
            result = await asyncio.to_thread(
                client.put_object,
                Bucket=source.deployment["s3_bucket"],
                Key=s3_key,
                Body=body,
                ContentType=content_type,
            )
        except (ClientError, BotoCoreError) as exc:
            raise ja.JsonApiError(
                502, "OriginError", f"the bucket refused the upload: {type(exc).__name__}"
            ) from None
        original = Original(200, body, (("ETag", result.get("ETag", "")),))
        asset = await self._process(source, path, original, uploaded=True)
        return self._one(key, asset, request)

    async def _process(
        self, source: Source, path: str, original: Original, *, uploaded: bool
    ) -> Asset:
        now = self.backend.clock.now()
        asset, _ = await asyncio.to_thread(
            self.backend.assets.observe, source.id, path, original, now, uploaded=uploaded
        )
        assert self.api.purges is not None
        await self.api.purges.purge_image(source.id, path)
        return asset


def add_asset_routes(app: web.Application, api: Api) -> None:
    assets = AssetsApi(api)
    settings = api.backend.settings
    serve_gate(
        app, GATE, OriginGate(settings.origin_hosts, settings.s3_endpoint, settings.s3_region)
    )
    router = app.router
    router.add_post("/api/v1/sources/{source_id}/assets/refresh/{path:.+}", assets.refresh_asset)
    # Any character, newlines too, so that a bad name gets upload_key's clear 400, not a 404.
    router.add_post("/api/v1/sources/{source_id}/upload/{path:[\\s\\S]+}", assets.upload_asset)
    # Under /sources/{id}/assets/, a path starting refresh/ is the refresh route's (one
    # resource per URL, so a 405 says the true Allow); /assets/{id}/ reaches such an asset.
    for base, path in (
        ("/api/v1/sources/{source_id}/assets", "{path:(?!refresh/).+}"),
        ("/api/v1/assets/{source_id}", "{path:.+}"),
    ):
        router.add_get(base, assets.list_assets)
        router.add_get(f"{base}/{path}", assets.get_asset)
        router.add_patch(f"{base}/{path}", assets.update_asset)
