"""``GET /metrics`` on a running stack's control API, after real traffic, parsed with
prometheus_client's own parser: each POP's counters equal ``/_edge/pops/{id}/stats``,
invalidations in progress and completed per POP follow the POPs' delays, the origin's
renders and their CPU time match its render events, the aggregator's queue its status."""

from __future__ import annotations

import asyncio
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from edge.metrics import POP_COUNTERS
from tests.cdnsim.conftest import Running

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


async def scrape(run: Running) -> Samples:
    async with run.http.get(run.stack.edge.control_url + "/metrics") as response:  # type: ignore[union-attr]
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = await response.text()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


async def stats(run: Running, pop: str) -> dict[str, Any]:
    async with run.http.get(f"{run.stack.edge.control_url}/_edge/pops/{pop}/stats") as r:  # type: ignore[union-attr]
        return dict(await r.json())


async def get(run: Running, pop: str, path: str) -> None:
    async with run.http.get(run.stack.edge.pop_urls[pop] + path) as response:  # type: ignore[union-attr]
        assert response.status == 200
        await response.read()


async def test_metrics_match_the_stats_after_traffic_and_follow_invalidations(
    running: Running,
) -> None:
    await running.admin_call(
        "PUT", "/adminAPI/imageLocationConfig/thumb", json={"width": 160, "height": 90}
    )
    pack = (await running.admin_call("POST", "/adminAPI/imagePacks", json={}))["id"]
    await running.upload(pack, "main", (200, 0, 0))
    await running.advance_to(300)  # the creation's own tick
    await running.advance_to(400)  # past every POP's delay
    path = f"/api/v2/img/{pack}?location=thumb"
    for _ in range(3):  # a miss, then hits
        await get(running, "pop-1", path)
    # Concurrent misses for one new variant: one goes upstream, the others collapse.
    await asyncio.gather(*(get(running, "pop-2", f"/api/v2/img/{pack}?width=99") for _ in range(5)))
    await get(running, "pop-3", path)
    await running.upload(pack, "main", (0, 0, 200))

    samples = await scrape(running)
    for pop in ("pop-1", "pop-2", "pop-3", "shield"):
        counters = await stats(running, pop)
        role = counters["role"]
        for name in POP_COUNTERS:
            assert (
                value(samples, f"cdnsim_edge_{name}_total", pop=pop, role=role) == counters[name]
            ), (pop, name)
        assert value(samples, "cdnsim_edge_workers", pop=pop, role=role) == 1
    assert value(samples, "cdnsim_edge_requests_total", pop="pop-1", role="pop") == 3
    assert value(samples, "cdnsim_edge_hits_total", pop="pop-1", role="pop") == 2
    assert value(samples, "cdnsim_edge_collapsed_total", pop="pop-2", role="pop") >= 1
    renders = running.stack.events.read(kinds=["render"])
    assert value(samples, "cdnsim_origin_renders_total", tenant="demo") == len(renders) == 2
    cpu = sum(e.data["cpuSeconds"] for e in renders)
    assert abs(value(samples, "cdnsim_origin_render_cpu_seconds_total", tenant="demo") - cpu) < 1e-9
    # The re-upload waits in the stream until the tick reads it.
    assert value(samples, "cdnsim_aggregator_unread_records") == 1
    assert value(samples, "cdnsim_aggregator_queue_length") == 0
    before = value(samples, "cdnsim_edge_invalidations_completed_total", pop="pop-1")

    # The tick at 600 invalidates; pop-1 applies 10 s later, pop-3 70 s later.
    await running.advance_to(620)
    samples = await scrape(running)
    assert value(samples, "cdnsim_aggregator_unread_records") == 0
    assert value(samples, "cdnsim_aggregator_flushes_total") == 2
    assert value(samples, "cdnsim_edge_invalidations_in_progress", pop="pop-1") == 0
    assert value(samples, "cdnsim_edge_invalidations_completed_total", pop="pop-1") == before + 1
    assert value(samples, "cdnsim_edge_invalidations_in_progress", pop="pop-3") == 1
    await running.advance_to(700)
    samples = await scrape(running)
    for pop in ("pop-1", "pop-2", "pop-3", "shield"):
        assert value(samples, "cdnsim_edge_invalidations_in_progress", pop=pop) == 0
        assert value(samples, "cdnsim_edge_invalidations_completed_total", pop=pop) == 2


async def test_a_scraper_asking_for_openmetrics_gets_it(running: Running) -> None:
    headers = {"Accept": "application/openmetrics-text; version=1.0.0"}
    async with running.http.get(running.stack.edge.control_url + "/metrics", headers=headers) as r:  # type: ignore[union-attr]
        assert r.headers["Content-Type"].startswith("application/openmetrics-text")
        assert (await r.text()).endswith("# EOF\n")
