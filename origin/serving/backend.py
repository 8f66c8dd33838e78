"""The serving backend: one client request to one variant, from the S3 variant cache or rendered.

The order of refusals is the order a client can fix them in: access key (403), pack id
(404), parameters (422, before any storage read), pack (404), location and region
(422), an image after the fallback chain (404), a size derived from the original (422,
before decoding). Rendering runs in the render pool; concurrent requests for one
uncached variant share one flight, whose first step looks in the variant cache again,
so that a variant is rendered once per origin however the requests interleave.

An upload stores the new original, points the pack at it, then deletes the original it
replaced: a render that read the pack just before can find its original gone. It then
reads the pack again (the write that replaced it was acknowledged before the delete began)
and renders what the pack now names, so a racing re-upload serves the old image or the
new one, never an error. Only an original that the pack still names and storage lacks is
the origin's own fault (502).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from typing import Literal

from botocore.exceptions import BotoCoreError, ClientError
from multidict import MultiMapping

from common.errors import ApiError, Forbidden, NotFound, ServiceUnavailable, Unprocessable
from common.events import EventLog
from common.single_flight import SingleFlight
from imaging.errors import UnreadableImage
from origin.imaging.errors import RenderFailed
from origin.imaging.spec import RenderSpec
from origin.models.documents import ImagePack
from origin.models.original_layout import OriginalMeta
from origin.serving.conditional import etag_of
from origin.serving.loading import ServingReads
from origin.serving.params import (
    ClientRequest,
    pack_id_of,
    parse_query,
    unknown_location,
    unknown_region,
)
from origin.serving.render_pool import OnDemandRenderPool
from origin.serving.resolve import VariantPlan, plan_variant, render_spec
from origin.serving.source_header import read_header
from origin.serving.variant_budget import VariantBudget
from origin.serving.variant_key import is_variant_key, variant_key
from origin.serving.variants import Variant, VariantStore
from origin.settings import OriginSettings
from origin.storage import Blob, Storage
from origin.storage.store import StorageUnavailable

log = logging.getLogger(__name__)

CacheState = Literal["hit", "miss", "coalesced"]
# Reads of the pack per render when its original keeps vanishing (each vanishing is a
# re-upload that completed meanwhile): past this, the render is refused as busy (503).
SOURCE_ATTEMPTS = 4
ACCESS_KEY_HEADER = "X-vimond-access-key"


class SourceError(ApiError):
    """The stored original cannot serve: the origin's own data is at fault (documented 502)."""

    status, code = 502, "source_unreadable"


class _OriginalReplaced(Exception):
    """The original the pack named when it was read is gone, and the pack now names another
    (``target``: the request resolved again)."""

    def __init__(self, target: _Target) -> None:
        super().__init__(target.plan.source.image_id)
        self.target = target


@dataclass(frozen=True)
class Served:
    variant: Variant
    cache: CacheState  # hit: from the S3 variant cache; miss: rendered; coalesced: another request's render


@dataclass(frozen=True)
class _Target:
    """One request after resolution: what to serve and where it is cached."""

    tenant: str
    pack: ImagePack
    location: str
    plan: VariantPlan
    key: str
    request: ClientRequest


