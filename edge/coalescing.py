"""Who fills a POP's cache, so that concurrent misses for one key make one upstream request.

A POP that is one process fills its own misses: concurrent requests for one key (one
*flight*, see :attr:`~edge.fill.CacheRequest.flight`) share one upstream request, and a
request that waited longer than ``coalesce_wait`` (wall seconds) goes by itself.

A POP that runs as several worker processes fills every miss in its edge process: each
worker first coalesces its own requests, then asks the edge process over its link, which
coalesces the workers' requests the same way and answers each with the one response. So
N concurrent cold requests make one upstream request per POP, whichever workers take
them, and the edge process counts the upstream requests (``origin_fetches``, ``stored``).
"""

from __future__ import annotations

from typing import Protocol

from common.single_flight import SingleFlight
from edge.fill import CacheRequest, Fetched, Filler
from edge.store.base import Entry
from edge.worker_link import Link


class Fill(Protocol):
    def inflight(self, flight: str) -> bool:
        """Whether a fill for ``flight`` is under way (in this process)."""
        ...

    async def shared(self, ctx: CacheRequest, entry: Entry | None) -> tuple[Fetched, bool]:
        """The fill for ``ctx``, shared with concurrent requests of its flight; and whether
        it was another request's (collapsed)."""
        ...

    async def alone(self, ctx: CacheRequest, entry: Entry | None) -> Fetched:
        """A fill of ``ctx``'s own, shared with nobody."""
        ...


class LocalFill:
    """This process fills: its single-flight, its filler."""

    def __init__(self, filler: Filler, coalesce_wait: float) -> None:
        self.filler, self.coalesce_wait = filler, coalesce_wait
        self._flights: SingleFlight[Fetched] = SingleFlight()

    def inflight(self, flight: str) -> bool:
        return self._flights.inflight(flight)

    async def shared(self, ctx: CacheRequest, entry: Entry | None) -> tuple[Fetched, bool]:
        return await self._flights.run(
            ctx.flight, lambda: self.filler.fetch(ctx, entry), wait=self.coalesce_wait
        )

    async def alone(self, ctx: CacheRequest, entry: Entry | None) -> Fetched:
        return await self.filler.fetch(ctx, entry)


class LeaderFill:
    """A worker process asks the POP's edge process to fill (see the module docstring)."""

    def __init__(self, link: Link, coalesce_wait: float) -> None:
        self.link, self.coalesce_wait = link, coalesce_wait
        self._flights: SingleFlight[tuple[Fetched, bool]] = SingleFlight()

    def inflight(self, flight: str) -> bool:
        return self._flights.inflight(flight)

    async def shared(self, ctx: CacheRequest, entry: Entry | None) -> tuple[Fetched, bool]:
        (fetched, elsewhere), joined = await self._flights.run(
            ctx.flight, lambda: self._ask(ctx, entry, True), wait=self.coalesce_wait
        )
        return fetched, joined or elsewhere

    async def alone(self, ctx: CacheRequest, entry: Entry | None) -> Fetched:
        fetched, _ = await self._ask(ctx, entry, False)
        return fetched

    async def _ask(
        self, ctx: CacheRequest, entry: Entry | None, shared: bool
    ) -> tuple[Fetched, bool]:
        result: tuple[Fetched, bool] = await self.link.call("fill", ctx, entry, shared)
        return result
