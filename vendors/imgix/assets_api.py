"""Image Manager routes: list, get, PATCH, refresh and upload assets.

``GET`` needs Image Manager Browse; everything else Image Manager Edit. Both URL shapes of
the seed are served: ``/api/v1/sources/{id}/assets/…`` and ``/api/v1/assets/{id}/…``.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

from aiohttp import web

from common.bodies import read_request
from vendors.imgix import jsonapi as ja
from vendors.imgix import jsonapi_query as jq
from vendors.imgix.api import Api
from vendors.imgix.assets import FILTERS, SORTS, UPDATABLE, Asset
from vendors.imgix.buckets import CLOUD_TYPES, BucketError
from vendors.imgix.fetch import Original, load
from vendors.imgix.refresh import keep_master
from vendors.imgix.sources import Source
from vendors.imgix.stores import StoreUnavailable
from vendors.imgix.uploads import sniffed_type, upload_key

MAX_UPLOAD_BYTES = 32 * 1024 * 1024
# An origin path the prose form of the upload route takes: not the table's form
# (upload/…) nor the assets routes' (assets, assets/…), any character otherwise.
PROSE_UPLOAD_PATH = r"(?!(?:upload|assets)(?:/|$))[\s\S]+"
# Rules beyond the API's schema (the document lists them as refusals).
UPLOAD_UNSUPPORTED, NO_CREDENTIALS = "upload-unsupported", "no-credentials"


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
        original = await load(self.api.gate, source.live, quote(path))
        if original.status != 200:
            raise ja.JsonApiError(
                404 if original.status == 404 else 502,
                "OriginError",
                f"cannot refetch the asset: {original.reason}",
            )
        keep_master(self.backend, source.id, source.live, quote(path), original)
        asset = await self._process(source, path, original, uploaded=False)
        return self._one(key, asset, request)

    async def upload_asset(self, request: web.Request) -> web.Response:
        """Write the body to the source's bucket at origin_path (with the source's working
        upload credentials), index it and purge what the edge holds of it."""
        key = self.api.auth(request, "Image Manager Edit")
        source, path = self._source(request), self._path(request)
        deployment, credentials = source.deployment, source.upload_credentials
        if deployment["type"] not in CLOUD_TYPES:
            raise ja.bad_request(
                "uploading to Web Folder or Web Proxy sources is not supported",
                rule=UPLOAD_UNSUPPORTED,
            )
        if credentials is None or not source.allows_upload:
            raise ja.bad_request(
                "this source has no upload_credentials"
                if credentials is None
                else "this source's upload_credentials did not write to its bucket when "
                "checked (allows_upload is false): PATCH working ones",
                rule=NO_CREDENTIALS,
            )
        object_name = upload_key(path, deployment.get(f"{deployment['type']}_prefix") or "")
        body = await read_request(request, MAX_UPLOAD_BYTES)
        content_type = await asyncio.to_thread(
            sniffed_type, body, request.headers.get("Content-Type")
        )
        try:
            bucket = await self.api.gate.bucket(deployment, credentials)
            etag = await bucket.put(object_name, body, content_type)
        except StoreUnavailable as exc:
            raise ja.JsonApiError(502, "OriginError", exc.reason) from None
        except BucketError as exc:
            raise ja.JsonApiError(
                502, "OriginError", f"the bucket refused the upload: {exc.reason}"
            ) from None
        original = Original(200, body, (("ETag", etag), ("Content-Type", content_type)))
        if source.live is not None and source.live["type"] == deployment["type"]:
            keep_master(self.backend, source.id, source.live, quote(path), original)
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
    router = app.router
    router.add_post("/api/v1/sources/{source_id}/assets/refresh/{path:.+}", assets.refresh_asset)
    # Any character, newlines too, so that a bad name gets upload_key's clear 400, not a 404.
    router.add_post("/api/v1/sources/{source_id}/upload/{path:[\\s\\S]+}", assets.upload_asset)
    # The seed's prose writes the upload as POST sources/{id}/{origin_path}: the same
    # upload, for every path that is not another route's (upload/…, assets, assets/…).
    router.add_post(
        f"/api/v1/sources/{{source_id}}/{{path:{PROSE_UPLOAD_PATH}}}", assets.upload_asset
    )
    # Under /sources/{id}/assets/, a path starting refresh/ is the refresh route's (one
    # resource per URL, so a 405 says the true Allow); /assets/{id}/ reaches such an asset.
    for base, path in (
        ("/api/v1/sources/{source_id}/assets", "{path:(?!refresh/).+}"),
        ("/api/v1/assets/{source_id}", "{path:.+}"),
    ):
        router.add_get(base, assets.list_assets)
        router.add_get(f"{base}/{path}", assets.get_asset)
        router.add_patch(f"{base}/{path}", assets.update_asset)