class ServingBackend:
    def __init__(
        self, settings: OriginSettings, storage: Storage, events: EventLog, pool: OnDemandRenderPool
    ) -> None:
        self.settings = settings
        self.events = events
        self.pool = pool
        self.reads = ServingReads(storage)
        limit = settings.variant_budget
        budget = (
            VariantBudget(storage, storage.settings.variants_bucket, limit, events)
            if limit
            else None
        )
        self.variants = VariantStore(storage, budget)
        self.flights: SingleFlight[Served] = SingleFlight()

    def check_access(self, tenant: str, access_key: str | None) -> None:
        """Tenants with an access key only answer requests that carry it (403). Every route
        that serves a tenant's image bytes calls this, and its answers (refusals included)
        carry :meth:`access_vary`."""
        expected = self.settings.tenant(tenant).access_key
        if expected is None:
            return
        if access_key is None or not hmac.compare_digest(access_key.encode(), expected.encode()):
            raise Forbidden(
                "this tenant requires a valid X-vimond-access-key header",
                code="access_key_required",
            )

    def access_vary(self, tenant: str) -> tuple[str, ...]:
        """The request headers :meth:`check_access` reads for ``tenant``, for ``Vary``
        (RFC 9110 §12.5.5): a shared cache must not serve an answer given to one key
        holder to a request with another key, or none."""
        keyed = any(t.name == tenant and t.access_key for t in self.settings.tenants)
        return (ACCESS_KEY_HEADER,) if keyed else ()

    async def get_image(
        self, tenant: str, raw_id: str, query: MultiMapping[str], access_key: str | None
    ) -> Served:
        """The variant a client request asks for (spec "Client: GET /api/v2/img/{imagePackId}")."""
        self.check_access(tenant, access_key)
        pack_id = pack_id_of(raw_id)
        request = parse_query(query, self.settings.max_dimension)
        with _storage_errors():
            target = await self._resolve(tenant, pack_id, request)
            served, joined = await self.flights.run(target.key, lambda: self._hit_or_render(target))
        if joined and served.cache == "miss":
            return Served(served.variant, "coalesced")
        return served

    async def get_variant(self, tenant: str, key: str, access_key: str | None) -> Variant:
        """A stored variant by its key (the target of the over-the-limit redirect)."""
        # The key first: it names the tenant whose access key applies.
        if not is_variant_key(key) or not key.startswith(f"{tenant}/"):
            raise NotFound("no such variant", code="variant_not_found")
        self.check_access(tenant, access_key)
        with _storage_errors():
            variant = await self.variants.get(key)
        if variant is None:
            raise NotFound(
                "no such variant (it may have been invalidated)", code="variant_not_found"
            )
        return variant

    async def _resolve(self, tenant: str, pack_id: str, request: ClientRequest) -> _Target:
        # The pack, the location config and the region are independent reads: one round trip.
        # Without a location the pack names it; its main location is usually "main", so that
        # config is read along and read again only when the pack says otherwise.
        guess = request.location or "main"
        pack, config, region_ok = await asyncio.gather(
            self.reads.pack(tenant, pack_id),
            self.reads.config(tenant, guess),
            self.reads.region_exists(tenant, request.region) if request.region else _true(),
        )
        location = request.location or pack.main_image_location
        if location != guess:
            config = await self.reads.config(tenant, location)
        if config is None and request.location is not None:
            raise unknown_location(request.location)
        if not region_ok:
            raise unknown_region(request.region or "")
        source = await self.reads.source(tenant, pack, location, config, request.region)
        if source is None:
            raise NotFound(
                f"pack {pack_id!r} has no image at {location!r} or its fallbacks",
                code="image_not_found",
            )
        plan = plan_variant(
            request,
            pack,
            location,
            config,
            source,
            self.settings.tenant(tenant),
            self.settings.max_dimension,
        )
        key = variant_key(tenant, pack_id, location, plan)
        return _Target(tenant, pack, location, plan, key, request)

    async def _hit_or_render(self, target: _Target) -> Served:
        """The stored variant, or a render of the original the pack names; the pack is
        read again when a re-upload removed that original meanwhile."""
        for _ in range(SOURCE_ATTEMPTS - 1):
            try:
                return await self._hit_or_render_once(target)
            except _OriginalReplaced as replaced:
                self.events.append(
                    "origin", "source_replaced", tenant=target.tenant, pack=target.pack.id,
                    location=target.location, imageId=target.plan.source.image_id,
                    now=replaced.target.plan.source.image_id,
                )  # fmt: skip
                target = replaced.target
        try:
            return await self._hit_or_render_once(target)
        except _OriginalReplaced:
            raise ServiceUnavailable(
                f"the original was replaced {SOURCE_ATTEMPTS} times while rendering; try again",
                code="source_replaced",
            ) from None

    async def _hit_or_render_once(self, target: _Target) -> Served:
        stored = await self.variants.get(target.key)
        if stored is not None:
            self.events.append(
                "origin", "variant_hit", tenant=target.tenant, pack=target.pack.id, location=target.location,
                imageLocation=stored.image_location, variantKey=target.key, bytes=len(stored.body),
            )  # fmt: skip
            return Served(stored, "hit")
        return Served(await self._render(target), "miss")

    async def _source(self, target: _Target) -> tuple[Blob, RenderSpec, float]:
        """The original, the complete render spec and when the original was stored; refusals
        (a size over the limit, an original that cannot serve) come before any decoding."""
        original = await self.reads.original(target.tenant, target.plan.source.image_id)
        if original is None:
            await self._check_still_named(target)
            raise self._source_error(target, "the stored original is missing", "source_missing")
        try:
            header = await asyncio.to_thread(
                read_header, original.body, self.settings.max_image_pixels
            )
        except UnreadableImage as exc:
            raise self._source_error(
                target, f"the stored original cannot be read: {exc}", "source_unreadable"
            ) from None
        spec = render_spec(
            target.plan,
            (header.width, header.height),
            header.format,
            self.settings.max_dimension,
            self.settings.max_output_pixels,
        )
        spec = replace(spec, max_source_pixels=self.settings.max_image_pixels)
        try:
            uploaded = OriginalMeta.from_metadata(original.metadata).uploaded
        except (KeyError, ValueError):
            uploaded = original.last_modified  # stored by another writer: S3's own date
        return original, spec, uploaded

    async def _render(self, target: _Target) -> Variant:
        original, spec, uploaded = await self._source(target)
        source = target.plan.source
        try:
            rendered = await self.pool.render(original.body, spec)
        except UnreadableImage as exc:
            raise self._source_error(
                target, f"the stored original cannot be read: {exc}", "source_unreadable"
            ) from None
        except RenderFailed as exc:
            raise self._source_error(target, f"rendering failed: {exc}", "render_failed") from None
        variant = Variant(
            key=target.key,
            body=rendered.body,
            content_type=rendered.content_type,
            etag=etag_of(rendered.body),
            image_location=source.location,
            image_region=source.region,
            source_modified=uploaded,
        )
        self.events.append(
            "origin", "render", tenant=target.tenant, pack=target.pack.id, location=target.location,
            imageLocation=source.location, imageRegion=source.region, params=_params(spec),
            sourceBytes=len(original.body), outputBytes=len(rendered.body), cpuSeconds=rendered.cpu_seconds,
            variantKey=target.key,
        )  # fmt: skip
        await self._store(target, variant)
        return variant

    async def _check_still_named(self, target: _Target) -> None:
        """Raise :class:`_OriginalReplaced` unless the pack still names the missing original
        (the pack or its image gone meanwhile raise what a new request would get, a 404)."""
        again = await self._resolve(target.tenant, target.pack.id, target.request)
        if again.plan.source.image_id != target.plan.source.image_id:
            raise _OriginalReplaced(again)

    async def _store(self, target: _Target, variant: Variant) -> None:
        """Keep the variant in the S3 cache; one larger than the cache's whole budget is
        served without being kept, unless it needs keeping for the over-the-limit redirect."""
        size = len(variant.body)
        facts = {"tenant": target.tenant, "pack": target.pack.id, "location": target.location,
                 "variantKey": target.key, "bytes": size}  # fmt: skip
        if self.variants.fits(variant):
            await self.variants.put(variant)
            self.events.append("origin", "variant_stored", **facts)
            return
        self.events.append("origin", "variant_not_stored", reason="over_budget", **facts)
        if size > self.settings.response_limit_bytes:
            parameter = target.plan.box_parameter
            raise Unprocessable(
                f"{parameter}: the rendered variant ({size} bytes) is over both the response "
                "limit and the variant store's budget; ask for a smaller size or another format",
                code="output_too_large",
                parameter=parameter,
            )

    def _source_error(self, target: _Target, message: str, code: str) -> SourceError:
        log.warning(
            "%s/%s at %s: %s", target.tenant, target.pack.id, target.plan.source.location, message
        )
        self.events.append(
            "origin", "render_failed", tenant=target.tenant, pack=target.pack.id, location=target.location,
            imageLocation=target.plan.source.location, imageId=target.plan.source.image_id, reason=code,
            message=message, variantKey=target.key,
        )  # fmt: skip
        return SourceError(message, code=code)


@contextlib.contextmanager
def _storage_errors() -> Iterator[None]:
    """Storage that fails or does not answer is a 503 (an edge may then serve stale), not a crash."""
    try:
        yield
    except (BotoCoreError, ClientError, StorageUnavailable) as exc:
        log.warning("storage failed while serving: %s", exc)
        raise ServiceUnavailable("storage is not answering", code="storage_unavailable") from None


async def _true() -> bool:
    return True


def _params(spec: RenderSpec) -> dict[str, object]:
    """The effective parameters as a render event reports them."""
    params = asdict(spec)
    params.pop("max_source_pixels", None)
    return params
