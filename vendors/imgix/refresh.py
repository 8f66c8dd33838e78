"""Master images through imgix's origin cache (:mod:`vendors.imgix.masters`), and the
automatic refresh that notices changed origin images on the simulated clock.

:class:`AutoRefresh` sleeps on the injected clock until the next master is due (or one
refresh interval, whichever is sooner: a master fetched while it sleeps is never due
before that), then refetches each due master: a new ETag replaces the master, reprocesses
the asset and purges every derivative at every POP; the same ETag only schedules the next
look; an image gone from the origin is dropped and purged; an origin that fails keeps
the master for another interval. Each fetch of a master is an ``imgix``
``master_fetched`` event (with its ``refresh_at``), each look an ``asset_refreshed`` one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from vendors.imgix.assets import etag_of
from vendors.imgix.backend import ImgixBackend
from vendors.imgix.buckets import Original
from vendors.imgix.cache_ttl import image_lifetime, origin_lifetime
from vendors.imgix.fetch import OriginGate, load
from vendors.imgix.masters import Master
from vendors.imgix.purges import Purges

log = logging.getLogger(__name__)


def keep_master(
    backend: ImgixBackend,
    source_id: str,
    deployment: Mapping[str, Any],
    location: str,
    original: Original,
) -> Master | None:
    """Keep a freshly fetched master for as long as its derivatives may be kept."""
    keep_for = image_lifetime(deployment, origin_lifetime(original.headers))
    now, etag = backend.clock.now(), etag_of(original)
    master = backend.masters.put(
        source_id, unquote(location), location, original, etag, now, keep_for
    )
    backend.events.append(
        "imgix",
        "master_fetched",
        source=source_id,
        path=unquote(location),
        etag=etag,
        kept=master is not None,
        refresh_at=master.refresh_at if master is not None else None,
    )
    return master


async def master_image(
    backend: ImgixBackend,
    gate: OriginGate,
    source_id: str,
    deployment: Mapping[str, Any],
    location: str,
) -> Original:
    """The master of ``location`` (percent-encoded) on a source: the kept one, or the
    origin's (kept when it is an image the origin served)."""
    kept = backend.masters.get(source_id, unquote(location), backend.clock.now())
    if kept is not None:
        return kept.original
    original = await load(gate, deployment, location)
    if original.status == 200:
        keep_master(backend, source_id, deployment, location, original)
    return original


class AutoRefresh:
    def __init__(self, backend: ImgixBackend, gate: OriginGate, purges: Purges) -> None:
        self.backend, self.gate, self.purges = backend, gate, purges
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self.backend.settings.refresh_seconds > 0 and self._task is None:
            self._task = asyncio.ensure_future(self._run())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _run(self) -> None:
        clock, interval = self.backend.clock, self.backend.settings.refresh_seconds
        while True:
            now = clock.now()
            due = self.backend.masters.next_refresh()
            await clock.sleep_until(min(due, now + interval) if due is not None else now + interval)
            for master in self.backend.masters.due(clock.now()):
                try:
                    await self.refresh(master)
                except Exception:  # one failed look must not end the refresher
                    log.exception("refreshing %s%s failed", master.source_id, master.path)
                    self.backend.masters.renew(master, clock.now())

    async def refresh(self, master: Master) -> None:
        backend = self.backend
        source = backend.sources.by_id.get(master.source_id)
        if source is None or source.live is None:
            backend.masters.drop(master.source_id, master.path)
            return
        original = await load(self.gate, source.live, master.location)
        now = backend.clock.now()
        if original.status == 200:
            changed = etag_of(original) != master.etag
            keep_master(backend, source.id, source.live, master.location, original)
            if changed:
                await asyncio.to_thread(
                    backend.assets.observe, source.id, master.path, original, now
                )
                await self.purges.purge_image(source.id, master.path)
            outcome = "changed" if changed else "unchanged"
        elif original.status == 404:
            backend.masters.drop(source.id, master.path)
            await self.purges.purge_image(source.id, master.path)
            outcome = "gone"
        else:
            backend.masters.renew(master, now)
            outcome = "origin-failed"
        backend.events.append(
            "imgix",
            "asset_refreshed",
            source=source.id,
            path=master.path,
            outcome=outcome,
            fetched_at=master.fetched_at,
        )
