"""``GET /metrics`` on the control app: counters in Prometheus's text format (or OpenMetrics,
when the scraper's ``Accept`` asks for it), for the graphs CDN engineers keep.

Each scrape asks every source for its metric families afresh: a POP's counters through the
same view the control API's ``/_edge/pops/{id}/stats`` reads (so both always agree, however
many worker processes a POP has), invalidation progress from the invalidation service, and
whatever the host adds (the stack: the origin's renders, the aggregator's queue). Sources
are async because reading a POP may mean asking its workers; prometheus_client's collectors
are not, so a scrape gathers first and then renders one registry of what it gathered.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Protocol

from aiohttp import web
from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder

from edge.invalidation import InvalidationService
from edge.pop_view import PopEntry

PREFIX = "cdnsim"

# The counters of a POP's stats(), in the order a reader scans them: name → help.
POP_COUNTERS = {
    "requests": "Viewer requests answered",
    "hits": "Requests answered from the cache while fresh",
    "misses": "Requests that had to go upstream",
    "stale": "Stale responses served (stale-while-revalidate, stale-if-error, max-stale)",
    "revalidated": "304s from upstream that refreshed a stored response",
    "collapsed": "Requests that waited for another request's upstream fetch",
    "bypass": "Requests passed through without the cache",
    "errors": "5xx answers the edge made itself (upstream down or slow)",
    "origin_fetches": "Requests sent upstream (to the shield or the origin)",
    "bytes": "Body bytes sent to viewers",
    "stored": "Responses stored in the cache",
    "fast_lane": "Hits answered from the request's bytes, without aiohttp's request objects",
}


class MetricsSource(Protocol):
    async def collect(self) -> Iterable[Metric]:
        """The metric families as they are now."""
        ...


# What /metrics reads on the control app (the control app starts it; its host adds more).
METRICS: web.AppKey[list[MetricsSource]] = web.AppKey("metrics")


class PopMetrics:
    """Every POP's (and the shield's) counters, labelled ``pop`` and ``role``."""

    def __init__(self, pops: Mapping[str, PopEntry]) -> None:
        self._pops = pops

    async def collect(self) -> Iterable[Metric]:
        labels = ["pop", "role"]
        counters = {
            name: CounterMetricFamily(f"{PREFIX}_edge_{name}", text, labels=labels)
            for name, text in POP_COUNTERS.items()
        }
        volume = GaugeMetricFamily(
            f"{PREFIX}_edge_cache_bytes", "Bytes the POP's cache holds", labels=labels
        )
        workers = GaugeMetricFamily(
            f"{PREFIX}_edge_workers", "Worker processes serving the POP", labels=labels
        )
        for entry in self._pops.values():
            stats = await entry.view.stats()
            values = [entry.view.pop_id, entry.role]
            for name, family in counters.items():
                family.add_metric(values, float(stats.get(name, 0)))
            volume.add_metric(values, float(stats.get("volume", 0)))
            workers.add_metric(values, float(stats.get("workers", 1)))
        return [*counters.values(), volume, workers]


class InvalidationMetrics:
    """Per POP: invalidations waiting to be applied there, and those it has applied."""

    def __init__(self, service: InvalidationService) -> None:
        self._service = service

    async def collect(self) -> Iterable[Metric]:
        pending = GaugeMetricFamily(
            f"{PREFIX}_edge_invalidations_in_progress",
            "Invalidations created and not yet applied by the POP",
            labels=["pop"],
        )
        applied = CounterMetricFamily(
            f"{PREFIX}_edge_invalidations_completed",
            "Invalidations the POP has applied (since start or the last reset)",
            labels=["pop"],
        )
        for pop, (in_progress, completed) in self._service.progress_by_pop().items():
            pending.add_metric([pop], float(in_progress))
            applied.add_metric([pop], float(completed))
        return [pending, applied]


class _Gathered:
    """What one scrape gathered, as a prometheus_client collector."""

    def __init__(self, families: Sequence[Metric]) -> None:
        self._families = families

    def collect(self) -> Iterator[Metric]:
        yield from self._families


async def serve_metrics(request: web.Request) -> web.Response:
    families: list[Metric] = []
    for source in request.app[METRICS]:
        families.extend(await source.collect())
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Gathered(families))
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    return web.Response(body=encode(registry), headers={"Content-Type": content_type})
