"""The stack's own sources for the control API's ``/metrics`` (see :mod:`edge.metrics`):
the origin's renders and their CPU time, and the aggregator's queue.

Renders are counted from the event log as each ``render`` event is appended (so the totals
stay exact however long the stack runs, past what the bounded log keeps); they are the
renders of the origin in the stack's process, which with ``--origin-workers`` is the first
worker only (as for the event log itself).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from common.events import Event, EventLog
from edge.metrics import PREFIX
from origin.aggregator.service import Aggregator


class RenderMetrics:
    """``cdnsim_origin_renders_total`` and ``cdnsim_origin_render_cpu_seconds_total``, by
    tenant, counted from the ``render`` events of ``events``."""

    def __init__(self, events: EventLog) -> None:
        self._lock = threading.Lock()
        self._renders: dict[str, int] = {}
        self._seconds: dict[str, float] = {}
        events.subscribe(self._seen)

    def _seen(self, event: Event) -> None:
        if event.kind != "render" or event.component != "origin":
            return
        tenant = str(event.data.get("tenant", ""))
        with self._lock:
            self._renders[tenant] = self._renders.get(tenant, 0) + 1
            self._seconds[tenant] = self._seconds.get(tenant, 0.0) + float(
                event.data.get("cpuSeconds", 0.0)
            )

    async def collect(self) -> Iterable[Metric]:
        renders = CounterMetricFamily(
            f"{PREFIX}_origin_renders", "Variants the origin rendered", labels=["tenant"]
        )
        seconds = CounterMetricFamily(
            f"{PREFIX}_origin_render_cpu_seconds",
            "CPU seconds the origin's renders took",
            labels=["tenant"],
        )
        with self._lock:
            for tenant, count in sorted(self._renders.items()):
                renders.add_metric([tenant], float(count))
                seconds.add_metric([tenant], self._seconds[tenant])
        return [renders, seconds]


class AggregatorMetrics:
    """The aggregator's queue (packs read from the streams and waiting for a flush; a tick
    reads the streams and flushes at once, so it holds packs only while a flush is retried),
    the stream records written since its last read (what the next tick will read), the
    packs of an unfinished flush, the flushes so far and the next tick's simulated time."""

    def __init__(self, aggregator: Callable[[], Aggregator | None]) -> None:
        self._aggregator = aggregator  # a reset starts a new one

    async def collect(self) -> Iterable[Metric]:
        aggregator = self._aggregator()
        if aggregator is None:
            return []
        status = aggregator.status()
        flush = status["flush"]
        return [
            _gauge(
                "aggregator_queue_length", "Packs queued for the next flush", len(status["queue"])
            ),
            _gauge(
                "aggregator_unread_records",
                "Stream records (pack and location-config writes) the next tick will read",
                await aggregator.unread(),
            ),
            _gauge(
                "aggregator_flushing_packs",
                "Packs of a flush under way (0 when none is)",
                len(flush["entries"]) if flush else 0,
            ),
            _counter("aggregator_flushes", "Flushes started", status["flushes"]),
            _gauge(
                "aggregator_next_tick_timestamp_seconds",
                "When the next tick falls, in simulated epoch seconds",
                status["nextTick"],
            ),
        ]


def _gauge(name: str, text: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"{PREFIX}_{name}", text, value=float(value))


def _counter(name: str, text: str, value: float) -> CounterMetricFamily:
    return CounterMetricFamily(f"{PREFIX}_{name}", text, value=float(value))
